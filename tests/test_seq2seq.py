"""Pruebas del codificador–decodificador: datos de la tarea, formas, máscaras, atención y aprendizaje."""
import math
import re

import pytest
import torch

from companion.seq2seq import (BOS, EOS, PAD, AdditiveAttention, Seq2Seq, beam_translate, evaluate_seq2seq, make_batch,
                               seq2seq_vocab, sequence_loss, translate)
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


# --- Pruebas que fijan lo que las anteriores dejaban libre (pruebas de mutación, benchmarks/results/mutation.md) ---

def test_config_rebuilds_the_same_model_and_defaults_are_the_documented_ones():
    import torch.nn as nn

    from companion.rnn import GRUScratch

    model = Seq2Seq(src_symbols="ba", tgt_symbols="zyx", embedding_dim=3, hidden_size=5, attention=0, scratch=1)
    assert model.config == {"src_symbols": "ab", "tgt_symbols": "xyz", "embedding_dim": 3, "hidden_size": 5,
                            "attention": False, "scratch": True}
    assert model.config["attention"] is False and model.config["scratch"] is True  # booleanos, no 0 y 1
    assert Seq2Seq(embedding_dim=3, hidden_size=5).config["attention"] is True
    twin = Seq2Seq(**model.config)  # la configuración basta para reconstruir el modelo (los puntos de control)
    twin.load_state_dict(model.state_dict())
    assert twin.config == model.config and twin.attention is None
    # Por omisión: números romanos → palabras, E = 32, h = 128, con atención y con las GRU de torch.nn.
    default = Seq2Seq()
    assert default.config == {"src_symbols": ROMAN_SYMBOLS, "tgt_symbols": WORDS_SYMBOLS, "embedding_dim": 32,
                              "hidden_size": 128, "attention": True, "scratch": False}
    assert default.encoder.embedding.weight.shape == (len(ROMAN_VOCAB), 32) and default.W_sq.shape[0] == 2 * 128
    assert isinstance(default.encoder.rnn, nn.GRU) and isinstance(default.rnn, nn.GRU)
    assert isinstance(model.encoder.rnn, GRUScratch) and isinstance(model.rnn, GRUScratch)


def test_bad_sizes_and_vocabularies_name_the_problem():
    for name in ("embedding_dim", "hidden_size"):
        with pytest.raises(ValueError, match=f"^{name} debe ser un entero positivo"):
            Seq2Seq(**{name: 0})
    for bad in ("", 123, "ab·"):  # vacío, no es una cadena, o contiene un especial
        with pytest.raises(ValueError, match=re.escape("sin '·<>'")):
            seq2seq_vocab(bad)
    with pytest.raises(ValueError, match="^make_batch necesita al menos un par"):
        make_batch([], ROMAN_VOCAB, WORDS_VOCAB)
    model = Seq2Seq(embedding_dim=4, hidden_size=4)
    for src, lengths in ((torch.ones(2, 3), torch.tensor([3, 3])),  # no son índices
                         (torch.ones(2, 3, 1, dtype=torch.long), torch.tensor([3, 3])),  # tres dimensiones
                         (torch.ones(2, 3, dtype=torch.long), torch.tensor([3, 3, 3]))):  # longitudes de más
        message = f"{tuple(src.shape)} {src.dtype} y {tuple(lengths.shape)}"
        with pytest.raises(ValueError, match="^src debe ser un tensor de índices .*" + re.escape(message)):
            model.encode(src, lengths)


def test_padding_symbol_has_a_zero_embedding_that_does_not_learn():
    torch.manual_seed(0)
    model = Seq2Seq(embedding_dim=4, hidden_size=8)
    for embedding in (model.encoder.embedding, model.embedding):
        assert (embedding.weight[PAD] == 0).all() and (embedding.weight[BOS] != 0).any()
    sequence_loss(model, batch_of([3, 1999])).backward()
    for embedding in (model.encoder.embedding, model.embedding):
        assert (embedding.weight.grad[PAD] == 0).all() and (embedding.weight.grad != 0).any()


