"""Pruebas del entrenamiento (BPTT truncada, recorte de gradientes, parada temprana) y de la evaluación."""
import copy
import itertools
import math
import time

import pytest
import torch

import companion.train as train_module
from companion.model import build_model
from companion.train import (Callback, Evaluation, History, clip_gradients, evaluate, get_device, set_seed,
                             token_log_probs, train)


def test_get_device_and_set_seed():
    assert get_device().type in ("cpu", "cuda")
    set_seed(3)
    a = torch.rand(3)
    set_seed(3)
    assert torch.equal(a, torch.rand(3))


@pytest.mark.parametrize("max_norm", [0.05, 1e6])
def test_clip_gradients_equals_torch(tiny_model, ids, max_norm):
    model, twin = tiny_model(), tiny_model()
    for net in (model, twin):
        logits, _ = net(ids[None, :40])
        torch.nn.functional.cross_entropy(logits[0], ids[1:41]).backward()
    ours = clip_gradients(model.parameters(), max_norm)
    theirs = torch.nn.utils.clip_grad_norm_(twin.parameters(), max_norm)
    assert ours == pytest.approx(float(theirs), rel=1e-6)
    for p, q in zip(model.parameters(), twin.parameters()):
        torch.testing.assert_close(p.grad, q.grad, rtol=1e-6, atol=1e-9)


def test_clip_gradients_rejects_bad_norm(tiny_model):
    with pytest.raises(ValueError, match="max_norm"):
        clip_gradients(tiny_model().parameters(), 0)


def brute_force_nll(model, ids):
    """−Σ ln P(ids[t] | ids[:t]) recalculando cada prefijo desde el estado cero."""
    total = 0.0
    with torch.no_grad():
        for t in range(1, len(ids)):
            logits, _ = model(ids[None, :t])
            total -= float(torch.log_softmax(logits[0, -1].double(), -1)[ids[t]])
    return total


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_evaluate_matches_brute_force(tiny_model, ids, cell):
    model = tiny_model(cell).eval()
    sample = ids[:60]
    result = evaluate(model, sample, chunk_size=7)
    expected = brute_force_nll(model, sample)
    assert isinstance(result, Evaluation)
    assert result.count == len(sample) - 1
    assert result.nll == pytest.approx(expected, rel=1e-5)
    assert result.perplexity == pytest.approx(math.exp(expected / result.count), rel=1e-5)
    assert result.bpc == pytest.approx(expected / result.count / math.log(2), rel=1e-5)
    assert 2 ** result.bpc == pytest.approx(result.perplexity)


def test_state_carried_in_two_halves_equals_whole(tiny_model, ids):
    model = tiny_model(num_layers=2).eval()
    X = ids[:80].reshape(2, 40)
    with torch.no_grad():
        whole, (h, c) = model(X)
        first, state = model(X[:, :17])
        second, (h2, c2) = model(X[:, 17:], state)
    torch.testing.assert_close(torch.cat([first, second], dim=1), whole)
    torch.testing.assert_close(h2, h)
    torch.testing.assert_close(c2, c)
    whole_logp = token_log_probs(model, ids[:200], chunk_size=1000)
    torch.testing.assert_close(token_log_probs(model, ids[:200], chunk_size=13), whole_logp)
    assert whole_logp.shape == (199,) and whole_logp.dtype == torch.float64


def test_evaluate_uses_eval_mode_without_gradients(tiny_model, ids):
    model = tiny_model(num_layers=2, dropout=0.5)
    model.train()
    a, b = evaluate(model, ids[:100]), evaluate(model, ids[:100])
    assert a.nll == b.nll  # sin dropout: determinista
    assert model.training  # se restaura el modo
    assert all(p.grad is None for p in model.parameters())


def test_evaluate_rejects_bad_input(tiny_model):
    model = tiny_model()
    with pytest.raises(ValueError, match="demasiado corto"):
        evaluate(model, torch.tensor([1]))
    with pytest.raises(TypeError):
        evaluate(model, [1, 2, 3])


