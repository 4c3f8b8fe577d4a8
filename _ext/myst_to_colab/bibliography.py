"""Citas ``{cite}`` y ``{footcite}`` y la lista de referencias del capítulo, a partir de ``references.bib``.

Las entradas se leen y se formatean con pybtex (el mismo que usa sphinxcontrib-bibtex en el sitio) y el
estilo que se le pase: la construcción pasa ``spanish_bibtex.SpanishStyle``, el del sitio. Lo único propio
es el texto corto de la cita («Elman», «Hochreiter y Schmidhuber», «Cho et al.»), que en el sitio compone
sphinxcontrib-bibtex dentro de Sphinx.
"""
from __future__ import annotations

import re
from pathlib import Path

from pybtex.database import BibliographyData, parse_file
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle

from .context import Context


def last_names(person) -> str:
    """Apellidos de una persona de pybtex, sin la sintaxis de LaTeX (``{\\"u}`` → «ü»)."""
    name = " ".join(person.prelast_names + person.last_names)
    return Text.from_latex(name).render_as("text") if "{" in name or "\\" in name else name


def short_authors(entry, key: str) -> str:
    """Los autores como en la cita del sitio: uno, «A y B» o «A et al.» (sin autores, el título)."""
    names = [last_names(p) for p in entry.persons.get("author") or entry.persons.get("editor") or []]
    if not names:
        return entry.fields.get("title", key)
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} y {names[1]}"
    return f"{names[0]} et al."


def load_citations(bibfiles: list[Path], style=None) -> dict:
    """Clave → ``(autores para la cita, año, referencia completa en Markdown)``.

    ``style``: un estilo de pybtex (por omisión, ``unsrt``); las referencias se escriben en una línea.
    """
    data = BibliographyData()
    for path in bibfiles:
        for key, entry in parse_file(str(path), bib_format="bibtex").entries.items():
            data.entries[key] = entry
    style = style or UnsrtStyle()
    formatted = {entry.key: entry.text.render_as("markdown") for entry in style.format_entries(data.entries.values())}
    result = {}
    for key, entry in data.entries.items():
        # pybtex escapa toda la puntuación; en medio de una línea basta con escapar * _ [ ] ` y \\.
        reference = re.sub(r"\\([.\-()!+#:,;])", r"\1", formatted[key].replace("\n", " "))
        result[key] = (short_authors(entry, key), entry.fields.get("year", "s. f."), reference)
    return result


def cite_text(role: str, content: str, ctx: Context) -> str:
    """«(Autor, año)» para ``:p`` (y ``{cite}``), «Autor (año)» para ``:t``; varias claves con «; ».

    Anota cada clave en ``ctx.cited`` para la lista de referencias.
    """
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


def references_markdown(ctx: Context) -> str:
    """Lista de las referencias citadas, en orden alfabético de autores y año."""
    keys = sorted(ctx.cited, key=lambda k: (ctx.citations[k][0].lower(), str(ctx.citations[k][1])))
    return "\n".join(f"- {ctx.citations[key][2]}" for key in keys)
