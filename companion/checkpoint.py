"""Puntos de control (*checkpoints*): guardar y cargar los modelos del paquete con su vocabulario y sus metadatos.

Un punto de control es un diccionario guardado con ``torch.save`` que solo contiene tensores, números,
cadenas, listas y diccionarios, para poder leerlo con ``torch.load(weights_only=True)`` (que no ejecuta
código arbitrario):

    {"format": "companion-charlm", "version": 2,
     "config": model.config,          # argumentos de build_model
     "vocab": vocab.to_dict(),
     "state_dict": {...},             # pesos (float16 si se guardó con half=True)
     "weights_sha256": "…",           # suma de comprobación de los pesos (weights_checksum)
     "metadata": {...}}               # suma de comprobación del corpus, épocas, tiempo, perplejidades…

Con ``int8=True`` (versión 3 del formato) cada matriz de pesos se guarda cuantizada en int8, simétrica y con
una escala por fila, y el diccionario lleva además ``"int8_scales": {nombre: escala}`` (véase
:func:`quantize_int8`); la suma de comprobación cubre los enteros y las escalas.

Al cargar se comprueba todo lo que puede estar mal antes de usar el modelo: que el archivo sea un punto de
control de este formato, que su configuración sea válida, que los pesos coincidan con su suma de comprobación
(un archivo con bytes alterados se rechaza, aunque PyTorch pueda leerlo) y que todos sean finitos (ni NaN ni
infinitos). Los archivos de la versión 1 del formato, anteriores a la suma de comprobación, se siguen
leyendo; se les comprueba todo lo demás.

Los codificadores–decodificadores del capítulo 9 (:class:`~companion.seq2seq.Seq2Seq`) usan el mismo
diccionario con otro formato, ``"companion-seq2seq"`` (versión 1), y sin ``"vocab"``: sus dos vocabularios
están en ``config``. Los escribe :func:`save_seq2seq` y los lee :func:`load_seq2seq`, con las mismas
comprobaciones.

Los modelos preentrenados del paquete se guardan en float16 (la mitad de espacio) y se cargan en float32;
sus perplejidades de los metadatos se midieron con esos mismos pesos redondeados.
"""
from __future__ import annotations

import hashlib
import inspect
import math
from pathlib import Path

import torch

from companion.data import Vocab
from companion.files import write_atomic
from companion.model import build_model
from companion.records import documented_namedtuple
from companion.seq2seq import Seq2Seq

FORMAT = "companion-charlm"
VERSION = 2
INT8_VERSION = 3  # versión de los archivos con matrices en int8 (lleva "int8_scales")
READABLE_VERSIONS = (1, 2, 3)  # la 1 no lleva suma de comprobación de los pesos
PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained"
PRETRAINED_NAMES = ("rnn", "gru", "lstm", "lstm2", "lstm_large", "gru_small", "mingru")
SEQ2SEQ_FORMAT = "companion-seq2seq"  # los codificadores–decodificadores del capítulo 9 (save_seq2seq)
SEQ2SEQ_VERSION = 1
SEQ2SEQ_DIR = PRETRAINED_DIR / "seq2seq"
SEQ2SEQ_NAMES = ("roman_attention", "roman_no_attention", "reversal_attention", "reversal_no_attention")

Pretrained = documented_namedtuple(
    "Pretrained",
    "Lo que devuelven :func:`load_checkpoint` y :func:`load_pretrained`: el modelo, su vocabulario y sus "
    "metadatos. Se puede desempaquetar: ``model, vocab, metadata = load_pretrained('lstm')``.",
    model="El modelo (:class:`companion.model.CharLM`) con los pesos cargados, en modo evaluación.",
    vocab="El vocabulario (:class:`companion.data.Vocab`) con el que se entrenó el modelo.",
    metadata="Diccionario de metadatos (corpus y su suma de comprobación, épocas, tiempo, perplejidades de "
             "validación y de prueba y la orden que reproduce el modelo).")


def round_to_half(model) -> None:
    """Redondea en el sitio los pesos de coma flotante de ``model`` a float16 (y los deja en su tipo original).

    Sirve para medir la perplejidad exactamente con los pesos que se guardarán con ``half=True``.
    """
    with torch.no_grad():
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.copy_(tensor.half())


