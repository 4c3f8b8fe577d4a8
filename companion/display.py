"""Utilidades de presentación para los capítulos del libro."""
from __future__ import annotations

import inspect
import textwrap


def source_markdown(obj) -> str:
    """Devuelve el código fuente de ``obj`` como un bloque de Markdown resaltado en Python."""
    try:
        code = inspect.getsource(obj)
    except (TypeError, OSError) as error:
        raise ValueError(
            f"No se pudo obtener el código fuente de {obj!r}: pase una función, una clase o un módulo "
            "definidos en un archivo de Python."
        ) from error
    return "```python\n" + textwrap.dedent(code).rstrip() + "\n```"


def show_source(obj):
    """Muestra el código fuente de ``obj`` (clase, función o módulo) con resaltado de sintaxis.

    El libro enseña el código del propio paquete, de modo que el texto y la implementación
    nunca pueden divergir.
    """
    from IPython.display import Markdown, display

    display(Markdown(source_markdown(obj)))
