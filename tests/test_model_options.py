"""Opciones de build_model que usan las recetas: dropout de entrada y de salida, sesgo de olvido y validación."""
import pytest
import torch
from torch import nn

from companion.checkpoint import load_checkpoint, save_checkpoint
from companion.data import Vocab
from companion.model import build_model
from companion.rnn import DeepRNN, LSTMScratch


def test_forget_bias_sets_b_f_in_torch_lstm():
    model = build_model("lstm", vocab_size=7, hidden_size=5, num_layers=2, bidirectional=True, forget_bias=1.0)
    h = 5
    names = [name for name, _ in model.rnn.named_parameters() if name.startswith("bias_ih")]
    assert len(names) == 4  # 2 capas × 2 direcciones
    for name, param in model.rnn.named_parameters():
        if name.startswith("bias_"):
            other = name.replace("bias_ih", "bias_hh") if "ih" in name else name.replace("bias_hh", "bias_ih")
            total = param[h:2 * h] + dict(model.rnn.named_parameters())[other][h:2 * h]
            torch.testing.assert_close(total, torch.ones(h))  # b_f total = b_ih + b_hh = 1
    assert model.config["forget_bias"] == 1.0


@pytest.mark.parametrize("num_layers", [1, 2])
def test_forget_bias_sets_b_f_in_scratch_lstm(num_layers):
    model = build_model("lstm", vocab_size=7, hidden_size=4, num_layers=num_layers, scratch=True, forget_bias=2.5)
    cells = [m for m in model.modules() if isinstance(m, LSTMScratch)]
    assert len(cells) == num_layers
    assert isinstance(model.rnn, DeepRNN) == (num_layers > 1)
    for cell in cells:
        torch.testing.assert_close(cell.b_f.detach(), torch.full_like(cell.b_f, 2.5))


def test_forget_bias_is_refused_for_other_cells_and_non_finite():
    with pytest.raises(ValueError, match="solo tiene sentido con cell='lstm'"):
        build_model("gru", vocab_size=7, hidden_size=4, forget_bias=1.0)
    with pytest.raises(ValueError, match="número finito"):
        build_model("lstm", vocab_size=7, hidden_size=4, forget_bias=float("nan"))


def test_dropout_modules_are_present_and_recorded(tmp_path):
    vocab = Vocab("en un lugar de la mancha")
    model = build_model("gru", vocab_size=len(vocab), hidden_size=6, embedding_dim=4, embedding_dropout=0.2,
                        output_dropout=0.3)
    assert isinstance(model.embedding_dropout, nn.Dropout) and model.embedding_dropout.p == 0.2
    assert isinstance(model.output_dropout, nn.Dropout) and model.output_dropout.p == 0.3
    assert model.config["embedding_dropout"] == 0.2 and model.config["output_dropout"] == 0.3
    X = vocab.encode("en un lugar")[None, :]
    model.train()
    torch.manual_seed(0)
    assert not torch.equal(model(X)[0], model(X)[0])  # al entrenar, el dropout cambia la salida
    model.eval()
    torch.testing.assert_close(model(X)[0], model(X)[0], rtol=0, atol=0)
    loaded = load_checkpoint(save_checkpoint(tmp_path / "m.pt", model, vocab)).model
    assert loaded.embedding_dropout.p == 0.2 and loaded.output_dropout.p == 0.3
    plain = build_model("gru", vocab_size=len(vocab), hidden_size=6)
    assert plain.embedding_dropout.p == plain.output_dropout.p == 0.0
    assert "embedding_dropout" not in plain.config  # los puntos de control antiguos no cambian


@pytest.mark.parametrize("kwargs, message", [
    (dict(hidden_size=0), "hidden_size debe ser un entero positivo, no 0"),
    (dict(hidden_size=4.5), "hidden_size debe ser un entero positivo, no 4.5"),
    (dict(hidden_size=-5), "hidden_size debe ser un entero positivo, no -5"),
    (dict(embedding_dropout=1.0), "embedding_dropout es una probabilidad"),
    (dict(output_dropout=-0.1), "output_dropout es una probabilidad"),
])
def test_build_model_validates_before_building(kwargs, message):
    with pytest.raises(ValueError, match=message):
        build_model("lstm", vocab_size=7, **kwargs)


