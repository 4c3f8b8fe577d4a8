"""Textos en español para la directiva ``argparse`` de sphinx-argparse (referencia de la línea de órdenes).

sphinx-argparse escribe en inglés, sin catálogo de traducción, unas pocas etiquetas fijas: «Possible
choices», «Default», «Sub-commands» y los títulos de los grupos por omisión. Tras leer cada página se
sustituyen en los nodos de texto (nunca dentro de código). Las ayudas de cada opción salen del propio
analizador de ``companion.__main__``, que ya está en español.

La directiva se sustituye por una que no pasa su texto por las comillas tipográficas de Sphinx: sin eso,
``--help`` en una ayuda se leería «–help» (con una raya), que no es una opción que se pueda escribir.
"""
from __future__ import annotations

from docutils import nodes
from sphinxarg.ext import ArgParseDirective

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


class LiteralArgParseDirective(ArgParseDirective):
    """``argparse`` de sphinx-argparse con ``support_smartquotes = False``: opciones y valores tal cual."""

    def run(self):
        result = super().run()
        for node in result:
            if isinstance(node, nodes.Element):
                node["support_smartquotes"] = False
        return result


def setup(app):
    app.setup_extension("sphinxarg.ext")
    app.add_directive("argparse", LiteralArgParseDirective, override=True)
    app.connect("doctree-read", _translate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
