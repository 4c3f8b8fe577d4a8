"""Pruebas de companion.metrics: entropía, entropía cruzada, perplejidad y bits por carácter."""
import math

import numpy as np
import pytest
import torch

from companion.metrics import (
    bits_per_char,
    cross_entropy,
    entropy,
    perplexity,
    perplexity_from_logits,
    perplexity_from_nll,
)


def test_four_equally_likely_balls():
    p = [0.25, 0.25, 0.25, 0.25]
    assert entropy(p) == pytest.approx(2.0)
    assert perplexity(p) == pytest.approx(4.0)


def test_bag_of_eight_balls():
    bag = [1, 1, 1, 1, 2, 2, 3, 4]
    p = np.bincount(bag)[1:] / len(bag)  # 1/2, 1/4, 1/8, 1/8
    assert entropy(p) == pytest.approx(1.75)
    assert perplexity(p) == pytest.approx(2**1.75)
    assert perplexity(p) == pytest.approx(3.3636, abs=1e-4)


def test_base_does_not_change_perplexity():
    p = torch.tensor([0.5, 0.3, 0.2])
    h2, he = entropy(p), entropy(p, base=math.e)
    assert he == pytest.approx(h2 * math.log(2))
    assert 2**h2 == pytest.approx(math.exp(he))
    assert entropy([1.0, 0.0]) == 0.0


