"""Directivas de MyST (``:::{nombre}`` o ```` ```{nombre} ````) como Markdown corriente.

Ejercicios y soluciones, avisos, figuras e imágenes, fórmulas y el lugar de la bibliografía. El cuerpo
llega ya convertido (``markdown.convert_blocks``); aquí solo se le pone la forma de cada directiva.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from .context import Context, anchor_html, numbered_text, with_anchor

OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*)$")
REFERENCES_PLACE = "<!-- referencias del capítulo -->"  # donde el sitio pone {footbibliography}
ADMONITION_TITLES = {
    "note": "Nota", "tip": "Consejo", "hint": "Pista", "important": "Importante", "warning": "Advertencia",
    "caution": "Precaución", "attention": "Atención", "danger": "Peligro", "error": "Error",
    "seealso": "Véase también",
}
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}


@dataclass
class Directive:
    """Una directiva leída: su nombre, su argumento y sus opciones, el cuerpo convertido y el original."""

    name: str
    arg: str
    options: dict
    body: list[str]
    source: list[str]


def split_options(lines: list[str]) -> tuple[dict, list[str]]:
    """Las opciones ``:clave: valor`` del principio y el cuerpo, sin líneas en blanco en los extremos."""
    options, index = {}, 0
    while index < len(lines) and OPTION.match(lines[index]):
        match = OPTION.match(lines[index])
        options[match.group("key")] = match.group("value").strip()
        index += 1
    body = lines[index:]
    while body and not body[0].strip():
        body = body[1:]
    while body and not body[-1].strip():
        body = body[:-1]
    return options, body


def quote(lines: list[str]) -> list[str]:
    """Las líneas como cita en bloque de Markdown."""
    return [f"> {line}" if line.strip() else ">" for line in lines]


def details(summary: str, body: list[str]) -> list[str]:
    """Un bloque plegado (``<details>``) con su resumen."""
    return ["<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>"]


def render_directive(d: Directive, ctx: Context) -> list[str]:
    """Las líneas de Markdown de una directiva (un aviso en ``ctx`` si no se sabe traducir)."""
    if d.name == "exercise":
        return render_exercise(d, ctx)
    if d.name == "solution":
        if ctx.drop_solutions:
            return []
        number = ctx.exercises.get(d.arg.strip())
        title = f"#### Solución del ejercicio {number}" if number else "#### Solución"
        return [title, "", *details("Mostrar la solución", d.body)]
    if d.name in ("footbibliography", "bibliography"):
        return [REFERENCES_PLACE]
    if d.name == "math":
        return ["$$", *d.source, "$$"]
    if d.name == "admonition" or d.name in ADMONITION_TITLES:
        title = d.arg if d.name == "admonition" else (d.arg or ADMONITION_TITLES[d.name])
        if "dropdown" in d.options.get("class", ""):
            return details(title, d.body)
        return quote(([f"**{title}**", ""] if title else []) + d.body)
    if d.name in ("figure", "image"):
        return render_figure(d, ctx)
    ctx.problem(f"{ctx.docname}: directiva de MyST sin traducir: {{{d.name}}}")
    return d.body


def render_exercise(d: Directive, ctx: Context) -> list[str]:
    """«### Ejercicio 5.2 (título)» con el número del sitio y el ancla de su etiqueta."""
    label = d.options.get("label")
    number = ctx.next_number("exercise", label)
    if number is None:
        ctx.problem(f"{ctx.docname}: el ejercicio {label or d.arg!r} no tiene número en el sitio")
        number = "?"
    ctx.exercises[label or f"_ejercicio_{number}"] = number
    heading = numbered_text(ctx.numfig_format.get("exercise", "Ejercicio %s"), number)
    title = f"### {anchor_html(label) if label else ''}{heading}" + (f" ({d.arg})" if d.arg else "")
    return [title, "", *d.body]


def render_figure(d: Directive, ctx: Context) -> list[str]:
    """Una figura: la imagen incrustada, su ancla y, en ``{figure}``, el pie con su número como en el sitio."""
    label = d.options.get("name")
    alt = " ".join(d.options.get("alt", "").split()).replace("[", "(").replace("]", ")")
    if d.name == "image":
        return [with_anchor(embed_image(alt, d.arg, ctx), label)]
    number = ctx.next_number("figure", label)
    if number is None:
        ctx.problem(f"{ctx.docname}: la figura {label or d.arg!r} no tiene número en el sitio")
    caption = numbered_text(ctx.numfig_format.get("figure", "Figura %s"), number) if number else ""
    alt = alt or caption
    # El ancla, en su propia línea antes de la imagen: un enlace a la figura lleva a su principio.
    lines = [anchor_html(label), ""] if label else []
    lines += [embed_image(alt, d.arg, ctx), ""]
    if d.body:
        lines += [f"**{caption}.** {d.body[0]}" if caption else d.body[0], *d.body[1:]]
    elif caption:
        lines.append(f"**{caption}.**")
    return lines


def embed_image(alt: str, path: str, ctx: Context) -> str:
    """``![alt](data:…)`` con la imagen del capítulo incrustada; una dirección se deja como está."""
    if re.match(r"^(https?://|data:)", path):
        return f"![{alt}]({path})"
    data = ctx.images(path)
    if data is None:
        ctx.problem(f"{ctx.docname}: no se puede incrustar la imagen {path!r} (un SVG necesita su PNG al lado: "
                    "python scripts/draw_diagrams.py)")
        return f"![{alt}]({path})"
    return f"![{alt}]({data})"


def image_loader(folder: Path) -> Callable[[str], Optional[str]]:
    """Ruta relativa al capítulo → ``data:image/…;base64`` (de un SVG, su PNG hermano); ``None`` si no hay.

    Colab no muestra ni SVG en el Markdown ni los adjuntos de celda (``attachment:``): por eso se incrusta
    el PNG que dibuja ``scripts/draw_diagrams.py`` junto a cada SVG.
    """

    def load(path: str) -> Optional[str]:
        file = (folder / path).resolve()
        if file.suffix.lower() == ".svg":
            file = file.with_suffix(".png")
        kind = IMAGE_TYPES.get(file.suffix.lower())
        if kind is None or not file.is_file():
            return None
        return f"data:{kind};base64,{base64.b64encode(file.read_bytes()).decode('ascii')}"

    return load