def run_training(tiny_model, ids, **kwargs):
    model = tiny_model()
    options = dict(epochs=2, batch_size=4, num_steps=20, max_steps=8, progress=False, device="cpu")
    options.update(kwargs)
    return model, train(model, ids, ids[:300], **options)


def test_training_reduces_loss_and_is_reproducible(tiny_model, vocab, ids):
    model, history = run_training(tiny_model, ids, lr=1e-2)
    assert isinstance(history, History)
    assert len(history.train_ppl) == len(history.val_ppl) == len(history.epoch_time) == 2
    assert len(history.step_loss) == len(history.grad_norms) == 16
    assert history.val_ppl[-1] < history.val_ppl[0] < len(vocab)
    assert sum(history.step_loss[-5:]) < sum(history.step_loss[:5])
    assert history.total_time > 0
    twin, again = run_training(tiny_model, ids, lr=1e-2)
    assert again.step_loss == history.step_loss
    for p, q in zip(model.parameters(), twin.parameters()):
        assert torch.equal(p, q)


@pytest.mark.parametrize("optimizer", ["sgd", "adadelta"])
def test_other_optimizers_and_schedules(tiny_model, ids, optimizer):
    _, history = run_training(tiny_model, ids, optimizer=optimizer, clip=None, lr_schedule="cosine", epochs=1)
    assert all(math.isfinite(x) for x in history.step_loss)
    assert all(n > 0 for n in history.grad_norms)


class Spy(torch.nn.Module):
    """Envuelve un modelo y anota el estado que recibe y la forma de cada lote."""

    def __init__(self, model):
        super().__init__()
        self.model, self.states, self.shapes = model, [], []

    def forward(self, X, state=None):
        self.states.append(state)
        self.shapes.append(tuple(X.shape))
        return self.model(X, state)


def test_sequential_sampling_carries_detached_state(tiny_model, ids):
    spy = Spy(tiny_model())
    train(spy, ids, epochs=1, batch_size=4, num_steps=10, max_steps=6, progress=False, device="cpu")
    assert spy.states[0] is None
    for h, c in spy.states[1:]:  # el estado pasa de un lote al siguiente, separado del grafo
        assert h.shape == (1, 4, 16) and not h.requires_grad and not c.requires_grad


def test_random_sampling_resets_state(tiny_model, ids):
    spy = Spy(tiny_model())
    train(spy, ids, epochs=1, batch_size=4, num_steps=10, max_steps=6, sampling="random", progress=False,
          device="cpu")
    assert len(spy.states) == 6 and all(s is None for s in spy.states)


@pytest.mark.parametrize("sampling", ["sequential", "random"])
def test_random_truncation_varies_segment_length(tiny_model, ids, sampling):
    spy = Spy(tiny_model())
    train(spy, ids, epochs=1, batch_size=2, num_steps=20, max_steps=30, random_truncation=True,
          sampling=sampling, progress=False, device="cpu")
    lengths = {T for _, T in spy.shapes}
    assert len(lengths) > 3 and min(lengths) >= 10 and max(lengths) <= 30


def test_early_stopping_restores_best_weights(tiny_model, ids, monkeypatch):
    fake = iter([5.0, 4.0, 6.0, 7.0, 8.0, 9.0])
    snapshots = []

    def fake_evaluate(model, ids):
        snapshots.append(copy.deepcopy(model.state_dict()))
        return Evaluation(nll=0.0, count=1, perplexity=next(fake), bpc=0.0)

    monkeypatch.setattr(train_module, "evaluate", fake_evaluate)
    model = tiny_model()
    history = train(model, ids, ids[:100], epochs=6, batch_size=4, num_steps=10, max_steps=3, patience=2,
                    progress=False, device="cpu")
    assert history.val_ppl == [5.0, 4.0, 6.0, 7.0]  # dos épocas sin mejora: para tras la cuarta
    assert history.best_epoch == 2
    for key, value in model.state_dict().items():
        assert torch.equal(value, snapshots[1][key])