def test_cross_entropy():
    p = [0.5, 0.25, 0.125, 0.125]
    assert cross_entropy(p, p) == pytest.approx(entropy(p))
    assert cross_entropy(p, [0.25] * 4) == pytest.approx(2.0)
    assert cross_entropy(p, [0.25] * 4) > entropy(p)  # desigualdad de Gibbs
    assert perplexity(p, [0.25] * 4) == pytest.approx(4.0)
    # Un símbolo imposible para el modelo pero sin probabilidad real no cuesta nada.
    assert cross_entropy([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == pytest.approx(1.0)


def test_zero_probability_gives_infinity_not_nan():
    assert cross_entropy([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert perplexity([0.5, 0.5], [1.0, 0.0]) == math.inf
    logits = torch.tensor([[0.0, float("-inf")], [0.0, 0.0]])
    assert perplexity_from_logits(logits, torch.tensor([1, 0])) == math.inf
    assert perplexity_from_nll(math.inf, 10) == math.inf
    assert perplexity_from_nll(1e6, 1) == math.inf  # desbordamiento: infinito, no error


def test_from_nll_and_bits_per_char():
    nll = 1000 * math.log(3.0)
    assert perplexity_from_nll(nll, 1000) == pytest.approx(3.0)
    assert bits_per_char(nll, 1000) == pytest.approx(math.log2(3.0))
    assert 2 ** bits_per_char(nll, 1000) == pytest.approx(perplexity_from_nll(nll, 1000))


def test_from_logits_matches_definition():
    torch.manual_seed(0)
    logits, targets = torch.randn(3, 5, 7), torch.randint(7, (3, 5))
    nll = torch.nn.functional.cross_entropy(logits.reshape(-1, 7), targets.reshape(-1), reduction="sum")
    assert perplexity_from_logits(logits, targets) == pytest.approx(math.exp(nll.item() / 15), rel=1e-6)
    assert perplexity_from_logits(torch.zeros(2, 4, 33), torch.zeros(2, 4, dtype=torch.long)) == pytest.approx(33)


@pytest.mark.parametrize(
    "call",
    [
        lambda: entropy([0.5, 0.6]),
        lambda: entropy([1.5, -0.5]),
        lambda: entropy([]),
        lambda: entropy([0.5, 0.5], base=1),
        lambda: entropy([0.5, float("nan")]),
        lambda: cross_entropy([0.5, 0.5], [1.0]),
        lambda: perplexity_from_nll(1.0, 0),
        lambda: perplexity_from_nll(float("nan"), 3),
        lambda: perplexity_from_nll(-1.0, 3),
        lambda: bits_per_char(1.0, 2.5),
        lambda: perplexity_from_logits(torch.zeros(2, 3), torch.zeros(3, dtype=torch.long)),
        lambda: perplexity_from_logits(torch.zeros(2, 3), torch.tensor([0, 3])),
        lambda: perplexity_from_logits(torch.full((1, 3), float("nan")), torch.tensor([0])),
    ],
)
def test_metric_bad_input(call):
    with pytest.raises(ValueError):
        call()


def test_paired_bootstrap_difference_and_interval():
    from companion.metrics import paired_bootstrap

    rng = np.random.default_rng(0)
    base = -0.5 - rng.exponential(1.0, size=20_000)
    better = base + 0.1 * math.log(2)  # B gana 0.1 bits en cada carácter
    result = paired_bootstrap(base, better, block_size=1000)
    assert result.blocks == 20
    assert result.difference == pytest.approx(0.1)  # bpc(A) − bpc(B) > 0: B es mejor
    assert result.low == pytest.approx(0.1) and result.high == pytest.approx(0.1)
    assert not result.tie
    same = paired_bootstrap(base, base, block_size=1000)
    assert same.difference == 0 and same.tie


def test_paired_bootstrap_noise_is_a_tie():
    from companion.metrics import paired_bootstrap

    rng = np.random.default_rng(1)
    a = -rng.exponential(1.0, size=40_000)
    b = -rng.exponential(1.0, size=40_000)  # dos «modelos» igual de buenos, con ruido independiente
    result = paired_bootstrap(a, torch.as_tensor(b), block_size=2000, seed=3)
    assert result.low < result.difference < result.high
    assert result.tie
    assert paired_bootstrap(a, b, block_size=2000, seed=3) == result  # reproducible con la misma semilla


@pytest.mark.parametrize(
    ("a", "b", "kwargs", "message"),
    [
        ([-1.0] * 10, [-1.0] * 9, {}, "misma longitud"),
        ([-1.0] * 10, [-1.0] * 10, {"block_size": 6}, "al menos 2"),
        ([-1.0] * 10, [-1.0] * 10, {"block_size": 0}, "entero positivo"),
        ([0.5] * 10, [-1.0] * 10, {"block_size": 2}, "≤ 0"),
    ],
)
def test_paired_bootstrap_rejects_bad_input(a, b, kwargs, message):
    from companion.metrics import paired_bootstrap

    with pytest.raises(ValueError, match=message):
        paired_bootstrap(a, b, **kwargs)


# --------------------------------------------------------------------------- casos límite (pruebas de mutación)


def test_edge_values_are_accepted():
    """Un solo símbolo, una log-probabilidad 0, una NLL 0, una base < 1 y logits 1-D son entradas válidas."""
    from companion.metrics import paired_bootstrap

    assert entropy([1.0]) == 0.0
    assert cross_entropy([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert entropy([0.5, 0.5], base=0.5) == pytest.approx(-1.0)
    assert perplexity_from_nll(0.0, 5) == 1.0 and bits_per_char(0.0, 5) == 0.0
    assert perplexity_from_logits(torch.zeros(4), torch.tensor(2)) == pytest.approx(4.0)
    certain = paired_bootstrap([0.0] * 4, [-1.0] * 4, block_size=2)  # P = 1 en cada carácter de A
    assert certain.blocks == 2 and certain.difference == pytest.approx(-1 / math.log(2))
    one = paired_bootstrap([-1.0] * 4, [-1.0] * 4, block_size=1)
    assert one.blocks == 4 and one.tie


def test_probabilities_are_computed_in_double_precision():
    p32 = np.full(10, 0.1, dtype=np.float32)
    assert entropy(p32) == entropy(p32.astype(np.float64))
    assert cross_entropy(p32, p32) == cross_entropy(p32.astype(np.float64), p32.astype(np.float64))


def test_huge_nll_is_infinite_without_overflow_error():
    assert perplexity_from_nll(709.0, 1) == math.exp(709.0)
    assert perplexity_from_nll(709.8, 1) == math.inf  # math.exp(709.8) desbordaría


def test_infinite_results_do_not_warn():
    """La probabilidad cero y los logits se tratan sin avisos de NumPy ni de PyTorch."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cross_entropy([0.5, 0.5], [1.0, 0.0]) == math.inf
        assert perplexity_from_logits(torch.zeros(3, 5), torch.tensor([0, 1, 2])) == pytest.approx(5.0)


def test_evaluation_from_log_probs():
    from companion.metrics import Evaluation

    result = Evaluation.from_log_probs(np.log([0.5, 0.25]))
    assert result.nll == pytest.approx(math.log(8)) and result.count == 2
    assert result.perplexity == pytest.approx(math.sqrt(8)) and result.bpc == pytest.approx(1.5)


def test_paired_bootstrap_defaults_and_interval_width():
    """Por omisión: bloques de 2000, 2000 remuestras y semilla 0. Con muchos bloques, el intervalo es el
    normal al 95 %: la media ± 1.96 desviaciones típicas de la media de los bloques."""
    from companion.metrics import paired_bootstrap

    rng = np.random.default_rng(0)
    a, b = -rng.exponential(1.0, size=11_000), -rng.exponential(1.0, size=11_000)
    default = paired_bootstrap(a, b)
    assert default.blocks == 5
    assert default == paired_bootstrap(a, b, block_size=2000, samples=2000, seed=0)
    # 400 bloques de un carácter cuyas diferencias son normales: percentiles 2.5 y 97.5 = ±1.96 σ/√n.
    diff_bits = rng.normal(0.0, 1.0, size=400)
    result = paired_bootstrap(np.full(400, -50.0), -50.0 + diff_bits * math.log(2), block_size=1, samples=20_000)
    sigma = diff_bits.std() / math.sqrt(400)
    assert (result.low - result.difference) / sigma == pytest.approx(-1.96, abs=0.07)
    assert (result.high - result.difference) / sigma == pytest.approx(1.96, abs=0.07)
    # Dos bloques distintos: el intervalo va de uno a otro (la remuestra puede elegir el primero).
    two = paired_bootstrap([-1.0] * 4, [-1.0, -1.0, -1.0 - math.log(2), -1.0 - math.log(2)], block_size=2)
    assert (two.low, two.high) == (pytest.approx(-1.0), pytest.approx(0.0))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: entropy([]), r"^p debe ser un vector 1-D no vacío de probabilidades; recibió forma \(0,\)"),
        (lambda: entropy([[0.5, 0.5]]), r"^p debe ser un vector 1-D"),
        (lambda: entropy([0.5, 0.6]), r"^p suma 1\.1 y no 1: normalícela"),
        (lambda: entropy([1.5, -0.5]), r"^p contiene valores negativos"),
        (lambda: entropy([0.5, 0.5], base=0), r"^La base del logaritmo debe ser positiva"),
        (lambda: cross_entropy([], [0.5, 0.5]), r"^p debe ser un vector"),
        (lambda: cross_entropy([1.0], [[1.0]]), r"^q debe ser un vector"),
        (lambda: cross_entropy([0.5, 0.5], [1.0]), r"^p y q deben tener la misma longitud; recibió 2 y 1"),
        (lambda: cross_entropy([0.5, 0.6], [0.5, 0.5]), r"^p suma"),
        (lambda: cross_entropy([0.5, 0.5], [0.5, 0.6]), r"^q suma"),
        (lambda: perplexity_from_nll(1.0, 0), r"^count \(número de caracteres predichos\)"),
        (lambda: perplexity_from_nll(-1.0, 3), r"^La log-verosimilitud negativa total"),
        (lambda: perplexity_from_logits(torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, dtype=torch.long)),
         r"^logits debe ser un tensor de números reales"),
        (lambda: perplexity_from_logits(torch.zeros(2, 4, 3), torch.zeros(4, dtype=torch.long)),
         r"^targets debe ser un tensor de enteros de forma \(2, 4\)"),
        (lambda: perplexity_from_logits(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long)), r"^No hay objetivos"),
        (lambda: perplexity_from_logits(torch.zeros(1, 2, 3), torch.tensor([[0, 3]])),
         r"^Hay objetivos fuera del vocabulario: deben estar entre 0 y 2\."),
        (lambda: perplexity_from_logits(torch.full((1, 3), float("nan")), torch.tensor([0])), r"^Los logits contienen NaN"),
    ],
)
def test_metric_error_says_what_was_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"a": [], "b": [-1.0]}, r"^logp_a debe ser un vector 1-D no vacío de log-probabilidades"),
        ({"a": [-1.0], "b": []}, r"^logp_b debe ser un vector 1-D no vacío de log-probabilidades"),
        ({"block_size": 0}, r"^block_size debe ser un entero positivo"),
        ({"block_size": True}, r"^block_size debe ser un entero positivo"),
        ({"samples": 0}, r"^samples debe ser un entero positivo"),
        ({"block_size": 3}, r"hay 1 bloque\(s\); hacen falta al menos 2: use un texto más largo o bloques más cortos\.$"),
    ],
)
def test_paired_bootstrap_error_says_what_was_wrong(kwargs, message):
    from companion.metrics import paired_bootstrap

    a, b = kwargs.pop("a", [-1.0] * 4), kwargs.pop("b", [-1.0] * 4)
    with pytest.raises(ValueError, match=message):
        paired_bootstrap(a, b, **kwargs)
