"""Pruebas del modelo de lenguaje de caracteres CharLM y de build_model."""
import pytest
import torch
from torch import nn

from companion.model import CharLM, build_model
from companion.rnn import DeepRNN, GRUScratch, LSTMScratch, RNNScratch

V = 7


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _ids(B=3, T=5):
    return torch.randint(0, V, (B, T))


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("scratch", [False, True], ids=["torch", "scratch"])
@pytest.mark.parametrize("embedding_dim", [None, 4], ids=["onehot", "embedding"])
def test_charlm_shapes_and_state(cell, scratch, embedding_dim):
    model = build_model(cell, vocab_size=V, hidden_size=6, embedding_dim=embedding_dim, scratch=scratch)
    logits, state = model(_ids())
    assert logits.shape == (3, 5, V)
    for s in state if cell == "lstm" else (state,):
        assert s.shape == (1, 3, 6)
    logits.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    assert (model.embedding is None) == (embedding_dim is None)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_scratch_charlm_equals_torch_charlm(cell):
    torch_model = build_model(cell, vocab_size=V, hidden_size=6, num_layers=2, bidirectional=True).double()
    scratch_model = CharLM(DeepRNN.from_torch(torch_model.rnn), V).double()
    scratch_model.W_hq.data.copy_(torch_model.W_hq)
    scratch_model.b_q.data.copy_(torch_model.b_q)
    X = _ids()
    expected, expected_state = torch_model(X)
    logits, state = scratch_model(X)
    torch.testing.assert_close(logits, expected, rtol=1e-9, atol=1e-9)
    assert logits.shape == (3, 5, V)


def test_manual_one_hot_model_computes_the_equations():
    rnn = RNNScratch(V, 4).double()
    model = CharLM(rnn, V).double()
    X = _ids(B=2, T=3)
    logits, _ = model(X)
    H = torch.zeros(2, 4, dtype=torch.float64)
    for t in range(3):
        X_t = torch.eye(V, dtype=torch.float64)[X[:, t]]
        H = torch.tanh(X_t @ rnn.W_xh + H @ rnn.W_hh + rnn.b_h)
        torch.testing.assert_close(logits[:, t], H @ model.W_hq + model.b_q)


@pytest.mark.parametrize("scratch", [False, True], ids=["torch", "scratch"])
def test_two_halves_with_state_equal_whole(scratch):
    model = build_model("lstm", vocab_size=V, hidden_size=5, num_layers=2, embedding_dim=3, scratch=scratch)
    model = model.double().eval()
    X = _ids(T=8)
    whole, _ = model(X)
    first, state = model(X[:, :3])
    second, _ = model(X[:, 3:], state)
    torch.testing.assert_close(torch.cat([first, second], dim=1), whole)


@pytest.mark.parametrize("kwargs", [
    {},
    dict(cell="gru", vocab_size=V, hidden_size=8, num_layers=2, dropout=0.2, scratch=True),
    dict(cell="rnn", vocab_size=V, hidden_size=8, bidirectional=True, embedding_dim=5),
    dict(cell="lstm", vocab_size=V, hidden_size=8, num_layers=3, bidirectional=True, scratch=True),
])
def test_build_model_config_round_trip(kwargs):
    model = build_model(**kwargs)
    config = model.config
    assert set(config) == {"cell", "vocab_size", "hidden_size", "num_layers", "bidirectional", "dropout",
                           "embedding_dim", "scratch"}
    assert all(config[k] == v for k, v in kwargs.items())
    rebuilt = build_model(**config)
    assert rebuilt.config == config
    rebuilt.load_state_dict(model.state_dict())  # mismas claves y formas
    assert rebuilt.num_parameters() == model.num_parameters()


def test_config_is_inferred_for_hand_built_models():
    model = CharLM(nn.GRU(V, 6, num_layers=2), V)
    assert model.config == dict(cell="gru", vocab_size=V, hidden_size=6, num_layers=2, bidirectional=False,
                                dropout=0.0, embedding_dim=None, scratch=False)
    model = CharLM(LSTMScratch(4, 6), V, embedding_dim=4)
    assert model.config["scratch"] and model.config["cell"] == "lstm" and model.config["embedding_dim"] == 4
    with pytest.raises(ValueError, match="build_model"):
        CharLM(GRUScratch(V, 6, reset_after=True), V).config


def test_num_parameters():
    h = 10
    torch_lstm = build_model("lstm", vocab_size=V, hidden_size=h)
    output_layer = h * V + V
    assert torch_lstm.num_parameters() == 4 * (V * h + h * h + 2 * h) + output_layer  # torch: b_ih y b_hh
    scratch_lstm = build_model("lstm", vocab_size=V, hidden_size=h, scratch=True)
    assert scratch_lstm.num_parameters() == 4 * (V * h + h * h + h) + output_layer
    bi = build_model("rnn", vocab_size=V, hidden_size=h, bidirectional=True, embedding_dim=3, scratch=True)
    assert bi.num_parameters() == V * 3 + 2 * (3 * h + h * h + h) + 2 * h * V + V


def test_bad_model_input_raises_spanish_value_error():
    with pytest.raises(ValueError, match="Celda desconocida"):
        build_model("transformer")
    with pytest.raises(ValueError, match="entero"):
        build_model(num_layers=0)
    model = build_model(vocab_size=V, hidden_size=4)
    with pytest.raises(ValueError, match="int64"):
        model(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="forma"):
        model(torch.zeros(2, 3, 4, dtype=torch.int64))
    with pytest.raises(ValueError, match="fuera del vocabulario"):
        model(torch.full((2, 3), V))
    with pytest.raises(ValueError, match="input_size"):
        CharLM(nn.LSTM(5, 4), V)
    with pytest.raises(ValueError, match="forma"):
        build_model(vocab_size=V, hidden_size=4, scratch=True)(_ids(), (torch.zeros(1, 2, 4), torch.zeros(1, 2, 4)))
