"""Escritura atómica de archivos: o el archivo completo, o el que había antes; nunca uno a medias."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Callable

__all__ = ["write_atomic"]


def write_atomic(path, write: Callable[[IO], None], *, text: bool = False) -> Path:
    """Escribe ``path`` con ``write(archivo)`` a través de un temporal de la misma carpeta y ``os.replace``.

    ``write`` recibe el archivo temporal abierto (binario, o de texto UTF-8 con ``text=True``) y lo llena; si
    lanza una excepción (o el proceso se interrumpe con Ctrl-C) el temporal se borra y ``path`` queda como
    estaba. Solo cuando ``write`` termina, y los datos están en el disco (``fsync``), el temporal sustituye a
    ``path`` de una vez: un lector nunca ve un archivo a medio escribir. La carpeta debe existir.
    Devuelve ``path`` como ``Path``.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w" if text else "wb", **({"encoding": "utf-8"} if text else {})) as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp crea el archivo solo legible por su dueño
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
