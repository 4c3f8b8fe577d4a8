"""Edición para Colab: cada capítulo como cuaderno de Jupyter corriente, con los resultados de la construcción.

Al terminar ``jupyter-book build .``, esta extensión escribe ``_build/colab/<docname>.ipynb`` (por ejemplo,
``_build/colab/book/03_rnn.ipynb``) a partir del cuaderno que myst-nb ejecutó (``_build/jupyter_execute``),
con las salidas de cada celda. El Markdown de MyST se reescribe como Markdown que Colab sabe mostrar:

* ``{glue:text}`nombre``` (también ``{glue}``, ``{glue:md}`` y los formatos como ``nombre:.3f``): el valor
  que calculó la construcción, el mismo que muestra el sitio;
* ``:::{exercise}`` y ``:::{solution}``: encabezados «Ejercicio 5.2» y «Solución del ejercicio 5.2», con la
  solución plegada en un bloque ``<details>`` (sin soluciones si el sitio las quita, ``hide_solutions``);
* ``{figure}``: la imagen incrustada en el Markdown como ``data:image/png;base64`` (de un SVG se toma el PNG
  con el mismo nombre que dibuja ``scripts/draw_diagrams.py``), con su pie «**Figura 5.1.** …»: el cuaderno
  se ve completo sin conexión y en cualquier copia del repositorio. Colab no muestra ni SVG en el Markdown
  ni los adjuntos de celda (``attachment:``), por eso no se usan;
* los números son los del sitio, que Sphinx asigna por capítulo (``numbered`` en ``_toc.yml`` y
  ``numfig_secnum_depth``): encabezados «5.1. …», «Ejercicio 5.2», «Figura 5.1»;
* avisos (``{admonition}``, ``{note}``, ``{important}``…): citas en bloque con su título en negrita;
* ``{footcite}`` y ``{cite}``: «(Autor, año)» o «Autor (año)», con la lista de referencias del capítulo
  (de ``references.bib``) donde el sitio pone ``{footbibliography}`` o, si no la hay, al final;
* ``{ref}``, ``{numref}`` y ``{doc}``: enlaces con el texto del sitio (``{numref}`Figura %s <fig-x>``` da
  «Figura 5.1»; un ``{ref}`` a un ejercicio, «Ejercicio 5.2») que llevan a ese punto del propio cuaderno si
  el destino está en él y, si no, a la página publicada (``html_baseurl`` o, si no se fijó, la convención de
  GitHub Pages ``https://ORG.github.io/REPO/`` a partir de ``repository.url``);
* etiquetas ``(nombre)=``: un ancla ``<a id="nombre">`` en la línea siguiente (destino de esos enlaces);
  comentarios ``%`` y separadores ``+++``: se quitan.

Cada cuaderno empieza con una celda de Markdown que dice qué es y cómo usarlo, y su celda de preparación
instala el paquete del curso del mismo commit que calculó las salidas (``git rev-parse HEAD`` al construir;
la fuente, ``scripts/sync_setup_cells.py``, sigue apuntando a la rama).

Las celdas de código se conservan todas (el lector las ejecuta en orden); las marcadas ``remove-*`` o
``hide-*`` se pliegan (``cellView: form`` en Colab, ``source_hidden`` en Jupyter), salvo la de preparación,
que queda a la vista. Si algún Markdown conserva sintaxis exclusiva de MyST, la construcción avisa (y con
``-W`` falla).

Además, el botón «Abrir en Colab» de cada capítulo apunta a esta edición publicada en la rama ``colab``
del repositorio (``colab_branch`` en la configuración de Sphinx), en lugar de al cuaderno fuente sin
ejecutar de la rama principal, y el botón de descarga ofrece este mismo cuaderno (copiado en
``_build/html/_colab/``) en lugar de la fuente en MyST. ``scripts/publish_colab.sh`` publica la carpeta en
esa rama. Por último, la construcción avisa si un ``{numref}`` apunta a una sección sin número propio
(Sphinx le daría, sin avisar, el número del capítulo).
"""
from __future__ import annotations

import base64
import copy
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import urlsplit

SETUP_MARKER = "# Preparación del entorno"
GLUE_PREFIX = "application/papermill.record/"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
DOWNLOADS = "_colab"  # carpeta del sitio con la copia de la edición que ofrece el botón de descarga

README = """# Edición para Colab

Cuadernos generados por `jupyter-book build .` (`_ext/colab_edition.py`) a partir de los capítulos ya
ejecutados: Markdown corriente y salidas incluidas. No los edite aquí; la fuente está en {source}
y el libro publicado en {site}. Se actualizan con `bash scripts/publish_colab.sh`.

Construida desde el commit {commit}: la celda de preparación de cada cuaderno instala el paquete de ese commit.
"""
COMMIT_FILE = "COMMIT"  # el commit de la construcción, para scripts/publish_colab.sh

ADMONITION_TITLES = {
    "note": "Nota", "tip": "Consejo", "hint": "Pista", "important": "Importante", "warning": "Advertencia",
    "caution": "Precaución", "attention": "Atención", "danger": "Peligro", "error": "Error",
    "seealso": "Véase también",
}

