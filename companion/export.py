"""Exportar una LSTM del curso para ejecutarla en el navegador, y el muestreo reproducible que comparte con él.

La página interactiva del libro (``book/interactivo.md``) ejecuta en JavaScript el modelo preentrenado
``lstm``. Al construir el sitio, :func:`write_web_weights` escribe sus pesos en un archivo ``.js``: una
cabecera JSON pequeña (vocabulario, tamaños, nombre, forma y posición de cada tensor, suma de comprobación
del punto de control) y los pesos en float16 *little-endian*, concatenados y codificados en base64. Es un
``.js`` y no un ``.json`` porque se carga con una etiqueta ``<script>``: así la página funciona también
abierta desde ``file://``, donde el navegador no deja leer archivos con ``fetch``.

El generador del paquete (:func:`companion.generate.generate`) muestrea con el generador aleatorio de torch,
que JavaScript no puede reproducir. Para que una semilla dé el mismo texto en la página y en Python, ambos
implementan el mismo **muestreo por inversión de la función de distribución** con la misma secuencia de
uniformes (:func:`mulberry32`):

1. logits ``z`` del último paso; se dividen por la temperatura τ;
2. con top-k, se conservan los ``k`` mayores (a igual valor, el de menor índice) y el resto pasa a −∞;
3. ``p = softmax(z / τ)`` (restando el máximo);
4. se toma la siguiente uniforme ``u ∈ [0, 1)`` y se elige el primer índice ``i`` (en el orden del
   vocabulario) con ``u < p_0 + … + p_i``; si el redondeo deja ``u`` por encima de la suma total, el último
   índice con probabilidad positiva.

Con ``top_k=1`` esto es la decodificación voraz (el primer máximo) y no se consume ninguna uniforme.
"""
from __future__ import annotations

import base64
import hashlib
import json
import math
from pathlib import Path

import numpy as np
import torch

from companion.generate import _prompt_ids

__all__ = ["mulberry32", "sample_index", "generate_portable", "next_char_probs", "web_tensors",
           "write_web_weights", "read_web_weights", "WEB_FORMAT"]

WEB_FORMAT = "companion-web-lstm"
WEB_VERSION = 1
GLOBAL_NAME = "LSTM_WEIGHTS"  # variable global que define el archivo .js
_MASK = 0xFFFFFFFF