@pytest.mark.parametrize("kwargs, message", [
    (dict(optimizer="rmsprop"), "Optimizador"),
    (dict(sampling="shuffled"), "Muestreo"),
    (dict(epochs=0), "epochs"),
    (dict(patience=2), "validación"),
    (dict(batch_size=100, num_steps=100), "lote"),
    (dict(lr_schedule="step"), "Programa"),
])
def test_train_rejects_bad_arguments(tiny_model, ids, kwargs, message):
    with pytest.raises(ValueError, match=message):
        train(tiny_model(), ids, progress=False, **kwargs)


class StopAfter(Callback):
    """Para tras ``updates`` actualizaciones y anota cada época terminada."""

    def __init__(self, updates):
        self.updates, self.epochs = updates, []

    def should_stop(self, state):
        return len(state.history.step_loss) >= self.updates

    def on_epoch_end(self, state):
        self.epochs.append(state.epoch)


def test_callback_and_total_steps_stop_training(tiny_model, ids):
    callback = StopAfter(1)
    _, history = run_training(tiny_model, ids, epochs=3, callback=callback)
    assert len(history.step_loss) == 1 and len(history.train_ppl) == len(history.val_ppl) == 1
    assert callback.epochs == [1]  # la época interrumpida también se cierra (con su validación)
    _, history = run_training(tiny_model, ids, epochs=3, total_steps=11)  # 8 pasos por época
    assert len(history.step_loss) == 11 and len(history.train_ppl) == 2


def test_training_resumes_from_a_saved_state(tiny_model, ids, tmp_path):
    """Guardar ``state_dict()`` al final de la primera época y cargarlo en otro modelo continúa el mismo
    entrenamiento: mismas pérdidas, mismo historial y mismos pesos que sin interrupción."""
    model, reference = run_training(tiny_model, ids, epochs=3, lr_schedule="cosine")

    class SaveAndStop(Callback):
        def on_epoch_end(self, state):
            torch.save(state.state_dict(), tmp_path / "progreso.pt")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_training(tiny_model, ids, epochs=3, lr_schedule="cosine", callback=SaveAndStop())
    saved = torch.load(tmp_path / "progreso.pt", weights_only=True)
    assert set(saved) == {"epoch", "history", "model", "optimizer", "scheduler", "best_model"}

    class Resume(Callback):
        def on_train_begin(self, state):
            state.load_state_dict(saved)

    resumed_model, resumed = run_training(tiny_model, ids, epochs=3, lr_schedule="cosine", callback=Resume())
    assert resumed.step_loss == reference.step_loss and resumed.val_ppl == reference.val_ppl
    assert len(resumed.epoch_time) == 3
    for p, q in zip(model.parameters(), resumed_model.parameters()):
        assert torch.equal(p, q)


def test_evaluate_many_matches_evaluate_on_each_sequence():
    from companion.model import build_model
    from companion.train import evaluate, evaluate_many, token_log_probs, token_log_probs_many

    torch.manual_seed(0)
    model = build_model("lstm", vocab_size=7, hidden_size=12, embedding_dim=5)
    a = torch.randint(0, 7, (157,))
    b = torch.randint(0, 7, (90,))
    many = token_log_probs_many(model, [a, b], chunk_size=40)
    assert [len(x) for x in many] == [156, 89]
    for ids, logp in zip((a, b), many):
        assert torch.allclose(logp, token_log_probs(model, ids, chunk_size=40), atol=1e-5)
    ev_a, ev_b = evaluate_many(model, [a, b])
    assert abs(ev_a.perplexity - evaluate(model, a).perplexity) < 1e-4
    assert ev_b.count == 89


def test_max_steps_and_total_steps_limit_the_updates(tiny_model, ids):
    """``max_steps`` limita las actualizaciones de cada época y ``total_steps`` las de todo el entrenamiento."""
    _, history = run_training(tiny_model, ids, epochs=3, max_steps=5, total_steps=12)
    assert len(history.step_loss) == 12  # 5 + 5 + 2
    _, per_epoch = run_training(tiny_model, ids, epochs=3, max_steps=5)
    assert len(per_epoch.step_loss) == 15
    with pytest.raises(ValueError, match="total_steps debe ser None o un entero positivo, no 0"):
        run_training(tiny_model, ids, total_steps=0)


