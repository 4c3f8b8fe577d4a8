"""companion.export: archivo de pesos para la página interactiva y muestreo reproducible en Python y JavaScript."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from companion.data import Vocab
from companion.export import (_sampling_probs, file_checksum, generate_portable, mulberry32, next_char_probs,
                              read_web_weights, sample_index, web_tensors, write_web_weights)
from companion.generate import generate
from companion.model import build_model

TEXT = "en un lugar de la mancha de cuyo nombre no quiero acordarme"


@pytest.fixture(scope="module")
def vocab():
    return Vocab(TEXT)


def small(vocab, **kwargs):
    torch.manual_seed(0)
    options = dict(cell="lstm", vocab_size=len(vocab), hidden_size=12, embedding_dim=5)
    options.update(kwargs)
    return build_model(**options).eval()


def test_mulberry32_matches_javascript_reference():
    # Valores de la implementación de referencia en JavaScript (node), semillas 0 y 42.
    assert list(itertools.islice(mulberry32(0), 3)) == [0.26642920868471265, 0.0003297457005828619,
                                                        0.2232720274478197]
    assert list(itertools.islice(mulberry32(42), 2)) == [0.6011037519201636, 0.44829055899754167]
    values = list(itertools.islice(mulberry32(2**32 - 1), 1000))
    assert all(0 <= v < 1 for v in values)
    with pytest.raises(TypeError, match="entero"):
        next(mulberry32(1.5))


def test_sample_index_inverse_cdf():
    probs = np.array([0.2, 0.3, 0.5])
    assert sample_index(probs, 0.0)[0] == 0
    assert sample_index(probs, 0.1) == (0, pytest.approx(0.1))
    assert sample_index(probs, 0.2)[0] == 1  # u < acumulada estricta
    assert sample_index(probs, 0.99)[0] == 2
    assert sample_index(np.array([0.5, 0.5 - 1e-12, 0.0]), 0.9999999999999)[0] == 1  # redondeo: último positivo


def test_sampling_probs_temperature_and_top_k_ties():
    logits = np.array([1.0, 3.0, 3.0, 0.5])
    p = _sampling_probs(logits, 1.0, 2)
    assert p[1] == p[2] == pytest.approx(0.5) and p[0] == p[3] == 0
    p = _sampling_probs(logits, 1.0, 1)  # empate: se queda el de menor índice
    assert p.tolist() == [0.0, 1.0, 0.0, 0.0]
    cold, hot = _sampling_probs(logits, 0.5, None), _sampling_probs(logits, 2.0, None)
    assert cold.max() > hot.max() and cold.sum() == pytest.approx(1)


def test_generate_portable_greedy_and_seeds(vocab):
    model = small(vocab)
    greedy = generate(model, vocab, "en un", length=30, strategy="greedy")
    assert generate_portable(model, vocab, "en un", length=30, top_k=1) == greedy
    a = generate_portable(model, vocab, "En un", length=40, temperature=1.2, seed=3)
    assert a == generate_portable(model, vocab, "En un", length=40, temperature=1.2, seed=3)
    assert a.startswith("en un") and len(a) == 45
    assert a != generate_portable(model, vocab, "En un", length=40, temperature=1.2, seed=4)
    with pytest.raises(ValueError, match="vocabulario"):
        generate_portable(model, vocab, "kiwi", length=3)
    with pytest.raises(ValueError, match="vacío"):
        generate_portable(model, vocab, "", length=3)
    with pytest.raises(ValueError, match="temperatura"):
        generate_portable(model, vocab, "en", temperature=0)


def test_next_char_probs_is_softmax_of_last_logits(vocab):
    model = small(vocab)
    probs = next_char_probs(model, vocab, "¡En un!")
    with torch.no_grad():
        logits, _ = model(vocab.encode(" en un ").unsqueeze(0))
    expected = torch.softmax(logits[0, -1].double(), -1).numpy()
    np.testing.assert_allclose(probs, expected, atol=1e-12)


@pytest.mark.parametrize("options", [dict(), dict(num_layers=2), dict(embedding_dim=None)])
def test_write_and_read_web_weights(tmp_path, vocab, options):
    model = small(vocab, **options)
    path = tmp_path / "pesos.js"
    header = write_web_weights(model, vocab, path, source="prueba", checksum="abc")
    assert header["file_bytes"] == path.stat().st_size
    assert path.read_text(encoding="utf-8").startswith("// ")
    read, tensors = read_web_weights(path)
    assert read == header
    assert read["config"]["num_layers"] == model.rnn.num_layers
    assert read["itos"] == vocab.itos
    state = model.state_dict()
    assert ("embedding" in tensors) == (model.embedding is not None)
    for name, array in tensors.items():
        key = {"embedding": "embedding.weight"}.get(name, name if name in state else f"rnn.{name}")
        np.testing.assert_array_equal(array, state[key].half().numpy())
    assert header["num_parameters"] == model.num_parameters()
    assert header["weight_bytes"] == 2 * model.num_parameters()
    assert len(file_checksum(path)) == 64


def test_web_tensors_rejects_other_layers(vocab):
    with pytest.raises(ValueError, match="LSTM unidireccional"):
        web_tensors(small(vocab, cell="gru"))
    with pytest.raises(ValueError, match="LSTM unidireccional"):
        web_tensors(small(vocab, bidirectional=True))
    with pytest.raises(ValueError, match="LSTM unidireccional"):
        web_tensors(small(vocab, scratch=True))
