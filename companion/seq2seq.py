"""Codificador–decodificador con GRU y atención aditiva, y las dos tareas del capítulo 9.

Las tareas, con datos que genera el propio paquete (no hay nada que descargar):

* leer un número romano, como los de los capítulos del Quijote («XXXVII»), y escribirlo con palabras
  («treinta y siete»): :func:`roman_pairs`;
* escribir al revés un fragmento del Quijote («en un lugar» → «ragul nu ne»): :func:`reversal_pairs`.

El modelo (:class:`Seq2Seq`) tiene dos redes recurrentes. El **codificador** lee los símbolos de entrada
``x_1, …, x_J`` y produce un estado por posición, ``H_1, …, H_J``; el **decodificador** escribe la salida
``y_1, …, y_T`` carácter a carácter, con su propio estado ``S_t``. Sin atención, todo lo que el decodificador
sabe de la entrada es el estado final ``H_J`` (el «cuello de botella»); con atención, en cada paso lee una
media ponderada de todos los ``H_j``. Los lotes se rellenan con ``PAD`` hasta la secuencia más larga; las
máscaras hacen que el relleno no cuente ni en la atención, ni en el estado final, ni en la pérdida.
"""
from __future__ import annotations

import copy
import math
import time
from collections import namedtuple
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from companion.checkpoint import weights_checksum
from companion.files import write_atomic
from companion.generate import beam_search
from companion.rnn import GRUScratch
from companion.train import clip_gradients

__all__ = ["to_roman", "spanish_cardinal", "CharTable", "number_split", "roman_pairs", "reversal_pairs",
           "make_batch", "Encoder",
           "AdditiveAttention", "Seq2Seq", "train_seq2seq", "translate", "beam_translate", "evaluate_seq2seq", "edit_distance",
           "load_seq2seq", "save_seq2seq", "Batch", "Scores"]

PAD, BOS, EOS = 0, 1, 2
SPECIALS = ("·", "<", ">")  # relleno, inicio y fin de secuencia (se muestran así en los mapas)
MAX_NUMBER = 3999  # el mayor número que se escribe con las reglas clásicas (MMMCMXCIX)
PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained" / "seq2seq"
FORMAT = "companion-seq2seq"
PRETRAINED_NAMES = ("romanos_atencion", "romanos_sin_atencion", "reves_atencion", "reves_sin_atencion")

# --- La tarea: números romanos y su lectura en español -------------------------------------------------

_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_UNITS = "cero uno dos tres cuatro cinco seis siete ocho nueve".split()
_TEENS = ("diez once doce trece catorce quince dieciséis diecisiete dieciocho diecinueve "
          "veinte veintiuno veintidós veintitrés veinticuatro veinticinco veintiséis veintisiete veintiocho "
          "veintinueve").split()
_TENS = "_ _ _ treinta cuarenta cincuenta sesenta setenta ochenta noventa".split()
_HUNDREDS = ("_ ciento doscientos trescientos cuatrocientos quinientos seiscientos setecientos ochocientos "
             "novecientos").split()


def _check_number(n) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_NUMBER:
        raise ValueError(f"Se esperaba un entero entre 1 y {MAX_NUMBER} y se recibió {n!r}.")
    return n


def to_roman(n: int) -> str:
    """Número romano de ``n`` (1–3999) con la notación sustractiva habitual: ``to_roman(37) == 'XXXVII'``."""
    n = _check_number(n)
    out = []
    for value, symbols in _ROMAN:
        count, n = divmod(n, value)
        out.append(symbols * count)
    return "".join(out)


def spanish_cardinal(n: int) -> str:
    """Lectura de ``n`` (1–3999) en palabras: ``spanish_cardinal(1605) == 'mil seiscientos cinco'``."""
    n = _check_number(n)
    thousands, rest = divmod(n, 1000)
    hundreds, rest = divmod(rest, 100)
    words = []
    if thousands:
        words.append("mil" if thousands == 1 else f"{_UNITS[thousands]} mil")
    if hundreds:
        words.append("cien" if hundreds == 1 and rest == 0 else _HUNDREDS[hundreds])
    if rest >= 30:
        tens, units = divmod(rest, 10)
        words.append(_TENS[tens] + (f" y {_UNITS[units]}" if units else ""))
    elif rest >= 10:
        words.append(_TEENS[rest - 10])
    elif rest:
        words.append(_UNITS[rest])
    return " ".join(words)


