"""Lo que ve el lector en las salidas de las celdas, sin navegador.

* Las tablas de resultados (``companion.display.show_table``) llegan al sitio como tablas: cada capítulo
  tiene en sus salidas al menos tantos ``<table>`` como llamadas a ``show_table`` en sus celdas visibles.
* En ninguna página queda Markdown o TeX sin componer fuera del código: ni filas de tabla (``|---``,
  ``|—|``, ``—:|``) ni fórmulas ``$…$`` (MathJax solo compone las que Sphinx marca como matemáticas).
* En la edición para Colab, esas tablas llegan como Markdown de tablas bien formado (Colab lo compone
  como tabla, con sus fórmulas), con su versión en texto.
* Los desplegables (soluciones de los ejercicios) tratan de usted: «Pulse para mostrar», nunca «Haz clic».
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from site_helpers import COLAB, ROOT, SITE, page_id, parse

RAW_TABLE = re.compile(r"\|\s*:?-{3,}|\|\s*:?—+:?\s*\||—:\s*\|")
RAW_MATH = re.compile(r"(?<![\\$\w])\$(?!\s)[^$\n]{1,200}?(?<!\s)\$(?![\w$])")
HIDDEN = {"remove-cell", "remove-output"}


class OutputTables(HTMLParser):
    """Cuenta las ``<table>`` que hay dentro de las salidas de las celdas (``div.cell_output``)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # profundidad de <div> dentro de una salida (0: fuera)
        self.tables = 0

    def handle_starttag(self, tag, attrs):
        if tag == "div":
            classes = (dict(attrs).get("class") or "").split()
            if self.depth or "cell_output" in classes:
                self.depth += 1
        elif tag == "table" and self.depth:
            self.tables += 1

    def handle_endtag(self, tag):
        if tag == "div" and self.depth:
            self.depth -= 1


def shown_tables(chapter: str) -> int:
    nb = json.loads((ROOT / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    count = 0
    for cell in nb["cells"]:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] == "code" and not tags & HIDDEN:
            count += len(re.findall(r"\bshow_table\(", "".join(cell["source"])))
    return count


def test_tables_are_tables(site, chapter):
    parser = OutputTables()
    parser.feed((site / f"{chapter}.html").read_text(encoding="utf-8"))
    wanted = shown_tables(chapter)
    assert parser.tables >= wanted, (
        f"{chapter}: {wanted} llamadas a show_table pero {parser.tables} <table> en las salidas; "
        "¿se compone el Markdown de las salidas con MyST (nb_render_markdown_format en _config.yml)?"
    )


def test_colab_tables_are_markdown_tables(site, chapter):
    path = COLAB / f"{chapter}.ipynb"
    assert path.is_file(), f"No se construyó la edición para Colab de {chapter}"
    nb = json.loads(path.read_text(encoding="utf-8"))
    tables = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            markdown = "".join(output.get("data", {}).get("text/markdown", ""))
            if re.search(r"^\|[-:|]+\|$", markdown, re.M):
                tables.append((cell.get("id"), markdown, output["data"]))
    assert len(tables) >= shown_tables(chapter), f"{chapter}: faltan tablas en la edición para Colab"
    for cell_id, markdown, data in tables:
        lines = markdown.strip().split("\n")
        columns = {line.replace("\\|", "").count("|") for line in lines}
        assert len(lines) >= 3 and len(columns) == 1, f"{chapter} (celda {cell_id}): tabla mal formada"
        assert "text/plain" in data and "$" not in "".join(data["text/plain"]), (
            f"{chapter} (celda {cell_id}): la tabla no tiene versión en texto llano"
        )


def test_no_raw_markdown_or_tex(page_path):
    text = parse(page_path).text
    rows = sorted(set(RAW_TABLE.findall(text)))
    assert not rows, f"{page_id(page_path)}: tabla en Markdown sin componer ({rows})"
    formulas = sorted(set(RAW_MATH.findall(text)))
    assert not formulas, f"{page_id(page_path)}: fórmulas $…$ sin componer: {formulas[:5]}"


def test_raw_patterns_detected():
    assert RAW_TABLE.search("| Modelo | Prueba | |---|---:|")
    assert RAW_TABLE.search("| Modelo | Prueba | |—|—:|")
    assert RAW_MATH.search("media de $1-H^2$ y $\\rho$")
    assert not RAW_MATH.search("cuesta 5 $ y 3 $") and not RAW_TABLE.search("a | b — c")
    assert SITE.name == "html"


TU_UI = re.compile(r"\b(?:haz clic|pulsa para|descarga esta)\b", re.I)


def test_toggle_hints_in_usted(page_path):
    html = page_path.read_text(encoding="utf-8")
    found = sorted(set(m.group(0) for m in TU_UI.finditer(html)))
    assert not found, f"{page_id(page_path)}: textos de la interfaz que tutean: {found}"
    hints = re.findall(r"let toggleHint(?:Show|Hide) = '([^']*)'", html)
    assert all(h in ("Pulse para mostrar", "Pulse para ocultar") for h in hints), (
        f"{page_id(page_path)}: indicaciones de los desplegables {hints}; se toman de "
        "locales/es/LC_MESSAGES/togglebutton.po (_ext/spanish_ui.py)"
    )
