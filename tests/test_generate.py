"""Pruebas de la generación de texto: estrategias, semillas y entradas incorrectas."""
import pytest
import torch

from companion.data import Vocab, clean
from companion.generate import generate, generate_stream
from companion.model import build_model

from generation_text import GENERATION_TEXT as TEXT  # noqa: E402
from generation_text import DeviceProbe  # noqa: E402


@pytest.fixture(scope="module")
def setup(gru_lm):
    return gru_lm


def test_output_starts_with_cleaned_prompt_and_has_length(setup):
    model, vocab = setup
    out = generate(model, vocab, "¡Sancho, QUIJOTE!", length=30, seed=0)
    assert out.startswith(clean("¡Sancho, QUIJOTE!")) and out.startswith(" sancho quijote ")
    assert len(out) == len(clean("¡Sancho, QUIJOTE!")) + 30
    assert set(out) <= set(vocab.itos)
    assert generate(model, vocab, "la", length=0) == "la"


def test_greedy_is_deterministic_and_top1_equals_greedy(setup):
    model, vocab = setup
    greedy = generate(model, vocab, "la mancha", length=40, strategy="greedy")
    assert greedy == generate(model, vocab, "la mancha", length=40, strategy="greedy")
    assert generate(model, vocab, "la mancha", length=40, top_k=1, seed=5) == greedy


def test_seeded_sampling_is_reproducible_and_leaves_global_rng_alone(setup):
    model, vocab = setup
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = generate(model, vocab, "sancho", length=60, seed=7, temperature=1.5)
    assert torch.equal(torch.rand(1), before)
    assert a == generate(model, vocab, "sancho", length=60, seed=7, temperature=1.5)
    assert a != generate(model, vocab, "sancho", length=60, seed=8, temperature=1.5)


def test_low_temperature_approaches_greedy(setup):
    model, vocab = setup
    greedy = generate(model, vocab, "quijote", length=30, strategy="greedy")
    assert generate(model, vocab, "quijote", length=30, temperature=1e-4, seed=1) == greedy


def test_top_k_restricts_choices(setup):
    model, vocab = setup
    model.eval()
    with torch.no_grad():
        logits, _ = model(vocab.encode("sancho")[None, :])
    allowed = {vocab.itos[i] for i in torch.topk(logits[0, -1], 3).indices.tolist()}
    for seed in range(15):
        assert generate(model, vocab, "sancho", length=1, top_k=3, seed=seed)[-1] in allowed


@pytest.mark.parametrize("kwargs, message", [
    (dict(temperature=0), "temperatura"),
    (dict(temperature=-1.0), "temperatura"),
    (dict(temperature=float("inf")), "positivo y finito"),
    (dict(temperature=float("nan")), "positivo y finito"),
    (dict(top_k=0), "top_k"),
    (dict(strategy="beam"), "Estrategia"),
    (dict(length=-1), "length"),
])
def test_bad_arguments(setup, kwargs, message):
    model, vocab = setup
    with pytest.raises(ValueError, match=message):
        generate(model, vocab, "sancho", **kwargs)


def test_unencodable_characters_are_named(setup):
    model, vocab = setup
    with pytest.raises(ValueError, match=r"\['k', 'w'\]"):
        generate(model, vocab, "Kiwi", length=5)
    with pytest.raises(ValueError, match="vacío"):
        generate(model, vocab, "", length=5)
    assert generate(model, vocab, "¡¿...?!", length=5, seed=0).startswith(" ")  # los signos dan un espacio


# --------------------------------------------------------------------------- casos límite (pruebas de mutación)


def test_defaults_are_100_characters_sampled_at_temperature_one(setup):
    """Sin argumentos: 100 caracteres muestreados con temperatura 1, como dicen las firmas de generate y
    generate_stream."""
    model, vocab = setup
    out = generate(model, vocab, "la", seed=3)
    assert len(out) == 2 + 100
    assert out == generate(model, vocab, "la", length=100, strategy="sample", temperature=1.0, seed=3)
    assert out != generate(model, vocab, "la", length=100, temperature=2.0, seed=3)
    text, characters = generate_stream(model, vocab, "la", seed=3)
    assert text + "".join(characters) == out


def test_tiny_temperature_is_greedy_without_nan(setup):
    """Con τ = 1e-320 (un número subnormal) el cociente logits / τ desborda a ±inf: se resta antes el máximo y
    el muestreo es el voraz, sin NaN."""
    model, vocab = setup
    with torch.no_grad():
        logits, _ = model(vocab.encode("don quijote")[None, :])
    assert not torch.isfinite(logits[0, -1].double() / 1e-320).all()  # desborda de verdad
    greedy = generate(model, vocab, "don quijote", length=40, strategy="greedy")
    for seed, temperature in enumerate([1e-300, 1e-320, 1e-320]):
        assert generate(model, vocab, "don quijote", length=40, temperature=temperature, seed=seed) == greedy


@pytest.mark.parametrize("kwargs, message", [
    ({"length": True}, "^length debe ser un entero no negativo y se recibió True"),
    ({"length": 2.5}, "^length debe ser un entero no negativo y se recibió 2.5"),
    ({"temperature": True}, "^La temperatura debe ser un número positivo y finito"),
    ({"temperature": "1"}, "^La temperatura debe ser un número positivo y finito"),
    ({"top_k": True}, "^top_k debe ser None o un entero mayor o igual que 1 y se recibió True"),
    ({"top_k": 2.0}, "^top_k debe ser None o un entero mayor o igual que 1 y se recibió 2.0"),
])
def test_booleans_and_floats_are_not_lengths_temperatures_or_k(setup, kwargs, message):
    """``True`` no es un entero para la longitud ni para top_k, ni un número para la temperatura; el error salta
    al llamar, antes de pedir el primer carácter."""
    model, vocab = setup
    with pytest.raises(ValueError, match=message):
        generate_stream(model, vocab, "sancho", **kwargs)


def test_prompt_errors_are_complete_sentences(setup):
    model, vocab = setup
    with pytest.raises(TypeError, match=r"^El texto inicial debe ser una cadena y se recibió int\.$"):
        generate(model, vocab, 5)
    with pytest.raises(ValueError, match=r"^El texto inicial está vacío tras limpiarlo: escriba al menos una letra, "
                                         r"por ejemplo 'en un lugar'\.$"):
        generate(model, vocab, "")
    with pytest.raises(ValueError, match=r"^El texto inicial contiene caracteres que el vocabulario del modelo no "
                                         r"tiene: \['k', 'w'\]\. Quítelos o sustitúyalos por otros del "
                                         r"vocabulario\.$"):
        generate(model, vocab, "kiwi")


def test_inputs_go_to_the_device_of_the_model(setup):
    """Cada entrada se crea en el dispositivo de los parámetros del modelo (la GPU en Colab), no en la CPU."""
    _, vocab = setup
    probe = DeviceProbe(len(vocab))
    assert len(generate(probe, vocab, "la mancha", length=4, seed=0)) == len("la mancha") + 4
    assert len(probe.devices) == 1 + 4 and set(probe.devices) == {torch.device("meta")}
