"""Lo que comparten los bancos de pruebas: escribir un resultado sin dejar nunca un archivo a medias."""
from __future__ import annotations

from pathlib import Path

from companion.files import write_atomic as _write_atomic


def write_atomic(path: Path, text: str) -> None:
    """Escribe ``text`` en ``path`` (creando su carpeta) de forma atómica (:func:`companion.files.write_atomic`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, lambda handle: handle.write(text), text=True)
