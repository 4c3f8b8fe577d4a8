"""Pruebas de la mezcla lineal de dos modelos de lenguaje."""
import math

import numpy as np
import pytest
import torch

from companion.mixture import best_mixture_weight, mixture_evaluation, mixture_log_probs


def random_log_probs(seed, n=2000, vocab=10):
    """ln p de un objetivo aleatorio bajo dos distribuciones aleatorias (alineadas)."""
    g = torch.Generator().manual_seed(seed)
    targets = torch.randint(0, vocab, (n,), generator=g)
    logp = []
    for sharpness in (1.0, 3.0):
        dist = torch.log_softmax(sharpness * torch.randn(n, vocab, generator=g, dtype=torch.float64), -1)
        logp.append(dist.gather(1, targets[:, None])[:, 0])
    return logp


def test_mixture_formula_and_extremes():
    a, b = random_log_probs(0)
    mixed = mixture_log_probs(a, b, 0.3)
    torch.testing.assert_close(mixed, torch.log(0.3 * a.exp() + 0.7 * b.exp()))
    torch.testing.assert_close(mixture_log_probs(a, b, 1.0), a)
    torch.testing.assert_close(mixture_log_probs(a, b, 0.0), b)
    numpy_result = mixture_log_probs(a.numpy(), b.numpy(), 0.3)
    torch.testing.assert_close(numpy_result, mixed)


def test_mixture_is_stable_for_tiny_probabilities():
    a = torch.tensor([-1000.0, -2000.0], dtype=torch.float64)
    b = torch.tensor([-1001.0, -5.0], dtype=torch.float64)
    mixed = mixture_log_probs(a, b, 0.5)
    assert torch.isfinite(mixed).all()
    assert mixed[0] == pytest.approx(math.log(0.5) + -1000 + math.log1p(math.exp(-1)))
    assert mixed[1] == pytest.approx(math.log(0.5) - 5)


@pytest.mark.parametrize("seed", range(4))
def test_best_weight_never_worse_than_either_component(seed):
    a, b = random_log_probs(seed)
    weight = best_mixture_weight(a, b)
    assert 0.0 <= weight <= 1.0
    best = mixture_log_probs(a, b, weight).sum()
    assert best >= max(a.sum(), b.sum()) - 1e-9
    grid = max(float(mixture_log_probs(a, b, w).sum()) for w in np.linspace(0, 1, 201))
    assert float(best) >= grid - 1e-6  # la búsqueda áurea alcanza al menos la mejor rejilla


def test_best_weight_picks_a_dominant_model():
    a, _ = random_log_probs(1)
    worse = a - 1.0  # siempre peor: el peso debe irse a λ = 1
    assert best_mixture_weight(a, worse) == 1.0
    assert best_mixture_weight(worse, a) == 0.0


def test_mixture_evaluation():
    a, b = random_log_probs(2)
    result = mixture_evaluation(a, b, 0.4)
    nll = float(-mixture_log_probs(a, b, 0.4).sum())
    assert result.count == len(a)
    assert result.nll == pytest.approx(nll)
    assert result.perplexity == pytest.approx(math.exp(nll / len(a)))
    assert 2 ** result.bpc == pytest.approx(result.perplexity)


@pytest.mark.parametrize("args, message", [
    ((torch.zeros(3), torch.zeros(4), 0.5), "alineadas"),
    ((torch.zeros(3), torch.zeros(3), 1.5), r"\[0, 1\]"),
    ((torch.ones(3), torch.zeros(3), 0.5), "positivos"),
    ((torch.zeros(2, 3), torch.zeros(2, 3), 0.5), "1-D"),
])
def test_bad_inputs(args, message):
    with pytest.raises(ValueError, match=message):
        mixture_log_probs(*args)


# --------------------------------------------------------------------------- casos límite (pruebas de mutación)


def test_lists_keep_double_precision_and_rounding_above_zero_is_accepted():
    """Las listas de Python se convierten en float64 (no en float32) y un ln p de 1e-9 (redondeo) vale."""
    mixed = mixture_log_probs([-0.1, 1e-9], [-0.1, 0.0], 0.5)
    assert mixed.dtype == torch.float64
    assert mixed[0].item() == pytest.approx(-0.1, abs=1e-15)


def test_tensors_that_require_grad_are_accepted():
    a = torch.full((3,), -1.0, requires_grad=True)
    assert mixture_log_probs(a, torch.full((3,), -1.0), 0.5).tolist() == pytest.approx([-1.0] * 3)


def test_best_weight_finds_an_interior_optimum():
    """Dos caracteres: A acierta el primero y B el segundo, con pesos distintos: el óptimo está dentro."""
    a = torch.log(torch.tensor([0.9, 0.2, 0.9], dtype=torch.float64))
    b = torch.log(torch.tensor([0.2, 0.9, 0.1], dtype=torch.float64))
    grid = np.linspace(0, 1, 100_001)
    scores = np.log(np.outer(grid, a.exp()) + np.outer(1 - grid, b.exp())).sum(axis=1)
    expected = grid[int(np.argmax(scores))]
    assert 0.1 < expected < 0.9
    assert best_mixture_weight(a, b) == pytest.approx(expected, abs=2e-4)
    assert best_mixture_weight(b, a) == pytest.approx(1 - expected, abs=2e-4)


@pytest.mark.parametrize("call, message", [
    (lambda: mixture_log_probs(torch.zeros(2, 3), torch.zeros(3), 0.5), "^logp_a debe ser un vector 1-D"),
    (lambda: mixture_log_probs(torch.zeros(3), torch.ones(3), 0.5), "^logp_b contiene valores positivos"),
    (lambda: mixture_log_probs(torch.zeros(3), torch.zeros(4), 0.5), "Calcúlelas sobre el mismo texto.$"),
    (lambda: best_mixture_weight(torch.ones(3), torch.zeros(3)), "^logp_a_val contiene valores positivos"),
    (lambda: best_mixture_weight(torch.zeros(3), torch.zeros(2, 3)), "^logp_b_val debe ser un vector 1-D"),
])
def test_error_names_the_wrong_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