def test_train_epoch_is_one_pass_over_the_batches(tiny_model, ids):
    from companion.data import sequential_batches
    from companion.train import train_epoch

    model, history = tiny_model(), History()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    nll, count = train_epoch(model, sequential_batches(ids, 4, 20, seed=0), optimizer, history, max_batches=3)
    assert count == 3 * 4 * 20 and len(history.step_loss) == len(history.grad_norms) == 3
    assert math.isclose(nll, sum(history.step_loss) * 4 * 20, rel_tol=1e-9)


def test_evaluation_lives_in_metrics():
    import companion.metrics

    assert Evaluation is companion.metrics.Evaluation


# --------------------------------------------------------------------------- casos límite (pruebas de mutación)


@pytest.mark.parametrize("available, expected", [(True, "cuda"), (False, "cpu")])
def test_get_device_follows_cuda_availability(monkeypatch, available, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: available)
    assert get_device() == torch.device(expected)


class Record(Callback):
    """Anota el optimizador y el ``state_dict`` de cada época; con :class:`LearningRateSpy`, también la tasa de
    aprendizaje de cada actualización."""

    def __init__(self):
        self.optimizer, self.lrs, self.saved = None, [], []

    def on_train_begin(self, state):
        self.optimizer = state.optimizer

    def on_epoch_end(self, state):
        self.saved.append(copy.deepcopy(state.state_dict()))


class LearningRateSpy(torch.nn.Module):
    """Envuelve un modelo y, en cada lote de entrenamiento, anota en ``record`` la tasa con que se actualizará."""

    def __init__(self, model, record):
        super().__init__()
        self.model, self.record = model, record

    def forward(self, X, state=None):
        if self.training:
            self.record.lrs.append(self.record.optimizer.param_groups[0]["lr"])
        return self.model(X, state)


def recorded_training(tiny_model, ids, **kwargs):
    """``run_training`` con un :class:`Record` como callback y el modelo envuelto: devuelve el registro."""
    record = Record()
    run_training(lambda: LearningRateSpy(tiny_model(), record), ids, callback=record, **kwargs)
    return record


@pytest.mark.parametrize("optimizer, cls, lr", [("adam", torch.optim.Adam, 2e-3), ("sgd", torch.optim.SGD, 1.0),
                                                ("adadelta", torch.optim.Adadelta, 1.0)])
def test_each_optimizer_name_gives_its_optimizer_and_default_rate(tiny_model, ids, optimizer, cls, lr):
    for given, expected in ((None, lr), (0.25, 0.25)):
        record = recorded_training(tiny_model, ids, epochs=1, max_steps=2, optimizer=optimizer, lr=given)
        assert type(record.optimizer) is cls and record.lrs == [expected] * 2


def test_cosine_schedule_follows_the_formula_and_constant_does_not_change(tiny_model, ids):
    """η_s = η (1 + cos(π s / S)) / 2 con S las actualizaciones previstas (o total_steps si es menor)."""
    record = recorded_training(tiny_model, ids, epochs=2, max_steps=4, lr=0.1, lr_schedule="cosine")
    assert record.lrs == pytest.approx([0.1 * (1 + math.cos(math.pi * s / 8)) / 2 for s in range(8)], abs=1e-12)
    assert record.optimizer.param_groups[0]["lr"] == pytest.approx(0.0, abs=1e-12)  # acaba en 0
    record = recorded_training(tiny_model, ids, epochs=2, max_steps=4, lr=0.1, total_steps=6, lr_schedule="cosine")
    assert record.lrs == pytest.approx([0.1 * (1 + math.cos(math.pi * s / 6)) / 2 for s in range(6)], abs=1e-12)
    assert record.optimizer.param_groups[0]["lr"] == pytest.approx(0.0, abs=1e-12)
    record = recorded_training(tiny_model, ids, epochs=2, max_steps=4, lr=0.1)
    assert record.lrs == [0.1] * 8 and all(saved["scheduler"] is None for saved in record.saved)


