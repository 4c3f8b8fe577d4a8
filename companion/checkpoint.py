"""Puntos de control (*checkpoints*): guardar y cargar un modelo con su vocabulario y sus metadatos.

Un punto de control es un diccionario guardado con ``torch.save`` que solo contiene tensores, números,
cadenas, listas y diccionarios, para poder leerlo con ``torch.load(weights_only=True)`` (que no ejecuta
código arbitrario):

    {"format": "companion-charlm", "version": 1,
     "config": model.config,          # argumentos de build_model
     "vocab": vocab.to_dict(),
     "state_dict": {...},             # pesos (float16 si se guardó con half=True)
     "metadata": {...}}               # suma de comprobación del corpus, épocas, tiempo, perplejidades…

Los modelos preentrenados del paquete se guardan en float16 (la mitad de espacio) y se cargan en float32;
sus perplejidades de los metadatos se midieron con esos mismos pesos redondeados.
"""
from __future__ import annotations

import os
import tempfile
from collections import namedtuple
from pathlib import Path

import torch

from companion.data import Vocab
from companion.model import build_model

FORMAT = "companion-charlm"
VERSION = 1
PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained"
PRETRAINED_NAMES = ("rnn", "gru", "lstm", "lstm2")

Pretrained = namedtuple("Pretrained", ["model", "vocab", "metadata"])
Pretrained.__doc__ = "Modelo cargado de un punto de control: ``model`` (CharLM en modo eval), ``vocab`` y ``metadata``."


def round_to_half(model) -> None:
    """Redondea en el sitio los pesos de coma flotante de ``model`` a float16 (y los deja en su tipo original).

    Sirve para medir la perplejidad exactamente con los pesos que se guardarán con ``half=True``.
    """
    with torch.no_grad():
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.copy_(tensor.half())


def save_checkpoint(path, model, vocab, metadata=None, *, half=False) -> Path:
    """Guarda ``model`` (un CharLM construido con ``build_model``), ``vocab`` y ``metadata`` en ``path``.

    La escritura es atómica: se escribe un archivo temporal en la misma carpeta y se renombra con
    ``os.replace``, así que nunca queda un archivo a medio escribir. ``half=True`` guarda los pesos en
    float16. Devuelve la ruta escrita.
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
    metadata = dict(metadata or {})
    _check_plain(metadata, "metadata")
    state = {}
    for key, tensor in model.state_dict().items():
        tensor = tensor.detach().cpu()
        state[key] = tensor.half() if half and tensor.is_floating_point() else tensor.clone()
    payload = {"format": FORMAT, "version": VERSION, "config": dict(config), "vocab": vocab.to_dict(),
               "state_dict": state, "metadata": metadata}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(payload, handle)
        os.chmod(tmp, 0o644)  # mkstemp crea el archivo solo legible por su dueño
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


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
    evaluación. Si se pasa ``vocab``, se comprueba que coincide con el guardado. Un archivo dañado, de otro
    formato o con pesos que no encajan produce un ``ValueError`` que explica el problema.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No existe el punto de control {str(path)!r}: revise la ruta.")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:
        raise ValueError(f"No se pudo leer {str(path)!r}: el archivo está dañado o no es un punto de control "
                         f"de PyTorch ({type(error).__name__}). Vuelva a generarlo con "
                         "`python -m companion train`.") from error
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"{str(path)!r} no es un punto de control de este curso (falta el formato {FORMAT!r}): "
                         "use un archivo guardado con companion.checkpoint.save_checkpoint.")
    if payload.get("version") != VERSION:
        raise ValueError(f"{str(path)!r} tiene la versión de formato {payload.get('version')!r} y este paquete lee "
                         f"la {VERSION}: actualice el paquete o vuelva a entrenar el modelo.")
    try:
        stored_vocab = Vocab.from_dict(payload["vocab"])
        config = payload["config"]
        model = build_model(**config)
    except Exception as error:
        raise ValueError(f"El punto de control {str(path)!r} tiene una configuración o un vocabulario inválidos "
                         f"({error}).") from error
    if len(stored_vocab) != config.get("vocab_size", len(stored_vocab)):
        raise ValueError(f"El vocabulario guardado en {str(path)!r} tiene {len(stored_vocab)} símbolos pero el "
                         f"modelo espera {config['vocab_size']}: el archivo es incoherente; vuelva a generarlo.")
    if vocab is not None and vocab != stored_vocab:
        raise ValueError(vocab_mismatch_message(stored_vocab, vocab, path))
    reference = model.state_dict()
    state = payload["state_dict"]
    if set(state) != set(reference) or any(state[k].shape != reference[k].shape for k in reference):
        raise ValueError(f"Los pesos de {str(path)!r} no encajan con el modelo descrito por su configuración "
                         f"{config}: el archivo es incoherente; vuelva a generarlo.")
    model.load_state_dict({k: v.to(reference[k].dtype) for k, v in state.items()})
    model.to(map_location if map_location is not None else "cpu")
    model.eval()
    return Pretrained(model, stored_vocab, payload.get("metadata", {}))


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
    """Carga uno de los modelos preentrenados del paquete: ``"rnn"``, ``"gru"``, ``"lstm"`` o ``"lstm2"``.

    Cada uno se entrenó sobre el 90 % inicial del Quijote limpio; ``metadata`` guarda su perplejidad de
    validación y de prueba, el tiempo de entrenamiento y la orden exacta que lo reproduce.
    """
    if name not in PRETRAINED_NAMES:
        raise ValueError(f"Modelo preentrenado desconocido {name!r}: use uno de {', '.join(PRETRAINED_NAMES)}.")
    path = PRETRAINED_DIR / f"{name}.pt"
    if not path.is_file():
        raise FileNotFoundError(f"Falta el archivo {str(path)!r} del modelo preentrenado {name!r}: reinstale el "
                                "paquete o reprodúzcalo con la orden indicada en el README.")
    return load_checkpoint(path, map_location=map_location)
