"""Pruebas de las recurrencias lineales: el *scan* paralelo = el bucle (valores y gradientes, en float64)."""
import math

import pytest
import torch
import torch.nn.functional as F

from companion.checkpoint import load_checkpoint, save_checkpoint
from companion.data import Vocab
from companion.linear import (LRU, MinGRU, MinLSTM, linear_scan, linear_scan_log, linear_scan_sequential,
                              log_positive, positive)
from companion.model import build_model
from companion.rnn import DeepRNN

TOL = dict(rtol=1e-10, atol=1e-10)
LAYERS = (MinGRU, MinLSTM, LRU)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _scan_inputs(T, B=2, h=3, positive_b=False):
    a = torch.rand(T, B, h, dtype=torch.float64, requires_grad=True)
    b = torch.randn(T, B, h, dtype=torch.float64)
    b = (b.abs() + 0.1 if positive_b else b).requires_grad_()
    h0 = torch.randn(B, h, dtype=torch.float64, requires_grad=True)
    return a, b, h0


def _grads(output, inputs, weight):
    return torch.autograd.grad((output * weight).sum(), inputs)


@pytest.mark.parametrize("T", [1, 2, 3, 5, 8, 13, 64])
def test_tree_scan_equals_loop_values_and_gradients(T):
    a, b, h0 = _scan_inputs(T)
    loop, tree = linear_scan_sequential(a, b, h0), linear_scan(a, b, h0)
    torch.testing.assert_close(tree, loop, **TOL)
    weight = torch.randn_like(loop)
    for g_tree, g_loop in zip(_grads(tree, (a, b, h0), weight), _grads(loop, (a, b, h0), weight)):
        torch.testing.assert_close(g_tree, g_loop, **TOL)


@pytest.mark.parametrize("T", [1, 6, 9])
def test_scans_pass_gradcheck(T):
    a, b, h0 = _scan_inputs(T, B=1, h=2)
    assert torch.autograd.gradcheck(linear_scan, (a, b, h0))
    a, b, h0 = _scan_inputs(T, B=1, h=2, positive_b=True)
    assert torch.autograd.gradcheck(lambda a, b, h0: linear_scan_log(a.log(), b.log(), h0), (a, b, h0))


@pytest.mark.parametrize("T", [1, 7, 50])
def test_log_scan_equals_loop_values_and_gradients(T):
    a, b, h0 = _scan_inputs(T, positive_b=True)
    loop, log_scan = linear_scan_sequential(a, b, h0), linear_scan_log(a.log(), b.log(), h0)
    torch.testing.assert_close(log_scan, loop, rtol=1e-9, atol=1e-9)
    weight = torch.randn_like(loop)
    for g_log, g_loop in zip(_grads(log_scan, (a, b, h0), weight), _grads(loop, (a, b, h0), weight)):
        torch.testing.assert_close(g_log, g_loop, rtol=1e-9, atol=1e-9)


def test_log_scan_survives_where_products_underflow():
    """Con a_t = 10⁻³ durante 200 pasos, Π a_s = 10⁻⁶⁰⁰ no cabe en float64, pero el resultado sí."""
    T = 200
    log_a = torch.full((T, 1), math.log(1e-3), dtype=torch.float64)
    b = torch.rand(T, 1, dtype=torch.float64) + 0.5
    expected = linear_scan_sequential(log_a.exp(), b, torch.zeros(1, dtype=torch.float64))
    torch.testing.assert_close(linear_scan_log(log_a, b.log(), torch.zeros(1, dtype=torch.float64)), expected)


def test_tree_scan_complex():
    T, h = 11, 4
    a = torch.polar(torch.rand(T, h, dtype=torch.float64), torch.rand(T, h, dtype=torch.float64))
    b = torch.randn(T, h, dtype=torch.complex128)
    h0 = torch.randn(h, dtype=torch.complex128)
    torch.testing.assert_close(linear_scan(a, b, h0), linear_scan_sequential(a, b, h0), **TOL)


def test_scan_shape_errors_are_clear():
    a = torch.rand(4, 2)
    with pytest.raises(ValueError, match="misma forma"):
        linear_scan(a, torch.rand(5, 2), torch.zeros(2))
    with pytest.raises(ValueError, match="h0 debe tener"):
        linear_scan_sequential(a, torch.rand(4, 2), torch.zeros(3))


def test_positive_and_its_log():
    x = torch.linspace(-30, 30, 601, dtype=torch.float64)
    assert (positive(x) > 0).all()
    torch.testing.assert_close(log_positive(x), positive(x).log(), **TOL)
    half = torch.full((1,), 0.5, dtype=torch.float64)
    torch.testing.assert_close(positive(torch.zeros(1, dtype=torch.float64)), half)


@pytest.mark.parametrize("layer_cls", LAYERS)
def test_layer_scan_equals_loop_values_and_gradients(layer_cls):
    layer = layer_cls(5, 4).double()
    X = torch.randn(9, 3, 5, dtype=torch.float64)
    state = torch.rand(1, 3, 4, dtype=torch.float64)
    outs = {}
    for fused in (True, False):
        layer.zero_grad()
        out, final = layer(X, state, fused=fused)
        (out.sum() + final.real.sum() * 2).backward()
        outs[fused] = (out, final, {n: p.grad.clone() for n, p in layer.named_parameters()})
    torch.testing.assert_close(outs[True][0], outs[False][0], **TOL)
    torch.testing.assert_close(outs[True][1], outs[False][1], **TOL)
    for name, grad in outs[True][2].items():
        torch.testing.assert_close(grad, outs[False][2][name], **TOL, msg=name)


