"""Números de capítulo, sección, ejercicio y figura: nunca escritos a mano en el texto del libro.

Sphinx numera los capítulos (``numbered`` en ``_toc.yml``), sus secciones, figuras y ejercicios
(«Figura 5.1», «Ejercicio 5.2»), y la edición para Colab toma esos mismos números. Una referencia se escribe
con ``{numref}`` (``{numref}`capítulo %s <cap-lstm>```) o ``{ref}``, que la construcción estricta comprueba;
un número tecleado («ejercicio 5», «sección 7.3») no lo comprueba nadie y queda mal en cuanto cambia el orden.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
PAGES = [ROOT / "book" / "intro.md"]  # la portada también remite a los capítulos
HAND_NUMBER = re.compile(
    r"\b(?:cap[ií]tulos?|secci[oó]n(?:es)?|ejercicios?|figuras?|tablas?)\s+\d", re.IGNORECASE)
# Lo que no es prosa: bloques y fragmentos de código, fórmulas, roles de MyST y direcciones.
NOT_PROSE = [re.compile(p, re.S) for p in (r"```.*?```", r"`[^`]*`", r"\$\$.*?\$\$", r"\$[^$\n]*\$",
                                            r"https?://\S+")]


def prose(text: str) -> str:
    text = re.sub(r"\{[\w:-]+\}`[^`]*`", "", text)  # roles: {numref}`capítulo %s <cap-x>`
    for pattern in NOT_PROSE:
        text = pattern.sub("", text)
    return text


def markdown_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("path", CHAPTERS + PAGES, ids=lambda p: p.name)
def test_no_hand_typed_numbers(path):
    texts = markdown_cells(path) if path.suffix == ".ipynb" else [path.read_text(encoding="utf-8")]
    found = [m.group(0) for text in texts for m in HAND_NUMBER.finditer(prose(text))]
    assert found == [], (f"{path.name}: números escritos a mano {found}; use {{numref}}`capítulo %s <cap-…>` "
                         "(o «ejercicio %s», «sección %s», «Figura %s») con la etiqueta del destino")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_title_labelled_and_unnumbered(path):
    """El título lleva una etiqueta ``(cap-…)=`` para {numref} y ningún número: lo pone Sphinx."""
    first = markdown_cells(path)[0]
    match = re.match(r"\((?P<label>cap-[\w-]+)\)=\n# (?P<title>.+)", first)
    assert match, f"{path.name}: la primera celda de Markdown debe empezar con «(cap-…)=» y el título «# …»"
    assert not re.match(r"\d", match.group("title")), f"{path.name}: el título no lleva número (lo pone Sphinx)"


def test_chapters_numbered_in_toc():
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    numbered = [part for part in toc["parts"] if part.get("numbered")]
    assert len(numbered) == 1, "Solo la parte de los capítulos se numera (cada parte numerada empieza en 1)"
    files = [entry["file"] for entry in numbered[0]["chapters"]]
    assert files == [f"book/{p.stem}" for p in CHAPTERS], "La parte numerada son los capítulos, en orden"
