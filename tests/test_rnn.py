"""Pruebas de las capas recurrentes desde cero frente a torch.nn (en float64)."""
import math

import pytest
import torch
from torch import nn
from torch.func import functional_call

from companion.rnn import DeepRNN, GRUScratch, LSTMScratch, RecurrentScratch, RNNScratch

TORCH = {"rnn": (nn.RNN, RNNScratch), "lstm": (nn.LSTM, LSTMScratch), "gru": (nn.GRU, GRUScratch)}
TOL = dict(rtol=1e-9, atol=1e-9)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _random_state(pair, shape):
    make = lambda: torch.randn(shape, dtype=torch.float64, requires_grad=True)  # noqa: E731
    return (make(), make()) if pair else make()


def _flat(state):
    return list(state) if isinstance(state, tuple) else [state]


def _loss(outputs, state, weights):
    """Combinación lineal aleatoria de salidas y estados finales: todos los gradientes cuentan."""
    parts = [outputs] + _flat(state)
    return sum((p * w).sum() for p, w in zip(parts, weights))


def _assert_same_result(result, expected):
    """Mismas salidas y mismo estado final, también del mismo tipo (un tensor o el par de la LSTM)."""
    (outputs, state), (expected_outputs, expected_state) = result, expected
    torch.testing.assert_close(outputs, expected_outputs, **TOL)
    assert type(state) is type(expected_state)
    for s, t in zip(_flat(state), _flat(expected_state)):
        torch.testing.assert_close(s, t, **TOL)


def _expected_grads(cell, module, suffix):
    """Gradientes de ``cell`` que implican los de ``module`` (bloques traspuestos, sesgos sumados)."""
    h = module.hidden_size
    block = lambda name, k: getattr(module, name + suffix).grad[k * h:(k + 1) * h]  # noqa: E731
    expected = {}
    for g, k in zip(cell.gates, cell.torch_order):
        expected[f"W_x{g}"] = block("weight_ih", k).T
        expected[f"W_h{g}"] = block("weight_hh", k).T
        expected[f"b_{g}"] = block("bias_ih", k)
        if not (g == "h" and getattr(cell, "reset_after", False)):
            # b_ih y b_hh solo aparecen sumados: su gradiente es el de b_<g> = b_ih + b_hh
            torch.testing.assert_close(block("bias_hh", k), block("bias_ih", k), **TOL)
    if getattr(cell, "reset_after", False):
        expected["b_hh"] = block("bias_hh", 2)
    return expected


def _compare(module, scratch, layers_and_suffixes, T=5, B=3):
    D = 2 if module.bidirectional else 1
    pair = isinstance(module, nn.LSTM)
    X = torch.randn(T, B, module.input_size, dtype=torch.float64, requires_grad=True)
    state = _random_state(pair, (module.num_layers * D, B, module.hidden_size))
    out_t, state_t = module(X, state)
    weights = [torch.randn_like(p) for p in [out_t] + _flat(state_t)]
    grads_t = torch.autograd.grad(_loss(out_t, state_t, weights), [X] + _flat(state))
    # los gradientes de los parámetros de torch quedan en .grad
    _loss(*module(X, state), weights).backward()

    out_s, state_s = scratch(X, state)
    _assert_same_result((out_s, state_s), (out_t, state_t))
    grads_s = torch.autograd.grad(_loss(out_s, state_s, weights), [X] + _flat(state), retain_graph=True)
    for s, t in zip(grads_s, grads_t):
        torch.testing.assert_close(s, t, **TOL)
    _loss(out_s, state_s, weights).backward()
    for cell, suffix in layers_and_suffixes:
        expected = _expected_grads(cell, module, suffix)
        assert set(expected) == {name for name, _ in cell.named_parameters()}
        for name, p in cell.named_parameters():
            torch.testing.assert_close(p.grad, expected[name], **TOL)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_single_layer_equals_torch(kind):
    torch_cls, scratch_cls = TORCH[kind]
    module = torch_cls(4, 6).double()
    scratch = scratch_cls.from_torch(module)
    assert isinstance(scratch, scratch_cls) and next(scratch.parameters()).dtype == torch.float64
    _compare(module, scratch, [(scratch, "_l0")])


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_deep_bidirectional_equals_torch(kind):
    torch_cls, scratch_cls = TORCH[kind]
    module = torch_cls(4, 5, num_layers=2, bidirectional=True).double()
    deep = DeepRNN.from_torch(module)
    assert isinstance(deep, DeepRNN) and deep.layer_cls is scratch_cls and len(deep.layers) == 4
    suffixes = ["_l0", "_l0_reverse", "_l1", "_l1_reverse"]
    _compare(module, deep, list(zip(deep.layers, suffixes)))


