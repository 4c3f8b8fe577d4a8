"""Referencias cruzadas: ``{ref}``, ``{numref}`` y ``{doc}`` como enlaces con el texto y el número del sitio."""
from __future__ import annotations

import re

from .context import Context, numbered_text

EXPLICIT_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)


def ref_link(role: str, content: str, ctx: Context) -> str:
    """``[texto](dirección)`` de ``{ref}``, ``{numref}`` o ``{doc}``.

    El texto es el propio (``{ref}`texto <destino>```) o el título del destino; en ``{numref}``, el formato
    con el número (``{numref}`Figura %s <fig-x>``` → «Figura 5.1»). Si el destino está en este mismo
    capítulo, el enlace lleva a su ancla en el cuaderno; si no, a la página publicada.
    """
    match = EXPLICIT_TARGET.match(content.strip())
    text, target = (match.group("text").strip(), match.group("target").strip()) if match else (None, content.strip())
    found = ctx.resolve(role, target)
    if found is None:
        ctx.problem(f"{ctx.docname}: no se encontró el destino de {{{role}}}`{content}`")
        return text or target
    url = found.url
    if role != "doc" and found.docname == ctx.docname and found.anchor:
        url = f"#{target.lower()}"
    label = text or found.title
    # Como sphinx-exercise, un {ref} sin texto propio a un ejercicio numerado se escribe como {numref}.
    if role == "numref" or (role == "ref" and text is None and found.kind == "exercise"):
        fmt = text or ctx.numfig_format.get(found.kind or "", "%s")
        if found.number is None:
            ctx.problem(f"{ctx.docname}: {{{role}}}`{content}` apunta a algo sin número")
        else:
            label = numbered_text(fmt, found.number, found.title)
    return f"[{label}]({url})"
