"""Pruebas de la búsqueda en haz: equivalencia con la voraz, optimalidad, fin de secuencia y entradas incorrectas."""
import itertools
import math

import pytest
import torch

from companion.data import Vocab
from companion.generate import beam_generate, beam_search, generate
from companion.model import build_model

from generation_text import GENERATION_TEXT as TEXT  # noqa: E402


@pytest.fixture(scope="module")
def lm(gru_lm):
    return gru_lm


def sequence_log_prob(model, vocab, prompt, continuation):
    """log P(continuación | texto inicial), sumando las log-probabilidades del modelo carácter a carácter."""
    ids = vocab.encode(prompt + continuation)
    with torch.no_grad():
        logits, _ = model(ids[None, :-1])
    log_probs = torch.log_softmax(logits[0].double(), dim=-1)
    targets = ids[1:]
    return float(log_probs[torch.arange(len(targets)), targets][len(prompt) - 1:].sum())


def test_width_one_equals_greedy(lm):
    model, vocab = lm
    for prompt in ("la mancha", "s"):
        greedy = generate(model, vocab, prompt, length=40, strategy="greedy")
        (text, log_prob), = beam_generate(model, vocab, prompt, length=40, beam_width=1)
        assert text == greedy
        assert math.isclose(log_prob, sequence_log_prob(model, vocab, prompt, text[len(prompt):]), rel_tol=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_wider_beam_never_scores_below_greedy(seed):
    vocab = Vocab(TEXT)
    torch.manual_seed(seed)
    model = build_model("lstm", vocab_size=len(vocab), hidden_size=12)
    _, greedy_lp = beam_generate(model, vocab, "don quijote", length=30, beam_width=1)[0]
    for width in (2, 3, 5, 8):
        results = beam_generate(model, vocab, "don quijote", length=30, beam_width=width)
        assert results[0][1] >= greedy_lp - 1e-12
        assert len(results) == width and len({text for text, _ in results}) == width  # k secuencias distintas
        assert [lp for _, lp in results] == sorted((lp for _, lp in results), reverse=True)
        for text, lp in results:  # la log-probabilidad devuelta es la de la secuencia según el modelo
            assert math.isclose(lp, sequence_log_prob(model, vocab, "don quijote", text[len("don quijote"):]),
                                rel_tol=1e-6)


def toy_step(table):
    """Un «modelo» cuyo siguiente símbolo depende solo del anterior: log_probs = table[último símbolo]."""
    def step(ids, state):
        return table[ids], state
    return step


def test_exhaustive_beam_finds_the_most_probable_sequence():
    torch.manual_seed(0)
    V, L = 3, 4
    table = torch.log_softmax(torch.randn(V, V, dtype=torch.float64) * 2, dim=-1)
    state = torch.zeros(1, 1, 1)  # un estado con el lote (las hipótesis) en la dimensión 1
    best = beam_search(toy_step(table), state, 0, beam_width=V ** L, max_length=L)
    scores = {seq: sum(float(table[a, b]) for a, b in zip((0,) + seq, seq))
              for seq in itertools.product(range(V), repeat=L)}
    assert {tuple(h.ids) for h in best} == set(scores)  # todas, sin repetir (hay empates: mismas transiciones)
    assert all(math.isclose(h.log_prob, scores[tuple(h.ids)]) for h in best)
    assert [h.log_prob for h in best] == sorted((h.log_prob for h in best), reverse=True)
    assert math.isclose(best[0].log_prob, max(scores.values()))


def test_end_of_sequence_and_length_normalisation():
    # Símbolos: 0 = fin. Desde el inicio (1), terminar ya tiene probabilidad 0.4; seguir con 2 y después
    # terminar, 0.6 · 0.6 = 0.36. Sin normalizar gana la secuencia corta; con la media por símbolo, la larga.
    p = torch.tensor([[1.0, 0.0, 0.0],
                      [0.4, 0.0, 0.6],
                      [0.6, 0.0, 0.4]], dtype=torch.float64)
    table = p.clamp_min(1e-300).log()
    state = torch.zeros(1, 1, 1)
    short = beam_search(toy_step(table), state, 1, beam_width=2, max_length=10, eos_id=0, length_alpha=0.0)
    assert short[0].ids == [0] and math.isclose(short[0].log_prob, math.log(0.4))
    assert short[1].ids == [2, 0] and math.isclose(short[1].log_prob, math.log(0.36))
    normalised = beam_search(toy_step(table), state, 1, beam_width=2, max_length=10, eos_id=0, length_alpha=1.0)
    assert normalised[0].ids == [2, 0] and math.isclose(normalised[0].score, math.log(0.36) / 2)
    for h in short + normalised:  # nada sigue después del fin de secuencia
        assert h.ids.count(0) == 1 and h.ids[-1] == 0


def test_pair_states_are_reordered_like_tensors(lm):
    vocab = Vocab(TEXT)
    torch.manual_seed(1)
    model = build_model("lstm", vocab_size=len(vocab), hidden_size=8, num_layers=2)  # estado (H, C), 2 capas
    (text, lp), *_ = beam_generate(model, vocab, "sancho", length=15, beam_width=3)
    assert math.isclose(lp, sequence_log_prob(model, vocab, "sancho", text[len("sancho"):]), rel_tol=1e-6)


@pytest.mark.parametrize("kwargs, message", [
    ({"beam_width": 0}, "beam_width debe ser un entero positivo, no 0"),
    ({"beam_width": True}, "beam_width"),
    ({"max_length": 0}, "max_length debe ser un entero positivo"),
    ({"length_alpha": -1}, "length_alpha debe ser un número no negativo"),
])
def test_bad_search_arguments_give_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        beam_search(toy_step(torch.zeros(2, 2)), torch.zeros(1, 1, 1), 0, **kwargs)


@pytest.mark.parametrize("prompt, length, message", [("sancho", 0, "length"), ("kilo", 5, "vocabulario")])
def test_bad_generation_arguments_give_clear_errors(lm, prompt, length, message):
    model, vocab = lm
    with pytest.raises(ValueError, match=message):
        beam_generate(model, vocab, prompt, length=length)


def test_greedy_sequence_is_kept_when_the_beam_prunes_its_prefix():
    # Símbolos: 0 inicio, 1 «A», 2 «B», 3 «a», 4 «b», 5 «x». La voraz elige A (0.4) y después a (0.22), y a
    # partir de a todo es seguro: P = 0.4 · 0.22 = 0.088. Con k = 2, en el segundo paso B→b y B→x (0.35 · 0.5)
    # superan a A→a, así que el haz descarta el prefijo voraz y lo que encuentra después es menos probable
    # (B b a a …: 0.35 · 0.5 / 6). Sin la voraz entre las candidatas, el haz ancho devolvería algo peor.
    p = torch.zeros(6, 6, dtype=torch.float64)
    p[0, [1, 2, 5]] = torch.tensor([0.4, 0.35, 0.25], dtype=torch.float64)
    p[1] = torch.tensor([0.0, 0.195, 0.195, 0.22, 0.195, 0.195], dtype=torch.float64)
    p[2, [4, 5]] = 0.5
    p[3, 3] = 1.0
    p[4] = p[5] = 1 / 6
    table = p.clamp_min(1e-300).log()
    state = torch.zeros(1, 1, 1)
    (greedy,) = beam_search(toy_step(table), state, 0, beam_width=1, max_length=6)
    assert greedy.ids == [1, 3, 3, 3, 3, 3] and math.isclose(greedy.log_prob, math.log(0.4 * 0.22))
    wide = beam_search(toy_step(table), state, 0, beam_width=2, max_length=6)
    assert wide[0].ids == greedy.ids and math.isclose(wide[0].log_prob, greedy.log_prob)
    assert len(wide) == 2 and wide[1].log_prob < greedy.log_prob  # la otra es la que encontró el haz


# --------------------------------------------------------------------------- casos límite (pruebas de mutación)


def counting_step(table):
    """Como ``toy_step``, y además cuenta las llamadas en ``step.calls``."""
    def step(ids, state):
        step.calls += 1
        return table[ids], state
    step.calls = 0
    return step


def chain_table(rows):
    """Tabla de log-probabilidades a partir de filas de probabilidades (los ceros, casi −inf)."""
    return torch.tensor(rows, dtype=torch.float64).clamp_min(1e-300).log()


def test_search_defaults_are_four_sequences_of_100_without_normalisation():
    torch.manual_seed(0)
    table = torch.log_softmax(torch.randn(3, 3, dtype=torch.float64), dim=-1)
    best = beam_search(toy_step(table), torch.zeros(1, 1, 1), 0)
    assert len(best) == 4 and all(len(h.ids) == 100 for h in best)
    assert all(h.score == h.log_prob for h in best)  # length_alpha = 0: se compara log P sin normalizar


def test_the_rescued_greedy_sequence_is_scored_like_the_others():
    """La voraz que se añade a las candidatas lleva la misma normalización por longitud que las demás."""
    p = torch.zeros(6, 6, dtype=torch.float64)  # la tabla de test_greedy_sequence_is_kept_when_the_beam_prunes…
    p[0, [1, 2, 5]] = torch.tensor([0.4, 0.35, 0.25], dtype=torch.float64)
    p[1] = torch.tensor([0.0, 0.195, 0.195, 0.22, 0.195, 0.195], dtype=torch.float64)
    p[2, [4, 5]] = 0.5
    p[3, 3] = 1.0
    p[4] = p[5] = 1 / 6
    wide = beam_search(toy_step(p.clamp_min(1e-300).log()), torch.zeros(1, 1, 1), 0, beam_width=2, max_length=6,
                       length_alpha=1.0)
    assert wide[0].ids == [1, 3, 3, 3, 3, 3]  # la voraz, rescatada
    for h in wide:
        assert math.isclose(h.score, h.log_prob / len(h.ids))
    assert wide[0].score > wide[1].score


# Símbolos de las tablas siguientes: 0 = fin de secuencia, 1 = inicio, 2 = «A», 3 = «B»; A y B se repiten.
A_THEN_EOS = [[1, 0, 0, 0], [0.4, 0, 0.6, 0], [0, 0, 1, 0], [0, 0, 0, 1]]


def test_end_of_sequence_outside_the_beam_does_not_finish():
    """Con k = 1 el fin de secuencia (0.4) es la segunda opción: no termina ninguna hipótesis y sale la voraz."""
    (best,) = beam_search(toy_step(chain_table(A_THEN_EOS)), torch.zeros(1, 1, 1), 1, beam_width=1, max_length=3,
                          eos_id=0)
    assert best.ids == [2, 2, 2] and math.isclose(best.log_prob, math.log(0.6))


def test_search_stops_when_beam_width_hypotheses_finished():
    """Terminar ya (0.6) es lo mejor: con k = 1 la búsqueda acaba en el primer paso, aunque una continuación
    larga puntuaría más con la media por símbolo."""
    step = counting_step(chain_table([[1, 0, 0, 0], [0.6, 0, 0.4, 0], [0, 0, 1, 0], [0, 0, 0, 1]]))
    (best,) = beam_search(step, torch.zeros(1, 1, 1), 1, beam_width=1, max_length=5, eos_id=0, length_alpha=1.0)
    assert best.ids == [0] and math.isclose(best.log_prob, math.log(0.6))
    assert step.calls == 1


def test_finished_hypotheses_are_kept_when_the_search_reaches_max_length():
    """Fin (0.3) es la segunda opción del primer paso: termina; A A A (0.5) y B B B (0.2) llegan a max_length.
    Las dos mejores son A A A y el fin temprano, no B B B."""
    table = chain_table([[1, 0, 0, 0], [0.3, 0, 0.5, 0.2], [0, 0, 1, 0], [0, 0, 0, 1]])
    best = beam_search(toy_step(table), torch.zeros(1, 1, 1), 1, beam_width=2, max_length=3, eos_id=0)
    assert [h.ids for h in best] == [[2, 2, 2], [0]]
    assert math.isclose(best[1].log_prob, math.log(0.3))


def test_generation_defaults_and_shortest_length(lm):
    model, vocab = lm
    results = beam_generate(model, vocab, "la")
    assert len(results) == 4 and all(len(text) == 2 + 100 for text, _ in results)
    (text, lp), = beam_generate(model, vocab, "la", length=1, beam_width=1)
    assert text == generate(model, vocab, "la", length=1, strategy="greedy")
    assert math.isclose(lp, sequence_log_prob(model, vocab, "la", text[2:]), rel_tol=1e-6)


def test_two_character_prompt_reads_both_characters(lm):
    """Con un texto inicial de dos caracteres, el primero se lee antes de buscar: cuenta en las probabilidades."""
    model, vocab = lm
    for text, lp in beam_generate(model, vocab, "la", length=12, beam_width=3):
        assert math.isclose(lp, sequence_log_prob(model, vocab, "la", text[2:]), rel_tol=1e-6)


@pytest.mark.parametrize("length", [True, 2.5])
def test_generation_length_must_be_a_true_integer(lm, length):
    model, vocab = lm
    with pytest.raises(ValueError, match=f"^length debe ser un entero positivo y se recibió {length}"):
        beam_generate(model, vocab, "sancho", length=length)


def test_beam_inputs_go_to_the_device_of_the_model(lm):
    from generation_text import DeviceProbe

    _, vocab = lm
    probe = DeviceProbe(len(vocab))
    results = beam_generate(probe, vocab, "la mancha", length=3, beam_width=2)
    assert len(results) == 2 and probe.devices and set(probe.devices) == {torch.device("meta")}