def test_initial_weights_are_uniform_in_the_documented_range():
    # Atención: U(−1/√h, 1/√h); proyección de salida: U(−1/√(2h), 1/√(2h)), como las capas de torch.nn.
    torch.manual_seed(0)
    h = 16
    model = Seq2Seq(embedding_dim=4, hidden_size=h)
    attention = torch.cat([model.attention.W_q.flatten(), model.attention.W_k.flatten(), model.attention.w_v])
    for p, bound in ((attention, 1 / math.sqrt(h)), (model.W_sq, 1 / math.sqrt(2 * h))):  # cientos de pesos
        assert p.abs().max() <= bound, "un peso inicial se sale del intervalo"
        assert p.min() < -0.9 * bound and p.max() > 0.9 * bound, "los pesos iniciales no cubren el intervalo"
    for p in (model.attention.W_q, model.attention.W_k, model.attention.w_v):  # los tres, con los dos signos
        assert p.min() < 0 < p.max()
    assert (model.b_q == 0).all()


def test_final_state_is_the_last_real_position_of_each_input():
    torch.manual_seed(0)
    model = Seq2Seq(embedding_dim=4, hidden_size=8)
    batch = batch_of([1, 3, 1999])  # longitudes 1, 3 y 7
    H, final = model.encoder(batch.src, batch.src_lengths)
    for b, length in enumerate(batch.src_lengths.tolist()):
        alone = batch.src[b:b + 1, :length]
        H_alone, final_alone = model.encoder(alone, torch.tensor([length]))
        assert torch.allclose(final[b], H_alone[-1, 0], atol=1e-6) and torch.allclose(final_alone[0], final[b])


def test_attention_follows_the_additive_formula():
    torch.manual_seed(0)
    attention = AdditiveAttention(4, 3)
    H, S = torch.randn(5, 2, 4), torch.randn(2, 4)
    mask = torch.tensor([[True, True]] * 3 + [[True, False]] * 2)
    context, alpha = attention(S, attention.keys(H), H, mask)
    e = torch.tanh(S @ attention.W_q + H @ attention.W_k) @ attention.w_v  # (J, B)
    expected = torch.stack([torch.softmax(e[:, 0], 0), torch.cat([torch.softmax(e[:3, 1], 0), torch.zeros(2)])])
    assert torch.allclose(alpha, expected, atol=1e-6)


def test_output_bias_is_added_to_the_logits():
    torch.manual_seed(0)
    model = Seq2Seq(embedding_dim=4, hidden_size=8)
    batch = batch_of([3, 14])
    before, _ = model(batch.src, batch.src_lengths, batch.tgt_in)
    with torch.no_grad():
        model.b_q.copy_(torch.randn_like(model.b_q))
    after, _ = model(batch.src, batch.src_lengths, batch.tgt_in)
    assert torch.allclose(after - before, model.b_q.detach().expand_as(after), atol=1e-5)


def test_loss_is_the_mean_cross_entropy_over_real_output_characters():
    torch.manual_seed(0)
    model = Seq2Seq(embedding_dim=4, hidden_size=8)
    batch = batch_of([1, 1999])  # «uno» y una salida mucho más larga: la primera se rellena
    logits, _ = model(batch.src, batch.src_lengths, batch.tgt_in)
    log_probs = torch.log_softmax(logits, -1)
    terms = [-log_probs[b, t, batch.tgt_out[b, t]] for b in range(2) for t in range(batch.tgt_out.shape[1])
             if batch.tgt_out[b, t] != PAD]
    assert len(terms) == len("uno") + len("mil novecientos noventa y nueve") + 2
    assert torch.isclose(sequence_loss(model, batch), torch.stack(terms).mean(), atol=1e-6)


def test_num_parameters_counts_only_trainable_weights():
    model = Seq2Seq(src_symbols="ab", tgt_symbols="xyz", embedding_dim=3, hidden_size=4, attention=False)
    E, h, V_src, V_tgt = 3, 4, 5, 6  # 2 y 3 símbolos más los 3 especiales
    gru = lambda n_in: 3 * h * (n_in + h) + 6 * h  # noqa: E731 (pesos y los dos sesgos de nn.GRU)
    expected = V_src * E + gru(E) + V_tgt * E + gru(E + h) + 2 * h * V_tgt + V_tgt
    assert model.num_parameters() == expected
    model.b_q.requires_grad_(False)
    assert model.num_parameters() == expected - V_tgt
    assert Seq2Seq(src_symbols="ab", tgt_symbols="xyz", embedding_dim=3, hidden_size=4).num_parameters() == (
        expected + 2 * h * h + h)  # la atención: W_q, W_k y w_v


