"""Pruebas del codificador–decodificador: datos de la tarea, formas, máscaras, atención y aprendizaje."""
import math

import pytest
import torch

from companion.seq2seq import (BOS, EOS, PAD, AdditiveAttention, Seq2Seq, beam_translate, make_batch, seq2seq_vocab,
                               translate)
from companion.seq2seq_train import train_seq2seq
from companion.tasks import (ROMAN_SYMBOLS, WORDS_SYMBOLS, edit_distance, number_split, reversal_pairs, roman_pairs,
                             score, spanish_cardinal, to_roman)

ROMAN_VOCAB, WORDS_VOCAB = seq2seq_vocab(ROMAN_SYMBOLS), seq2seq_vocab(WORDS_SYMBOLS)


def batch_of(numbers):
    return make_batch(roman_pairs(numbers), ROMAN_VOCAB, WORDS_VOCAB)


def from_roman(text):
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for a, b in zip(text, text[1:] + " "):
        total += -values[a] if b != " " and values[b] > values[a] else values[a]
    return total


def test_roman_and_spanish_numbers():
    assert [to_roman(n) for n in (1, 4, 9, 14, 40, 90, 400, 900, 1605, 3999)] == [
        "I", "IV", "IX", "XIV", "XL", "XC", "CD", "CM", "MDCV", "MMMCMXCIX"]
    assert all(from_roman(to_roman(n)) == n for n in range(1, 4000))
    assert spanish_cardinal(37) == "treinta y siete"
    assert spanish_cardinal(100) == "cien" and spanish_cardinal(101) == "ciento uno"
    assert spanish_cardinal(1605) == "mil seiscientos cinco"
    assert spanish_cardinal(2022) == "dos mil veintidós"
    assert spanish_cardinal(516) == "quinientos dieciséis"
    assert len({spanish_cardinal(n) for n in range(1, 4000)}) == 3999  # una lectura distinta por número
    for bad in (0, 4000, 2.5, True, "XII"):
        with pytest.raises(ValueError, match="entero entre 1 y 3999"):
            to_roman(bad)


def test_split_is_disjoint_complete_and_reproducible():
    split = number_split()
    sets = [set(split[k]) for k in ("train", "val", "test")]
    assert sets[0].isdisjoint(sets[1]) and sets[0].isdisjoint(sets[2]) and sets[1].isdisjoint(sets[2])
    assert set.union(*sets) == set(range(1, 4000))
    assert split == number_split() and split != number_split(seed=1)
    with pytest.raises(ValueError, match="sumen 1"):
        number_split(fractions=(0.5, 0.5, 0.5))


def test_vocabularies_and_batches():
    model = Seq2Seq(embedding_dim=4, hidden_size=4)
    assert model.tgt_vocab == WORDS_VOCAB and WORDS_VOCAB.itos[:3] == ["·", "<", ">"]
    ids = WORDS_VOCAB.encode("treinta y siete").tolist()
    assert model.decode([BOS] + ids + [EOS, 5, 6]) == "treinta y siete"  # hasta el fin de secuencia
    assert model.decode(torch.tensor(ids + [PAD, PAD])) == "treinta y siete"
    for bad in ("XIZ", "X<I"):  # un símbolo desconocido, o uno de los especiales, no se cuela en el lote
        with pytest.raises(ValueError, match="no tiene"):
            make_batch([(bad, "uno")], ROMAN_VOCAB, WORDS_VOCAB)
    with pytest.raises(ValueError, match="sin"):
        seq2seq_vocab("ab<")
    batch = batch_of([3, 1999, 37])
    assert batch.src.shape == (3, 7) and batch.src_lengths.tolist() == [3, 7, 6]
    assert (batch.src[0, 3:] == PAD).all()
    assert (batch.tgt_in[:, 0] == BOS).all()
    assert torch.equal(batch.tgt_in[:, 1:][batch.tgt_out[:, :-1] != EOS],
                       batch.tgt_out[:, :-1][batch.tgt_out[:, :-1] != EOS])  # la misma salida, un paso después
    assert Seq2Seq().decode(batch.tgt_out[1]) == "mil novecientos noventa y nueve"


@pytest.mark.parametrize("attention", [True, False])
@pytest.mark.parametrize("scratch", [True, False])
def test_shapes(attention, scratch):
    torch.manual_seed(0)
    model = Seq2Seq(embedding_dim=8, hidden_size=16, attention=attention, scratch=scratch)
    batch = batch_of([3, 1999, 37, 8])
    logits, weights = model(batch.src, batch.src_lengths, batch.tgt_in)
    assert logits.shape == (4, batch.tgt_in.shape[1], len(WORDS_VOCAB))
    if attention:
        assert weights.shape == (4, batch.tgt_in.shape[1], batch.src.shape[1])
    else:
        assert weights is None
    ids, _ = model.greedy(batch.src, batch.src_lengths, max_length=7)
    assert ids.shape[0] == 4 and ids.shape[1] <= 7