def quantize_int8(weight: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Cuantiza una matriz en int8, simétrica y por fila: devuelve ``(q, s)`` con ``weight ≈ q · s``.

    Para cada fila i (el primer índice; en ``nn.LSTM`` y ``nn.GRU``, una unidad de una compuerta)::

        s_i = max_j |w_ij| / 127,    q_ij = redondeo(w_ij / s_i) ∈ {−127, …, 127},

    así que el error de cada peso es como mucho s_i / 2. Una fila de ceros recibe escala 1. La escala se
    guarda en float32 (una por fila: apenas ocupa).
    """
    if not weight.is_floating_point() or weight.dim() < 2:
        raise ValueError(f"Solo se cuantizan matrices de coma flotante, no un tensor {weight.dtype} de forma "
                         f"{tuple(weight.shape)}.")
    w = weight.detach().float()
    scale = w.abs().reshape(w.shape[0], -1).amax(dim=1) / 127
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    q = torch.round(w / scale.view(-1, *([1] * (w.dim() - 1)))).clamp_(-127, 127).to(torch.int8)
    return q, scale


def dequantize_int8(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Inversa de :func:`quantize_int8`: ``q · s`` en float32."""
    return q.float() * scale.float().view(-1, *([1] * (q.dim() - 1)))


def _int8_names(state_dict) -> list[str]:
    """Tensores que se cuantizan en int8: las matrices de coma flotante (los sesgos, 1-D, quedan en float16)."""
    return [k for k, v in state_dict.items() if v.is_floating_point() and v.dim() >= 2]


def round_to_int8(model) -> None:
    """Sustituye en el sitio cada matriz de ``model`` por su versión cuantizada en int8 y los demás pesos por
    su redondeo a float16 (sin cambiar su tipo): así se mide la perplejidad con los pesos que guardará
    ``save_checkpoint(..., int8=True)``."""
    with torch.no_grad():
        state = model.state_dict()
        matrices = set(_int8_names(state))
        for key, tensor in state.items():
            if key in matrices:
                tensor.copy_(dequantize_int8(*quantize_int8(tensor)))
            elif tensor.is_floating_point():
                tensor.copy_(tensor.half())


def weights_checksum(state_dict) -> str:
    """SHA-256 (en hexadecimal) de unos pesos: nombres, tipos, formas y bytes de cada tensor, en orden alfabético.

    Es la suma que :func:`save_checkpoint` guarda en el punto de control y que :func:`load_checkpoint`
    comprueba: basta cambiar un solo byte de un peso para que no coincida.
    """
    digest = hashlib.sha256()
    for key in sorted(state_dict):
        tensor = state_dict[key].detach().cpu().contiguous()
        digest.update(f"{key}|{tensor.dtype}|{tuple(tensor.shape)}|".encode("utf-8"))
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def _first_non_finite(state_dict):
    """Nombre del primer tensor de coma flotante con algún NaN o infinito, o ``None`` si todos son finitos."""
    for key, tensor in state_dict.items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            return key
    return None


def save_checkpoint(path, model, vocab, metadata=None, *, half=False, int8=False) -> Path:
    """Guarda ``model`` (un CharLM construido con ``build_model``), ``vocab`` y ``metadata`` en ``path``.

    La escritura es atómica: se escribe un archivo temporal en la misma carpeta y se renombra con
    ``os.replace``, así que nunca queda un archivo a medio escribir. ``half=True`` guarda los pesos en
    float16; ``int8=True`` guarda las matrices en int8 con una escala por fila (:func:`quantize_int8`) y los
    sesgos en float16: un cuarto del espacio de float32. Con los pesos se guarda su suma de comprobación
    (:func:`weights_checksum`). Un modelo con
    pesos no finitos (NaN o infinitos, por ejemplo tras un entrenamiento que divergió) no se guarda.
    Devuelve la ruta escrita.
    """
    config = getattr(model, "config", None)
    if not isinstance(config, dict):
        raise TypeError("El modelo no tiene un atributo `config` (dict): construya el modelo con "
                        "companion.model.build_model para poder guardarlo y reconstruirlo.")
    if not isinstance(vocab, Vocab):
        raise TypeError(f"vocab debe ser un companion.data.Vocab y se recibió {type(vocab).__name__}.")
    if config.get("vocab_size") is not None and config["vocab_size"] != len(vocab):
        raise ValueError(f"El modelo espera {config['vocab_size']} símbolos y el vocabulario tiene {len(vocab)}: "
                         "guarde el vocabulario con el que se entrenó el modelo.")
    state, scales = _stored_state(model, half=half, int8=int8)
    payload = {"format": FORMAT, "version": INT8_VERSION if int8 else VERSION, "config": dict(config),
               "vocab": vocab.to_dict(), "state_dict": state,
               "weights_sha256": weights_checksum(_with_scales(state, scales)), "metadata": dict(metadata or {})}
    if int8:
        payload["int8_scales"] = scales
    return _write(path, payload)


def save_seq2seq(path, model, metadata=None) -> Path:
    """Guarda un :class:`~companion.seq2seq.Seq2Seq` en float16 con su configuración (que incluye sus dos
    vocabularios), ``metadata`` y la suma de comprobación de los pesos; :func:`load_seq2seq` lo lee.

    Como :func:`save_checkpoint`: escritura atómica, metadatos con tipos simples, y un modelo con pesos no
    finitos no se guarda. Devuelve la ruta escrita.
    """
    if not isinstance(model, Seq2Seq):
        raise TypeError(f"save_seq2seq guarda un companion.seq2seq.Seq2Seq, no un {type(model).__name__}: "
                        "para un modelo de lenguaje use save_checkpoint.")
    state, _ = _stored_state(model, half=True)
    return _write(path, {"format": SEQ2SEQ_FORMAT, "version": SEQ2SEQ_VERSION, "config": dict(model.config),
                         "state_dict": state, "weights_sha256": weights_checksum(state),
                         "metadata": dict(metadata or {})})


def _stored_state(model, *, half=False, int8=False) -> tuple[dict, dict]:
    """Los pesos de ``model`` tal como se guardan (en CPU; float16 con ``half``; matrices en int8 con ``int8``) y
    las escalas int8. Rechaza un modelo con pesos no finitos (también los que desbordan float16)."""
    state, scales = {}, {}
    source = {key: tensor.detach().cpu() for key, tensor in model.state_dict().items()}
    bad = _first_non_finite(source) if int8 else None
    matrices = set(_int8_names(source)) if int8 and bad is None else set()
    for key, tensor in source.items():
        if key in matrices:
            state[key], scales[key] = quantize_int8(tensor)
        else:
            state[key] = tensor.half() if (half or int8) and tensor.is_floating_point() else tensor.clone()
    bad = bad or _first_non_finite(state)
    if bad is not None:
        where = " (en float16: el peso supera 65 504, el máximo de media precisión)" if half else ""
        raise ValueError(f"El peso {bad!r} del modelo tiene valores no finitos (NaN o infinito){where}: no se "
                         "guarda un modelo así. Si el entrenamiento divergió, repítalo con una tasa de "
                         "aprendizaje menor o con recorte del gradiente (--clip).")
    return state, scales


def _write(path, payload: dict) -> Path:
    """Escribe ``payload`` en ``path`` de forma atómica (:func:`companion.files.write_atomic`), tras comprobar
    que sus metadatos se podrán leer con ``weights_only=True``."""
    _check_plain(payload["metadata"], "metadata")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, lambda handle: torch.save(payload, handle))