# --- weight drop (AWD-LSTM): una máscara sobre las matrices recurrentes, la misma en todos los pasos ---

@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("scratch", [False, True])
def test_weight_drop_is_identity_in_eval_and_random_in_training(cell, scratch):
    torch.manual_seed(0)
    model = build_model(cell, vocab_size=9, hidden_size=6, num_layers=2, embedding_dim=4, scratch=scratch,
                        weight_drop=0.5)
    reference = build_model(cell, vocab_size=9, hidden_size=6, num_layers=2, embedding_dim=4, scratch=scratch)
    reference.load_state_dict(model.state_dict())
    X = torch.randint(0, 9, (3, 7))
    model.eval(), reference.eval()
    torch.testing.assert_close(model(X)[0], reference(X)[0])
    model.train(), reference.train()
    dropped = model(X)[0]
    assert not torch.allclose(dropped, reference(X)[0])
    dropped.sum().backward()  # el gradiente llega a las matrices originales a través de la máscara
    assert all(p.grad is not None for p in model.parameters())
    assert model.config["weight_drop"] == 0.5


@pytest.mark.parametrize("scratch", [False, True])
def test_weight_drop_uses_one_mask_for_the_whole_segment(scratch, monkeypatch):
    """Las salidas de un segmento entero con weight drop son las de la red sin dropout con UNA matriz
    recurrente anulada (entradas 0 o W/(1−p)): la máscara no cambia de un paso a otro."""
    torch.manual_seed(1)
    p = 0.5
    model = build_model("lstm", vocab_size=9, hidden_size=5, embedding_dim=4, scratch=scratch, weight_drop=p)
    captured = {}
    real_call = torch.func.functional_call

    def spy(module, weights, args):
        captured.update(weights)
        return real_call(module, weights, args)

    monkeypatch.setattr(torch.func, "functional_call", spy)
    X = torch.randint(0, 9, (2, 12))
    model.train()
    out = model(X)[0]
    assert captured and all("hh" in name or name.startswith("W_h") for name in captured)
    own = dict(model.rnn.named_parameters())
    for name, weight in captured.items():
        kept = weight != 0
        torch.testing.assert_close(weight[kept], own[name][kept] / (1 - p))
        assert 0 < kept.float().mean() < 1
    model.eval()  # la misma red, sin dropout, con las matrices recurrentes anuladas fijas
    with torch.no_grad():
        for name, weight in captured.items():
            own[name].copy_(weight)
    torch.testing.assert_close(out, model(X)[0])


def test_weight_drop_is_validated_and_saved(tmp_path):
    with pytest.raises(ValueError, match="weight_drop"):
        build_model("lstm", vocab_size=5, weight_drop=1.0)
    vocab = Vocab("abcde ")
    model = build_model("lstm", vocab_size=len(vocab), hidden_size=4, weight_drop=0.25)
    loaded = load_checkpoint(save_checkpoint(tmp_path / "m.pt", model, vocab)).model
    assert loaded.weight_drop == 0.25 and loaded.config["weight_drop"] == 0.25


def test_cli_trains_with_weight_drop_and_saves_int8(tmp_path):
    from companion.__main__ import main
    from companion.recipes import recipe

    text = tmp_path / "texto.txt"
    text.write_text("en un lugar de la mancha de cuyo nombre no quiero acordarme " * 400, encoding="utf-8")
    out = tmp_path / "m.pt"
    assert main(["train", "--text", str(text), "--hidden", "16", "--embedding", "8", "--weight-drop", "0.3",
                 "--int8", "--batch-size", "4", "--steps", "20", "--max-steps", "3", "--out", str(out),
                 "--quiet", "--threads", "1"]) == 0
    payload = torch.load(out, weights_only=True)
    assert payload["version"] == 3 and payload["config"]["weight_drop"] == 0.3
    assert payload["metadata"]["int8"] is True and payload["metadata"]["float16"] is False
    assert main(["evaluate", str(out), "--text", str(text)]) == 0
    xl = recipe("lstm_xl")  # la receta del modelo mayor, aún sin entrenar, usa las dos opciones
    assert xl["weight_drop"] > 0 and xl["int8"] and xl["hidden"] == 768