def fake_validation(monkeypatch, perplexities):
    """Sustituye ``evaluate`` por uno que devuelve estas perplejidades, una por época."""
    values = iter(perplexities)
    monkeypatch.setattr(train_module, "evaluate",
                        lambda model, ids: Evaluation(nll=0.0, count=1, perplexity=next(values), bpc=0.0))


def test_a_tie_is_not_an_improvement(tiny_model, ids, monkeypatch):
    fake_validation(monkeypatch, [5.0, 5.0, 5.0, 5.0])
    _, history = run_training(tiny_model, ids, epochs=4, max_steps=1, patience=2)
    assert history.val_ppl == [5.0, 5.0, 5.0] and history.best_epoch == 1


def test_nan_validation_from_the_start_has_no_best_epoch(tiny_model, ids, monkeypatch):
    """Si la validación da NaN desde la primera época (entrenamiento divergente), ninguna época es la mejor y
    se para tras ``patience`` épocas."""
    fake_validation(monkeypatch, [math.nan] * 5)
    _, history = run_training(tiny_model, ids, epochs=5, max_steps=1, patience=2)
    assert len(history.val_ppl) == 2 and history.best_epoch is None


def test_resuming_keeps_the_best_weights_saved_before_the_interruption(tiny_model, ids, monkeypatch):
    """La mejor época fue la primera, antes de interrumpir: al reanudar y no mejorar, el modelo acaba con sus
    pesos, que vienen del archivo de progreso."""
    fake_validation(monkeypatch, [4.0])
    record = Record()
    first, _ = run_training(tiny_model, ids, epochs=1, max_steps=2, patience=5, callback=record)
    saved = record.saved[0]
    assert saved["best_model"] is not None

    class Resume(Callback):
        def on_train_begin(self, state):
            state.load_state_dict(saved)

    fake_validation(monkeypatch, [6.0, 7.0])
    model, history = run_training(tiny_model, ids, epochs=3, max_steps=2, patience=5, callback=Resume())
    assert history.val_ppl == [4.0, 6.0, 7.0] and history.best_epoch == 1
    for p, q in zip(model.parameters(), first.parameters()):
        assert torch.equal(p, q)


def test_default_clipping_threshold_is_one(tiny_model, ids):
    """Por omisión ``train_epoch`` recorta a norma 1: con SGD, un paso mueve los parámetros exactamente lr · 1."""
    from companion.data import sequential_batches
    from companion.train import train_epoch

    model = tiny_model()
    with torch.no_grad():
        model.W_hq.mul_(30)  # logits grandes: la norma del gradiente supera 2
    before = [p.detach().clone() for p in model.parameters()]
    history = History()
    train_epoch(model, sequential_batches(ids, 4, 20, seed=0), torch.optim.SGD(model.parameters(), lr=0.1),
                history, max_batches=1)
    assert history.grad_norms[0] > 2
    step = torch.sqrt(sum(((p.detach() - b) ** 2).sum() for p, b in zip(model.parameters(), before)))
    assert float(step) == pytest.approx(0.1, rel=1e-5)


class InputSpy(Spy):
    """Como ``Spy``, y además guarda cada lote de entrada."""

    def forward(self, X, state=None):
        self.inputs = getattr(self, "inputs", []) + [X]
        return super().forward(X, state)


def rows_continue(batches):
    """¿Empieza cada fila de cada lote justo después de donde acabó esa fila en el lote anterior?"""
    return all(torch.equal(a[:, -1] + 1, b[:, 0]) for a, b in itertools.pairwise(batches))