@pytest.mark.parametrize("layer_cls", LAYERS)
def test_layer_state_carries_over(layer_cls):
    """Procesar la secuencia en dos trozos, pasando el estado, da lo mismo que de una vez."""
    layer = layer_cls(3, 4).double()
    X = torch.randn(10, 2, 3, dtype=torch.float64)
    whole, _ = layer(X)
    first, state = layer(X[:6])
    second, _ = layer(X[6:], state)
    torch.testing.assert_close(torch.cat([first, second]), whole, **TOL)


def test_mingru_step_and_log_space_formulation():
    layer = MinGRU(3, 4).double()
    X = torch.randn(7, 2, 3, dtype=torch.float64)
    H = torch.zeros(2, 4, dtype=torch.float64)
    steps = []
    for X_t in X:
        H = layer.step(X_t, H)
        steps.append(H)
    k, x_h = X @ layer.W_xz + layer.b_z, X @ layer.W_xh + layer.b_h
    log_space = linear_scan_log(-F.softplus(-k), -F.softplus(k) + log_positive(x_h), torch.zeros(2, 4).double())
    torch.testing.assert_close(torch.stack(steps), layer(X)[0], **TOL)
    torch.testing.assert_close(log_space, layer(X)[0], **TOL)


def test_minlstm_is_a_weighted_average():
    """F'_t + I'_t = 1: con todas las entradas iguales a H~, el estado converge a H~ y nunca se sale."""
    layer = MinLSTM(2, 3).double()
    X = torch.randn(1, 1, 2, dtype=torch.float64).expand(200, 1, 2)
    out, _ = layer(X)
    target = positive(X[0] @ layer.W_xh + layer.b_h)
    torch.testing.assert_close(out[-1], target, rtol=1e-6, atol=1e-6)
    assert (out > 0).all() and (out <= target.max() + 1e-12).all()


def test_lru_eigenvalues_stay_inside_unit_circle():
    layer = LRU(2, 6, r_min=0.5, r_max=0.9)
    modulus = layer.eigenvalues().abs()
    assert ((modulus >= 0.5 - 1e-6) & (modulus <= 0.9 + 1e-6)).all()
    with torch.no_grad():
        layer.nu_log.fill_(-10.0)  # |λ| = exp(−exp(−10)) ≈ 1 − 4.5·10⁻⁵, todavía menor que 1
    assert (layer.eigenvalues().abs() < 1).all()
    with torch.no_grad():
        layer.nu_log.fill_(-50.0)  # en float32, el redondeo da 1 como mucho: nunca más
    assert (layer.eigenvalues().abs() <= 1).all()
    with pytest.raises(ValueError, match="r_min"):
        LRU(2, 3, r_min=0.5, r_max=1.2)


def test_lru_normalisation_balances_components():
    """Con γ = sqrt(1 − |λ|²), una entrada de ruido blanco da a cada componente una varianza parecida."""
    layer = LRU(4, 8, r_min=0.1, r_max=0.99).double()
    with torch.no_grad():
        S = layer(torch.randn(3000, 64, 4, dtype=torch.float64))[1]
        states = linear_scan(layer.eigenvalues().expand(3000, 64, 8), layer._input(torch.randn(3000, 64, 4).double()),
                             torch.zeros(64, 8, dtype=torch.complex128))
    variance = (states[1000:].abs() ** 2).mean(dim=(0, 1))
    inputs = (torch.complex(layer.W_xs_re, layer.W_xs_im).abs() ** 2).sum(0)  # varianza de X W_xs por componente
    torch.testing.assert_close(variance / inputs, torch.ones(8, dtype=torch.float64), rtol=0.15, atol=0)
    assert S.dtype == torch.complex128


@pytest.mark.parametrize("cell", ["mingru", "minlstm", "lru"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_build_model_with_linear_cells(cell, num_layers, tmp_path):
    model = build_model(cell, vocab_size=11, hidden_size=6, num_layers=num_layers, embedding_dim=4, dropout=0.1)
    assert isinstance(model.rnn, DeepRNN) == (num_layers > 1)
    X = torch.randint(0, 11, (3, 8))
    model.eval()
    whole, _ = model(X)
    first, state = model(X[:, :5])
    second, _ = model(X[:, 5:], state)
    torch.testing.assert_close(torch.cat([first, second], dim=1), whole, rtol=1e-5, atol=1e-5)
    assert build_model(**model.config).config == model.config
    vocab = Vocab("abcdefghijk")
    path = save_checkpoint(tmp_path / "m.pt", model, vocab, {"nota": "prueba"}, half=True)
    loaded = load_checkpoint(path)
    assert loaded.model.config == model.config


def test_linear_cells_reject_weight_drop():
    with pytest.raises(ValueError, match="weight_drop"):
        build_model("mingru", hidden_size=4, weight_drop=0.2)