# Un rol de MyST ({nombre}`contenido`) o un fragmento de código en línea, que se deja intacto.
INLINE = re.compile(r"\{(?P<role>[A-Za-z][\w:-]*)\}`(?P<content>[^`]+)`|(?P<code>(?P<ticks>`+).+?(?P=ticks))", re.S)
CODE_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
COLON_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")
OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*)$")
LABEL = re.compile(r"^\s*\((?P<label>[^()\s]+)\)=\s*$")
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.*)$")
# Una imagen de Markdown con una ruta relativa (no una dirección, un data: ni un ancla).
LOCAL_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<path>(?!https?://|data:|attachment:|#)[^)\s]+)\)")
DEFAULT_URL = re.compile(r'(?P<head>default_url = "git\+[^"@]+)@(?P<ref>[^"]+)"')
INTRO = """> **Edición para Colab** del {chapter} del curso [{project}]({page}), con las salidas que calculó la
> construcción del libro{built}. Para ejecutarlo, empiece por la primera celda de código, la celda de preparación:
> instala el paquete del curso{pinned}. Después ejecute las demás en orden. Basta con una CPU; no hace falta un
> entorno con GPU."""
NUMFIG_FORMAT = {"figure": "Figura %s", "exercise": "Ejercicio %s", "section": "Sección %s", "table": "Tabla %s"}
EXPLICIT_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)


# --- Contexto: valores, citas y referencias ---------------------------------------------------------------
@dataclass
class Context:
    """Lo que la conversión necesita saber del libro construido.

    ``glue``: nombre → salida de ``glue`` (un diccionario con ``data``); ``citations``: clave de BibTeX →
    ``(autores, año, referencia completa en Markdown)``; ``resolve``: ``(rol, destino) → Target`` para
    ``{ref}``, ``{numref}`` y ``{doc}`` (``None`` si no se encuentra).

    Números del capítulo, como los da Sphinx en el sitio: ``numbers``, etiqueta → número («5.2») de sus
    ejercicios y figuras; ``order``, tipo (``exercise``, ``figure``) → números en el orden del documento
    (para los que no tienen etiqueta); ``sections``, el número de cada encabezado en orden (``None`` si no
    lleva). ``images``: ruta de una imagen (relativa al capítulo) → ``data:`` para incrustarla, o ``None``.
    """

    glue: dict = field(default_factory=dict)
    citations: dict = field(default_factory=dict)
    resolve: Callable[[str, str], Optional["Target"]] = lambda role, target: None
    docname: str = ""
    drop_solutions: bool = False  # edición para estudiantes (hide_solutions de sphinx-exercise)
    numbers: dict = field(default_factory=dict)
    order: dict = field(default_factory=dict)
    sections: Optional[list] = None
    numfig_format: dict = field(default_factory=lambda: dict(NUMFIG_FORMAT))
    images: Callable[[str], Optional[str]] = lambda path: None
    problems: list = field(default_factory=list)
    exercises: dict = field(default_factory=dict)
    cited: list = field(default_factory=list)
    seen: dict = field(default_factory=dict)  # tipo → cuántos van (ejercicios, figuras, encabezados)
    anchor: Optional[str] = None  # etiqueta ``(nombre)=`` que espera su línea
    depth: int = 0  # dentro de una directiva (sus encabezados no son secciones)

    def problem(self, message: str) -> None:
        self.problems.append(message)

    def next_number(self, kind: str, label: Optional[str] = None) -> Optional[str]:
        """Número del siguiente ejercicio o figura: el de su etiqueta o, sin ella, el que le toca por orden."""
        index = self.seen.get(kind, 0)
        self.seen[kind] = index + 1
        if label and label.lower() in self.numbers:
            return self.numbers[label.lower()]
        numbers = self.order.get(kind, [])
        return numbers[index] if index < len(numbers) else None


@dataclass
class Target:
    """Destino de una referencia: su título, su dirección en el sitio y, si lo tiene, su número."""

    title: str
    url: str
    docname: str = ""
    anchor: str = ""
    kind: Optional[str] = None  # figure, exercise, section…
    number: Optional[str] = None


def anchor_html(label: str) -> str:
    """Ancla de una etiqueta: ``id`` para Jupyter y ``name`` para los visores que solo miran ese atributo."""
    label = label.lower()
    return f'<a id="{label}" name="{label}"></a>'


def with_anchor(line: str, label: Optional[str]) -> str:
    """Pone el ancla al principio del texto de la línea (dentro del encabezado, si lo es)."""
    if not label:
        return line
    heading = HEADING.match(line)
    if heading:
        return f"{heading.group('hashes')} {anchor_html(label)}{heading.group('title')}"
    return anchor_html(label) + line.lstrip()


def numbered_text(fmt: str, number: str, title: str = "") -> str:
    """Como Sphinx con ``numref``: «Figura %s» o el estilo nuevo «Figura {number}» con el número."""
    if "{number}" in fmt or "{name}" in fmt:
        return fmt.format(number=number, name=title)
    return fmt % number if "%s" in fmt else fmt