def test_attention_weights_sum_to_one_and_ignore_padding():
    torch.manual_seed(0)
    model = Seq2Seq(embedding_dim=8, hidden_size=16)
    batch = batch_of([3, 1999, 37, 8])
    _, weights = model(batch.src, batch.src_lengths, batch.tgt_in)
    assert torch.allclose(weights.sum(-1), torch.ones(weights.shape[:2]), atol=1e-6)
    for b, length in enumerate(batch.src_lengths.tolist()):
        assert (weights[b, :, length:] == 0).all() and (weights[b, :, :length] > 0).all()
    attention = AdditiveAttention(4, 3)
    H = torch.randn(5, 2, 4)
    mask = torch.tensor([[True, True]] * 3 + [[True, False]] * 2)
    context, alpha = attention(torch.randn(2, 4), attention.keys(H), H, mask)
    assert torch.allclose(context, (alpha.T.unsqueeze(-1) * H).sum(0))  # c_t = Σ_j α_{t,j} H_j


@pytest.mark.parametrize("attention", [True, False])
def test_padding_does_not_change_the_result(attention):
    # Un ejemplo da lo mismo solo que rellenado en un lote con otro más largo: las máscaras funcionan.
    torch.manual_seed(0)
    model = Seq2Seq(embedding_dim=8, hidden_size=16, attention=attention)
    alone = batch_of([3])
    padded = batch_of([3, 3888])
    logits_alone, _ = model(alone.src, alone.src_lengths, alone.tgt_in)
    logits_padded, _ = model(padded.src, padded.src_lengths, padded.tgt_in)
    T = alone.tgt_in.shape[1]
    assert torch.allclose(logits_alone[0], logits_padded[0, :T], atol=1e-5)


def test_beam_width_one_equals_greedy_and_wider_is_not_worse():
    torch.manual_seed(0)
    model = Seq2Seq(embedding_dim=8, hidden_size=16)
    numbers = [3, 48, 1999, 2444]
    sources = [to_roman(n) for n in numbers]
    greedy = translate(model, sources, max_length=12)
    for source, text in zip(sources, greedy):
        (best,) = beam_translate(model, source, beam_width=1, max_length=12)
        assert model.decode(best.ids) == text
        wide = beam_translate(model, source, beam_width=4, max_length=12)
        assert wide[0].score >= best.score - 1e-6


def test_metrics():
    assert edit_distance("treinta", "trenta") == 1 and edit_distance("", "abc") == 3
    assert edit_distance("uno", "uno") == 0 and edit_distance("kitten", "sitting") == 3
    scores = score(["uno", "tres"], ["uno", "dos"])
    assert scores.accuracy == 0.5 and math.isclose(scores.cer, 3 / 6)


def test_tiny_task_is_learned_perfectly():
    # Los números del 1 al 20: un codificador–decodificador pequeño los aprende todos en pocos segundos.
    pairs = roman_pairs(range(1, 21))
    torch.manual_seed(0)
    model = Seq2Seq(embedding_dim=16, hidden_size=32)
    train_seq2seq(model, pairs, epochs=25, batch_size=10, lr=2e-2)
    assert score(translate(model, [x for x, _ in pairs]), [y for _, y in pairs]).accuracy == 1.0


def test_reversal_pairs():
    text = "en un lugar de la mancha de cuyo nombre no quiero acordarme no ha mucho tiempo que vivía un hidalgo"
    pairs = reversal_pairs(text, 50, min_length=4, max_length=20, seed=3)
    assert len(pairs) == 50 and pairs == reversal_pairs(text, 50, min_length=4, max_length=20, seed=3)
    for source, target in pairs:
        assert 4 <= len(source) <= 20 and target == source[::-1]
        assert f" {source} " in f" {text} "  # palabras enteras del texto


def test_bad_inputs():
    model = Seq2Seq(embedding_dim=8, hidden_size=16)
    with pytest.raises(ValueError, match="entero positivo"):
        Seq2Seq(hidden_size=0)
    with pytest.raises(ValueError, match="longitudes"):
        model.encode(torch.ones(2, 3, dtype=torch.long), torch.tensor([0, 3]))


def scripted_validation(monkeypatch, accuracies):
    """Sustituye la validación de train_seq2seq por exactitudes fijadas y guarda los pesos que vio en cada época."""
    import copy

    import companion.seq2seq_train as seq2seq_train

    seen = []

    def evaluate(model, pairs):
        seen.append(copy.deepcopy(model.state_dict()))
        return score(["?"], ["!"])._replace(accuracy=accuracies[len(seen) - 1])

    monkeypatch.setattr(seq2seq_train, "evaluate_seq2seq", evaluate)
    return seen


@pytest.mark.parametrize("accuracies, best", [([0.2, 0.9, 0.5], 2), ([0.5, 0.5, 0.4], 1), ([0.1, 0.2, 0.3], 3)])
def test_training_keeps_the_weights_of_the_best_validation_epoch(monkeypatch, accuracies, best):
    seen = scripted_validation(monkeypatch, accuracies)
    torch.manual_seed(0)
    model = Seq2Seq(embedding_dim=4, hidden_size=8)
    history = train_seq2seq(model, roman_pairs(range(1, 9)), roman_pairs([9]), epochs=3, batch_size=4, lr=1e-2)
    assert history["val_accuracy"] == accuracies and history["best_epoch"] == best  # la primera, si hay empate
    final = model.state_dict()
    for epoch, state in enumerate(seen, start=1):  # los pesos son los de la mejor época, no los de otra
        same = all(torch.equal(final[k], state[k]) for k in final)
        assert same == (epoch == best)
    assert not model.training


