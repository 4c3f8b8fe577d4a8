"""Codificador–decodificador con GRU y atención aditiva (capítulo 9): el modelo y la decodificación.

El modelo (:class:`Seq2Seq`) tiene dos redes recurrentes. El **codificador** lee los símbolos de entrada
``x_1, …, x_J`` y produce un estado por posición, ``H_1, …, H_J``; el **decodificador** escribe la salida
``y_1, …, y_T`` carácter a carácter, con su propio estado ``S_t``. Sin atención, todo lo que el decodificador
sabe de la entrada es el estado final ``H_J`` (el «cuello de botella»); con atención, en cada paso lee una
media ponderada de todos los ``H_j``. Los lotes se rellenan con ``PAD`` hasta la secuencia más larga; las
máscaras hacen que el relleno no cuente ni en la atención, ni en el estado final, ni en la pérdida.

Las tareas y su puntuación están en :mod:`companion.tasks`; el entrenamiento, en :mod:`companion.seq2seq_train`;
guardar y cargar los modelos, en :mod:`companion.checkpoint` (:func:`~companion.checkpoint.load_seq2seq`).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from companion.data import Vocab
from companion.generate import beam_search
from companion.records import documented_namedtuple
from companion.rnn import GRUScratch
from companion.tasks import ROMAN_SYMBOLS, WORDS_SYMBOLS, Scores, score
from companion.validation import check_positive_int

__all__ = ["PAD", "BOS", "EOS", "SPECIALS", "seq2seq_vocab", "Batch", "make_batch", "Encoder", "AdditiveAttention",
           "Seq2Seq", "sequence_loss", "translate", "beam_translate", "evaluate_seq2seq"]

PAD, BOS, EOS = 0, 1, 2
SPECIALS = ("·", "<", ">")  # relleno, inicio y fin de secuencia (se muestran así en los mapas)


# --- Vocabularios y lotes ---------------------------------------------------------------------------------

def seq2seq_vocab(symbols: str) -> Vocab:
    """:class:`~companion.data.Vocab` de ``symbols`` con los tres especiales delante: relleno (``PAD`` = 0),
    inicio (``BOS`` = 1) y fin de secuencia (``EOS`` = 2); los demás, en orden alfabético."""
    if not isinstance(symbols, str) or not symbols or set(symbols) & set(SPECIALS):
        raise ValueError(f"El vocabulario necesita una cadena de símbolos sin {''.join(SPECIALS)!r}; "
                         f"se recibió {symbols!r}.")
    return Vocab.from_dict({"itos": list(SPECIALS) + sorted(set(symbols))})


def _symbols(vocab: Vocab) -> str:
    """Los símbolos de ``vocab`` sin los especiales (lo que recibe :func:`seq2seq_vocab`)."""
    return "".join(vocab.itos[len(SPECIALS):])


def _encode(vocab: Vocab, text: str) -> list[int]:
    """Índices de ``text``; error claro si tiene símbolos que ``vocab`` no tiene (o alguno de los especiales)."""
    unknown = sorted(set(text) - set(_symbols(vocab)))
    if unknown:
        raise ValueError(f"El texto {text!r} contiene símbolos que el vocabulario no tiene: {unknown}. "
                         f"Use solo {_symbols(vocab)!r}.")
    return vocab.encode(text).tolist()


Batch = documented_namedtuple(
    "Batch",
    "Lote rellenado: ``src`` (B, J) y sus longitudes reales ``src_lengths`` (B,); ``tgt_in`` (B, T) empieza por "
    "el inicio de secuencia y ``tgt_out`` (B, T) es la misma salida un paso adelantada, terminada en fin de "
    "secuencia (la entrada y el objetivo del forzado del profesor).",
    src="Índices de las entradas (B, J), rellenados con ``PAD``.",
    src_lengths="Longitud real de cada entrada (B,), sin el relleno.",
    tgt_in="Entrada del decodificador (B, T), que empieza por el inicio de secuencia.",
    tgt_out="Objetivo del decodificador (B, T), la salida un paso adelantada y terminada en fin de secuencia.")


def make_batch(pairs, src_vocab: Vocab, tgt_vocab: Vocab) -> Batch:
    """Lote de ``pairs`` (entrada, salida), rellenado con ``PAD`` hasta el más largo."""
    if not pairs:
        raise ValueError("make_batch necesita al menos un par (entrada, salida).")
    sources = [_encode(src_vocab, source) for source, _ in pairs]
    targets = [_encode(tgt_vocab, target) + [EOS] for _, target in pairs]
    return Batch(_pad(sources), torch.tensor([len(s) for s in sources]),
                 _pad([[BOS] + t[:-1] for t in targets]), _pad(targets))


def _pad(rows: list[list[int]]) -> torch.Tensor:
    out = torch.full((len(rows), max(map(len, rows))), PAD, dtype=torch.long)
    for i, row in enumerate(rows):
        out[i, :len(row)] = torch.tensor(row)
    return out


# --- El modelo --------------------------------------------------------------------------------------------

def _gru(input_size: int, hidden_size: int, scratch: bool) -> nn.Module:
    return GRUScratch(input_size, hidden_size) if scratch else nn.GRU(input_size, hidden_size)


class Encoder(nn.Module):
    """Codificador: una GRU que lee la entrada y guarda su estado en cada posición.

    Con ``E`` la matriz de incrustación (*embedding*) de la entrada::

        H_j = GRU(E[x_j], H_{j-1}),   j = 1, …, J,   H_0 = 0

    La GRU es la del capítulo 6 (``scratch=True``, :class:`~companion.rnn.GRUScratch`) o ``nn.GRU``. Como lee
    de izquierda a derecha, el relleno del final no altera los estados de las posiciones reales: el estado
    final de cada ejemplo es el de su última posición real, ``H_{J_b}``.
    """

    def __init__(self, vocab_size: int, embedding_dim: int, hidden_size: int, scratch: bool = False):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=PAD)
        self.rnn = _gru(embedding_dim, hidden_size, scratch)

    def forward(self, src: torch.Tensor, lengths: torch.Tensor):
        """``src`` (B, J) → estados ``H`` (J, B, h) y estado final ``H_{J_b}`` de cada ejemplo (B, h)."""
        H, _ = self.rnn(self.embedding(src.T))
        final = H[lengths - 1, torch.arange(src.shape[0])]
        return H, final


class AdditiveAttention(nn.Module):
    """Atención aditiva de Bahdanau et al. (2015).

    Para el paso ``t`` del decodificador, con su estado anterior ``S_{t-1}`` (B, h) como consulta y los estados
    del codificador ``H_j`` (B, h) como claves y valores::

        e_{t,j} = w_v · tanh(S_{t-1} W_q + H_j W_k)        puntuación de la posición j
        α_{t,j} = exp(e_{t,j}) / Σ_{j' ≤ J_b} exp(e_{t,j'})   pesos: softmax sobre las posiciones reales
        c_t     = Σ_j α_{t,j} H_j                           contexto: media ponderada de los estados

    Las posiciones de relleno (``mask`` falso) reciben ``e = −∞``, es decir, peso cero. ``H_j W_k`` no depende
    de ``t``: :meth:`keys` lo calcula una sola vez por frase.
    """

    def __init__(self, hidden_size: int, attention_size: int):
        super().__init__()
        bound = 1.0 / math.sqrt(hidden_size)
        self.W_q = nn.Parameter(torch.empty(hidden_size, attention_size).uniform_(-bound, bound))
        self.W_k = nn.Parameter(torch.empty(hidden_size, attention_size).uniform_(-bound, bound))
        self.w_v = nn.Parameter(torch.empty(attention_size).uniform_(-bound, bound))

    def keys(self, H: torch.Tensor) -> torch.Tensor:
        """``H W_k`` para todas las posiciones: (J, B, h) → (J, B, a)."""
        return H @ self.W_k

    def forward(self, S_prev: torch.Tensor, keys: torch.Tensor, H: torch.Tensor, mask: torch.Tensor):
        """Contexto ``c_t`` (B, h) y pesos ``α_t`` (B, J) para la consulta ``S_prev`` (B, h)."""
        scores = torch.tanh(S_prev @ self.W_q + keys) @ self.w_v  # e_{t,j}: (J, B)
        alpha = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=0)
        context = (alpha.unsqueeze(-1) * H).sum(dim=0)
        return context, alpha.T


class Seq2Seq(nn.Module):
    """Codificador–decodificador con GRU, con atención aditiva (``attention=True``) o sin ella.

    Decodificador, para ``t = 1, …, T`` (``y_0`` es el inicio de secuencia y ``D`` su incrustación)::

        c_t = Atención(S_{t-1}, H_1…H_J)   con atención
        c_t = H_J                          sin atención: el mismo contexto en todos los pasos
        S_t = GRU([D[y_{t-1}], c_t], S_{t-1}),   S_0 = H_J
        Ŷ_t = [S_t, c_t] W_sq + b_q        logits; softmax(Ŷ_t) = P(y_t | y_{<t}, x)

    Sin atención es el modelo de Cho et al. (2014): la entrada entera tiene que caber en el vector ``H_J``.
    Con atención es el de Bahdanau et al. (2015) con un codificador unidireccional. Entrenado con forzado del
    profesor: ``y_{t-1}`` es el carácter verdadero (``tgt_in``), no el que predijo el modelo.
    """

    def __init__(self, src_symbols: str = ROMAN_SYMBOLS, tgt_symbols: str = WORDS_SYMBOLS, embedding_dim: int = 32,
                 hidden_size: int = 128, attention: bool = True, scratch: bool = False):
        super().__init__()
        check_positive_int("embedding_dim", embedding_dim)
        check_positive_int("hidden_size", hidden_size)
        self.src_vocab, self.tgt_vocab = seq2seq_vocab(src_symbols), seq2seq_vocab(tgt_symbols)
        self.config = dict(src_symbols=_symbols(self.src_vocab), tgt_symbols=_symbols(self.tgt_vocab),
                           embedding_dim=embedding_dim, hidden_size=hidden_size, attention=bool(attention),
                           scratch=bool(scratch))
        src_vocab_size, tgt_vocab_size = len(self.src_vocab), len(self.tgt_vocab)
        self.encoder = Encoder(src_vocab_size, embedding_dim, hidden_size, scratch)
        self.embedding = nn.Embedding(tgt_vocab_size, embedding_dim, padding_idx=PAD)
        self.attention = AdditiveAttention(hidden_size, hidden_size) if attention else None
        self.rnn = _gru(embedding_dim + hidden_size, hidden_size, scratch)
        bound = 1.0 / math.sqrt(2 * hidden_size)
        self.W_sq = nn.Parameter(torch.empty(2 * hidden_size, tgt_vocab_size).uniform_(-bound, bound))
        self.b_q = nn.Parameter(torch.zeros(tgt_vocab_size))

    def encode(self, src: torch.Tensor, lengths: torch.Tensor) -> dict:
        """Lee la entrada: estados ``H``, claves de la atención, máscara de posiciones reales y ``S_0``."""
        if src.dim() != 2 or src.dtype != torch.long or lengths.shape != src.shape[:1]:
            raise ValueError(f"src debe ser un tensor de índices (B, J) y lengths (B,); se recibieron "
                             f"{tuple(src.shape)} {src.dtype} y {tuple(lengths.shape)}.")
        if lengths.min() < 1 or lengths.max() > src.shape[1]:
            raise ValueError(f"Las longitudes deben estar entre 1 y {src.shape[1]}; se recibieron {lengths.tolist()}.")
        H, final = self.encoder(src, lengths)
        mask = torch.arange(src.shape[1])[:, None] < lengths[None, :]  # (J, B): verdadero en las reales
        keys = self.attention.keys(H) if self.attention is not None else None
        return {"H": H, "keys": keys, "mask": mask, "final": final}

    def step(self, y_prev: torch.Tensor, S_prev: torch.Tensor, memory: dict):
        """Un paso del decodificador: logits de ``y_t`` (B, V), ``S_t`` (B, h) y pesos ``α_t`` (B, J) o ``None``."""
        if self.attention is not None:
            context, alpha = self.attention(S_prev, memory["keys"], memory["H"], memory["mask"])
        else:
            context, alpha = memory["final"], None
        inputs = torch.cat([self.embedding(y_prev), context], dim=-1)
        _, S = self.rnn(inputs[None], S_prev[None].contiguous())
        S = S[0]
        logits = torch.cat([S, context], dim=-1) @ self.W_sq + self.b_q
        return logits, S, alpha

    def forward(self, src: torch.Tensor, src_lengths: torch.Tensor, tgt_in: torch.Tensor):
        """Forzado del profesor: logits (B, T, V) de cada ``y_t`` dados los verdaderos ``y_{<t}`` (``tgt_in``).

        Devuelve también los pesos de atención (B, T, J), o ``None`` sin atención.
        """
        memory = self.encode(src, src_lengths)
        S, logits, alphas = memory["final"], [], []
        for y_prev in tgt_in.T:
            step_logits, S, alpha = self.step(y_prev, S, memory)
            logits.append(step_logits)
            alphas.append(alpha)
        weights = torch.stack(alphas, dim=1) if self.attention is not None else None
        return torch.stack(logits, dim=1), weights

    @torch.no_grad()
    def greedy(self, src: torch.Tensor, src_lengths: torch.Tensor, max_length: int = 60):
        """Decodificación voraz por lotes: índices (B, ≤ max_length) y pesos de atención (B, T, J) o ``None``.

        En cada paso se elige el carácter más probable y se le da al decodificador como ``y_{t-1}`` del paso
        siguiente; se para cuando todas las salidas han escrito el fin de secuencia.
        """
        memory = self.encode(src, src_lengths)
        S = memory["final"]
        y = torch.full((src.shape[0],), BOS, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        outputs, alphas = [], []
        for _ in range(max_length):
            logits, S, alpha = self.step(y, S, memory)
            y = logits.argmax(dim=-1).masked_fill(done, PAD)
            outputs.append(y)
            alphas.append(alpha)
            done |= y == EOS
            if done.all():
                break
        weights = torch.stack(alphas, dim=1) if self.attention is not None else None
        return torch.stack(outputs, dim=1), weights

    def decode(self, ids) -> str:
        """Texto de una salida ``ids`` hasta el primer fin de secuencia (sin relleno ni inicio)."""
        ids = ids.tolist() if isinstance(ids, torch.Tensor) else list(ids)
        ids = ids[:ids.index(EOS)] if EOS in ids else ids
        return self.tgt_vocab.decode([i for i in ids if i not in (PAD, BOS)])

    def num_parameters(self) -> int:
        """Número total de parámetros entrenables."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)


