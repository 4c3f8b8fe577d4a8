"""La LSTM preentrenada del curso, ejecutable en la página interactiva (``book/interactivo.md``).

Al construir el sitio en HTML, esta extensión:

* exporta los pesos del punto de control preentrenado ``lstm_web_model`` (por omisión ``"lstm"``, el de
  ``companion/pretrained/``) a ``_static/lstm-pesos.js`` con :func:`companion.export.write_web_weights`:
  float16 en base64 y una cabecera JSON con los tamaños, que se leen del punto de control (una o varias
  capas, con embedding o one-hot). Si el archivo ya existe y corresponde al mismo punto de control (misma
  suma SHA-256), no se reescribe;
* copia ``_ext/browser/lstm-web.js`` (propagación hacia delante, muestreo e interfaz) y
  ``lstm-web.css`` a ``_static/``;
* añade esos tres archivos solo a la página que contiene ``<div id="lstm-web">``: el resto del sitio no
  descarga los pesos.

Los recursos no están en ``_static/`` del repositorio a propósito: Jupyter Book 1 añade cada ``.js`` y
``.css`` de esa carpeta a todas las páginas. Se cargan con etiquetas ``<script>`` (no con ``fetch``), así
que la página funciona también abierta desde ``file://``.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent / "browser"
WEIGHTS_FILE = "lstm-pesos.js"
SCRIPT_FILE = "lstm-web.js"
STYLE_FILE = "lstm-web.css"
MARKER = 'id="lstm-web"'


def _export_weights(app) -> None:
    if app.builder.format != "html":
        return
    from companion.checkpoint import PRETRAINED_DIR, load_pretrained
    from companion.export import file_checksum, write_web_weights

    name = app.config.lstm_web_model
    path = PRETRAINED_DIR / f"{name}.pt"
    if not path.is_file():
        raise ExtensionError(f"lstm_web: falta el punto de control {path} del modelo {name!r}; la página "
                             "interactiva no puede exportar sus pesos. Reinstale el paquete o entrene el modelo.")
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for asset in (SCRIPT_FILE, STYLE_FILE):
        shutil.copyfile(ASSETS / asset, static / asset)
    checksum = file_checksum(path)
    target = static / WEIGHTS_FILE
    if target.is_file():
        with open(target, encoding="utf-8") as handle:
            head = handle.read(100_000)
        found = re.search(r'"checksum":"([0-9a-f]*)"', head)
        if found and found.group(1) == checksum:
            return
    try:
        model, vocab, _ = load_pretrained(name)
        header = write_web_weights(model, vocab, target, source=name, checksum=checksum)
    except ValueError as error:
        raise ExtensionError(f"lstm_web: no se pudieron exportar los pesos de {name!r}: {error}") from error
    logger.info(f"lstm_web: pesos de {name!r} exportados a _static/{WEIGHTS_FILE} "
                f"({header['num_parameters']} parámetros, {header['file_bytes']} bytes)")


def _add_assets(app, pagename, templatename, context, doctree) -> None:
    if MARKER not in (context.get("body") or ""):
        return
    app.add_js_file(WEIGHTS_FILE)
    app.add_js_file(SCRIPT_FILE)
    app.add_css_file(STYLE_FILE)


def setup(app):
    app.add_config_value("lstm_web_model", "lstm", "html")
    app.connect("builder-inited", _export_weights)
    app.connect("html-page-context", _add_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
