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