def _with_scales(state, scales):
    """Pesos y escalas en un solo diccionario, para que la suma de comprobación cubra las dos cosas."""
    return {**state, **{f"{key}@int8_scale": scale for key, scale in scales.items()}}


def _check_plain(value, where):
    """Comprueba que ``value`` solo contiene tipos que ``torch.load(weights_only=True)`` sabe leer."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_plain(item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where} tiene una clave {key!r} que no es una cadena: use claves de texto.")
            _check_plain(item, f"{where}[{key!r}]")
    else:
        raise TypeError(f"{where} contiene un valor de tipo {type(value).__name__}: los metadatos solo pueden "
                        "tener números, cadenas, booleanos, None, listas y diccionarios (conviértalo, por "
                        "ejemplo con str o float).")


def load_checkpoint(path, map_location="cpu", *, vocab=None) -> Pretrained:
    """Carga un punto de control escrito por :func:`save_checkpoint` y devuelve ``Pretrained(model, vocab, metadata)``.

    El modelo se reconstruye con ``build_model(**config)``, recibe los pesos en float32 y queda en modo
    evaluación. Si se pasa ``vocab``, se comprueba que coincide con el guardado. Un archivo dañado (también
    uno que PyTorch lee pero cuyos pesos no coinciden con su suma de comprobación), de otro formato, con una
    configuración inválida, con pesos que no encajan o con pesos no finitos produce un ``ValueError`` que
    explica el problema.
    """
    name, remedy = str(path), "`python -m companion train`"
    payload = _read(path, FORMAT, READABLE_VERSIONS, "save_checkpoint", remedy)
    state = payload["state_dict"]
    scales = payload.get("int8_scales", {}) if payload["version"] == INT8_VERSION else {}
    if not isinstance(scales, dict) or not all(
            isinstance(v, torch.Tensor) and k in state and state[k].dtype == torch.int8
            and v.dim() == 1 and len(v) == state[k].shape[0] for k, v in scales.items()) or any(
            v.dtype == torch.int8 and k not in scales for k, v in state.items()):
        raise ValueError(f"Las escalas int8 de {name!r} no encajan con sus pesos: el archivo está dañado; "
                         "vuelva a descargarlo o a generarlo.")
    state = _verified_weights(payload, scales, name, remedy, sum_optional=payload["version"] == 1)
    config = payload.get("config")
    problem = config_problem(config)
    if problem is not None:
        raise ValueError(f"La configuración guardada en {name!r} no es válida: {problem}. El archivo está dañado "
                         f"o se escribió a mano; vuelva a generarlo con {remedy}.")
    try:
        stored_vocab = Vocab.from_dict(payload.get("vocab"))
        model = build_model(**config)
    except (TypeError, ValueError) as error:
        raise ValueError(f"El punto de control {name!r} tiene una configuración o un vocabulario inválidos "
                         f"({error}).") from error
    if len(stored_vocab) != config["vocab_size"]:
        raise ValueError(f"El vocabulario guardado en {name!r} tiene {len(stored_vocab)} símbolos pero el "
                         f"modelo espera {config['vocab_size']}: el archivo es incoherente; vuelva a generarlo.")
    if vocab is not None and vocab != stored_vocab:
        raise ValueError(vocab_mismatch_message(stored_vocab, vocab, path))
    _load_weights(model, state, name, config)
    model.to(map_location if map_location is not None else "cpu")
    return Pretrained(model, stored_vocab, payload["metadata"])


def load_seq2seq(name_or_path) -> tuple:
    """Carga un :class:`~companion.seq2seq.Seq2Seq` guardado con :func:`save_seq2seq`, o uno de los del paquete
    por su nombre (``SEQ2SEQ_NAMES``): devuelve ``(modelo en modo evaluación, metadatos)``.

    Se comprueba lo mismo que en :func:`load_checkpoint`: formato, suma de comprobación de los pesos (un archivo
    dañado o modificado después de guardarlo se rechaza con un ``ValueError``), pesos finitos y que encajen con
    la configuración.
    """
    path, remedy = Path(name_or_path), "scripts/train_seq2seq.py"
    if name_or_path in SEQ2SEQ_NAMES:
        path = pretrained_path(name_or_path)
    elif not path.suffix:
        raise FileNotFoundError(f"No existe el modelo {str(name_or_path)!r}: use uno de {', '.join(SEQ2SEQ_NAMES)} "
                                f"o la ruta de un archivo escrito por save_seq2seq ({remedy} los crea).")
    name = str(path)
    payload = _read(path, SEQ2SEQ_FORMAT, (SEQ2SEQ_VERSION,), "save_seq2seq", remedy)
    state = _verified_weights(payload, {}, name, remedy)
    try:
        model = Seq2Seq(**payload.get("config"))
    except (TypeError, ValueError) as error:
        raise ValueError(f"La configuración guardada en {name!r} no es válida ({error}): el archivo está dañado o "
                         f"se escribió a mano; vuelva a generarlo con {remedy}.") from error
    _load_weights(model, state, name, model.config)
    return model, payload["metadata"]


def _read(path, fmt: str, versions, saver: str, remedy: str) -> dict:
    """Lee con ``torch.load(weights_only=True)`` un punto de control del formato ``fmt`` y una de las
    ``versions``, y comprueba que trae un diccionario de pesos; los mensajes de error nombran la función que
    escribe ese formato (``saver``) y la orden que lo vuelve a generar (``remedy``)."""
    path = Path(path)
    name = str(path)
    if path.is_dir():
        raise IsADirectoryError(f"{name!r} es una carpeta, no un punto de control: indique el archivo .pt.")
    if not path.is_file():
        raise FileNotFoundError(f"No existe el punto de control {name!r}: revise la ruta.")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise ValueError(f"No se pudo leer {name!r}: el archivo está dañado o no es un punto de control "
                         f"de PyTorch ({type(error).__name__}). Vuelva a generarlo con {remedy}.") from error
    if not isinstance(payload, dict) or payload.get("format") != fmt:
        raise ValueError(f"{name!r} no es un punto de control de este curso (falta el formato {fmt!r}): "
                         f"use un archivo guardado con companion.checkpoint.{saver}.")
    version = payload.get("version")
    if version not in versions:
        raise ValueError(f"{name!r} tiene la versión de formato {version!r} y este paquete lee las "
                         f"{', '.join(map(str, versions))}: actualice el paquete o vuelva a entrenar el modelo.")
    state = payload.get("state_dict")
    if not isinstance(state, dict) or not state or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise ValueError(f"{name!r} no contiene pesos válidos (se esperaba un diccionario de tensores en "
                         "'state_dict'): el archivo está dañado; vuelva a generarlo.")
    if not isinstance(payload.get("metadata"), dict):
        payload["metadata"] = {}
    return payload


def _verified_weights(payload: dict, scales: dict, name: str, remedy: str, *, sum_optional: bool = False) -> dict:
    """Los pesos de ``payload`` tras comprobar su suma (``sum_optional``: si la lleva), devueltos a coma flotante
    si estaban en int8 y comprobados finitos."""
    state, stored_sum = payload["state_dict"], payload.get("weights_sha256")
    if not sum_optional or stored_sum is not None:
        if not isinstance(stored_sum, str):
            raise ValueError(f"A {name!r} le falta la suma de comprobación de los pesos: el archivo está dañado o "
                             "incompleto; vuelva a descargarlo o a generarlo.")
        if weights_checksum(_with_scales(state, scales)) != stored_sum:
            raise ValueError(f"Los pesos de {name!r} no coinciden con su suma de comprobación: el archivo se ha "
                             f"dañado (o modificado) después de guardarlo. Vuelva a descargarlo o a generarlo con "
                             f"{remedy}.")
    state = {k: dequantize_int8(v, scales[k]) if k in scales else v for k, v in state.items()}
    bad = _first_non_finite(state)
    if bad is not None:
        raise ValueError(f"El peso {bad!r} de {name!r} tiene valores no finitos (NaN o infinito): el modelo "
                         "no puede dar probabilidades. Vuelva a entrenarlo (con una tasa de aprendizaje menor o "
                         "con --clip si el entrenamiento divergió).")
    return state


def _load_weights(model, state: dict, name: str, config) -> None:
    """Pone ``state`` en ``model`` (en el tipo de sus parámetros, float32) si encaja, y lo deja en evaluación."""
    reference = model.state_dict()
    if set(state) != set(reference) or any(state[k].shape != reference[k].shape for k in reference):
        raise ValueError(f"Los pesos de {name!r} no encajan con el modelo descrito por su configuración "
                         f"{config}: el archivo es incoherente; vuelva a generarlo.")
    model.load_state_dict({k: v.to(reference[k].dtype) for k, v in state.items()})
    model.eval()


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def config_problem(config) -> str | None:
    """Describe en español qué falla en una configuración de :func:`companion.model.build_model`, o ``None``.

    Se comprueba antes de construir el modelo, para que un punto de control dañado o escrito a mano dé un
    mensaje claro (en lugar de un error de PyTorch): claves conocidas, tipos y rangos de cada valor.
    """
    if not isinstance(config, dict):
        return f"se esperaba un diccionario y hay {type(config).__name__}"
    known = set(inspect.signature(build_model).parameters)
    unknown = sorted(set(map(str, config)) - known)
    if unknown:
        return f"claves desconocidas {unknown} (las válidas son {', '.join(sorted(known))})"
    for key in ("cell", "vocab_size", "hidden_size"):
        if key not in config:
            return f"falta la clave {key!r}"
    from companion.model import CELLS

    checks = {
        "cell": (lambda v: v in CELLS, f"una de {', '.join(map(repr, CELLS))}"),
        "vocab_size": (lambda v: _is_int(v) and v >= 1, "un entero positivo"),
        "hidden_size": (lambda v: _is_int(v) and v >= 1, "un entero positivo"),
        "num_layers": (lambda v: _is_int(v) and v >= 1, "un entero positivo"),
        "embedding_dim": (lambda v: v is None or (_is_int(v) and v >= 1), "None o un entero positivo"),
        "bidirectional": (lambda v: isinstance(v, bool), "True o False"),
        "scratch": (lambda v: isinstance(v, bool), "True o False"),
        "forget_bias": (lambda v: v is None or _is_real(v), "None o un número finito"),
    }
    for key in ("dropout", "embedding_dropout", "output_dropout", "weight_drop"):
        checks[key] = (lambda v: _is_real(v) and 0 <= v < 1, "una probabilidad en [0, 1)")
    for key, (ok, expected) in checks.items():
        if key in config and not ok(config[key]):
            return f"{key} debe ser {expected}, no {config[key]!r}"
    return None


def vocab_mismatch_message(stored, expected, path) -> str:
    """Mensaje de error que describe en qué difieren dos vocabularios."""
    missing = sorted(set(expected.itos) - set(stored.itos))
    extra = sorted(set(stored.itos) - set(expected.itos))
    detail = []
    if missing:
        detail.append(f"faltan en el punto de control {missing}")
    if extra:
        detail.append(f"sobran {extra}")
    if not detail:
        detail.append("los mismos símbolos están en otro orden")
    return (f"El vocabulario de {str(path)!r} no coincide con el del texto ({'; '.join(detail)}): "
            "el modelo se entrenó con otro corpus; entrénelo de nuevo con este texto.")


def load_pretrained(name: str, map_location="cpu") -> Pretrained:
    """Carga uno de los modelos preentrenados del paquete (``PRETRAINED_NAMES``): ``"rnn"``, ``"gru"``, ``"lstm"``,
    ``"lstm2"`` y ``"lstm_large"``, y la pareja de la comparación de recurrencias lineales, ``"gru_small"`` y
    ``"mingru"``.

    Cada uno se entrenó sobre el 90 % inicial del Quijote limpio; ``metadata`` guarda su perplejidad de
    validación y de prueba, el tiempo de entrenamiento y la orden exacta que lo reproduce.
    """
    if name not in PRETRAINED_NAMES:
        raise ValueError(f"Modelo preentrenado desconocido {name!r}: use uno de {', '.join(PRETRAINED_NAMES)}.")
    return load_checkpoint(pretrained_path(name), map_location=map_location)


def pretrained_path(name: str) -> Path:
    """Ruta del archivo de un modelo preentrenado del paquete: uno de ``PRETRAINED_NAMES`` (modelos de lenguaje)
    o de ``SEQ2SEQ_NAMES`` (los codificadores–decodificadores del capítulo 9). ``ValueError`` si el nombre no es
    de ninguno; ``FileNotFoundError`` si falta su archivo."""
    folder = {**dict.fromkeys(PRETRAINED_NAMES, PRETRAINED_DIR), **dict.fromkeys(SEQ2SEQ_NAMES, SEQ2SEQ_DIR)}
    if name not in folder:
        raise ValueError(f"Modelo preentrenado desconocido {name!r}: use uno de "
                         f"{', '.join(PRETRAINED_NAMES + SEQ2SEQ_NAMES)}.")
    path = folder[name] / f"{name}.pt"
    if not path.is_file():
        raise FileNotFoundError(f"Falta el archivo {str(path)!r} del modelo preentrenado {name!r}: reinstale el "
                                "paquete o reprodúzcalo con la orden indicada en el README.")
    return path