def test_training_without_validation_keeps_the_last_weights_and_reports_the_mean_loss():
    torch.manual_seed(0)
    model = Seq2Seq(embedding_dim=4, hidden_size=8)
    pairs = roman_pairs(range(1, 11))
    epochs_seen = []
    history = train_seq2seq(model, lambda epoch: epochs_seen.append(epoch) or pairs, epochs=2, batch_size=4)
    assert epochs_seen[-2:] == [0, 1] and "best_epoch" not in history and history["val_accuracy"] == []
    assert len(history["loss"]) == len(history["seconds"]) == 2 and history["seconds"][0] <= history["seconds"][1]
    # Con tasa 0 la época no cambia el modelo: su pérdida es la media por ejemplo de las de sus lotes.
    from companion.seq2seq import sequence_loss
    from companion.seq2seq_train import train_seq2seq_epoch

    batches = [batch_of([1, 2, 3]), batch_of([38])]
    with torch.no_grad():
        expected = (3 * sequence_loss(model, batches[0]) + sequence_loss(model, batches[1])) / 4
    mean = train_seq2seq_epoch(model, batches, torch.optim.SGD(model.parameters(), lr=0.0))
    assert math.isclose(mean, float(expected), rel_tol=1e-6)
    with pytest.raises(ValueError, match="al menos un par"):
        train_seq2seq(model, [])
    with pytest.raises(ValueError, match="epochs"):
        train_seq2seq(model, pairs, epochs=0)


def test_each_epoch_visits_every_pair_once_in_batches_and_clips_each_update(monkeypatch):
    import companion.seq2seq_train as seq2seq_train

    seen, clips, lines, validated = [], [], [], []
    real_epoch, real_clip = seq2seq_train.train_seq2seq_epoch, seq2seq_train.clip_gradients

    def epoch(model, batches, optimizer, *, clip):
        batches = list(batches)
        seen.append([[model.src_vocab.decode(row[row != PAD]) for row in b.src] for b in batches])
        return real_epoch(model, batches, optimizer, clip=clip)

    def clip_gradients(parameters, max_norm):
        clips.append(max_norm)
        return real_clip(parameters, max_norm)

    monkeypatch.setattr(seq2seq_train, "train_seq2seq_epoch", epoch)
    monkeypatch.setattr(seq2seq_train, "clip_gradients", clip_gradients)
    monkeypatch.setattr(seq2seq_train, "evaluate_seq2seq",
                        lambda model, pairs: validated.append(pairs) or score(["?"], ["!"])._replace(accuracy=0.5))
    torch.manual_seed(0)
    model = Seq2Seq(embedding_dim=4, hidden_size=8)
    pairs, val = roman_pairs(range(1, 11)), roman_pairs([11, 12])
    history = train_seq2seq(model, pairs, val, epochs=2, batch_size=4, clip=0.25, log=lines.append)
    for batches in seen:  # cada par una vez por época, en lotes de 4 (el último, con el resto)
        assert [len(b) for b in batches] == [4, 4, 2]
        assert sorted(x for b in batches for x in b) == sorted(x for x, _ in pairs)
    assert seen[0] != seen[1]  # barajado de nuevo en cada época
    assert clips == [0.25] * 6 and validated == [val, val]
    assert lines == [f"época {e}: pérdida {history['loss'][e - 1]:.4f}, exactitud de validación 0.500" for e in (1, 2)]
    assert 0 <= history["seconds"][0] <= history["seconds"][1] < 600
    clips.clear()
    train_seq2seq(model, pairs, epochs=1, batch_size=4, clip=None)
    assert clips == []  # sin recorte
    train_seq2seq(model, pairs, epochs=1, batch_size=4, clip=float("inf"))  # un umbral infinito es válido
    assert clips == [float("inf")] * 3


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0}, "^epochs debe ser un entero positivo"),
    ({"batch_size": 0}, "^batch_size debe ser un entero positivo"),
    ({"lr": 0.0}, "^lr debe ser un número positivo y finito"),
    ({"lr": float("inf")}, "^lr debe ser un número positivo y finito"),
    ({"clip": 0.0}, "^clip debe ser None o un número positivo, no 0.0"),
])
def test_bad_training_arguments_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        train_seq2seq(Seq2Seq(embedding_dim=4, hidden_size=4), roman_pairs([1]), **kwargs)


def test_training_data_of_the_first_epoch_must_not_be_empty():
    with pytest.raises(ValueError, match="^No hay pares de entrenamiento"):
        train_seq2seq(Seq2Seq(embedding_dim=4, hidden_size=4), lambda epoch: roman_pairs([1]) if epoch else [])