def test_deep_unidirectional_three_layers_equals_torch():
    module = nn.LSTM(3, 4, num_layers=3).double()
    deep = DeepRNN.from_torch(module)
    _compare(module, deep, list(zip(deep.layers, ["_l0", "_l1", "_l2"])))


def test_parameter_names_use_the_chapter_symbols():
    names = lambda m: {n for n, _ in m.named_parameters()}  # noqa: E731
    assert names(RNNScratch(3, 4)) == {"W_xh", "W_hh", "b_h"}
    assert names(LSTMScratch(3, 4)) == {f"{p}{g}" for g in "ifoc" for p in ("W_x", "W_h", "b_")}
    assert names(GRUScratch(3, 4)) == {f"{p}{g}" for g in "rzh" for p in ("W_x", "W_h", "b_")}
    assert names(GRUScratch(3, 4, reset_after=True)) == names(GRUScratch(3, 4)) | {"b_hh"}
    cell = LSTMScratch(3, 4)
    assert cell.W_xi.shape == (3, 4) and cell.W_hi.shape == (4, 4) and cell.b_i.shape == (4,)


def test_initialisation_is_uniform_like_torch():
    cell = LSTMScratch(33, 256)
    bound = 1 / math.sqrt(256)
    values = torch.cat([p.detach().flatten() for p in cell.parameters()])
    assert values.abs().max() <= bound and values.abs().max() > 0.95 * bound
    assert abs(values.mean().item()) < 0.01 * bound


@pytest.mark.parametrize("cell", [RNNScratch(3, 2), LSTMScratch(3, 2), GRUScratch(3, 2),
                                  GRUScratch(3, 2, reset_after=True)], ids=["rnn", "lstm", "gru", "gru-torch"])
def test_gradcheck_tiny_cells(cell):
    cell = cell.double()
    names = [n for n, _ in cell.named_parameters()]
    params = [p.detach().clone().requires_grad_() for p in cell.parameters()]
    X = torch.randn(3, 2, 3, dtype=torch.float64, requires_grad=True)
    H0 = torch.randn(1, 2, 2, dtype=torch.float64, requires_grad=True)

    def run(X, H0, *params):
        state = (H0, H0 * 0.5) if cell.state_is_pair else H0
        outputs, state = functional_call(cell, dict(zip(names, params)), (X, state))
        return (outputs, *_flat(state))

    assert torch.autograd.gradcheck(run, (X, H0, *params))


def test_gru_reset_before_is_not_torch_gru():
    """Con los mismos pesos, la GRU de Cho et al. (reset_after=False) no reproduce nn.GRU; la otra sí."""
    module = nn.GRU(4, 6).double()
    with torch.no_grad():
        module.bias_hh_l0[12:].zero_()  # sin b_hh, la única diferencia es dónde se aplica R_t
    torch_variant = GRUScratch.from_torch(module)
    assert torch_variant.reset_after
    cho = GRUScratch(4, 6, reset_after=False).double()
    cho.load_state_dict({k: v for k, v in torch_variant.state_dict().items() if k != "b_hh"})
    X = torch.randn(8, 3, 4, dtype=torch.float64)
    expected, _ = module(X)
    torch.testing.assert_close(torch_variant(X)[0], expected, **TOL)
    assert (cho(X)[0] - expected).abs().max() > 1e-3
    # a mano, un paso de cada formulación con las ecuaciones del docstring
    H = torch.randn(3, 6, dtype=torch.float64)
    x = X[0]
    R = torch.sigmoid(x @ cho.W_xr + H @ cho.W_hr + cho.b_r)
    Z = torch.sigmoid(x @ cho.W_xz + H @ cho.W_hz + cho.b_z)
    H_tilde = torch.tanh(x @ cho.W_xh + (R * H) @ cho.W_hh + cho.b_h)
    torch.testing.assert_close(cho(x[None], H[None])[0][0], Z * H + (1 - Z) * H_tilde, **TOL)