def format_plain_text(text: str, fmt_spec: str) -> str:
    """Da formato a un valor ``text/plain`` como lo hace myst-nb (``{glue:text}`nombre:.3f```)."""
    try:
        from myst_nb.core.variables import format_plain_text as myst_format
    except ImportError:  # pragma: no cover - la construcción siempre tiene myst-nb
        from ast import literal_eval

        def myst_format(text: str, fmt_spec: str) -> str:
            try:
                value = literal_eval(text)
            except (SyntaxError, ValueError):
                value = text
            kind = fmt_spec[-1] if fmt_spec else "s"
            value = {"s": str, "d": int}.get(kind, float)(value) if kind in "sdeEfFgGn%" else value
            return format(value, fmt_spec) if fmt_spec else str(value)
    return myst_format(text, fmt_spec)


def _plain(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def glue_value(role: str, content: str, ctx: Context) -> str:
    """Texto que sustituye a un rol ``{glue…}`` (el mismo valor que muestra el sitio)."""
    # Como myst-nb: «[documento::]clave[:formato]»; en {glue:md} el «formato» es commonmark o myst.
    key, fmt = content.strip(), ""
    head, sep, tail = key.rpartition(":")
    if sep and not head.endswith(":"):
        key, fmt = head, tail
    if role == "glue:md":
        fmt = ""
    key = key.split("::", 1)[-1]
    output = ctx.glue.get(key)
    if output is None:
        ctx.problem(f"{ctx.docname}: no hay ningún valor publicado con glue como {key!r}")
        return f"**[{key}]**"
    data = output.get("data", output)
    if role == "glue:md" or (role == "glue" and "text/markdown" in data):
        if "text/markdown" in data:
            return _plain(data["text/markdown"]).strip()
    if role == "glue:math" and "text/latex" in data:
        return _plain(data["text/latex"]).strip()
    if "text/plain" in data:
        return format_plain_text(_plain(data["text/plain"]), fmt or ("s" if role != "glue" else ""))
    if "image/png" in data:
        return f"![{key}](data:image/png;base64,{_plain(data['image/png']).strip()})"
    ctx.problem(f"{ctx.docname}: el valor {key!r} no tiene una representación de texto")
    return f"**[{key}]**"


def cite_text(role: str, content: str, ctx: Context) -> str:
    """«(Autor, año)» para ``:p`` (y ``{cite}``), «Autor (año)» para ``:t``; varias claves con «; »."""
    mode = role.split(":", 1)[1] if ":" in role else "p"
    parts = []
    for key in [k.strip() for k in content.split(",") if k.strip()]:
        if key not in ctx.citations:
            ctx.problem(f"{ctx.docname}: la cita {key!r} no está en references.bib")
            parts.append((key, "s. f."))
            continue
        if key not in ctx.cited:
            ctx.cited.append(key)
        authors, year, _ = ctx.citations[key]
        parts.append((authors, year))
    if mode.startswith("t"):
        return "; ".join(f"{authors} ({year})" for authors, year in parts)
    return "(" + "; ".join(f"{authors}, {year}" for authors, year in parts) + ")"


def ref_link(role: str, content: str, ctx: Context) -> str:
    """Enlace de ``{ref}``, ``{numref}`` o ``{doc}`` con el texto del sitio (y el número, si lo lleva).

    Si el destino está en este mismo capítulo, el enlace lleva a su ancla en el cuaderno.
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


def convert_inline(text: str, ctx: Context) -> str:
    """Sustituye los roles de MyST de un fragmento de texto (sin tocar el código en línea)."""

    def replace(match: re.Match) -> str:
        if match.group("code"):
            return match.group("code")
        role, content = match.group("role"), match.group("content")
        if role in ("glue", "glue:text", "glue:md", "glue:math", "glue:any"):
            return glue_value(role, content, ctx)
        if role.split(":")[0] in ("footcite", "cite"):
            return cite_text(role if ":" in role else role + ":p", content, ctx)
        if role in ("ref", "numref", "doc", "prf:ref"):
            return ref_link(role, content, ctx)
        if role in ("math", "eq"):
            return f"${content}$" if role == "math" else ref_link(role, content, ctx)
        if role in ("sub", "sup"):
            return f"<{role}>{content}</{role}>"
        if role in ("kbd", "abbr", "term", "guilabel", "file", "command", "program", "code"):
            return f"`{content}`" if role in ("file", "command", "program", "code", "kbd") else re.sub(r"\s*\(.*\)$", "", content)
        ctx.problem(f"{ctx.docname}: rol de MyST sin traducir: {{{role}}}")
        return match.group(0)

    return INLINE.sub(replace, text)


# --- Bloques ----------------------------------------------------------------------------------------------
def _closing(line: str, fence: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def _directive_body(lines: list[str]) -> tuple[dict, list[str]]:
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


def _quote(lines: list[str]) -> list[str]:
    return [f"> {line}" if line.strip() else ">" for line in lines]


def render_directive(name: str, arg: str, lines: list[str], ctx: Context) -> list[str]:
    options, body_lines = _directive_body(lines)
    body = convert_blocks(body_lines, ctx)
    arg = convert_inline(arg.strip(), ctx)
    if name == "exercise":
        label = options.get("label")
        number = ctx.next_number("exercise", label)
        if number is None:
            ctx.problem(f"{ctx.docname}: el ejercicio {label or arg!r} no tiene número en el sitio")
            number = "?"
        ctx.exercises[label or f"_ejercicio_{number}"] = number
        heading = numbered_text(ctx.numfig_format.get("exercise", "Ejercicio %s"), number)
        title = f"### {anchor_html(label) if label else ''}{heading}" + (f" ({arg})" if arg else "")
        return [title, "", *body]
    if name == "solution":
        if ctx.drop_solutions:
            return []
        number = ctx.exercises.get(arg.strip())
        title = f"#### Solución del ejercicio {number}" if number else "#### Solución"
        return [title, "", "<details>", "<summary>Mostrar la solución</summary>", "", *body, "", "</details>"]
    if name in ("footbibliography", "bibliography"):
        return ["<!-- referencias del capítulo -->"]
    if name == "math":
        return ["$$", *body_lines, "$$"]
    if name == "admonition" or name in ADMONITION_TITLES:
        title = arg if name == "admonition" else (arg or ADMONITION_TITLES[name])
        if "dropdown" in options.get("class", ""):
            return ["<details>", f"<summary>{title}</summary>", "", *body, "", "</details>"]
        head = [f"**{title}**", ""] if title else []
        return _quote(head + body)
    if name in ("figure", "image"):
        return render_figure(name, arg, options, body, ctx)
    ctx.problem(f"{ctx.docname}: directiva de MyST sin traducir: {{{name}}}")
    return body


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


def render_figure(name: str, arg: str, options: dict, body: list[str], ctx: Context) -> list[str]:
    """Una figura: la imagen incrustada, su ancla y, en ``{figure}``, el pie con su número como en el sitio."""
    label = options.get("name")
    alt = " ".join(options.get("alt", "").split()).replace("[", "(").replace("]", ")")
    if name == "image":
        return [with_anchor(embed_image(alt, arg, ctx), label)]
    number = ctx.next_number("figure", label)
    if number is None:
        ctx.problem(f"{ctx.docname}: la figura {label or arg!r} no tiene número en el sitio")
    caption = numbered_text(ctx.numfig_format.get("figure", "Figura %s"), number) if number else ""
    alt = alt or caption
    # El ancla, en su propia línea antes de la imagen: un enlace a la figura lleva a su principio.
    lines = [anchor_html(label), ""] if label else []
    lines += [embed_image(alt, arg, ctx), ""]
    if body:
        lines += [f"**{caption}.** {body[0]}" if caption else body[0], *body[1:]]
    elif caption:
        lines.append(f"**{caption}.**")
    return lines


def convert_blocks(lines: list[str], ctx: Context) -> list[str]:
    """Convierte una lista de líneas de Markdown de MyST en líneas de Markdown corriente."""
    out: list[str] = []
    text: list[str] = []

    def flush() -> None:
        if text:
            converted = convert_inline("\n".join(text), ctx)
            converted = LOCAL_IMAGE.sub(lambda m: embed_image(m.group("alt"), m.group("path"), ctx), converted)
            out.extend(converted.split("\n"))
            text.clear()

    def take_anchor() -> Optional[str]:
        label, ctx.anchor = ctx.anchor, None
        return label

    index = 0
    while index < len(lines):
        line = lines[index]
        code = CODE_FENCE.match(line)
        colon = COLON_FENCE.match(line)
        if code or colon:
            flush()
            fence = (code or colon).group("fence")
            directive = colon.group("name") if colon else None
            arg = colon.group("arg") if colon else ""
            if code:
                info = code.group("info").strip()
                found = re.match(r"^\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$", info)
                if found:
                    directive, arg = found.group("name"), found.group("arg")
            end, depth = index + 1, 0
            while end < len(lines):
                opener = COLON_FENCE.match(lines[end]) if colon else None
                if opener and opener.group("fence") == fence:
                    depth += 1
                elif _closing(lines[end], fence):
                    if depth == 0:
                        break
                    depth -= 1
                end += 1
            inner = lines[index + 1:end]
            if directive is None:
                block = lines[index:end + 1]
            else:
                ctx.depth += 1
                try:
                    block = render_directive(directive, arg, inner, ctx)
                finally:
                    ctx.depth -= 1
            label = take_anchor()
            if label and block:
                first = next((i for i, b in enumerate(block) if b.strip()), 0)
                if directive is None:  # un bloque de código: el ancla va en su propia línea
                    block = [anchor_html(label), "", *block]
                elif anchor_html(label) not in block[first]:
                    block[first] = with_anchor(block[first], label)
            out.extend(block)
            index = end + 1
            continue
        label = LABEL.match(line)
        if label:
            flush()
            ctx.anchor = label.group("label")
            index += 1
            continue
        if line.lstrip().startswith("% ") or line.strip() in ("%", "+++"):
            index += 1
            continue
        heading = HEADING.match(line) if ctx.depth == 0 else None
        if heading:
            line = number_heading(heading, ctx)
        if line.strip():
            line = with_anchor(line, take_anchor())
        text.append(line)
        index += 1
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
    result = "\n".join(convert_blocks(source.split("\n"), ctx))
    return re.sub(r"\n{3,}", "\n\n", result).strip("\n")


# --- Sintaxis de MyST que no debe quedar -----------------------------------------------------------------
def myst_leftovers(markdown: str) -> list[str]:
    """Fragmentos de sintaxis exclusiva de MyST que quedan en un Markdown (fuera del código)."""
    found, in_code, fence = [], False, ""
    for line in markdown.split("\n"):
        code = CODE_FENCE.match(line)
        if in_code:
            if _closing(line, fence):
                in_code = False
            continue
        if code:
            if code.group("info").strip().startswith("{"):
                found.append(line.strip())
            in_code, fence = True, code.group("fence")
            continue
        if re.match(r"^\s*:{3,}", line) or LABEL.match(line) or line.strip() == "+++":
            found.append(line.strip())
            continue
        for match in INLINE.finditer(line):
            if match.group("role"):
                found.append(match.group(0))
        if re.search(r"\{\{\s*[A-Za-z_]\w*\s*\}\}", re.sub(r"\$[^$]*\$", "", line)):
            found.append(line.strip())
    return found


# --- Cuadernos --------------------------------------------------------------------------------------------
def _hide(cell: dict) -> None:
    meta = cell.setdefault("metadata", {})
    meta["cellView"] = "form"
    meta.setdefault("jupyter", {})["source_hidden"] = True


def render_widgets(outputs: list, models: dict) -> list:
    """Sustituye las barras de progreso (widgets) por su dibujo estático, o las quita si no hay estado."""
    result = []
    for output in outputs:
        data = output.get("data", {})
        if WIDGET_VIEW not in data:
            result.append(output)
            continue
        html = ""
        if models:
            try:
                from static_widgets import render_widget  # extensión hermana de _ext/
            except ImportError:  # pragma: no cover
                render_widget = None
            if render_widget is not None:
                html = render_widget(data[WIDGET_VIEW].get("model_id", ""), models)
        if html:
            result.append({"output_type": "display_data", "metadata": {}, "data": {"text/html": html}})
    return result


def pin_setup(source: str, commit: str) -> str:
    """La celda de preparación con ``default_url`` fijado a ``commit`` en lugar de la rama."""
    return DEFAULT_URL.sub(lambda m: f'{m.group("head")}@{commit}"', source, count=1)


def intro_markdown(project: str, page: str, commit: str = "", number: Optional[str] = None) -> str:
    """Primera celda: qué es el cuaderno y cómo usarlo (``number``: el del capítulo, si lo tiene)."""
    built = f" (commit `{commit[:12]}`)" if commit else ""
    pinned = " de ese mismo commit" if commit else ""
    chapter = f"capítulo {number}" if number else "capítulo"
    return INTRO.format(chapter=chapter, project=project, page=page, built=built, pinned=pinned)


def convert_notebook(nb: dict, ctx: Context, intro: str = "", commit: str = "") -> dict:
    """Devuelve la edición para Colab de un cuaderno ejecutado (no modifica ``nb``).

    ``intro``: Markdown de la primera celda; ``commit``: el de la construcción, al que se fija la celda de
    preparación.
    """
    nb = copy.deepcopy(nb)
    models = ((nb.get("metadata", {}).get("widgets") or {}).get(WIDGET_STATE) or {}).get("state", {})
    cells = []
    for cell in nb["cells"]:
        source = _plain(cell.get("source", ""))
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] == "markdown":
            cell["source"] = convert_markdown(source, ctx)
            cell.pop("attachments", None) if not cell.get("attachments") else None
        elif cell["cell_type"] == "code":
            outputs = [o for o in cell.get("outputs", [])
                       if not (o.get("metadata", {}).get("scrapbook", {}).get("mime_prefix"))
                       and not any(k.startswith(GLUE_PREFIX) for k in o.get("data", {}))]
            outputs = render_widgets(outputs, models)
            if "remove-output" in tags:
                outputs = []
            cell["outputs"] = outputs
            is_setup = source.startswith(SETUP_MARKER)
            if not is_setup and tags & {"remove-cell", "remove-input", "hide-input", "hide-cell"}:
                _hide(cell)
            if "hide-output" in tags:
                cell.setdefault("metadata", {}).setdefault("jupyter", {})["outputs_hidden"] = True
            if is_setup:
                cell.get("metadata", {}).pop("tags", None)
                if commit:
                    pinned = pin_setup(source, commit)
                    if pinned == source:
                        ctx.problem(f"{ctx.docname}: la celda de preparación no tiene «default_url = \"git+…@…\"»")
                    cell["source"] = pinned
        cells.append(cell)
    if ctx.cited:
        refs = references_markdown(ctx)
        placed = False
        for cell in cells:
            if cell["cell_type"] == "markdown" and "<!-- referencias del capítulo -->" in cell["source"]:
                cell["source"] = cell["source"].replace("<!-- referencias del capítulo -->", refs)
                placed = True
        if not placed:
            cells.append({"cell_type": "markdown", "metadata": {}, "source": "## Referencias\n\n" + refs})
    for cell in cells:
        if cell["cell_type"] == "markdown":
            cell["source"] = cell["source"].replace("<!-- referencias del capítulo -->", "").strip("\n")
    nb["cells"] = [c for c in cells if c["cell_type"] != "markdown" or c["source"].strip()]
    if intro:
        nb["cells"].insert(0, {"cell_type": "markdown", "id": "edicion-colab", "metadata": {}, "source": intro})
    meta = nb.setdefault("metadata", {})
    meta.pop("widgets", None)
    meta["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    meta["colab"] = {"provenance": []}
    return nb


def references_markdown(ctx: Context) -> str:
    """Lista de las referencias citadas, en orden alfabético de autores y año."""
    keys = sorted(ctx.cited, key=lambda k: (ctx.citations[k][0].lower(), str(ctx.citations[k][1])))
    return "\n".join(f"- {ctx.citations[key][2]}" for key in keys)


# --- Bibliografía -----------------------------------------------------------------------------------------
def _last_names(person) -> str:
    from pybtex.richtext import Text

    name = " ".join(person.prelast_names + person.last_names)
    return Text.from_latex(name).render_as("text") if "{" in name or "\\" in name else name


def load_citations(bibfiles: list[Path]) -> dict:
    """Clave → (autores para la cita, año, referencia completa en Markdown) con el estilo ``unsrt_es``."""
    from pybtex.database import BibliographyData, parse_file

    try:
        from spanish_bibtex import SpanishStyle
    except ImportError:  # pragma: no cover
        from pybtex.style.formatting.unsrt import Style as SpanishStyle
    data = BibliographyData()
    for path in bibfiles:
        for key, entry in parse_file(str(path), bib_format="bibtex").entries.items():
            data.entries[key] = entry
    formatted = {entry.key: entry.text.render_as("markdown")
                 for entry in SpanishStyle().format_entries(data.entries.values())}
    result = {}
    for key, entry in data.entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [_last_names(p) for p in people]
        if not names:
            authors = entry.fields.get("title", key)
        elif len(names) == 1:
            authors = names[0]
        elif len(names) == 2:
            authors = f"{names[0]} y {names[1]}"
        else:
            authors = f"{names[0]} et al."
        # pybtex escapa toda la puntuación; en medio de una línea basta con escapar * _ [ ] ` y \\.
        reference = re.sub(r"\\([.\-()!+#:,;])", r"\1", formatted[key].replace("\n", " "))
        result[key] = (authors, entry.fields.get("year", "s. f."), reference)
    return result


# --- Direcciones ------------------------------------------------------------------------------------------
def github_parts(repository_url: str) -> tuple[str, str]:
    """``https://github.com/ORG/REPO`` → ``("ORG", "REPO")``."""
    parts = urlsplit(repository_url).path.strip("/").removesuffix(".git").split("/")
    if len(parts) < 2 or "github.com" not in repository_url:
        raise ValueError(
            f"La dirección del repositorio {repository_url!r} no es de GitHub (https://github.com/ORG/REPO): "
            "corríjala en repository.url de _config.yml."
        )
    return parts[0], parts[1]


def pages_url(repository_url: str) -> str:
    """Dirección del sitio publicado en GitHub Pages: ``https://ORG.github.io/REPO/``."""
    org, repo = github_parts(repository_url)
    return f"https://{org.lower()}.github.io/{repo}/"


def colab_launch_url(repository_url: str, branch: str, docname: str, colab: str = "https://colab.research.google.com") -> str:
    org, repo = github_parts(repository_url)
    return f"{colab.rstrip('/')}/github/{org}/{repo}/blob/{branch}/{docname}.ipynb"


# --- Sphinx -----------------------------------------------------------------------------------------------
def _repository_url(app) -> str:
    return (app.config.html_theme_options or {}).get("repository_url", "")


def _base_url(app) -> str:
    """``html_baseurl`` si se fijó; si no, la dirección de GitHub Pages del repositorio."""
    base = getattr(app.config, "html_baseurl", "") or ""
    if not base and _repository_url(app):
        base = pages_url(_repository_url(app))
    return base if base.endswith("/") or not base else base + "/"


def _number(numbers) -> Optional[str]:
    return ".".join(map(str, numbers)) if numbers else None


def _resolver(app, base: str, current: str):
    env = app.env
    std = env.get_domain("std")
    labels = env.domaindata.get("std", {}).get("labels", {})
    anonlabels = env.domaindata.get("std", {}).get("anonlabels", {})

    doctree = lru_cache(maxsize=None)(env.get_doctree)

    def numbered(docname: str, anchor: str) -> tuple:
        """Tipo y número del destino, con las mismas funciones con que Sphinx resuelve ``{numref}``."""
        node = doctree(docname).ids.get(anchor)
        kind = std.get_enumerable_node_type(node) if node is not None else None
        if kind is None:
            return None, None
        try:
            return kind, _number(std.get_fignumber(env, app.builder, kind, docname, node))
        except ValueError:  # sin número asignado
            return kind, None

    def resolve(role: str, target: str) -> Optional[Target]:
        if role == "doc":
            from sphinx.util import docname_join

            target = target.removesuffix(".md").removesuffix(".ipynb")
            docname = target.lstrip("/") if target.startswith("/") else docname_join(current, target)
            if docname not in env.all_docs:
                return None
            title = env.titles[docname].astext() if docname in env.titles else docname
            return Target(title, f"{base}{docname}.html", docname)
        label = target.lower()
        if label in labels:
            docname, anchor, title = labels[label]
        elif label in anonlabels:
            docname, anchor = anonlabels[label]
            title = env.titles[docname].astext() if docname in env.titles else target
        else:
            return None
        kind, number = numbered(docname, anchor)
        return Target(title, f"{base}{docname}.html#{anchor}", docname, anchor, kind, number)

    return resolve


def chapter_numbers(app, docname: str) -> dict:
    """Los números que el sitio da a los ejercicios, figuras y encabezados de un capítulo.

    ``numbers``: id (la etiqueta) → número; ``order``: tipo → números en el orden del documento;
    ``sections``: número de cada sección en el orden del documento (``None`` si no lleva).
    """
    from docutils import nodes

    env = app.env
    figures = env.toc_fignumbers.get(docname, {})
    numbers = {key.lower(): _number(value) for ids in figures.values() for key, value in ids.items()}
    order = {kind: [_number(value) for value in sorted(ids.values())] for kind, ids in figures.items()}
    secnumbers = env.toc_secnumbers.get(docname, {})
    sections = []
    # Solo las secciones con título (sphinx-exercise envuelve el enunciado y la solución en secciones sin él).
    titled = [s for s in env.get_doctree(docname).findall(nodes.section) if s.children and isinstance(s[0], nodes.title)]
    for index, section in enumerate(titled):
        # Como el índice de Sphinx: la primera sección (el título) se guarda sin ancla.
        anchor = "" if index == 0 else "#" + section["ids"][0]
        sections.append(_number(secnumbers.get(anchor)))
    return {"numbers": numbers, "order": order, "sections": sections}


def image_loader(folder: Path) -> Callable[[str], Optional[str]]:
    """Ruta relativa al capítulo → ``data:image/…;base64`` (de un SVG, su PNG hermano)."""
    kinds = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}

    def load(path: str) -> Optional[str]:
        file = (folder / path).resolve()
        if file.suffix.lower() == ".svg":
            file = file.with_suffix(".png")
        kind = kinds.get(file.suffix.lower())
        if kind is None or not file.is_file():
            return None
        return f"data:{kind};base64,{base64.b64encode(file.read_bytes()).decode('ascii')}"

    return load


