"""Pruebas de companion.seq2seq_train que fijan los valores por omisión y la reproducibilidad del barajado.

Las pruebas del bucle de entrenamiento con el modelo (mejor época, recorte, validación, mensajes) están en
tests/test_seq2seq.py; estas cubren lo que aquellas dejaban libre (ver benchmarks/results/mutation.md).
"""
import pytest
import torch

import companion.seq2seq_train as seq2seq_train
from companion.seq2seq import PAD, Seq2Seq, make_batch
from companion.seq2seq_train import train_seq2seq, train_seq2seq_epoch
from companion.tasks import roman_pairs


@pytest.fixture
def recorded_epochs(monkeypatch):
    """Sustituye la época por una que no entrena y anota sus lotes (como textos), su tasa y su recorte."""
    calls = []

    def epoch(model, batches, optimizer, *, clip):
        texts = [[model.src_vocab.decode(row[row != PAD]) for row in batch.src] for batch in batches]
        calls.append({"batches": texts, "lr": optimizer.param_groups[0]["lr"], "clip": clip})
        return 0.0

    monkeypatch.setattr(seq2seq_train, "train_seq2seq_epoch", epoch)
    return calls


def small_model():
    torch.manual_seed(0)
    return Seq2Seq(embedding_dim=4, hidden_size=4)


def test_default_training_is_ten_epochs_of_batches_of_64_with_adam_at_3e_3_and_clip_1(recorded_epochs):
    pairs = roman_pairs(range(1, 131))
    history = train_seq2seq(small_model(), pairs)
    assert len(recorded_epochs) == 10 and len(history["loss"]) == 10
    for call in recorded_epochs:
        assert [len(b) for b in call["batches"]] == [64, 64, 2]
        assert call["lr"] == 3e-3 and call["clip"] == 1.0


def test_shuffling_depends_only_on_the_seed(recorded_epochs):
    # El orden de los lotes lo fija ``seed``, con su propio generador: unos datos que usan el generador global
    # de torch en cada época (por ejemplo, para crear pares nuevos) no lo cambian.
    pairs = roman_pairs(range(1, 21))
    seen = []

    def noisy(epoch):
        seen.append(epoch)
        torch.rand(7)  # gasta números aleatorios del generador global
        return pairs

    orders = []
    for kwargs, data in (({}, pairs), ({"seed": 0}, noisy), ({"seed": 1}, pairs)):
        recorded_epochs.clear()
        train_seq2seq(small_model(), data, epochs=3, batch_size=8, **kwargs)
        orders.append([call["batches"] for call in recorded_epochs])
    assert orders[0] == orders[1], "el barajado depende del generador global, no solo de la semilla"
    assert orders[0] != orders[2], "otra semilla debería barajar de otra manera"
    assert len({str(epoch) for epoch in orders[0]}) == 3  # cada época, un orden nuevo
    assert all(isinstance(epoch, int) for epoch in seen) and sorted(set(seen)) == [0, 1, 2]  # épocas desde 0


def test_an_epoch_clips_at_norm_1_by_default(monkeypatch):
    clips = []
    monkeypatch.setattr(seq2seq_train, "clip_gradients", lambda parameters, max_norm: clips.append(max_norm))
    model = small_model()
    batch = make_batch(roman_pairs([1, 2, 3]), model.src_vocab, model.tgt_vocab)
    train_seq2seq_epoch(model, [batch, batch], torch.optim.SGD(model.parameters(), lr=0.0))
    assert clips == [1.0, 1.0]