@pytest.mark.parametrize("make", [lambda: RNNScratch(3, 4), lambda: LSTMScratch(3, 4), lambda: GRUScratch(3, 4),
                                  lambda: DeepRNN(LSTMScratch, 3, 4, num_layers=2)],
                         ids=["rnn", "lstm", "gru", "deep-lstm"])
def test_state_passed_in_is_used_and_two_halves_equal_whole(make):
    layer = make().double()
    pair = getattr(layer, "layer_cls", type(layer)).state_is_pair
    X = torch.randn(10, 2, 3, dtype=torch.float64)
    zeros = _random_state(pair, (layer.num_layers, 2, 4))
    zeros = tuple(z.detach() * 0 for z in zeros) if pair else zeros.detach() * 0
    state = _random_state(pair, (layer.num_layers, 2, 4))
    out_none, _ = layer(X)
    torch.testing.assert_close(layer(X, zeros)[0], out_none, **TOL)
    assert (layer(X, state)[0] - out_none).abs().max() > 1e-3  # el estado dado no se descarta (errata 6)
    whole, final = layer(X, state)
    first, middle = layer(X[:4], state)
    second, final_halves = layer(X[4:], middle)
    torch.testing.assert_close(torch.cat([first, second]), whole, **TOL)
    for a, b in zip(_flat(final_halves), _flat(final)):
        torch.testing.assert_close(a, b, **TOL)


def test_deep_layout_and_dropout_between_layers_only():
    deep = DeepRNN(GRUScratch, 3, 4, num_layers=3, bidirectional=True, dropout=0.5).double()
    X = torch.randn(6, 2, 3, dtype=torch.float64)
    outputs, state = deep(X)
    assert outputs.shape == (6, 2, 8) and state.shape == (6, 2, 4)
    # el estado final de la dirección de ida es su última salida; el de la de vuelta, su primera
    deep.eval()
    outputs, state = deep(X)
    torch.testing.assert_close(state[4], outputs[-1, :, :4], **TOL)
    torch.testing.assert_close(state[5], outputs[0, :, 4:], **TOL)
    deep.train()
    assert not torch.equal(deep(X)[0], deep(X)[0])  # dropout activo al entrenar
    single = DeepRNN(LSTMScratch, 3, 4, num_layers=1, dropout=0.5).double()
    torch.testing.assert_close(single(X)[0], single(X)[0], **TOL)  # nunca tras la última capa


def test_deep_accepts_any_cell_with_kwargs():
    deep = DeepRNN(GRUScratch, 3, 4, num_layers=2, reset_after=True)
    assert all(layer.reset_after for layer in deep.layers)
    assert deep.layers[1].input_size == 4 and deep.layers[0].input_size == 3


def test_bad_layer_input_raises_spanish_value_error():
    lstm = LSTMScratch(3, 4)
    with pytest.raises(ValueError, match="forma"):
        lstm(torch.randn(5, 2, 7))
    with pytest.raises(ValueError, match="forma"):
        lstm(torch.randn(5, 3))
    with pytest.raises(ValueError, match="coma flotante"):
        lstm(torch.zeros(5, 2, 3, dtype=torch.int64))
    with pytest.raises(ValueError, match="par"):
        lstm(torch.randn(5, 2, 3), torch.zeros(1, 2, 4))
    with pytest.raises(ValueError, match="forma"):
        lstm(torch.randn(5, 2, 3), (torch.zeros(1, 2, 4), torch.zeros(2, 4)))
    with pytest.raises(ValueError, match="tensor"):
        RNNScratch(3, 4)(torch.randn(5, 2, 3), (torch.zeros(1, 2, 4),))
    with pytest.raises(ValueError, match="forma"):
        DeepRNN(RNNScratch, 3, 4, bidirectional=True)(torch.randn(5, 2, 3), torch.zeros(2, 2, 4))
    with pytest.raises(ValueError, match="DeepRNN.from_torch"):
        LSTMScratch.from_torch(nn.LSTM(3, 4, num_layers=2))
    with pytest.raises(ValueError, match="Se esperaba"):
        LSTMScratch.from_torch(nn.GRU(3, 4))
    with pytest.raises(ValueError, match="batch_first"):
        DeepRNN.from_torch(nn.GRU(3, 4, batch_first=True))
    with pytest.raises(ValueError, match="tanh"):
        RNNScratch.from_torch(nn.RNN(3, 4, nonlinearity="relu"))
    with pytest.raises(ValueError, match="celda"):
        DeepRNN(nn.LSTM, 3, 4)
    with pytest.raises(ValueError, match="entero positivo"):
        GRUScratch(0, 4)
    assert issubclass(GRUScratch, RecurrentScratch)