@pytest.mark.parametrize("random_truncation", [False, True])
def test_sequential_batches_continue_and_random_ones_do_not(random_truncation):
    """Con un texto 0, 1, 2, …, la fila b del lote i+1 continúa la del lote i solo con el muestreo secuencial."""
    positions = torch.arange(2000)
    seen = {}
    for sampling in ("sequential", "random"):
        torch.manual_seed(0)
        spy = InputSpy(build_model("lstm", vocab_size=2000, hidden_size=8, embedding_dim=4))
        train(spy, positions, epochs=1, batch_size=3, num_steps=8, max_steps=6, sampling=sampling,
              random_truncation=random_truncation, progress=False, device="cpu")
        seen[sampling] = spy.inputs
    assert rows_continue(seen["sequential"]) and not rows_continue(seen["random"])
    assert all(s is None for s in spy.states)  # el aleatorio no arrastra el estado


def test_random_truncation_is_reproducible_with_the_seed(tiny_model, ids):
    shapes = []
    for seed in (0, 0, 1):
        spy = Spy(tiny_model())
        train(spy, ids, epochs=1, batch_size=2, num_steps=20, max_steps=10, random_truncation=True,
              sampling="random", seed=seed, progress=False, device="cpu")
        shapes.append(spy.shapes)
    assert shapes[0] == shapes[1] != shapes[2]


def test_train_epoch_carries_state_by_default_also_for_a_gru(tiny_model, ids):
    """El estado de la GRU es un solo tensor (capas, lote, h): también pasa de un lote al siguiente."""
    from companion.data import sequential_batches
    from companion.train import train_epoch

    spy = Spy(tiny_model("gru"))
    train_epoch(spy, sequential_batches(ids, 4, 10, seed=0), torch.optim.Adam(spy.parameters()), History(),
                max_batches=4)
    assert spy.states[0] is None and all(s is not None and s.shape == (1, 4, 16) for s in spy.states[1:])


def test_progress_bar_shows_epoch_batches_and_perplexities(tiny_model, ids, capsys):
    run_training(tiny_model, ids, epochs=1, max_steps=3, progress=True)
    err = capsys.readouterr().err
    assert "Época 1/1" in err and "3/3" in err and "lote/s" in err
    assert "perplejidad de entrenamiento" in err and "de validación" in err
    run_training(tiny_model, ids, epochs=1, max_steps=3, progress=False)
    assert capsys.readouterr().err == ""


def step_length(model, before):
    """Norma del cambio de todos los parámetros respecto de ``before``."""
    return float(torch.sqrt(sum(((p.detach() - b) ** 2).sum() for p, b in zip(model.parameters(), before))))


def test_train_defaults_one_epoch_of_64_by_100_with_bar_and_clipping(tiny_model, vocab, capsys):
    """Por omisión: una época de lotes 64 × 100 sin truncamiento aleatorio, semilla 0, barra de progreso y recorte a
    norma 1 (con SGD, un paso mueve los parámetros exactamente lr · 1). 6500 caracteres llenan un lote de
    64 × 100 tras cualquier desplazamiento inicial (hasta 99), pero no uno de 65 × 100 ni uno de 64 × 101."""
    from conftest import TINY_TEXT

    ids = vocab.encode((TINY_TEXT * 8)[:6500])
    assert len(ids) == 6500

    def run(**kwargs):
        spy = Spy(tiny_model())
        with torch.no_grad():
            spy.model.W_hq.mul_(30)  # logits grandes: la norma del gradiente supera 2
        before = [p.detach().clone() for p in spy.parameters()]
        start = time.perf_counter()
        history = train(spy, ids, optimizer="sgd", lr=0.1, device="cpu", **kwargs)
        return spy, history, step_length(spy, before), time.perf_counter() - start

    spy, history, step, elapsed = run()
    assert "Época 1/1" in capsys.readouterr().err
    assert spy.shapes == [(64, 100)] and len(history.step_loss) == 1 and history.grad_norms[0] > 2
    assert step == pytest.approx(0.1, rel=1e-5)
    assert 0 < history.total_time <= elapsed
    _, explicit, *_ = run(epochs=1, batch_size=64, num_steps=100, clip=1.0, random_truncation=False, seed=0,
                          progress=True)
    assert explicit.step_loss == history.step_loss
    assert run(clip=0.5, progress=False)[2] == pytest.approx(0.05, rel=1e-5)


