"""Un cuaderno ejecutado como cuaderno de Colab: Markdown corriente, salidas limpias y celda de preparación fijada."""
from __future__ import annotations

import copy
import re
from typing import Callable, Optional

from .bibliography import references_markdown
from .context import Context
from .directives import REFERENCES_PLACE
from .glue import plain
from .markdown import convert_markdown

SETUP_MARKER = "# Preparación del entorno"
GLUE_PREFIX = "application/papermill.record/"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
HIDDEN_TAGS = {"remove-cell", "remove-input", "hide-input", "hide-cell"}
DEFAULT_URL = re.compile(r'(?P<head>default_url = "git\+[^"@]+)@(?P<ref>[^"]+)"')
INTRO = """> **Edición para Colab** del {chapter} del curso [{project}]({page}), con las salidas que calculó la
> construcción del libro{built}. Para ejecutarlo, empiece por la primera celda de código, la celda de preparación:
> instala el paquete del curso{pinned}. Después ejecute las demás en orden. Basta con una CPU; no hace falta un
> entorno con GPU."""

# (id del widget, estados de los widgets del cuaderno) → HTML estático ("" si no se sabe dibujar)
WidgetDrawer = Callable[[str, dict], str]


def hide(cell: dict) -> None:
    """Pliega la celda: ``cellView: form`` en Colab, ``source_hidden`` en Jupyter."""
    meta = cell.setdefault("metadata", {})
    meta["cellView"] = "form"
    meta.setdefault("jupyter", {})["source_hidden"] = True


def render_widgets(outputs: list, models: dict, draw: Optional[WidgetDrawer] = None) -> list:
    """Sustituye las barras de progreso (widgets) por su dibujo estático, o las quita si no se pueden dibujar."""
    result = []
    for output in outputs:
        data = output.get("data", {})
        if WIDGET_VIEW not in data:
            result.append(output)
            continue
        html = draw(data[WIDGET_VIEW].get("model_id", ""), models) if models and draw else ""
        if html:
            result.append({"output_type": "display_data", "metadata": {}, "data": {"text/html": html}})
    return result


def pin_setup(source: str, commit: str) -> str:
    """La celda de preparación con ``default_url`` fijado a ``commit`` en lugar de la rama."""
    return DEFAULT_URL.sub(lambda m: f'{m.group("head")}@{commit}"', source, count=1)


def intro_markdown(project: str, page: str, commit: str = "", number: Optional[str] = None) -> str:
    """Primera celda: qué es el cuaderno y cómo usarlo (``number``: el del capítulo, si lo tiene)."""
    built = f" (commit `{commit[:12]}`)" if commit else ""
    pinned = " de ese mismo commit" if commit else ""
    chapter = f"capítulo {number}" if number else "capítulo"
    return INTRO.format(chapter=chapter, project=project, page=page, built=built, pinned=pinned)


def is_glue_output(output: dict) -> bool:
    """¿Es la salida oculta con la que ``glue`` publica un valor (no se ve en el sitio)?"""
    return bool(output.get("metadata", {}).get("scrapbook", {}).get("mime_prefix")) or any(
        k.startswith(GLUE_PREFIX) for k in output.get("data", {}))


def convert_code_cell(cell: dict, ctx: Context, models: dict, commit: str, draw: Optional[WidgetDrawer]) -> None:
    """Salidas sin ``glue`` y con los widgets dibujados; celdas ocultas plegadas; la de preparación, fijada."""
    source = plain(cell.get("source", ""))
    tags = set(cell.get("metadata", {}).get("tags", []))
    outputs = render_widgets([o for o in cell.get("outputs", []) if not is_glue_output(o)], models, draw)
    cell["outputs"] = [] if "remove-output" in tags else outputs
    is_setup = source.startswith(SETUP_MARKER)
    if not is_setup and tags & HIDDEN_TAGS:
        hide(cell)
    if "hide-output" in tags:
        cell.setdefault("metadata", {}).setdefault("jupyter", {})["outputs_hidden"] = True
    if is_setup:
        cell.get("metadata", {}).pop("tags", None)
        if commit:
            pinned = pin_setup(source, commit)
            if pinned == source:
                ctx.problem(f"{ctx.docname}: la celda de preparación no tiene «default_url = \"git+…@…\"»")
            cell["source"] = pinned


def place_references(cells: list, ctx: Context) -> None:
    """La lista de referencias citadas donde el capítulo pone ``{footbibliography}`` o, si no, al final."""
    if ctx.cited:
        refs = references_markdown(ctx)
        placed = False
        for cell in cells:
            if cell["cell_type"] == "markdown" and REFERENCES_PLACE in cell["source"]:
                cell["source"] = cell["source"].replace(REFERENCES_PLACE, refs)
                placed = True
        if not placed:
            cells.append({"cell_type": "markdown", "metadata": {}, "source": "## Referencias\n\n" + refs})
    for cell in cells:
        if cell["cell_type"] == "markdown":
            cell["source"] = cell["source"].replace(REFERENCES_PLACE, "").strip("\n")


def convert_notebook(nb: dict, ctx: Context, intro: str = "", commit: str = "",
                     draw_widget: Optional[WidgetDrawer] = None) -> dict:
    """Devuelve la edición para Colab de un cuaderno ejecutado (no modifica ``nb``).

    ``intro``: Markdown de la primera celda; ``commit``: el de la construcción, al que se fija la celda de
    preparación; ``draw_widget``: dibuja una barra de progreso como HTML estático (sin él, se quitan).
    """
    nb = copy.deepcopy(nb)
    models = ((nb.get("metadata", {}).get("widgets") or {}).get(WIDGET_STATE) or {}).get("state", {})
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = convert_markdown(plain(cell.get("source", "")), ctx)
            if not cell.get("attachments"):
                cell.pop("attachments", None)
        elif cell["cell_type"] == "code":
            convert_code_cell(cell, ctx, models, commit, draw_widget)
    cells = list(nb["cells"])
    place_references(cells, ctx)
    nb["cells"] = [c for c in cells if c["cell_type"] != "markdown" or c["source"].strip()]
    if intro:
        nb["cells"].insert(0, {"cell_type": "markdown", "id": "edicion-colab", "metadata": {}, "source": intro})
    meta = nb.setdefault("metadata", {})
    meta.pop("widgets", None)
    meta["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    meta["colab"] = {"provenance": []}
    return nb