def never_ending_model(seed=0, **kwargs):
    """Un modelo sin entrenar que nunca escribe el fin de secuencia (ni el relleno ni el inicio)."""
    torch.manual_seed(seed)
    model = Seq2Seq(embedding_dim=8, hidden_size=16, **kwargs)
    with torch.no_grad():
        model.b_q[[PAD, BOS, EOS]] = -1e9
    return model


def test_greedy_translation_is_batched_and_stops_at_max_length(monkeypatch):
    model = never_ending_model()
    sources = [to_roman(n) for n in (3, 48, 1999, 2444, 14)]
    assert [len(text) for text in translate(model, sources)] == [60] * 5  # max_length = 60 por omisión
    sizes, real_greedy = [], Seq2Seq.greedy
    monkeypatch.setattr(Seq2Seq, "greedy", lambda self, src, lengths, max_length=60: sizes.append(len(src))
                        or real_greedy(self, src, lengths, max_length))
    texts = translate(model, sources, max_length=5, batch_size=2)
    assert sizes == [2, 2, 1] and [len(text) for text in texts] == [5] * 5  # todas las frases, por lotes
    assert texts == translate(model, sources, max_length=5)  # el tamaño del lote no cambia el resultado
    sizes.clear()
    translate(model, sources * 103, max_length=1)  # 515 frases: lotes de 512 por omisión
    assert sizes == [512, 3]
    beam = translate(model, sources[:2], beam_width=2, max_length=5)  # el haz también para en max_length
    assert [len(text) for text in beam] == [5, 5]


def test_encoder_uses_the_torch_gru_unless_asked_for_the_scratch_one():
    import torch.nn as nn

    from companion.rnn import GRUScratch
    from companion.seq2seq import Encoder

    assert isinstance(Encoder(5, 3, 4).rnn, nn.GRU) and isinstance(Encoder(5, 3, 4, scratch=True).rnn, GRUScratch)


@pytest.mark.parametrize("attention", [True, False])
def test_translate_with_a_beam_returns_the_best_hypothesis(attention):
    torch.manual_seed(0)
    model = Seq2Seq(embedding_dim=8, hidden_size=16, attention=attention)
    sources = [to_roman(n) for n in (3, 48, 1999, 2444, 14)]

    def beam(width, alpha, rank=0):
        return [model.decode(beam_translate(model, x, width, alpha, 8)[rank].ids) for x in sources]

    greedy = translate(model, sources, max_length=8)
    assert greedy == beam(1, 0.0)
    for width, alpha in ((2, 0.0), (3, 0.0), (3, 1.0), (3, 0.5)):
        texts = translate(model, sources, beam_width=width, length_alpha=alpha, max_length=8)
        assert texts == beam(width, alpha)
    if attention:  # con esta semilla cada ajuste cambia alguna salida: las comparaciones de arriba distinguen
        assert len({tuple(greedy), tuple(beam(2, 0.0)), tuple(beam(3, 0.0)), tuple(beam(3, 1.0))}) == 4
        assert beam(3, 0.0) != beam(3, 0.0, rank=1)
        assert translate(model, sources, beam_width=3) == [model.decode(beam_translate(model, x, 3)[0].ids)
                                                           for x in sources]  # sin normalizar por omisión


def test_evaluate_scores_the_translations_against_the_references():
    torch.manual_seed(0)
    model = Seq2Seq(embedding_dim=8, hidden_size=16)
    sources = [to_roman(n) for n in (3, 48, 1999, 2444, 14)]
    greedy = translate(model, sources)
    pairs = list(zip(sources, greedy))
    scores = evaluate_seq2seq(model, iter(pairs))  # cualquier iterable de pares
    assert scores.accuracy == 1.0 and scores.cer == 0.0 and scores.predictions == greedy
    wrong = [(x, y + "x") for x, y in pairs]  # un carácter de más en cada referencia
    scores = evaluate_seq2seq(model, wrong)
    assert scores.accuracy == 0.0 and math.isclose(scores.cer, 5 / sum(len(y) for _, y in wrong))
    for width, alpha in ((3, 0.0), (3, 1.0)):
        beam = translate(model, sources, beam_width=width, length_alpha=alpha)
        assert evaluate_seq2seq(model, pairs, beam_width=width, length_alpha=alpha).predictions == beam
    assert translate(model, sources, beam_width=3) != greedy  # con esta semilla el haz cambia alguna salida
    assert evaluate_seq2seq(model, pairs, beam_width=3).predictions == translate(model, sources, beam_width=3)
