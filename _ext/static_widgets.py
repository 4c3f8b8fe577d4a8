"""Barras de progreso de los cuadernos como HTML estático, sin JavaScript de internet.

Las celdas que entrenan muestran una barra de progreso de tqdm, que en Jupyter es un *widget*. myst-nb
guarda su estado final en la página y, para dibujarlo, carga require.js y el gestor de widgets desde un
CDN: sin conexión, la consola se llena de errores y la barra no aparece. Esta extensión:

* vacía ``nb_ipywidgets_js``, de modo que ninguna página carga esos scripts de internet;
* sustituye cada widget por un equivalente en HTML estático dibujado con su estado final (la barra de
  tqdm es una fila con su descripción, un ``<progress>`` y el texto «300/300 [00:31<00:00, …]»).

Solo se dibujan los widgets que usan las barras de tqdm (``HBox``, ``HTML``, ``Label``, ``FloatProgress``
e ``IntProgress``); cualquier otro se omite.
"""
from __future__ import annotations

import html
import json
import re

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
VIEW = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.S)


def render_widget(model_id: str, models: dict, depth: int = 0) -> str:
    """HTML estático del widget ``model_id`` con su estado final (``models``: id → modelo); ``""`` si no se sabe
    dibujar. Lo usa también la edición para Colab (``colab_edition.py``)."""
    model = models.get(model_id)
    if model is None or depth > 10:
        return ""
    name, state = model.get("model_name", ""), model.get("state", {})
    if name in ("HBoxModel", "VBoxModel", "BoxModel"):
        children = [render_widget(child.removeprefix("IPY_MODEL_"), models, depth + 1) for child in state.get("children", [])]
        direction = "column" if name == "VBoxModel" else "row"
        return (f'<div class="widget-estatico" style="display:flex;flex-direction:{direction};'
                f'flex-wrap:wrap;align-items:center;gap:0.5em;font-family:var(--pst-font-family-monospace,monospace);'
                f'font-size:0.85em;margin:0.3em 0">{"".join(children)}</div>')
    if name == "HTMLModel":
        return f"<span>{state.get('value', '')}</span>"
    if name == "LabelModel":
        return f"<span>{html.escape(str(state.get('value', '')))}</span>"
    if name in ("FloatProgressModel", "IntProgressModel"):
        value, maximum = f'{state.get("value", 0):g}', f'{state.get("max", 100):g}'
        return (f'<progress value="{value}" max="{maximum}" style="width:40%;min-width:8em" '
                f'aria-label="Progreso: {value} de {maximum}"></progress>')
    return ""


def _static_widgets(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files") or []
    states = [s for s in scripts if (getattr(s, "attributes", {}) or {}).get("type") == WIDGET_STATE]
    if not states and "widget-view+json" not in context.get("body", ""):
        return
    models: dict = {}
    for script in states:
        body = script.attributes.get("body", "").replace("<\\/", "</")
        models.update(json.loads(body).get("state", {}))

    def replace(match: re.Match) -> str:
        try:
            view = json.loads(match.group(1))
        except json.JSONDecodeError:
            return ""
        return render_widget(view.get("model_id", ""), models)

    if "body" in context:
        context["body"] = VIEW.sub(replace, context["body"])
    context["script_files"] = [s for s in scripts if s not in states]


def _no_widget_js(app, config) -> None:
    config.nb_ipywidgets_js = {}


def setup(app):
    app.connect("config-inited", _no_widget_js)
    app.connect("html-page-context", _static_widgets, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
