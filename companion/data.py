"""Corpus del curso: el Quijote, su limpieza, el vocabulario, la partición y los lotes.

El texto es el libro electrónico n.º 2000 de Project Gutenberg (*Don Quijote de la Mancha*).
``load_quijote`` lo busca en una carpeta local y, si no está, lo descarga una sola vez a una
caché. ``load_corpus`` reúne todo lo que usan los capítulos: texto limpio, vocabulario y las tres
partes (entrenamiento, validación y prueba) como cadenas y como tensores de índices.
"""
from __future__ import annotations

import collections
import functools
import hashlib
import http.client
import os
import re
import sys
import unicodedata
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from companion.display import fmt_int
from companion.files import write_atomic

QUIJOTE_URL = "https://www.gutenberg.org/cache/epub/2000/pg2000.txt"
FILENAME = "pg2000.txt"
ENV_VAR = "COMPANION_DATA_DIR"

_START_RE = re.compile(r"^\*\*\* ?START OF.*$", re.MULTILINE)
_END_RE = re.compile(r"^\*\*\* ?END OF.*$", re.MULTILINE)
_FIRST_WORDS = "En un lugar de la Mancha"
_NOT_LETTERS = re.compile(r"[^a-zñáéíóúü]+")


class DownloadError(RuntimeError):
    """La descarga del corpus falló; el mensaje explica cómo colocar el archivo a mano."""


# --------------------------------------------------------------------------- texto bruto