def test_throughput_benchmark_runs_on_tiny_sizes(tmp_path):
    import runpy
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "throughput.py"
    output = tmp_path / "throughput.md"
    threads = torch.get_num_threads()
    runpy.run_path(str(script))["main"](
        ["--batch-size", "2", "--num-steps", "3", "--input-size", "5", "--hidden-size", "4", "--repeats", "1",
         "--iterations", "1", "--threads", str(threads), "--output", str(output)])
    assert torch.get_num_threads() == threads
    table = output.read_text(encoding="utf-8")
    assert table.count("\n| ") == 5 and "| LSTM |" in table


def test_tanh_through_sigmoid_is_tanh():
    from companion.fast import fast_tanh as tanh

    x = torch.cat([torch.linspace(-30, 30, 601, dtype=torch.float64), torch.tensor([-1e4, 1e4], dtype=torch.float64)])
    x.requires_grad_()
    torch.testing.assert_close(tanh(x), torch.tanh(x), rtol=0, atol=1e-15)
    (grad,) = torch.autograd.grad(tanh(x).sum(), x)
    torch.testing.assert_close(grad, 1 - torch.tanh(x.detach()) ** 2, rtol=0, atol=1e-15)
    torch.testing.assert_close(tanh(x.float()), torch.tanh(x.float()), rtol=0, atol=2e-7)


def test_float32_lstm_matches_torch():
    module = nn.LSTM(33, 32)
    scratch = LSTMScratch.from_torch(module)
    X = torch.randn(20, 4, 33)
    torch.testing.assert_close(scratch(X)[0], module(X)[0], rtol=1e-5, atol=1e-5)


FAST_LAYERS = [
    lambda: RNNScratch(3, 4), lambda: LSTMScratch(3, 4), lambda: GRUScratch(3, 4),
    lambda: GRUScratch(3, 4, reset_after=True), lambda: DeepRNN(LSTMScratch, 3, 4, num_layers=2),
    lambda: DeepRNN(GRUScratch, 3, 4, num_layers=2, bidirectional=True, reset_after=True),
    lambda: DeepRNN(RNNScratch, 3, 4, bidirectional=True),
    lambda: GRUScratch.from_torch(nn.GRU(3, 4)), lambda: DeepRNN.from_torch(nn.LSTM(3, 4, num_layers=2))]
FAST_IDS = ["rnn", "lstm", "gru", "gru-torch", "deep-lstm", "deep-bi-gru-torch", "bi-rnn", "gru-from-torch",
            "deep-lstm-from-torch"]


def _outputs_and_grads(layer, X, state):
    outputs, final = layer(X, state)
    loss = (outputs * torch.arange(outputs.numel()).reshape(outputs.shape).sin()).sum()
    loss = loss + sum((s * (0.3 + k)).sum() for k, s in enumerate(_flat(final)))
    grads = torch.autograd.grad(loss, [X, *_flat(state), *layer.parameters()])
    return [outputs, *_flat(final), *grads]


@pytest.mark.parametrize("make", FAST_LAYERS, ids=FAST_IDS)
def test_fused_path_equals_readable_step(make):
    """El camino rápido (proyección previa, matriz recurrente concatenada, 2σ(2x) − 1) calcula lo mismo que
    llamar a ``step`` en cada paso, con sus gradientes (también los del estado de partida, H y C en la LSTM)."""
    from companion.fast import fused

    torch.manual_seed(1)
    layer = make().double()
    pair = getattr(layer, "layer_cls", type(layer)).state_is_pair
    D = 2 if layer.bidirectional else 1
    X = torch.randn(7, 2, 3, dtype=torch.float64, requires_grad=True)
    state = _random_state(pair, (layer.num_layers * D, 2, 4))
    readable = _outputs_and_grads(layer, X, state)
    with fused(layer) as same:
        assert same is layer
        fast = _outputs_and_grads(layer, X, state)
    assert len(fast) == len(readable)
    for a, b in zip(fast, readable):
        torch.testing.assert_close(a, b, **TOL)


