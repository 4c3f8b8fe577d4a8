"""Textos en español para la directiva ``argparse`` de sphinx-argparse (referencia de la línea de órdenes).

sphinx-argparse escribe en inglés, sin catálogo de traducción, unas pocas etiquetas fijas: «Possible
choices», «Default», «Sub-commands» y los títulos de los grupos por omisión. Tras leer cada página se
sustituyen en los nodos de texto (nunca dentro de código). Las ayudas de cada opción salen del propio
analizador de ``companion.__main__``, que ya está en español.
"""
from __future__ import annotations

from docutils import nodes

PREFIXES = {
    "Possible choices: ": "Valores posibles: ",
    "Default: ": "Por omisión: ",
}
TITLES = {
    "Sub-commands": "Órdenes",
    "Positional Arguments": "Argumentos posicionales",
    "Named Arguments": "Opciones",
}


def _translate(app, doctree):
    for node in list(doctree.findall(nodes.Text)):
        parent = node.parent
        if parent is None or isinstance(parent, (nodes.literal, nodes.literal_block, nodes.raw)):
            continue
        text = str(node)
        new = TITLES.get(text) if isinstance(parent, nodes.title) else None
        for english, spanish in PREFIXES.items():
            if text.startswith(english):
                new = spanish + text[len(english):]
        if new is not None:
            parent.replace(node, nodes.Text(new))


def setup(app):
    app.connect("doctree-read", _translate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
