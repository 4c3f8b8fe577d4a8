"""La edición para Colab construida (``_build/colab``): un cuaderno por capítulo, legible sin MyST.

La escribe ``_ext/colab_edition.py`` al construir el libro; ``scripts/colab_stage.sh`` la ejecuta como en
Colab. Estas pruebas comprueban lo que verá el lector al abrirla: Markdown corriente (sin roles ni
directivas de MyST), los números calculados en el texto, las salidas de la construcción y la celda de
preparación a la vista.
"""
from __future__ import annotations

import json
import re
import sys

import pytest

from sitio import COLAB, ROOT

sys.path.insert(0, str(ROOT / "_ext"))
from colab_edition import SETUP_MARKER, myst_leftovers  # noqa: E402


def load(chapter: str) -> dict:
    path = COLAB / f"{chapter}.ipynb"
    if not path.is_file():
        pytest.fail(f"Falta {path}: la construcción del libro (jupyter-book build .) escribe la edición para Colab.")
    return json.loads(path.read_text(encoding="utf-8"))


def markdown(nb: dict) -> list[str]:
    return [c["source"] if isinstance(c["source"], str) else "".join(c["source"])
            for c in nb["cells"] if c["cell_type"] == "markdown"]


def test_no_myst_syntax_left(chapter):
    leftovers = [f for text in markdown(load(chapter)) for f in myst_leftovers(text)]
    assert leftovers == [], f"{chapter}: sintaxis de MyST en la edición para Colab: {leftovers[:5]}"


def test_glued_numbers_written_in(chapter):
    """Donde la fuente cita ``{glue:text}`` hay ahora un valor (y nunca el marcador de un valor ausente)."""
    source = json.loads((ROOT / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    glued = sum(len(re.findall(r"\{glue(?::\w+)?\}`", t)) for t in markdown(source))
    text = "\n".join(markdown(load(chapter)))
    assert "{glue" not in text and "**[" not in text
    if glued:
        assert re.search(r"\d", text)


def test_outputs_kept_and_setup_cell_visible(chapter):
    nb = load(chapter)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    setup = "".join(code[0]["source"])
    assert setup.startswith(SETUP_MARKER) and "google.colab" in setup
    assert "cellView" not in code[0].get("metadata", {}), "La celda de preparación debe verse en Colab"
    assert any(c.get("outputs") for c in code), f"{chapter}: la edición para Colab perdió las salidas"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_exercises_and_references_readable(chapter):
    text = "\n".join(markdown(load(chapter)))
    if "### Ejercicio" in text and "Solución del ejercicio" in text:
        assert text.count("<details>") == text.count("</details>") >= text.count("Solución del ejercicio")
    cites = re.findall(r"\((?:[^()]+?, (?:\d{4}|s\. f\.))(?:; [^()]+?, \d{4})*\)", text)
    if cites:
        assert "## Referencias" in text or "Referencias" in text, f"{chapter}: cita sin lista de referencias"