class CharTable:
    """Vocabulario de caracteres con tres símbolos especiales: relleno (0), inicio (1) y fin (2)."""

    def __init__(self, symbols: str):
        if not isinstance(symbols, str) or not symbols or set(symbols) & set(SPECIALS):
            raise ValueError(f"CharTable necesita una cadena de símbolos sin {''.join(SPECIALS)!r}; "
                             f"se recibió {symbols!r}.")
        self.itos = list(SPECIALS) + sorted(set(symbols))
        self.stoi = {s: i for i, s in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def __eq__(self, other) -> bool:
        return isinstance(other, CharTable) and self.itos == other.itos

    __hash__ = None

    def encode(self, text: str, eos: bool = False) -> list[int]:
        """Índices de ``text`` (seguidos del de fin de secuencia si ``eos``)."""
        unknown = sorted(set(text) - set(self.itos[len(SPECIALS):]))
        if unknown:
            raise ValueError(f"El texto {text!r} contiene símbolos que el vocabulario no tiene: {unknown}. "
                             f"Use solo {''.join(self.itos[len(SPECIALS):])!r}.")
        return [self.stoi[s] for s in text] + ([EOS] if eos else [])

    def decode(self, ids) -> str:
        """Texto de ``ids`` hasta el primer fin de secuencia (sin relleno ni inicio)."""
        out = []
        for i in (ids.tolist() if isinstance(ids, torch.Tensor) else ids):
            if i == EOS:
                break
            if i not in (PAD, BOS):
                out.append(self.itos[i])
        return "".join(out)


ROMAN_TABLE = CharTable("IVXLCDM")
WORDS_TABLE = CharTable("".join(sorted({c for n in range(1, MAX_NUMBER + 1) for c in spanish_cardinal(n)})))


def number_split(maximum: int = MAX_NUMBER, fractions=(0.7, 0.15, 0.15), seed: int = 0) -> dict:
    """Reparte los números ``1…maximum`` al azar en tres conjuntos disjuntos: ``train``, ``val`` y ``test``.

    Cada número cae en uno solo, así que en la prueba todos los números son nuevos para el modelo: para
    acertar tiene que haber aprendido la regla, no la tabla.
    """
    _check_number(maximum)
    if len(fractions) != 3 or any(f <= 0 for f in fractions) or not math.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions deben ser tres proporciones positivas que sumen 1, no {fractions!r}.")
    order = torch.randperm(maximum, generator=torch.Generator().manual_seed(seed)) + 1
    n_train, n_val = int(fractions[0] * maximum), int(fractions[1] * maximum)
    parts = order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:]
    return {name: sorted(part.tolist()) for name, part in zip(("train", "val", "test"), parts)}


def roman_pairs(numbers) -> list[tuple[str, str]]:
    """Pares (número romano, lectura en palabras) de ``numbers``: ``('XXXVII', 'treinta y siete')``."""
    return [(to_roman(n), spanish_cardinal(n)) for n in numbers]


def reversal_pairs(text: str, count: int, min_length: int = 4, max_length: int = 40,
                   seed: int = 0) -> list[tuple[str, str]]:
    """``count`` pares (fragmento de ``text``, el mismo fragmento al revés).

    Cada fragmento empieza en una palabra y tiene palabras enteras; su longitud objetivo se elige al azar,
    uniforme entre ``min_length`` y ``max_length`` caracteres, y se corta en el último espacio que no la
    supera (si la primera palabra ya es más larga, o el fragmento queda por debajo de ``min_length``, se
    sortea otro).
    """
    if not 1 <= min_length <= max_length:
        raise ValueError(f"Se necesita 1 ≤ min_length ≤ max_length; se recibieron {min_length} y {max_length}.")
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == " " and i + 1 < len(text) - max_length]
    generator = torch.Generator().manual_seed(seed)
    pairs = []
    while len(pairs) < count:
        start = starts[int(torch.randint(len(starts), (1,), generator=generator))]
        target = int(torch.randint(min_length, max_length + 1, (1,), generator=generator))
        end = text.rfind(" ", start, start + target + 1)  # el último espacio que deja ≤ target caracteres
        piece = text[start:end] if end > start else ""
        if min_length <= len(piece) and " " not in (piece[:1], piece[-1:]):
            pairs.append((piece, piece[::-1]))
    return pairs


Batch = namedtuple("Batch", ["src", "src_lengths", "tgt_in", "tgt_out"])
Batch.__doc__ = ("Lote rellenado: ``src`` (B, J) y sus longitudes reales ``src_lengths`` (B,); ``tgt_in`` (B, T) "
                 "empieza por el inicio de secuencia y ``tgt_out`` (B, T) es la misma salida un paso adelantada, "
                 "terminada en fin de secuencia (la entrada y el objetivo del forzado del profesor).")