@pytest.mark.parametrize("length", [961, 959])
def test_cosine_horizon_counts_whole_batches(tiny_model, vocab, length):
    """S = épocas · ⌊(N − 1) / (B · T)⌋: 960 y 958 caracteres predichos dan 12 y 11 lotes de 4 × 20 por época
    (el desplazamiento aleatorio del muestreo secuencial puede dejar un lote menos, pero S no cambia)."""
    from conftest import TINY_TEXT

    ids = vocab.encode((TINY_TEXT * 2)[:length])
    updates = (length - 1) // 80
    record = recorded_training(tiny_model, ids, epochs=2, max_steps=None, lr=0.1, lr_schedule="cosine")
    S = 2 * updates
    assert S - 2 <= len(record.lrs) <= S
    assert record.lrs == pytest.approx([0.1 * (1 + math.cos(math.pi * s / S)) / 2 for s in range(len(record.lrs))],
                                       abs=1e-12)


@pytest.mark.parametrize("kwargs, message", [
    ({"clip": 0}, "^clip debe ser None o un número positivo, no 0"),
    ({"max_steps": 0}, "^max_steps debe ser None o un entero positivo, no 0"),
    ({"patience": 0}, "^patience debe ser None o un entero positivo, no 0"),
    ({"lr": -1.0}, "^lr debe ser un número positivo, no -1.0"),
])
def test_train_checks_every_argument(tiny_model, ids, kwargs, message):
    with pytest.raises(ValueError, match=message):
        train(tiny_model(), ids, ids[:100], batch_size=4, num_steps=10, progress=False, **kwargs)


def test_set_seed_fixes_python_numpy_and_large_seeds():
    import random

    import numpy as np

    def draws(seed):
        set_seed(seed)
        return random.random(), float(np.random.rand()), float(torch.rand(()))

    assert draws(3) == draws(3)
    assert all(a != b for a, b in zip(draws(3), draws(5)))  # cada generador depende de la semilla
    # NumPy solo acepta semillas < 2**32: una mayor se reduce módulo 2**32
    assert draws(2**32 + 1)[1] == draws(1)[1]


def test_clip_gradients_edge_cases(tiny_model, ids):
    from companion.train import grad_norm

    model = tiny_model()
    assert grad_norm(model.parameters()) == 0.0 and clip_gradients(model.parameters(), 1.0) == 0.0  # sin gradientes
    logits, _ = model(ids[None, :40])
    torch.nn.functional.cross_entropy(logits[0], ids[1:41]).backward()
    grads = [p.grad.clone() for p in model.parameters()]
    norm = grad_norm(model.parameters())
    for max_norm in (1.5 * norm, math.inf):  # por encima de la norma: nada cambia (tampoco crece)
        assert clip_gradients(model.parameters(), max_norm) == pytest.approx(norm)
        for p, g in zip(model.parameters(), grads):
            assert torch.equal(p.grad, g)
    with pytest.raises(ValueError, match="^max_norm debe ser un número positivo, no -1"):
        clip_gradients(model.parameters(), -1)


def test_evaluate_checks_its_ids(tiny_model):
    model = tiny_model()
    assert evaluate(model, torch.tensor([1, 2])).count == 1  # dos caracteres bastan
    for bad in (torch.tensor([[1, 2, 3]]), torch.tensor([1.0, 2.0, 3.0])):
        with pytest.raises(TypeError, match=r"^ids debe ser un tensor 1-D de enteros \(torch.long\)"):
            evaluate(model, bad)