def build_commit(srcdir: Path) -> str:
    """El commit desde el que se construye (``git rev-parse HEAD``), o ``""`` fuera de un repositorio."""
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=srcdir, capture_output=True, text=True,
                                timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}", commit) else ""


def executed_notebook(app, docname: str, executed: Path) -> Optional[dict]:
    """El cuaderno con las salidas de esta construcción.

    Si el capítulo salió de la caché de ejecución, myst-nb escribe en ``jupyter_execute`` el cuaderno *sin*
    salidas (guarda el original, no el combinado con la caché); por eso se buscan primero en la caché,
    como hace myst-nb al mostrar la página, y solo si no están allí se usa ``jupyter_execute``.
    """
    import nbformat

    source = Path(str(app.env.doc2path(docname)))
    # Como myst-nb: nb_execution_cache_path o, si está vacío, _build/.jupyter_cache.
    cache_path = getattr(app.config, "nb_execution_cache_path", "") or str(Path(app.outdir).parent / ".jupyter_cache")
    if Path(cache_path).is_dir():
        try:
            from jupyter_cache import get_cache

            _, merged = get_cache(cache_path).merge_match_into_notebook(nbformat.read(str(source), as_version=4))
            return json.loads(nbformat.writes(merged))
        except KeyError:  # no está en la caché (se ejecutó sin caché o cambió)
            pass
    path = executed / f"{docname}.ipynb"
    if not path.is_file():
        return None
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    return nb if any(c.get("outputs") for c in code) or not code else None


