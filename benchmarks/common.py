"""Lo que comparten los bancos de pruebas: escribir un resultado sin dejar nunca un archivo a medias."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Escribe ``text`` en ``path`` mediante un archivo temporal de la misma carpeta y ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False, encoding="utf-8") as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)