def default_cache_dir() -> Path:
    """Carpeta de caché del usuario para el corpus (``~/.cache/companion`` en Linux y Colab)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "companion"


def data_dir_path(data_dir: str | os.PathLike | None = None) -> Path:
    """Carpeta donde :func:`load_quijote` lee ``pg2000.txt`` (o lo descargará): ver :func:`quijote_path`."""
    return quijote_path(data_dir).parent


def quijote_path(data_dir: str | os.PathLike | None = None) -> Path:
    """Ruta de ``pg2000.txt`` que usa :func:`load_quijote`, sin crear ni descargar nada.

    - Con ``data_dir``, siempre ``data_dir/pg2000.txt`` (si falta, se descargará allí).
    - Si no, el primer archivo que exista: en la carpeta de ``$COMPANION_DATA_DIR`` y, después, en la caché
      del usuario (:func:`default_cache_dir`).
    - Si no está en ninguna, el destino de la descarga: la carpeta de ``$COMPANION_DATA_DIR`` si la variable
      está definida y la carpeta existe; si no, la caché. La variable nunca crea carpetas.
    """
    if data_dir is not None:
        return Path(data_dir).expanduser() / FILENAME
    env = os.environ.get(ENV_VAR)
    env_dir = Path(env).expanduser() if env else None
    cache = default_cache_dir()
    for folder in (env_dir, cache):
        if folder is not None and (folder / FILENAME).is_file():
            return folder / FILENAME
    if env_dir is not None and env_dir.is_dir():
        return env_dir / FILENAME
    return cache / FILENAME


def _manual_fix(path: Path, url: str) -> str:
    env = os.environ.get(ENV_VAR)
    missing = ""
    if env and not Path(env).expanduser().is_dir():
        missing = f" (ahora {ENV_VAR} vale {env!r}, una carpeta que no existe: créela o corrija la variable)"
    return (
        f"Para resolverlo, descargue el archivo a mano desde {url} (por ejemplo con el navegador) y "
        f"guárdelo como {path}, o defina la variable de entorno {ENV_VAR} con la carpeta que ya "
        f"contiene {FILENAME}{missing}."
    )


def extract_novel(raw: str, source: str = "el texto") -> str:
    """Devuelve la novela contenida en un archivo de Project Gutenberg.

    Quita la marca de orden de bytes (BOM), convierte los finales de línea a ``"\\n"`` y corta la
    cabecera y la licencia de Gutenberg en las líneas ``*** START OF`` y ``*** END OF`` (no en una
    posición fija). Comprueba además que el texto sea el Quijote.
    """
    text = raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    start, end = _START_RE.search(text), _END_RE.search(text)
    if start is None or end is None or end.start() < start.end():
        raise ValueError(
            f"{source} no parece un libro de Project Gutenberg: no se encontraron las líneas "
            "«*** START OF» y «*** END OF» que delimitan la obra. Use el archivo original pg2000.txt "
            f"de {QUIJOTE_URL}."
        )
    header = text[: start.end()]
    novel = text[start.end() : end.start()].strip()
    if "quijote" not in header.lower() or _FIRST_WORDS not in novel[:200_000]:
        raise ValueError(
            f"{source} es un libro de Project Gutenberg, pero no el Quijote (falta el título o la frase "
            f"«{_FIRST_WORDS}»). Use el libro electrónico n.º 2000: {QUIJOTE_URL}."
        )
    return unicodedata.normalize("NFC", novel)


def download(url: str, path: str | os.PathLike, timeout: float = 60.0) -> Path:
    """Descarga ``url`` en ``path`` de forma atómica y comprueba que sea el Quijote.

    Los datos se escriben en un archivo temporal de la misma carpeta, que se renombra a ``path`` solo
    si la transferencia llegó completa y el contenido es válido; si algo falla no queda ningún
    archivo y se lanza :class:`DownloadError` con instrucciones para colocarlo a mano.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(path.parent, os.W_OK):
            raise PermissionError("la carpeta no admite escritura")
    except OSError as error:
        raise DownloadError(
            f"No se puede escribir en la carpeta {path.parent} para guardar el corpus ({error}). "
            + _manual_fix(path, url)
        ) from error

    def fetch(handle):
        request = urllib.request.Request(url, headers={"User-Agent": "companion (curso de RNN)"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            expected = response.headers.get("Content-Length")
            received = bytearray()
            while chunk := response.read(1 << 16):
                received += chunk
        if expected is not None and len(received) != int(expected):
            raise DownloadError(
                f"La descarga de {url} quedó incompleta: se recibieron {len(received)} de {expected} bytes. "
                + _manual_fix(path, url)
            )
        extract_novel(bytes(received).decode("utf-8"), source=f"Lo descargado de {url}")  # ¿es el Quijote?
        handle.write(received)

    try:
        write_atomic(path, fetch)  # si algo falla, no queda ningún archivo
    except DownloadError:
        raise
    except (OSError, ValueError, http.client.HTTPException) as error:  # URLError y HTTPError son OSError
        message = f"No se pudo descargar el Quijote desde {url}: {error}. "
        raise DownloadError(message + _manual_fix(path, url)) from error
    return path


def load_quijote(data_dir: str | os.PathLike | None = None, *, url: str = QUIJOTE_URL) -> str:
    """Devuelve el texto del Quijote, sin la cabecera ni la licencia de Project Gutenberg.

    Busca ``pg2000.txt`` en ``data_dir``; si no se indica, en la carpeta de la variable de entorno
    ``COMPANION_DATA_DIR`` y después en la caché del usuario (el orden exacto está en :func:`quijote_path`).
    Si el archivo ya está, no se escribe nada (la carpeta puede ser de solo lectura); si no, se descarga
    desde ``url`` una única vez, de forma atómica, en ``data_dir``, en la carpeta de la variable si existe
    o en la caché. El texto devuelto no tiene BOM y sus líneas terminan en ``"\\n"``.
    """
    path = quijote_path(data_dir)
    if not path.is_file():
        download(url, path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{path} no está codificado en UTF-8, así que no es el pg2000.txt original. Bórrelo y vuelva a "
            f"ejecutar para descargarlo, o colóquelo a mano. {_manual_fix(path, url)}"
        ) from error
    return extract_novel(text, source=str(path))


# --------------------------------------------------------------------------- limpieza y vocabulario


def clean(text: str) -> str:
    """Normalización del curso: minúsculas; se conservan las letras a-z, á, é, í, ó, ú, ñ y ü;
    cada tramo de cualquier otra cosa (signos, cifras, saltos de línea…) se convierte en un espacio.

    >>> clean("¡Válame Dios!, dijo Sancho.")
    ' válame dios dijo sancho '
    """
    if not isinstance(text, str):
        raise TypeError(f"clean espera una cadena (str), no {type(text).__name__}.")
    return _NOT_LETTERS.sub(" ", unicodedata.normalize("NFC", text).lower())


def clean_changes(text: str) -> list[tuple[str, str]]:
    """Qué caracteres de ``text`` cambia :func:`clean`: pares ``(original, resultado)`` sin repetir, en orden.

    El resultado es la minúscula (``("W", "w")``) o un espacio (``("€", " ")``, ``("À", " ")``: la «à» no es
    una letra del español). Los espacios no se cuentan. Sirve para avisar a quien escribe un texto inicial
    de cómo lo verá el modelo.

    >>> clean_changes("¡Hola, W!")
    [('¡', ' '), ('H', 'h'), (',', ' '), ('W', 'w'), ('!', ' ')]
    """
    if not isinstance(text, str):
        raise TypeError(f"clean_changes espera una cadena (str), no {type(text).__name__}.")
    changes = {}
    for char in unicodedata.normalize("NFC", text):
        if char == " " or char in changes:
            continue
        result = clean(char)
        if result != char:
            changes[char] = result if result.strip() else " "
    return list(changes.items())


def char_positions(text: str, sorted_codes: np.ndarray, what: str = "El texto") -> np.ndarray:
    """Posición de cada carácter de ``text`` en ``sorted_codes`` (los códigos Unicode de un alfabeto, ordenados).

    Es la búsqueda que comparten :class:`Vocab` y :class:`companion.markov.NGramLM`. Si algún carácter no
    está en el alfabeto, lanza ``ValueError`` nombrándolos; ``what`` describe el texto en el mensaje.
    """
    if not isinstance(text, str):
        raise TypeError(f"{what} debe ser una cadena (str), no {type(text).__name__}.")
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    pos = np.searchsorted(sorted_codes, codes).clip(max=len(sorted_codes) - 1)
    unknown = sorted_codes[pos] != codes
    if unknown.any():
        missing = sorted({chr(c) for c in codes[unknown]})
        raise ValueError(
            f"{what} contiene caracteres que no están en el vocabulario: {missing}. "
            "Límpielo antes con companion.data.clean, igual que el texto de entrenamiento."
        )
    return pos


class Vocab:
    """Correspondencia entre caracteres e índices.

    Los símbolos se ordenan por frecuencia descendente en ``text`` y, a igual frecuencia, por punto de
    código, de modo que el mismo texto da siempre el mismo vocabulario. ``itos[i]`` es el símbolo de
    índice ``i`` y ``stoi`` el diccionario inverso.
    """

    def __init__(self, text: str):
        if not isinstance(text, str) or not text:
            raise ValueError("Vocab necesita una cadena no vacía para construir el vocabulario.")
        counts = collections.Counter(text)
        self._set_symbols(sorted(counts, key=lambda s: (-counts[s], ord(s))))

    def _set_symbols(self, itos: list[str]) -> None:
        self.itos = list(itos)
        self.stoi = {s: i for i, s in enumerate(self.itos)}
        self._codes = np.array([ord(s) for s in self.itos], dtype=np.int64)
        self._order = np.argsort(self._codes)
        self._sorted_codes = self._codes[self._order]
        self._symbols = np.array(self.itos)

    def __len__(self) -> int:
        return len(self.itos)

    def __eq__(self, other) -> bool:
        return isinstance(other, Vocab) and self.itos == other.itos

    __hash__ = None

    def __repr__(self) -> str:
        return f"Vocab({len(self)} símbolos: {''.join(self.itos)!r})"

    def encode(self, text: str) -> torch.Tensor:
        """Convierte ``text`` en un tensor 1-D de índices (``torch.long``)."""
        pos = char_positions(text, self._sorted_codes, "El texto")
        return torch.from_numpy(self._order[pos])

    def decode(self, ids) -> str:
        """Convierte una secuencia de índices (tensor, arreglo o lista) en texto."""
        ids = np.asarray(ids.detach().cpu() if isinstance(ids, torch.Tensor) else ids)
        if ids.size == 0:
            return ""
        if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(
                f"decode espera una secuencia 1-D de enteros; recibió forma {ids.shape} y tipo {ids.dtype}."
            )
        if ids.min() < 0 or ids.max() >= len(self):
            raise ValueError(f"Hay índices fuera del vocabulario: deben estar entre 0 y {len(self) - 1}.")
        return "".join(self._symbols[ids].tolist())

    def to_dict(self) -> dict:
        """Forma serializable en JSON (viaja dentro de los puntos de control)."""
        return {"itos": list(self.itos)}

    @classmethod
    def from_dict(cls, state: dict) -> "Vocab":
        """Reconstruye un vocabulario guardado con :meth:`to_dict`."""
        itos = state.get("itos") if isinstance(state, dict) else None
        if (
            not isinstance(itos, list)
            or not itos
            or not all(isinstance(s, str) and len(s) == 1 for s in itos)
            or len(set(itos)) != len(itos)
        ):
            raise ValueError(
                "Diccionario de vocabulario no válido: se esperaba {'itos': [...]} con caracteres únicos, "
                "como el que produce Vocab.to_dict()."
            )
        vocab = cls.__new__(cls)
        vocab._set_symbols(itos)
        return vocab


# --------------------------------------------------------------------------- partición y lotes


def split(seq, fractions=(0.9, 0.05, 0.05)):
    """Divide ``seq`` (cadena o tensor 1-D) en partes contiguas y disjuntas, en orden.

    Con las fracciones por defecto devuelve ``(train, val, test)``: el 90 % inicial, el 5 % siguiente y
    el 5 % final. La última parte se queda con el resto del redondeo.
    """
    fractions = tuple(float(f) for f in fractions)
    if len(fractions) < 2 or any(f < 0 for f in fractions) or abs(sum(fractions) - 1.0) > 1e-9:
        raise ValueError(
            f"Fracciones no válidas {fractions}: deben ser al menos dos números no negativos que sumen 1, "
            "por ejemplo (0.9, 0.05, 0.05)."
        )
    if isinstance(seq, torch.Tensor) and seq.ndim != 1:
        raise ValueError(f"split espera un tensor 1-D; recibió uno de forma {tuple(seq.shape)}.")
    n = len(seq)
    bounds = [0]
    for f in fractions[:-1]:
        bounds.append(bounds[-1] + int(n * f))
    bounds.append(n)
    return tuple(seq[a:b] for a, b in zip(bounds[:-1], bounds[1:]))


def _check_batching(ids, batch_size, num_steps) -> torch.Tensor:
    ids = torch.as_tensor(ids)
    if ids.ndim != 1 or ids.dtype.is_floating_point or ids.dtype == torch.bool:
        raise ValueError("Los lotes se cortan de un tensor 1-D de índices enteros (por ejemplo vocab.encode(texto)).")
    for name, value in (("batch_size", batch_size), ("num_steps", num_steps)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} debe ser un entero positivo; recibió {value!r}.")
    if len(ids) < batch_size * num_steps + 1:
        raise ValueError(
            f"La secuencia tiene {len(ids)} símbolos, pocos para un lote de {batch_size} × {num_steps} "
            f"(hacen falta al menos {batch_size * num_steps + 1}): reduzca batch_size o num_steps."
        )
    return ids.long()


def _generator(seed) -> torch.Generator:
    g = torch.Generator()
    if seed is None:
        g.seed()
    else:
        g.manual_seed(int(seed))
    return g


def random_batches(ids, batch_size: int, num_steps: int, seed: int | None = None):
    """Muestreo aleatorio: genera pares ``(X, Y)`` de forma ``(batch_size, num_steps)``.

    Se elige un desplazamiento inicial al azar en ``[0, num_steps)``, se corta el resto de ``ids`` en
    subsecuencias consecutivas sin solapamiento y se barajan; ``Y`` es ``X`` desplazada un carácter.
    Ninguna subsecuencia cruza el final de ``ids`` y las filas de lotes sucesivos no son contiguas: el
    estado oculto debe reiniciarse en cada lote. Con la misma ``seed`` se obtienen los mismos lotes.
    """
    ids = _check_batching(ids, batch_size, num_steps)
    g = _generator(seed)
    offset = int(torch.randint(num_steps, (1,), generator=g))
    num_subseqs = (len(ids) - offset - 1) // num_steps
    starts = offset + num_steps * torch.randperm(num_subseqs, generator=g)
    window = torch.arange(num_steps)

    def batches():
        for i in range(0, num_subseqs - batch_size + 1, batch_size):
            index = starts[i : i + batch_size, None] + window
            yield ids[index], ids[index + 1]

    return batches()


def contiguous_streams(ids: torch.Tensor, batch_size: int, offset: int = 0):
    """Reparte ``ids[offset:]`` en ``batch_size`` flujos contiguos: devuelve ``(xs, ys)`` de forma ``(batch_size, L)``.

    La fila ``b`` de ``xs`` es un tramo contiguo del texto e ``ys`` es ``xs`` desplazada un carácter. Es la base
    de la partición secuencial: cortar las columnas en trozos consecutivos da lotes cuya fila ``b`` continúa
    la fila ``b`` del anterior.
    """
    stream_len = (len(ids) - offset - 1) // batch_size
    xs = ids[offset : offset + batch_size * stream_len].reshape(batch_size, stream_len)
    ys = ids[offset + 1 : offset + 1 + batch_size * stream_len].reshape(batch_size, stream_len)
    return xs, ys


def sequential_batches(ids, batch_size: int, num_steps: int, offset: int | None = None, seed: int | None = None):
    """Partición secuencial: genera pares ``(X, Y)`` de forma ``(batch_size, num_steps)``.

    ``ids`` (a partir de ``offset``; si es ``None``, uno al azar en ``[0, num_steps)`` según ``seed``) se
    reparte en ``batch_size`` flujos contiguos, uno por fila. La fila ``b`` del lote ``i + 1`` continúa
    exactamente donde terminó la fila ``b`` del lote ``i``, de modo que el estado oculto puede pasar de
    un lote al siguiente. ``Y`` es ``X`` desplazada un carácter y nada cruza el final de ``ids``.
    """
    ids = _check_batching(ids, batch_size, num_steps)
    if offset is None:
        offset = int(torch.randint(num_steps, (1,), generator=_generator(seed)))
    if not isinstance(offset, int) or not 0 <= offset <= len(ids) - batch_size * num_steps - 1:
        raise ValueError(
            f"offset debe ser un entero entre 0 y {len(ids) - batch_size * num_steps - 1} para que quepa al "
            f"menos un lote; recibió {offset!r}."
        )
    xs, ys = contiguous_streams(ids, batch_size, offset)
    stream_len = xs.shape[1]

    def batches():
        for t in range(0, stream_len - num_steps + 1, num_steps):
            yield xs[:, t : t + num_steps], ys[:, t : t + num_steps]

    return batches()


# --------------------------------------------------------------------------- el corpus del curso


@dataclass(frozen=True, eq=False)
class Corpus:
    """El Quijote limpio, su vocabulario y sus tres partes (90 % / 5 % / 5 %).

    ``train``, ``val`` y ``test`` son tensores 1-D de índices; ``train_text``, ``val_text`` y
    ``test_text`` son las mismas partes como cadenas. ``checksum`` es el SHA-256 del texto limpio.
    Los tensores se comparten entre llamadas a :func:`load_corpus`: no los modifique in situ.
    """

    text: str
    vocab: Vocab
    train: torch.Tensor
    val: torch.Tensor
    test: torch.Tensor
    train_text: str
    val_text: str
    test_text: str
    checksum: str

    def __repr__(self) -> str:
        def n(x):
            return fmt_int(len(x))

        return (
            f"Corpus({n(self.text)} caracteres, {len(self.vocab)} símbolos; entrenamiento {n(self.train)}, "
            f"validación {n(self.val)}, prueba {n(self.test)})"
        )

    @classmethod
    def from_text(cls, text: str, vocab: Vocab | None = None) -> "Corpus":
        """Corpus de un texto ya limpio: su vocabulario (o ``vocab``) y sus tres partes, de :func:`split`."""
        vocab = Vocab(text) if vocab is None else vocab
        train, val, test = split(vocab.encode(text))
        train_text, val_text, test_text = split(text)
        checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return cls(text=text, vocab=vocab, train=train, val=val, test=test, train_text=train_text,
                   val_text=val_text, test_text=test_text, checksum=checksum)


@functools.lru_cache(maxsize=4)
def load_corpus(data_dir: str | os.PathLike | None = None) -> Corpus:
    """Carga el Quijote, lo limpia con :func:`clean` y lo parte con :func:`split`.

    El resultado se guarda en memoria: las llamadas siguientes con el mismo ``data_dir`` lo devuelven
    al instante.
    """
    return Corpus.from_text(clean(load_quijote(data_dir)))


def check_text_file(path: Path, option: str | None = None) -> Path:
    """Devuelve ``path`` si es un archivo; si es una carpeta o no existe, un ``ValueError`` que lo dice (tras
    ``option``, como ``--text``, si se da)."""
    if path.is_dir():
        problem = f"{str(path)!r} es una carpeta, no un archivo de texto: indique el archivo."
    elif not path.is_file():
        problem = f"no existe el archivo de texto {str(path)!r}: revise la ruta."
    else:
        return path
    raise ValueError(f"{option}: {problem}" if option else problem[0].upper() + problem[1:])


def load_text_corpus(path, vocab=None):
    """Corpus de cualquier texto UTF-8, como el de :func:`load_corpus`: limpio, con vocabulario y partido 90/5/5.

    ``path`` es un archivo de texto (otra novela, por ejemplo); con ``None`` se carga el Quijote. El texto
    se limpia con :func:`clean` y se parte con :func:`split`, igual que el Quijote, así que un capítulo
    funciona igual cambiando ``load_corpus()`` por ``load_text_corpus("otra_novela.txt")``. Es también lo que
    usa ``python -m companion train --text``.

    Con ``vocab`` (el de un modelo ya entrenado), el texto se codifica con ese vocabulario: basta con que sus
    caracteres sean un subconjunto de los del modelo; uno que el modelo no conoce produce un ``ValueError``
    que lo nombra.
    """
    if path is None:
        corpus = load_corpus()
        text, source = corpus.text, "El Quijote"
        if vocab is None or vocab == corpus.vocab:
            return corpus
    else:
        path = check_text_file(Path(path).expanduser())
        source = f"El texto {str(path)!r}"
        try:
            text = clean(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as error:
            raise ValueError(f"{str(path)!r} no está en UTF-8: conviértalo (por ejemplo con iconv) y repita.") from error
        if len(text.strip()) < 100:
            raise ValueError(f"{str(path)!r} tiene muy poco texto tras limpiarlo ({len(text)} caracteres): "
                             "use un archivo más largo.")
    unknown = sorted(set(text) - set(vocab.itos)) if vocab is not None else []
    if unknown:
        raise ValueError(f"{source} (ya limpio) contiene caracteres que el modelo no conoce: {unknown}. El "
                         "modelo se entrenó con otro texto: entrene uno con este (`python -m companion train "
                         "--text RUTA`) o quite esos caracteres.")
    return Corpus.from_text(text, vocab)


def random_length_batches(ids, batch_size: int, num_steps: int, sampling: str, generator: torch.Generator):
    """Lotes con longitud de truncamiento aleatoria (la opción ``random_truncation`` de ``train``).

    En cada lote la longitud del segmento es T' = round(T · u) con u uniforme en [0.5, 1.5] (al menos 2):
    los cortes del gradiente ya no caen siempre en las mismas posiciones del texto y, en promedio, el
    segmento mide T. Con ``sampling="sequential"`` la fila b de cada lote continúa la fila b del anterior,
    como en :func:`sequential_batches`; con ``"random"``, ventanas independientes, como en
    :func:`random_batches`. Las longitudes se sortean sin la compensación de Tallec y Ollivier (no se
    reescala el gradiente de los caminos que no se cortan): el gradiente resultante sigue sesgado.
    """
    n = len(ids) - 1
    length = lambda: max(2, round(num_steps * (0.5 + torch.rand((), generator=generator).item())))  # noqa: E731
    if sampling == "sequential":
        offset = int(torch.randint(0, num_steps, (), generator=generator))
        xs, ys = contiguous_streams(ids, batch_size, offset)
        rows, start = xs.shape[1], 0
        while start < rows - 1:
            t = min(length(), rows - start)
            yield xs[:, start:start + t], ys[:, start:start + t]
            start += t
    else:
        for _ in range(n // (batch_size * num_steps)):
            t = length()
            starts = torch.randint(0, n - t + 1, (batch_size,), generator=generator)
            index = starts[:, None] + torch.arange(t)
            yield ids[index], ids[index + 1]