def write_colab_edition(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    outdir = Path(app.outdir)
    executed = outdir.parent / "jupyter_execute"
    target = outdir.parent / "colab"
    base = _base_url(app)
    bibfiles = [Path(app.srcdir) / f for f in getattr(app.config, "bibtex_bibfiles", [])]
    citations = load_citations(bibfiles) if bibfiles else {}
    if target.is_dir():
        shutil.rmtree(target)  # sin cuadernos de capítulos que ya no existen
    target.mkdir(parents=True)
    commit = build_commit(Path(app.srcdir))
    (target / "README.md").write_text(README.format(source=_repository_url(app), site=base,
                                                    commit=commit or "(desconocido)"), encoding="utf-8")
    (target / COMMIT_FILE).write_text(commit + "\n", encoding="utf-8")
    written = 0
    numfig_format = {**NUMFIG_FORMAT, **(app.config.numfig_format or {})}
    project = app.config.html_title or app.config.project
    downloads = outdir / DOWNLOADS
    if downloads.is_dir():
        shutil.rmtree(downloads)
    for docname in sorted(app.env.found_docs):
        if not str(app.env.doc2path(docname)).endswith(".ipynb"):
            continue
        notebook = executed_notebook(app, docname, executed)
        if notebook is None:
            logger.warning(f"Edición para Colab: no hay salidas de {docname} (ni en la caché de ejecución ni en "
                           f"{executed})", type="colab", subtype="missing")
            continue
        glue_path = executed / f"{docname}.glue.json"
        glue = json.loads(glue_path.read_text(encoding="utf-8")) if glue_path.is_file() else {}
        numbers = chapter_numbers(app, docname)
        ctx = Context(glue=glue, citations=citations, resolve=_resolver(app, base, docname), docname=docname,
                      drop_solutions=bool(getattr(app.config, "hide_solutions", False)),
                      numfig_format=numfig_format, images=image_loader(Path(app.env.doc2path(docname)).parent),
                      **numbers)
        intro = intro_markdown(project, f"{base}{docname}.html", commit, (numbers["sections"] or [None])[0])
        nb = convert_notebook(notebook, ctx, intro=intro, commit=commit)
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                for leftover in myst_leftovers(cell["source"]):
                    ctx.problem(f"{docname}: queda sintaxis de MyST en la edición para Colab: {leftover!r}")
        for problem in dict.fromkeys(ctx.problems):
            logger.warning(f"Edición para Colab: {problem}", type="colab", subtype="convert")
        text = json.dumps(nb, ensure_ascii=False, indent=1) + "\n"
        for folder in (target, downloads):  # la edición y la copia que descarga el botón del sitio
            path = folder / f"{docname}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        written += 1
    logger.info(f"Edición para Colab: {written} cuadernos en {target}")


def _download_button(app, pagename, context) -> None:
    """En un capítulo en cuaderno, el botón de descarga ofrece la edición para Colab, no la fuente en MyST."""
    if context.get("page_source_suffix") != ".ipynb":
        return
    url = context["pathto"](f"{DOWNLOADS}/{pagename}.ipynb", 1)
    for group in context.get("header_buttons", []) or []:
        if group.get("label") != "download-buttons":
            continue
        buttons = [b for b in group.get("buttons", []) if b.get("label") != "download-notebook-button"]
        for button in buttons:
            if button.get("label") == "download-source-button":
                button.update(url=url, text=".ipynb", tooltip="Descargar el cuaderno con sus resultados "
                              "(edición para Colab o Jupyter)")
        group["buttons"] = buttons


def _colab_button(app, pagename, templatename, context, doctree) -> None:
    """El botón «Colab» del tema abre la edición para Colab (rama ``colab_branch``), no la fuente."""
    _download_button(app, pagename, context)
    url = _repository_url(app)
    if not url:
        return
    for group in context.get("header_buttons", []) or []:
        for button in group.get("buttons", []) or []:
            if "colab.research.google.com" in str(button.get("url", "")) or button.get("text") == "Colab":
                colab = ((app.config.html_theme_options or {}).get("launch_buttons") or {}).get(
                    "colab_url", "https://colab.research.google.com")
                button["url"] = colab_launch_url(url, app.config.colab_branch, pagename, colab)


def check_numrefs(app, env) -> None:
    """Avisa de un ``{numref}`` a una sección sin número propio.

    Sphinx le daría, sin avisar, el número del capítulo (la primera sección del documento): con
    ``numbered: 2`` en ``_toc.yml``, «{numref}`sección %s <x>`» a un encabezado ``###`` diría «sección 5».
    """
    from docutils import nodes
    from sphinx import addnodes
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    std = env.get_domain("std")
    doctree = lru_cache(maxsize=None)(env.get_doctree)
    for docname in sorted(env.found_docs):
        for ref in doctree(docname).findall(addnodes.pending_xref):
            if ref.get("reftype") != "numref":
                continue
            found = std.labels.get(ref.get("reftarget", "").lower())
            if found is None:
                continue  # el propio Sphinx avisa de un destino que no existe
            target_doc, anchor, _ = found
            node = doctree(target_doc).ids.get(anchor)
            if not isinstance(node, nodes.section) or isinstance(node.parent, nodes.document):
                continue  # no es una sección, o es el título del capítulo (numerado si lo es el capítulo)
            if not env.toc_secnumbers.get(target_doc, {}).get("#" + node["ids"][0]):
                logger.warning(f"{{numref}} a la sección «{ref.get('reftarget')}», que no tiene número propio "
                               "(solo se numeran los capítulos y sus secciones ##): use {ref}",
                               location=(docname, ref.line), type="colab", subtype="numref")


def setup(app):
    app.add_config_value("colab_branch", "colab", "html")
    app.connect("html-page-context", _colab_button, priority=600)
    app.connect("env-check-consistency", check_numrefs)
    app.connect("build-finished", write_colab_edition)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