@pytest.mark.parametrize("make", FAST_LAYERS[:4], ids=FAST_IDS[:4])
def test_fused_forward_of_one_cell_equals_forward(make):
    from companion.fast import fused_forward

    cell = make().double()
    X = torch.randn(5, 3, 3, dtype=torch.float64)
    state = _random_state(cell.state_is_pair, (1, 3, 4))
    _assert_same_result(fused_forward(cell, X, state), cell(X, state))


def test_fused_patches_only_inside_the_block_and_only_known_cells():
    from companion.fast import fused, fused_forward
    from companion.linear import MinGRU

    class MyRNN(RNNScratch):  # otro step: el camino rápido no lo conoce
        def step(self, X_t, H):
            return torch.relu(X_t @ self.W_xh + H @ self.W_hh + self.b_h)

    deep, mine, linear = DeepRNN(GRUScratch, 3, 4), MyRNN(3, 4), DeepRNN(MinGRU, 3, 4)
    X = torch.randn(4, 2, 3)
    with fused(deep), fused(mine), fused(linear):
        assert all("forward" in vars(cell) for cell in deep.layers)
        with fused(deep):  # anidado: al salir del interior, el exterior sigue
            pass
        assert all("forward" in vars(cell) for cell in deep.layers)
        assert "forward" not in vars(mine) and all("forward" not in vars(c) for c in linear.layers)
        assert (mine(X)[0] >= 0).all()
    assert all("forward" not in vars(cell) for cell in deep.layers)
    with pytest.raises(RuntimeError), fused(deep):
        raise RuntimeError  # también al salir por una excepción
    assert all("forward" not in vars(cell) for cell in deep.layers)
    with pytest.raises(ValueError, match="MyRNN"):
        fused_forward(mine, X)


def test_fused_path_with_functional_call_uses_the_given_weights():
    """``CharLM`` aplica *weight drop* con ``functional_call`` dentro de ``fused``: los pesos dados cuentan."""
    from companion.fast import fused

    layer = DeepRNN(LSTMScratch, 3, 4, num_layers=2).double()
    X = torch.randn(6, 2, 3, dtype=torch.float64)
    weights = {n: p.detach() * 0.5 for n, p in layer.named_parameters() if ".W_h" in n}
    expected = functional_call(layer, weights, (X,))[0]
    with fused(layer):
        torch.testing.assert_close(functional_call(layer, weights, (X,))[0], expected, **TOL)
    assert (layer(X)[0] - expected).abs().max() > 1e-3


@pytest.mark.parametrize("weight_drop", [0.0, 0.3])
def test_language_model_trains_through_the_fused_path(weight_drop, monkeypatch):
    from companion import fast
    from companion.model import build_model

    calls = []
    step = fast.FUSED_STEPS[LSTMScratch]
    monkeypatch.setitem(fast.FUSED_STEPS, LSTMScratch, lambda *args: calls.append(1) or step(*args))
    model = build_model("lstm", vocab_size=5, hidden_size=4, num_layers=2, scratch=True, weight_drop=weight_drop)
    X = torch.randint(0, 5, (2, 3))
    model(X)[0].sum().backward()
    assert len(calls) == 2 * 3  # dos capas, tres pasos
    assert all("forward" not in vars(cell) for cell in model.rnn.layers)
    model.eval()
    with torch.no_grad():  # lo mismo que el forward de las capas, paso a paso
        readable = model.rnn(nn.functional.one_hot(X.T, 5).float())[0].transpose(0, 1) @ model.W_hq + model.b_q
        torch.testing.assert_close(model(X)[0], readable)


def test_the_loop_the_book_shows_is_a_plain_loop_over_step():
    """Los capítulos 3 y 5 muestran ``RecurrentScratch.forward``: un bucle corto que llama a ``step``."""
    import inspect

    source = inspect.getsource(RecurrentScratch.forward)
    code = [line for line in source.split('"""')[-1].splitlines() if line.strip()]
    assert len(code) <= 8 and "self.step(X_t, state)" in source
    assert not any(word in source for word in ("fused", "lambda", "chunk", "zip", "_check_state"))