Batch.src.__doc__ = "Índices de las entradas (B, J), rellenados con ``PAD``."
Batch.src_lengths.__doc__ = "Longitud real de cada entrada (B,), sin el relleno."
Batch.tgt_in.__doc__ = "Entrada del decodificador (B, T), que empieza por el inicio de secuencia."
Batch.tgt_out.__doc__ = "Objetivo del decodificador (B, T), la salida un paso adelantada y terminada en fin de secuencia."


def make_batch(pairs, src_table: CharTable, tgt_table: CharTable) -> Batch:
    """Lote de ``pairs`` (entrada, salida), rellenado con ``PAD`` hasta el más largo."""
    if not pairs:
        raise ValueError("make_batch necesita al menos un par (entrada, salida).")
    sources = [src_table.encode(source) for source, _ in pairs]
    targets = [tgt_table.encode(target, eos=True) for _, target in pairs]
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

    def __init__(self, src_symbols: str = "".join(ROMAN_TABLE.itos[3:]),
                 tgt_symbols: str = "".join(WORDS_TABLE.itos[3:]), embedding_dim: int = 32, hidden_size: int = 128,
                 attention: bool = True, scratch: bool = False):
        super().__init__()
        for name, value in (("embedding_dim", embedding_dim), ("hidden_size", hidden_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} debe ser un entero positivo, no {value!r}.")
        self.src_table, self.tgt_table = CharTable(src_symbols), CharTable(tgt_symbols)
        self.config = dict(src_symbols="".join(self.src_table.itos[3:]), tgt_symbols="".join(self.tgt_table.itos[3:]),
                           embedding_dim=embedding_dim, hidden_size=hidden_size, attention=bool(attention),
                           scratch=bool(scratch))
        src_vocab_size, tgt_vocab_size = len(self.src_table), len(self.tgt_table)
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
            batch = make_batch([(x, "") for x in sources[i:i + batch_size]], model.src_table, model.tgt_table)
            ids, _ = model.greedy(batch.src, batch.src_lengths, max_length)
            out += [model.tgt_table.decode(row) for row in ids]
        return out
    return [model.tgt_table.decode(beam_translate(model, x, beam_width, length_alpha, max_length)[0].ids)
            for x in sources]


@torch.no_grad()
def beam_translate(model: Seq2Seq, source: str, beam_width: int = 4, length_alpha: float = 0.0,
                   max_length: int = 60) -> list:
    """Las ``beam_width`` mejores salidas para ``source`` (``Hypothesis`` de :func:`~companion.generate.beam_search`)."""
    model.eval()
    batch = make_batch([(source, "")], model.src_table, model.tgt_table)
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


def edit_distance(a: str, b: str) -> int:
    """Distancia de Levenshtein: inserciones, borrados y sustituciones para pasar de ``a`` a ``b``."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


Scores = namedtuple("Scores", ["accuracy", "cer", "predictions"])
Scores.__doc__ = ("Evaluación: ``accuracy`` (proporción de lecturas exactas), ``cer`` (tasa de error de caracteres: "
                  "distancia de edición total / caracteres de las referencias) y ``predictions``.")
Scores.accuracy.__doc__ = "Proporción de predicciones idénticas a su referencia."
Scores.cer.__doc__ = "Tasa de error de caracteres (distancia de edición total / caracteres de las referencias)."
Scores.predictions.__doc__ = "Las predicciones evaluadas, en el orden recibido."


def score(predictions, references) -> Scores:
    """Exactitud y tasa de error de caracteres de ``predictions`` frente a ``references``."""
    predictions, references = list(predictions), list(references)
    if len(predictions) != len(references):
        raise ValueError(f"Hay {len(predictions)} predicciones para {len(references)} referencias.")
    exact = sum(p == r for p, r in zip(predictions, references)) / len(references)
    cer = sum(edit_distance(p, r) for p, r in zip(predictions, references)) / sum(map(len, references))
    return Scores(exact, cer, predictions)


def evaluate_seq2seq(model: Seq2Seq, pairs, beam_width: int = 1, length_alpha: float = 0.0) -> Scores:
    """Traduce las entradas de ``pairs`` con ``model`` y mide exactitud y tasa de error frente a sus salidas."""
    pairs = list(pairs)
    return score(translate(model, [x for x, _ in pairs], beam_width, length_alpha), [y for _, y in pairs])


# --- Entrenamiento y puntos de control ------------------------------------------------------------------

def train_seq2seq(model: Seq2Seq, train_pairs, val_pairs=None, *, epochs: int = 10, batch_size: int = 64,
                  lr: float = 3e-3, clip: float = 1.0, seed: int = 0, log=None) -> dict:
    """Entrena ``model`` con forzado del profesor y Adam; devuelve la historia por época.

    ``train_pairs`` es una lista de pares (entrada, salida) o una función ``época -> lista de pares`` (para dar
    datos nuevos en cada época). Si se da ``val_pairs``, al final de cada época se mide la exactitud voraz en
    validación y, al terminar, el modelo se queda con los pesos de la mejor época (la elección se hace en
    validación, nunca en prueba).
    """
    pairs_of = train_pairs if callable(train_pairs) else (lambda epoch, fixed=list(train_pairs): fixed)
    if not pairs_of(0):
        raise ValueError("No hay pares de entrenamiento: dé al menos un par (entrada, salida).")
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"loss": [], "val_accuracy": [], "seconds": []}
    best, best_accuracy, start = None, -1.0, time.perf_counter()
    for epoch in range(epochs):
        model.train()
        pairs = pairs_of(epoch)
        order = torch.randperm(len(pairs), generator=generator).tolist()
        total, count = 0.0, 0
        for i in range(0, len(order), batch_size):
            batch = make_batch([pairs[k] for k in order[i:i + batch_size]], model.src_table, model.tgt_table)
            loss = sequence_loss(model, batch)
            optimizer.zero_grad()
            loss.backward()
            clip_gradients(model.parameters(), clip)
            optimizer.step()
            total, count = total + loss.item() * len(batch.src), count + len(batch.src)
        history["loss"].append(total / count)
        history["seconds"].append(time.perf_counter() - start)
        if val_pairs is not None:
            accuracy = evaluate_seq2seq(model, val_pairs).accuracy
            history["val_accuracy"].append(accuracy)
            if accuracy > best_accuracy:
                best, best_accuracy = copy.deepcopy(model.state_dict()), accuracy
        if log is not None:
            log(f"época {epoch + 1}: pérdida {history['loss'][-1]:.4f}"
                + (f", exactitud de validación {history['val_accuracy'][-1]:.3f}" if val_pairs is not None else ""))
    if best is not None:
        model.load_state_dict(best)
        history["best_epoch"] = history["val_accuracy"].index(best_accuracy) + 1
    model.eval()
    return history


def save_seq2seq(path, model: Seq2Seq, metadata: dict | None = None) -> Path:
    """Guarda ``model`` en float16 con su configuración, ``metadata`` y la suma de comprobación de los pesos.

    Como :func:`companion.checkpoint.save_checkpoint`: escritura atómica (nunca queda un archivo a medias) y
    un diccionario que ``torch.load(weights_only=True)`` sabe leer.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().half() if v.is_floating_point() else v.cpu() for k, v in model.state_dict().items()}
    payload = {"format": FORMAT, "config": dict(model.config), "state_dict": state,
               "weights_sha256": weights_checksum(state), "metadata": dict(metadata or {})}
    return write_atomic(path, lambda handle: torch.save(payload, handle))