def sequence_loss(model: Seq2Seq, batch: Batch) -> torch.Tensor:
    """Entropía cruzada media por carácter de salida (el relleno no cuenta), con forzado del profesor."""
    logits, _ = model(batch.src, batch.src_lengths, batch.tgt_in)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch.tgt_out.reshape(-1), ignore_index=PAD)


# --- Decodificación y evaluación ------------------------------------------------------------------------

def translate(model: Seq2Seq, sources, beam_width: int = 1, length_alpha: float = 0.0, max_length: int = 60,
              batch_size: int = 512) -> list[str]:
    """Salida que escribe ``model`` para cada texto de ``sources``.

    ``beam_width=1`` es la decodificación voraz (por lotes); ``beam_width > 1``, la búsqueda en haz de
    :func:`companion.generate.beam_search`, frase a frase, con normalización de longitud ``length_alpha``.
    """
    sources = list(sources)
    model.eval()
    if beam_width == 1:
        out = []
        for i in range(0, len(sources), batch_size):
            batch = make_batch([(x, "") for x in sources[i:i + batch_size]], model.src_vocab, model.tgt_vocab)
            ids, _ = model.greedy(batch.src, batch.src_lengths, max_length)
            out += [model.decode(row) for row in ids]
        return out
    return [model.decode(beam_translate(model, x, beam_width, length_alpha, max_length)[0].ids)
            for x in sources]


