"""Roles ``{glue…}``: el valor que calculó la construcción, el mismo que muestra el sitio."""
from __future__ import annotations

from myst_nb.core.variables import format_plain_text

from .context import Context


def plain(value) -> str:
    """El texto de un campo de cuaderno (una cadena o una lista de líneas)."""
    return "".join(value) if isinstance(value, list) else str(value)


def split_key(role: str, content: str) -> tuple[str, str]:
    """Como myst-nb: «[documento::]clave[:formato]» → ``(clave, formato)``; en ``{glue:md}`` no hay formato
    (lo que sigue a «:» es commonmark o myst)."""
    key, fmt = content.strip(), ""
    head, sep, tail = key.rpartition(":")
    if sep and not head.endswith(":"):
        key, fmt = head, tail
    if role == "glue:md":
        fmt = ""
    return key.split("::", 1)[-1], fmt


def glue_value(role: str, content: str, ctx: Context) -> str:
    """Texto que sustituye a un rol ``{glue…}``; ``**[clave]**`` (y un aviso) si no hay valor."""
    key, fmt = split_key(role, content)
    output = ctx.glue.get(key)
    if output is None:
        ctx.problem(f"{ctx.docname}: no hay ningún valor publicado con glue como {key!r}")
        return f"**[{key}]**"
    data = output.get("data", output)
    if role == "glue:md" or (role == "glue" and "text/markdown" in data):
        if "text/markdown" in data:
            return plain(data["text/markdown"]).strip()
    if role == "glue:math" and "text/latex" in data:
        return plain(data["text/latex"]).strip()
    if "text/plain" in data:
        return format_plain_text(plain(data["text/plain"]), fmt or ("s" if role != "glue" else ""))
    if "image/png" in data:
        return f"![{key}](data:image/png;base64,{plain(data['image/png']).strip()})"
    ctx.problem(f"{ctx.docname}: el valor {key!r} no tiene una representación de texto")
    return f"**[{key}]**"
