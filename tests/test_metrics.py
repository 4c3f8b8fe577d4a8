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
