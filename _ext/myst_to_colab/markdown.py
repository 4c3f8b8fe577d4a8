"""El Markdown de MyST de una celda como Markdown corriente: roles en línea, bloques y encabezados.

``convert_markdown`` recorre las líneas: las directivas (``:::{…}`` y ```` ```{…} ````) pasan a
``directives``; el código (```` ``` ````) se deja tal cual; las etiquetas ``(nombre)=`` se vuelven anclas de
la línea siguiente; los comentarios ``%`` y los separadores ``+++`` se quitan; los encabezados llevan el
número del sitio, y en el texto se sustituyen los roles (``{glue}``, ``{cite}``, ``{ref}``…).
``myst_leftovers`` dice qué sintaxis de MyST queda en un Markdown ya convertido.
"""
from __future__ import annotations

import re
from typing import Optional

from .bibliography import cite_text
from .context import HEADING, Context, anchor_html, with_anchor
from .directives import Directive, embed_image, render_directive, split_options
from .glue import glue_value
from .references import ref_link

# Un rol de MyST ({nombre}`contenido`) o un fragmento de código en línea, que se deja intacto.
INLINE = re.compile(r"\{(?P<role>[A-Za-z][\w:-]*)\}`(?P<content>[^`]+)`|(?P<code>(?P<ticks>`+).+?(?P=ticks))", re.S)
CODE_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
COLON_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")
DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")
LABEL = re.compile(r"^\s*\((?P<label>[^()\s]+)\)=\s*$")
# Una imagen de Markdown con una ruta relativa (no una dirección, un data: ni un ancla).
LOCAL_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<path>(?!https?://|data:|attachment:|#)[^)\s]+)\)")
GLUE_ROLES = ("glue", "glue:text", "glue:md", "glue:math", "glue:any")
LITERAL_ROLES = ("file", "command", "program", "code", "kbd")  # como código en línea
TEXT_ROLES = ("abbr", "term", "guilabel")  # su texto, sin la explicación entre paréntesis


def convert_role(role: str, content: str, ctx: Context) -> Optional[str]:
    """El Markdown de un rol ``{role}`content```, o ``None`` si no se sabe traducir."""
    if role in GLUE_ROLES:
        return glue_value(role, content, ctx)
    if role.split(":")[0] in ("footcite", "cite"):
        return cite_text(role if ":" in role else role + ":p", content, ctx)
    if role in ("ref", "numref", "doc", "prf:ref", "eq"):
        return ref_link(role, content, ctx)
    if role == "math":
        return f"${content}$"
    if role in ("sub", "sup"):
        return f"<{role}>{content}</{role}>"
    if role in LITERAL_ROLES:
        return f"`{content}`"
    if role in TEXT_ROLES:
        return re.sub(r"\s*\(.*\)$", "", content)
    return None


def convert_inline(text: str, ctx: Context) -> str:
    """Sustituye los roles de MyST de un fragmento de texto (sin tocar el código en línea)."""

    def replace(match: re.Match) -> str:
        if match.group("code"):
            return match.group("code")
        converted = convert_role(match.group("role"), match.group("content"), ctx)
        if converted is None:
            ctx.problem(f"{ctx.docname}: rol de MyST sin traducir: {{{match.group('role')}}}")
            return match.group(0)
        return converted

    return INLINE.sub(replace, text)


def closes(line: str, fence: str) -> bool:
    """¿Cierra la línea un bloque abierto con ``fence`` (la misma marca, al menos igual de larga)?"""
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def block_end(lines: list[str], start: int, fence: str, nests: bool) -> int:
    """Índice de la línea que cierra el bloque abierto en ``start`` (``len(lines)`` si no se cierra).

    Con ``nests`` (directivas ``:::``), otra apertura con la misma marca espera su propio cierre.
    """
    end, depth = start + 1, 0
    while end < len(lines):
        opener = COLON_FENCE.match(lines[end]) if nests else None
        if opener and opener.group("fence") == fence:
            depth += 1
        elif closes(lines[end], fence):
            if depth == 0:
                break
            depth -= 1
        end += 1
    return end


def convert_fenced(lines: list[str], index: int, ctx: Context) -> tuple[list[str], int]:
    """Un bloque cercado que empieza en ``lines[index]``: sus líneas convertidas y el índice tras su cierre."""
    code, colon = CODE_FENCE.match(lines[index]), COLON_FENCE.match(lines[index])
    fence = (code or colon).group("fence")
    name, arg = (colon.group("name"), colon.group("arg")) if colon else (None, "")
    found = DIRECTIVE_INFO.match(code.group("info").strip()) if code else None
    if found:
        name, arg = found.group("name"), found.group("arg")
    end = block_end(lines, index, fence, nests=bool(colon))
    if name is None:  # código: tal cual
        block = lines[index:end + 1]
    else:
        ctx.depth += 1
        try:
            options, source = split_options(lines[index + 1:end])
            body = convert_blocks(source, ctx)
            block = render_directive(Directive(name, convert_inline(arg.strip(), ctx), options, body, source), ctx)
        finally:
            ctx.depth -= 1
    label = ctx.take_anchor()
    if label and block:
        first = next((i for i, b in enumerate(block) if b.strip()), 0)
        if name is None:  # un bloque de código: el ancla va en su propia línea
            block = [anchor_html(label), "", *block]
        elif anchor_html(label) not in block[first]:
            block[first] = with_anchor(block[first], label)
    return block, end + 1


def convert_text(text: list[str], ctx: Context) -> list[str]:
    """Líneas de texto corrido: los roles sustituidos y las imágenes locales incrustadas."""
    converted = convert_inline("\n".join(text), ctx)
    converted = LOCAL_IMAGE.sub(lambda m: embed_image(m.group("alt"), m.group("path"), ctx), converted)
    return converted.split("\n")


def convert_blocks(lines: list[str], ctx: Context) -> list[str]:
    """Convierte una lista de líneas de Markdown de MyST en líneas de Markdown corriente."""
    out: list[str] = []
    text: list[str] = []  # el texto corrido pendiente, que se convierte de una vez

    def flush() -> None:
        if text:
            out.extend(convert_text(text, ctx))
            text.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        if CODE_FENCE.match(line) or COLON_FENCE.match(line):
            flush()
            block, index = convert_fenced(lines, index, ctx)
            out.extend(block)
            continue
        index += 1
        label = LABEL.match(line)
        if label:
            flush()
            ctx.anchor = label.group("label")
        elif not (line.lstrip().startswith("% ") or line.strip() in ("%", "+++")):
            heading = HEADING.match(line) if ctx.depth == 0 else None
            if heading:
                line = number_heading(heading, ctx)
            text.append(with_anchor(line, ctx.take_anchor()) if line.strip() else line)
    flush()
    return out


def number_heading(heading: re.Match, ctx: Context) -> str:
    """El encabezado con el número que le da el sitio («## 5.1. Título»), si lo lleva."""
    index = ctx.seen.get("section", 0)
    ctx.seen["section"] = index + 1
    if ctx.sections is None:
        return heading.group(0)
    if index >= len(ctx.sections):
        ctx.problem(f"{ctx.docname}: el encabezado {heading.group('title')!r} no es una sección del sitio")
        return heading.group(0)
    number = ctx.sections[index]
    if not number:
        return heading.group(0)
    return f"{heading.group('hashes')} {number}. {heading.group('title')}"


def convert_markdown(source: str, ctx: Context) -> str:
    """El Markdown de MyST de una celda como Markdown corriente (sin líneas en blanco de más)."""
    result = "\n".join(convert_blocks(source.split("\n"), ctx))
    return re.sub(r"\n{3,}", "\n\n", result).strip("\n")


def myst_leftovers(markdown: str) -> list[str]:
    """Fragmentos de sintaxis exclusiva de MyST que quedan en un Markdown (fuera del código)."""
    found, in_code, fence = [], False, ""
    for line in markdown.split("\n"):
        code = CODE_FENCE.match(line)
        if in_code:
            in_code = not closes(line, fence)
            continue
        if code:
            if code.group("info").strip().startswith("{"):
                found.append(line.strip())
            in_code, fence = True, code.group("fence")
            continue
        if re.match(r"^\s*:{3,}", line) or LABEL.match(line) or line.strip() == "+++":
            found.append(line.strip())
            continue
        found += [match.group(0) for match in INLINE.finditer(line) if match.group("role")]
        if re.search(r"\{\{\s*[A-Za-z_]\w*\s*\}\}", re.sub(r"\$[^$]*\$", "", line)):
            found.append(line.strip())
    return found