def test_lstm_step_can_return_its_gates():
    cell = LSTMScratch(3, 4).double()
    X_t = torch.randn(2, 3, dtype=torch.float64)
    state = (torch.randn(2, 4, dtype=torch.float64), torch.randn(2, 4, dtype=torch.float64))
    (H, C), gates = cell.step(X_t, state, return_gates=True)
    torch.testing.assert_close(H, cell.step(X_t, state)[0], **TOL)
    I, F, O, C_tilde = gates["I"], gates["F"], gates["O"], gates["C_tilde"]
    torch.testing.assert_close(F, torch.sigmoid(X_t @ cell.W_xf + state[0] @ cell.W_hf + cell.b_f), **TOL)
    torch.testing.assert_close(C, F * state[1] + I * C_tilde, **TOL)
    torch.testing.assert_close(H, O * torch.tanh(C), **TOL)


def test_linear_layers_have_no_torch_equivalent():
    from companion.linear import MinGRU

    with pytest.raises(ValueError, match="no tiene equivalente en torch.nn"):
        MinGRU.from_torch(nn.GRU(3, 4))


def test_readable_step_is_one_step_of_the_layer():
    """``step(X_t, state)`` recibe un paso ``(B, d)`` y devuelve el estado del paso siguiente."""
    cell = LSTMScratch(3, 4).double()
    X = torch.randn(1, 2, 3, dtype=torch.float64)
    H, C = cell.step(X[0], (torch.zeros(2, 4, dtype=torch.float64), torch.zeros(2, 4, dtype=torch.float64)))
    outputs, (H_n, C_n) = cell(X)
    torch.testing.assert_close(outputs[0], H, **TOL)
    torch.testing.assert_close(C_n[0], C, **TOL)


# --------------------------------------------------------------------------- casos límite (pruebas de mutación)