@torch.no_grad()
def beam_translate(model: Seq2Seq, source: str, beam_width: int = 4, length_alpha: float = 0.0,
                   max_length: int = 60) -> list:
    """Las ``beam_width`` mejores salidas para ``source`` (``Hypothesis`` de :func:`~companion.generate.beam_search`)."""
    model.eval()
    batch = make_batch([(source, "")], model.src_vocab, model.tgt_vocab)
    memory = model.encode(batch.src, batch.src_lengths)

    def step(y_prev, S_prev):  # S_prev: (1, k, h), las k hipótesis en la dimensión 1 como en torch.nn
        logits, S, _ = model.step(y_prev, S_prev[0], _repeat_memory(memory, len(y_prev)))
        return torch.log_softmax(logits, dim=-1), S[None]

    return beam_search(step, memory["final"][None], BOS, beam_width=beam_width, max_length=max_length,
                       eos_id=EOS, length_alpha=length_alpha)


def _repeat_memory(memory: dict, k: int) -> dict:
    """La memoria de una sola frase repetida para ``k`` hipótesis del haz (sin copiar datos)."""
    keys = memory["keys"]
    return {"H": memory["H"].expand(-1, k, -1), "keys": None if keys is None else keys.expand(-1, k, -1),
            "mask": memory["mask"].expand(-1, k), "final": memory["final"].expand(k, -1)}


def evaluate_seq2seq(model: Seq2Seq, pairs, beam_width: int = 1, length_alpha: float = 0.0) -> Scores:
    """Traduce las entradas de ``pairs`` con ``model`` y mide exactitud y tasa de error frente a sus salidas."""
    pairs = list(pairs)
    return score(translate(model, [x for x, _ in pairs], beam_width, length_alpha), [y for _, y in pairs])