def mulberry32(seed: int):
    """Generador de uniformes en [0, 1) «mulberry32» (32 bits), idéntico al de la página interactiva.

    ``seed`` es un entero (se toma módulo 2³²). Cada llamada al iterador devuelve ``k / 2³²`` con ``k``
    entero de 32 bits, así que los valores son exactamente iguales en Python y en JavaScript.
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"La semilla debe ser un entero, no {type(seed).__name__}.")
    state = seed & _MASK
    while True:
        state = (state + 0x6D2B79F5) & _MASK
        t = ((state ^ (state >> 15)) * (1 | state)) & _MASK
        t = ((t + (((t ^ (t >> 7)) * (61 | t)) & _MASK)) & _MASK) ^ t
        yield ((t ^ (t >> 14)) & _MASK) / 4294967296.0


def _sampling_probs(logits: np.ndarray, temperature: float, top_k: int | None) -> np.ndarray:
    scores = np.asarray(logits, dtype=np.float64) / float(temperature)
    if top_k is not None and top_k < len(scores):
        order = np.argsort(-scores, kind="stable")  # a igual valor, primero el de menor índice
        keep = np.zeros(len(scores), dtype=bool)
        keep[order[:top_k]] = True
        scores = np.where(keep, scores, -np.inf)
    weights = np.exp(scores - scores.max())
    return weights / weights.sum()


def sample_index(probs: np.ndarray, u: float) -> tuple[int, float]:
    """Índice elegido por inversión con la uniforme ``u`` y su margen (distancia de ``u`` al borde más cercano).

    El margen dice cuánto podrían cambiar las probabilidades sin cambiar la elección: la página y Python
    calculan las probabilidades con redondeos distintos (del orden de 10⁻⁷), así que eligen lo mismo
    mientras el margen sea mayor.
    """
    cumulative = np.cumsum(np.asarray(probs, dtype=np.float64))
    hits = np.nonzero(u < cumulative)[0]
    index = int(hits[0]) if len(hits) else int(np.nonzero(probs > 0)[0][-1])
    lower = cumulative[index - 1] if index > 0 else 0.0
    margin = min(u - lower, cumulative[index] - u) if len(hits) else 0.0
    return index, float(margin)


@torch.no_grad()
def _portable(model, vocab, prompt, length, temperature, top_k, seed):
    if not isinstance(length, int) or isinstance(length, bool) or length < 0:
        raise ValueError(f"length debe ser un entero no negativo y se recibió {length!r}.")
    if not isinstance(temperature, (int, float)) or not temperature > 0:
        raise ValueError(f"La temperatura debe ser positiva (por ejemplo 0.5 o 1.0) y se recibió {temperature!r}.")
    if top_k is not None and (not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1):
        raise ValueError(f"top_k debe ser None o un entero mayor o igual que 1 y se recibió {top_k!r}.")
    ids = _prompt_ids(vocab, prompt)
    uniforms = mulberry32(seed)
    was_training = model.training
    model.eval()
    margins = []
    try:
        device = next(model.parameters()).device
        logits, state = model(torch.tensor([ids], device=device), None)
        for _ in range(length):
            probs = _sampling_probs(logits[0, -1].double().cpu().numpy(), temperature, top_k)
            if top_k == 1:
                next_id, margin = int(np.argmax(probs)), math.inf
            else:
                next_id, margin = sample_index(probs, next(uniforms))
            margins.append(margin)
            ids.append(next_id)
            logits, state = model(torch.tensor([[next_id]], device=device), state)
    finally:
        model.train(was_training)
    return ids, margins


def generate_portable(model, vocab, prompt: str, length: int = 100, temperature: float = 1.0,
                      top_k: int | None = None, seed: int = 0) -> str:
    """Como :func:`companion.generate.generate`, pero con el muestreo por inversión y las uniformes de
    :func:`mulberry32` (véase el módulo): con la misma semilla y los mismos ajustes, la página interactiva
    del libro genera el mismo texto. ``top_k=1`` es la decodificación voraz.
    """
    ids, _ = _portable(model, vocab, prompt, length, temperature, top_k, seed)
    return vocab.decode(ids)


@torch.no_grad()
def next_char_probs(model, vocab, prompt: str, temperature: float = 1.0, top_k: int | None = None) -> np.ndarray:
    """Distribución del carácter siguiente a ``prompt`` (limpiado), con la temperatura y el top-k dados."""
    ids = _prompt_ids(vocab, prompt)
    was_training = model.training
    model.eval()
    try:
        logits, _ = model(torch.tensor([ids], device=next(model.parameters()).device), None)
    finally:
        model.train(was_training)
    return _sampling_probs(logits[0, -1].double().cpu().numpy(), temperature, top_k)


def web_tensors(model) -> tuple[dict, dict[str, np.ndarray]]:
    """Configuración y tensores (float16) que necesita la página: incrustación, cada capa de la LSTM y la salida.

    Acepta un :class:`~companion.model.CharLM` con ``torch.nn.LSTM`` unidireccional de cualquier número de
    capas, con incrustación o con entrada one-hot. Los dos sesgos de ``torch.nn.LSTM`` se exportan por separado
    (la página los suma en doble precisión), así que los pesos son exactamente los del punto de control en
    float16.
    """
    rnn = getattr(model, "rnn", None)
    if not isinstance(rnn, torch.nn.LSTM) or rnn.bidirectional or getattr(rnn, "proj_size", 0):
        raise ValueError("La página interactiva solo sabe ejecutar una LSTM unidireccional de torch.nn.LSTM "
                         "(build_model(cell='lstm', scratch=False)).")
    config = {"vocab_size": int(model.vocab_size), "hidden_size": int(rnn.hidden_size),
              "num_layers": int(rnn.num_layers), "input_size": int(rnn.input_size),
              "embedding_dim": None if model.embedding is None else int(model.embedding_dim),
              "gate_order": "i,f,g,o"}
    tensors = {}
    if model.embedding is not None:
        tensors["embedding"] = model.embedding.weight
    for layer in range(rnn.num_layers):
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            tensors[f"{name}_l{layer}"] = getattr(rnn, f"{name}_l{layer}")
    tensors["W_hq"], tensors["b_q"] = model.W_hq, model.b_q
    arrays = {k: v.detach().cpu().to(torch.float16).numpy() for k, v in tensors.items()}
    return config, arrays


def write_web_weights(model, vocab, path, *, source: str = "", checksum: str = "") -> dict:
    """Escribe ``path`` (``.js``) con la cabecera y los pesos float16 en base64; devuelve la cabecera.

    La cabecera incluye ``file_bytes``, el tamaño exacto del archivo escrito, para que la página diga cuánto
    descarga. ``source`` y ``checksum`` identifican el punto de control exportado (nombre y SHA-256).
    """
    config, arrays = web_tensors(model)
    entries, chunks, offset = [], [], 0
    for name, array in arrays.items():
        data = np.ascontiguousarray(array, dtype="<f2").tobytes()
        entries.append({"name": name, "shape": list(array.shape), "offset": offset})
        offset += array.size
        chunks.append(data)
    payload = b"".join(chunks)
    header = {"format": WEB_FORMAT, "version": WEB_VERSION, "source": source, "checksum": checksum,
              "config": config, "itos": list(vocab.itos), "tensors": entries,
              "num_parameters": int(offset), "weight_bytes": len(payload), "file_bytes": 0}
    encoded = base64.b64encode(payload).decode("ascii")
    text = ""
    for _ in range(5):  # el tamaño del archivo aparece dentro del propio archivo: se ajusta hasta que cuadra
        text = _web_file_text(header, encoded)
        size = len(text.encode("utf-8"))
        if size == header["file_bytes"]:
            break
        header["file_bytes"] = size
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return header


def _web_file_text(header: dict, encoded: str) -> str:
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))
    return (f"// Pesos de la LSTM del curso (float16 en base64), escritos al construir el sitio.\n"
            f'window.{GLOBAL_NAME} = {{"header": {head},\n"data": "{encoded}"}};\n')


def read_web_weights(path) -> tuple[dict, dict[str, np.ndarray]]:
    """Lee un archivo escrito por :func:`write_web_weights`: devuelve la cabecera y los tensores (float16)."""
    text = Path(path).read_text(encoding="utf-8")
    start = text.index("=") + 1
    content = json.loads(text[start:].strip().rstrip(";"))
    header = content["header"]
    flat = np.frombuffer(base64.b64decode(content["data"]), dtype="<f2")
    tensors = {}
    for entry in header["tensors"]:
        size = int(np.prod(entry["shape"]))
        tensors[entry["name"]] = flat[entry["offset"]:entry["offset"] + size].reshape(entry["shape"])
    return header, tensors


def file_checksum(path) -> str:
    """SHA-256 de un archivo (identifica el punto de control exportado)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