@pytest.mark.parametrize("kwargs, message", [
    ({"optimizer": "rmsprop"}, r"^Optimizador \(optimizer\) debe ser uno de"),
    ({"lr_schedule": "step"}, r"^Programa de tasa de aprendizaje \(lr_schedule\) debe ser uno de"),
    ({"sampling": "shuffled"}, r"^Muestreo \(sampling\) debe ser uno de"),
    ({"epochs": 0}, "^epochs debe ser un entero positivo, no 0"),
    ({"batch_size": 0}, "^batch_size debe ser un entero positivo, no 0"),
    ({"num_steps": 0}, "^num_steps debe ser un entero positivo, no 0"),
    ({"total_steps": 0}, "^total_steps debe ser None o un entero positivo, no 0"),
    ({"val_ids": None, "patience": 2},
     r"^La parada temprana \(patience\) necesita datos de validación: pase val_ids\.$"),
])
def test_train_errors_start_with_the_argument(tiny_model, ids, kwargs, message):
    options = {"val_ids": ids[:100], "batch_size": 4, "num_steps": 10, "progress": False}
    options.update(kwargs)
    val_ids = options.pop("val_ids")
    with pytest.raises(ValueError, match=message):
        train(tiny_model(), ids, val_ids, **options)


def test_training_text_length_limits(tiny_model, ids):
    """Hace falta N ≥ T + 2 y N − 1 ≥ B · T; ``clip=inf`` (sin recorte) es válido."""
    options = {"epochs": 1, "batch_size": 2, "num_steps": 10, "sampling": "random", "progress": False, "device": "cpu"}
    with pytest.raises(ValueError, match=r"^train_ids es demasiado corto \(11 caracteres\); hacen falta al menos 12"):
        train(tiny_model(), ids[:11], **{**options, "batch_size": 1})
    with pytest.raises(ValueError, match=r"^El texto de entrenamiento \(20 caracteres\) no llena ni un lote de 2×10"):
        train(tiny_model(), ids[:20], **options)
    assert len(train(tiny_model(), ids[:61], clip=math.inf, **options).step_loss) >= 1
    with pytest.raises(ValueError, match="^num_steps debe ser un entero positivo, no 1.5"):
        train(tiny_model(), ids[:2], **{**options, "num_steps": 1.5})
    with pytest.raises(TypeError, match="^val_ids debe ser un tensor 1-D"):
        train(tiny_model(), ids, [1, 2, 3], **options)
    with pytest.raises(TypeError, match="^train_ids debe ser un tensor 1-D"):
        train(tiny_model(), ids.tolist(), **options)


def test_without_patience_the_model_keeps_the_last_weights(tiny_model, ids, monkeypatch):
    """Sin parada temprana se mide la mejor época, pero el modelo se queda con los pesos de la última."""
    fake_validation(monkeypatch, [4.0, 6.0])
    record = Record()
    model, history = run_training(tiny_model, ids, epochs=2, max_steps=2, callback=record)
    assert history.best_epoch == 1 and all(saved["best_model"] is None for saved in record.saved)
    for key, value in model.state_dict().items():
        assert torch.equal(value, record.saved[-1]["model"][key])


@pytest.mark.parametrize("sampling", ["sequential", "random"])
def test_the_smallest_accepted_text_trains_with_any_random_offset(sampling):
    """Un texto que llena un lote solo sin desplazamiento se rechaza con un mensaje claro; el menor aceptado
    (un lote más num_steps − 1 caracteres para el desplazamiento al azar) entrena con cualquier semilla."""
    from companion.model import build_model

    batch_size, num_steps = 2, 5
    too_short = torch.arange(batch_size * num_steps + 1) % 7
    with pytest.raises(ValueError, match="desplazamiento inicial"):
        train(build_model("rnn", vocab_size=7, hidden_size=4), too_short, batch_size=batch_size,
              num_steps=num_steps, sampling=sampling, progress=False, device="cpu")
    smallest = torch.arange(batch_size * num_steps + num_steps) % 7
    for seed in range(12):
        history = train(build_model("rnn", vocab_size=7, hidden_size=4), smallest, batch_size=batch_size,
                        num_steps=num_steps, sampling=sampling, progress=False, device="cpu", seed=seed)
        assert len(history.step_loss) == 1
