"""Pruebas de la generación de texto: estrategias, semillas y entradas incorrectas."""
import pytest
import torch

from companion.data import Vocab, clean
from companion.generate import generate
from companion.model import build_model

from generation_text import GENERATION_TEXT as TEXT  # noqa: E402


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