@pytest.mark.parametrize("make, message", [
    (lambda: RNNScratch(0, 4), "^input_size debe ser un entero positivo, no 0"),
    (lambda: RNNScratch(3, 0), "^hidden_size debe ser un entero positivo, no 0"),
    (lambda: DeepRNN(RNNScratch, 0, 4), "^input_size debe ser un entero positivo, no 0"),
    (lambda: DeepRNN(RNNScratch, 3, 0), "^hidden_size debe ser un entero positivo, no 0"),
    (lambda: DeepRNN(RNNScratch, 3, 4, num_layers=0), "^num_layers debe ser un entero positivo, no 0"),
    (lambda: DeepRNN(RNNScratch, 3, 4, dropout=1.0), r"^dropout es una probabilidad: debe ser un número en \[0, 1\)"),
])
def test_size_errors_name_the_argument(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_deep_defaults_to_two_layers():
    deep = DeepRNN(RNNScratch, 3, 4)
    assert len(deep.layers) == 2 and deep(torch.randn(5, 2, 3))[1].shape == (2, 2, 4)


def test_dropout_only_while_training_and_also_with_two_layers():
    """Con dos capas hay *dropout* entre ellas al entrenar; en evaluación no hay ninguno (igual que dropout=0)."""
    X = torch.randn(6, 2, 3, dtype=torch.float64)
    torch.manual_seed(2)
    deep = DeepRNN(LSTMScratch, 3, 4, num_layers=2, dropout=0.5).double()
    torch.manual_seed(2)
    plain = DeepRNN(LSTMScratch, 3, 4, num_layers=2).double()
    assert not torch.equal(deep(X)[0], deep(X)[0])
    deep.eval()
    torch.testing.assert_close(deep(X)[0], plain(X)[0], **TOL)


def test_from_torch_keeps_dropout_and_device():
    """El *dropout* entre capas y el dispositivo («meta» hace aquí de GPU) se copian del módulo de torch."""
    module = nn.LSTM(3, 4, num_layers=2, dropout=0.3).double()
    deep = DeepRNN.from_torch(module)
    X = torch.randn(5, 2, 3, dtype=torch.float64)
    assert deep.dropout == 0.3 and not torch.equal(deep(X)[0], deep(X)[0])
    deep.eval(), module.eval()
    torch.testing.assert_close(deep(X)[0], module(X)[0], **TOL)
    for layer in (LSTMScratch.from_torch(nn.LSTM(3, 4, device="meta")),
                  DeepRNN.from_torch(nn.GRU(3, 4, num_layers=2, bidirectional=True, device="meta"))):
        assert {p.device.type for p in layer.parameters()} == {"meta"}


def test_input_errors_describe_what_was_received():
    lstm = LSTMScratch(3, 4)
    shape_message = (r"^La entrada debe tener forma \(T, B, 3\) \(tiempo primero, como en torch.nn\), pero tiene "
                     r"{}\. Si sus datos son \(B, T, d\), páselos como X.transpose\(0, 1\)\.$")
    with pytest.raises(ValueError, match=shape_message.format(r"\(5, 2, 7\)")):
        lstm(torch.randn(5, 2, 7))
    with pytest.raises(ValueError, match=shape_message.format("list")):
        lstm([[[0.0, 0.0, 0.0]]])
    with pytest.raises(ValueError, match=r"^La entrada debe ser de coma flotante, no torch.int64: codifique los "
                                         r"índices en one-hot \(torch.nn.functional.one_hot\(X, V\).float\(\)\) o "
                                         r"con una capa de incrustación \(nn.Embedding\)\.$"):
        lstm(torch.zeros(5, 2, 3, dtype=torch.int64))
    with pytest.raises(ValueError, match=r"^La secuencia de entrada está vacía \(T = 0\): pase al menos un paso de "
                                         r"tiempo\.$"):
        lstm(torch.randn(0, 2, 3))
    assert lstm(torch.randn(4, 0, 3))[0].shape == (4, 0, 4)  # un lote vacío sí es válido


def test_state_errors_describe_what_was_received():
    X = torch.randn(5, 2, 3)
    pair_message = r"^El estado de una LSTM es un par \(H, C\) de tensores; pase una tupla de dos tensores\.$"
    for state in (torch.zeros(2, 1, 2, 4), (torch.zeros(1, 2, 4),) * 3):  # H y C apilados; tres tensores
        with pytest.raises(ValueError, match=pair_message):
            LSTMScratch(3, 4)(X, state)
    with pytest.raises(ValueError, match=r"^El estado de esta capa es un tensor de forma \(1, 2, 4\), no tuple "
                                         r"\(solo la LSTM usa el par \(H, C\)\)\.$"):
        RNNScratch(3, 4)(X, (torch.zeros(1, 2, 4),))
    shape_message = (r"^El estado debe tener forma \(1, 2, 4\) = \(capas\*direcciones, lote, tamaño oculto\), pero "
                     r"tiene {}\.$")
    with pytest.raises(ValueError, match=shape_message.format(r"\(2, 4\)")):
        LSTMScratch(3, 4)(X, (torch.zeros(1, 2, 4), torch.zeros(2, 4)))
    with pytest.raises(ValueError, match=shape_message.format("list")):
        LSTMScratch(3, 4)(X, (torch.zeros(1, 2, 4), [0.0]))
    lstm, H, C = LSTMScratch(3, 4), torch.randn(1, 2, 4), torch.randn(1, 2, 4)
    torch.testing.assert_close(lstm(X, [H, C])[0], lstm(X, (H, C))[0])  # una lista [H, C] también vale


@pytest.mark.parametrize("make, module, message", [
    (LSTMScratch.from_torch, nn.GRU(3, 4), r"^Se esperaba un LSTM, no GRU\.$"),
    (DeepRNN.from_torch, nn.Linear(3, 4), r"^DeepRNN.from_torch espera un nn.RNN, nn.LSTM o nn.GRU, no Linear\.$"),
    (RNNScratch.from_torch, nn.RNN(3, 4, nonlinearity="relu"),
     r"^Solo se puede copiar una nn.RNN con nonlinearity='tanh' \(la del capítulo\)\.$"),
    (GRUScratch.from_torch, nn.GRU(3, 4, bias=False),
     r"^El módulo no tiene sesgos \(bias=False\); las capas desde cero siempre los tienen\.$"),
    (DeepRNN.from_torch, nn.LSTM(3, 4, batch_first=True),
     (r"^El módulo usa batch_first=True; las capas desde cero ponen el tiempo primero\. Cree el módulo con "
      r"batch_first=False\.$")),
    (LSTMScratch.from_torch, nn.LSTM(3, 4, proj_size=2),
     r"^Las LSTM con proyección \(proj_size > 0\) no tienen equivalente desde cero\.$"),
    (DeepRNN.from_torch, nn.LSTM(3, 4, num_layers=2, proj_size=2), r"^Las LSTM con proyección"),
    (LSTMScratch.from_torch, nn.LSTM(3, 4, bidirectional=True), "bidirectional=True: use DeepRNN.from_torch"),
])
def test_from_torch_errors_say_what_cannot_be_copied(make, module, message):
    with pytest.raises(ValueError, match=message):
        make(module)
