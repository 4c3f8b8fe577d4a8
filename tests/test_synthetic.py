"""Pruebas de la tarea sintética de dependencia larga (recordar el primer símbolo)."""
import pytest
import torch

from companion.synthetic import (
    RecallNet,
    RecallRun,
    RecallSweep,
    count_parameters,
    hidden_size_for,
    recall_accuracy,
    recall_batch,
    run_recall_sweep,
    train_recall,
)


def test_batch_shapes_marker_and_one_hot():
    inputs, targets = recall_batch(7, 5, 3, torch.Generator().manual_seed(0))
    assert inputs.shape == (7, 3, 6) and inputs.dtype == torch.float32
    assert targets.shape == (3,) and targets.dtype == torch.int64
    assert torch.equal(inputs[..., :5].sum(-1), torch.ones(7, 3))  # un símbolo por paso
    assert torch.equal(inputs[0, :, 5], torch.ones(3))  # la marca de inicio, solo en el primer paso
    assert torch.equal(inputs[1:, :, 5], torch.zeros(6, 3))


def test_target_is_the_first_symbol():
    inputs, targets = recall_batch(20, 8, 64, torch.Generator().manual_seed(1))
    assert torch.equal(inputs[0, :, :8].argmax(-1), targets)
    # los demás símbolos no son el objetivo: con 64 secuencias, el último difiere del primero en alguna
    assert not torch.equal(inputs[-1, :, :8].argmax(-1), targets)


def test_batch_is_reproducible_with_a_seed():
    a = recall_batch(10, 8, 4, torch.Generator().manual_seed(3))
    b = recall_batch(10, 8, 4, torch.Generator().manual_seed(3))
    c = recall_batch(10, 8, 4, torch.Generator().manual_seed(4))
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert not torch.equal(a[0], c[0])


def test_symbols_are_uniform():
    _, targets = recall_batch(1, 4, 40_000, torch.Generator().manual_seed(0))
    freq = torch.bincount(targets, minlength=4).float() / 40_000
    assert torch.allclose(freq, torch.full((4,), 0.25), atol=0.01)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_hidden_size_for_matches_the_parameter_count(cell):
    budget = count_parameters(RecallNet("lstm", 16, 8))
    h = hidden_size_for(cell, 8, budget)
    assert count_parameters(RecallNet(cell, h, 8, None)) <= budget < count_parameters(RecallNet(cell, h + 1, 8, None))
    logits = RecallNet(cell, h, 8, None)(recall_batch(4, 8, 2)[0])
    assert logits.shape == (4, 2, 8)


def test_forget_bias_sets_the_effective_bias_of_the_f_block():
    net = RecallNet("lstm", 6, 4, forget_bias=1.0)
    effective = net.rnn.bias_ih_l0 + net.rnn.bias_hh_l0
    assert torch.equal(effective[6:12], torch.ones(6))
    assert not torch.equal(effective[:6], torch.ones(6))


def test_training_is_reproducible_and_leaves_the_global_rng_alone():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a, loss_a = train_recall("lstm", 4, hidden_size=4, steps=3, seed=7)
    after = torch.rand(1)
    b, loss_b = train_recall("lstm", 4, hidden_size=4, steps=3, seed=7)
    assert torch.equal(before, after)  # train_recall no consume el generador global
    assert loss_a == loss_b
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert recall_accuracy(a, 4, seed=1) == recall_accuracy(b, 4, seed=1)


def test_lstm_beats_chance_at_a_short_length():
    model, loss = train_recall("lstm", 5, hidden_size=16, steps=150, seed=0)
    accuracy = recall_accuracy(model, 5, num_sequences=500, seed=0)
    assert accuracy > 0.9  # el azar es 1/8 (con las semillas 0 a 3 acierta el 100 %)
    assert loss < 0.5  # muy por debajo de ln 8 ≈ 2.08, la pérdida del azar


def test_sweep_result_is_tidy():
    seen = []
    sweep = run_recall_sweep(("rnn", "lstm"), (2, 3), steps=2, lstm_hidden=4, num_test=10, progress=seen.append)
    assert isinstance(sweep, RecallSweep)
    assert [(run.cell, run.length) for run in sweep.runs] == [("rnn", 2), ("rnn", 3), ("lstm", 2), ("lstm", 3)]
    assert seen == sweep.runs
    assert sweep.hidden_sizes["lstm"] == 4 and sweep.hidden_sizes["rnn"] > 4
    assert sweep.parameters["rnn"] <= sweep.parameters["lstm"]
    assert len(sweep.accuracy("rnn")) == 2 and all(0 <= a <= 1 for a in sweep.accuracy("rnn"))
    assert sweep.chance == 1 / 8 and sweep.seconds > 0
    assert (sweep.steps, sweep.batch_size, sweep.num_test) == (2, 32, 10)
    with pytest.raises(ValueError, match="threshold"):
        sweep.failure_length("lstm", 0)


def test_failure_length_is_the_first_length_below_the_threshold():
    sweep = RecallSweep(cells=("rnn",), lengths=(5, 10, 20, 40), steps=1, seed=0, num_symbols=8)
    sweep.runs = [RecallRun("rnn", T, a, 0.0, 0.1) for T, a in zip(sweep.lengths, (1.0, 0.97, 0.3, 0.6))]
    assert sweep.failure_length("rnn", 0.95) == 20  # la primera por debajo, aunque después suba
    assert sweep.failure_length("rnn", 0.25) is None
    assert sweep.accuracy("rnn") == [1.0, 0.97, 0.3, 0.6]


@pytest.mark.parametrize("call, message", [
    (lambda: recall_batch(0, 8, 2), "length"),
    (lambda: recall_batch(3, 1, 2), "num_symbols"),
    (lambda: RecallNet("transformer", 4), "cell"),
    (lambda: RecallNet("rnn", 4, 8, forget_bias=1.0), "forget_bias solo"),
    (lambda: RecallNet("rnn", 4, 8, None)(torch.zeros(3, 2, 5)), "forma"),
    (lambda: hidden_size_for("lstm", 8, 10), "max_parameters"),
    (lambda: train_recall("lstm", 3, hidden_size=4, seed=-1), "seed"),
    (lambda: run_recall_sweep(("lstm", "lstm"), (2,)), "repetir"),
    (lambda: run_recall_sweep(("lstm",), (4, 2)), "creciente"),
    (lambda: run_recall_sweep((), (2,)), "al menos una"),
])
def test_bad_arguments_get_a_clear_spanish_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_accuracy_needs_a_recall_net():
    with pytest.raises(TypeError, match="RecallNet"):
        recall_accuracy(torch.nn.Linear(2, 2), 3)
