"""El sitio funciona sin conexión: MathJax servido por el propio sitio y nada cargado de internet.

**MathJax** se sirve desde el propio sitio, sin CDN, y solo en las páginas que tienen matemáticas.

MathJax 3 viene del paquete de PyPI ``django-static-mathjax`` (versión fijada en ``requirements.txt``),
que contiene la distribución oficial de MathJax. Al construir, esta extensión:

* apunta ``mathjax_path`` a ``_static/mathjax/tex-chtml.js`` (ruta relativa: funciona desde ``file://``);
* copia en ``_build/html/_static/mathjax/`` solo lo que ese punto de entrada carga (extensiones de TeX
  que se cargan bajo demanda, tipografías WOFF, menú y accesibilidad), junto con su licencia.

MathJax no se pone en ``_static/`` del repositorio a propósito: Jupyter Book 1 añadiría entonces cada
``.js`` de esa carpeta a todas las páginas. ``sphinx.ext.mathjax`` ya inserta la etiqueta ``<script>``
una sola vez y únicamente en las páginas con ecuaciones.

**Thebe** (ejecutar el código en la página a través de Binder) no se usa en este libro, pero
``sphinx-thebe`` (que Jupyter Book activa siempre) inserta en cada página la dirección de su
JavaScript en un CDN, y además lo hace dos veces: ``const THEBE_JS_URL`` declarada dos veces es un
error de JavaScript en la consola. Se retiran esos scripts de todas las páginas.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

ENTRY = "tex-chtml.js"
TARGET = "mathjax"  # dentro de _static/
# Lo que tex-chtml.js no necesita: otros puntos de entrada (cada uno de 1 a 2 MB) y la salida SVG.
SKIP = (
    "mml-chtml.js", "mml-svg.js", "node-main.js", "tex-chtml-full.js", "tex-chtml-full-speech.js",
    "tex-mml-chtml.js", "tex-mml-svg.js", "tex-svg.js", "tex-svg-full.js", "latest.js", "svg",
)


def mathjax_source() -> Path:
    """Devuelve la carpeta ``es5`` de la distribución de MathJax instalada con ``django-static-mathjax``."""
    spec = importlib.util.find_spec("mathjax")
    roots = list(spec.submodule_search_locations or []) if spec else []
    for root in roots:
        es5 = Path(root) / "static" / "mathjax" / "es5"
        if (es5 / ENTRY).is_file():
            return es5
    raise ExtensionError(
        "No se encontró MathJax: instale el paquete de PyPI 'django-static-mathjax' "
        "(pip install -r requirements.txt) para servir las matemáticas sin conexión."
    )


def _set_path(app, config) -> None:
    mathjax_source()  # falla pronto y con un mensaje claro si falta el paquete
    config.mathjax_path = f"{TARGET}/{ENTRY}"


def _copy(app) -> None:
    if app.builder.format != "html":
        return
    source = mathjax_source()
    dest = Path(app.outdir) / "_static" / TARGET
    stamp = dest / ".origen"
    origin = f"{source} {importlib.metadata.version('django-static-mathjax')}"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == origin:
        return
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(*SKIP))
    shutil.copy2(source.parent / "LICENSE", dest / "LICENSE")
    stamp.write_text(origin, encoding="utf-8")
    logger.info("MathJax copiado en %s", dest)


def _drop_thebe(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if scripts is None:
        return
    context["script_files"] = [
        script for script in scripts
        if "sphinx-thebe" not in (getattr(script, "filename", None) or str(script))
        and "THEBE_JS_URL" not in (getattr(script, "attributes", {}) or {}).get("body", "")
    ]


def setup(app):
    app.setup_extension("sphinx.ext.mathjax")
    app.connect("config-inited", _set_path)
    app.connect("builder-inited", _copy)
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