def load_seq2seq(name_or_path) -> tuple[Seq2Seq, dict]:
    """Carga un modelo guardado con :func:`save_seq2seq` o uno de los del paquete (``PRETRAINED_NAMES``).

    Devuelve ``(modelo en modo evaluación, metadatos)``. Un archivo cuyos pesos no coinciden con su suma de
    comprobación (dañado o modificado después de guardarlo) se rechaza con un ``ValueError``.
    """
    path = Path(name_or_path)
    if not path.suffix:
        path = PRETRAINED_DIR / f"{name_or_path}.pt"
    if not path.is_file():
        raise FileNotFoundError(f"No existe el punto de control {str(path)!r}: use uno de {', '.join(PRETRAINED_NAMES)} "
                                "o la ruta de un archivo escrito por save_seq2seq (scripts/train_seq2seq.py los crea).")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise ValueError(f"No se pudo leer {str(path)!r}: el archivo está dañado o no es un punto de control de "
                         f"PyTorch ({type(error).__name__}). Vuelva a generarlo con scripts/train_seq2seq.py.") from error
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"{str(path)!r} no es un punto de control de companion.seq2seq.")
    state = payload.get("state_dict")
    if not isinstance(state, dict) or weights_checksum(state) != payload.get("weights_sha256"):
        raise ValueError(f"Los pesos de {str(path)!r} no coinciden con su suma de comprobación: el archivo se ha "
                         "dañado (o modificado) después de guardarlo. Vuelva a generarlo con scripts/train_seq2seq.py.")
    model = Seq2Seq(**payload["config"])
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    model.eval()
    return model, payload["metadata"]
