"""Lectura del libro y del paquete que comparten los scripts y las pruebas de estilo y ortografía.

- Las celdas de los capítulos (``book/*.ipynb``), con el lugar de cada una («01_secuencias.ipynb (celda
  ajuste)»), y las páginas ``book/*.md``.
- La prosa de un texto MyST sin bloques de código, directivas que no son prosa, matemáticas, roles ni
  código en línea (``strip_code_and_math``); cada script quita después lo suyo (enlaces, cursivas…).
- Los módulos de ``companion/`` ya analizados con ``ast`` y las partes literales de una cadena.

Se importa como módulo hermano: ``import book_text`` desde ``scripts/`` (los scripts se ejecutan desde
allí) o con ``scripts/`` en ``sys.path`` (las pruebas).
"""
from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
PACKAGE = ROOT / "companion"
# Etiquetas con las que el sitio no muestra el código de una celda (o lo pliega).
HIDDEN_INPUT = frozenset({"remove-input", "remove-cell", "hide-input"})

# Directivas de MyST cuyo contenido es prosa (las demás —código, matemáticas, bibliografía— se omiten).
PROSE_DIRECTIVES = {
    "admonition", "attention", "caution", "danger", "error", "hint", "important", "note", "seealso",
    "tip", "warning", "glossary", "exercise", "solution", "figure", "margin", "dropdown", "epigraph",
    "topic", "sidebar", "card", "div", "prf:definition", "prf:theorem", "table", "list-table",
}


# ---------------------------------------------------------------------------- el libro
def notebooks(pattern: str = "*.ipynb") -> list[Path]:
    """Los cuadernos de ``book/`` (``"[0-9][0-9]_*.ipynb"``: solo los capítulos numerados)."""
    return sorted(BOOK.glob(pattern))


def cells(cell_type: str, pattern: str = "*.ipynb", visible: bool = False) -> Iterator[tuple[Path, str, str]]:
    """(cuaderno, lugar, fuente) de cada celda de tipo ``cell_type`` («code» o «markdown»); con
    ``visible``, solo las celdas de código cuyo código muestra el sitio."""
    for path in notebooks(pattern):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for number, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != cell_type:
                continue
            if visible and set(cell.get("metadata", {}).get("tags", [])) & HIDDEN_INPUT:
                continue
            yield path, f"{path.name} (celda {cell.get('id', number)})", "".join(cell["source"])


def pages() -> list[tuple[str, str]]:
    """(nombre, texto) de cada página ``book/*.md``."""
    return [(path.name, path.read_text(encoding="utf-8")) for path in sorted(BOOK.glob("*.md"))]


def without_magics(source: str) -> str:
    """El código de una celda con cada orden mágica (``%…``, ``!…``) cambiada por ``pass`` (mismas líneas)."""
    return "\n".join(re.sub(r"^(\s*)[%!].*", r"\1pass  # magia", line) for line in source.split("\n"))


# ---------------------------------------------------------------------------- prosa MyST
def drop_fences(text: str) -> str:
    """Quita los bloques de código y de directivas que no son prosa; de las demás, las opciones."""
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        match = re.match(r"^(\s*)(`{3,}|~{3,}|:{3,})\s*(\{([^}]*)\})?(.*)$", lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        fence, name = match.group(2), (match.group(4) or "").strip()
        j = i + 1
        while j < len(lines) and not re.match(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[j]):
            j += 1
        body = lines[i + 1:j]
        if name in PROSE_DIRECTIVES:
            title = match.group(5).strip()
            if name not in ("solution", "figure") and title:
                out.append(title)
            out.append(drop_fences("\n".join(l for l in body if not re.match(r"^\s*:[\w-]+:", l))))
        i = j + 1
    return "\n".join(out)


def strip_code_and_math(text: str) -> str:
    """Texto MyST sin bloques de código, comentarios HTML, matemáticas, roles ni código en línea."""
    text = drop_fences(text)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", " ", text, flags=re.S)
    text = re.sub(r"(?<![\\$])\$[^$\n]+?\$", " ", text)
    text = re.sub(r"\{[\w:.-]+\}`[^`]*`", " ", text)          # roles: {cite}`clave`, {glue:text}`x`
    return re.sub(r"`+[^`]*`+", " ", text)                     # código en línea


def prose_words_and_exercises(path: Path) -> tuple[int, int]:
    """(palabras de prosa, ejercicios) de un capítulo, como los cuenta el plan de sesiones de
    ``book/instructores.md``: palabras de las celdas de texto sin código, matemáticas ni soluciones."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    text = "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    exercises = len(re.findall(r"^:{3,}\{exercise\}", text, flags=re.M))
    text = re.sub(r"^(:{3,})\{solution\}.*?^\1\s*$", " ", text, flags=re.S | re.M)
    words = re.findall(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", strip_code_and_math(text))
    return len(words), exercises


# ---------------------------------------------------------------------------- el paquete
def package_modules() -> list[tuple[Path, ast.Module]]:
    """(ruta, árbol sintáctico) de cada módulo ``companion/*.py``."""
    return [(path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
            for path in sorted(PACKAGE.glob("*.py"))]


def literal_parts(node: ast.AST) -> list[str]:
    """Partes literales de una cadena (también de las f-strings y de las concatenaciones)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    if isinstance(node, ast.BinOp):
        return literal_parts(node.left) + literal_parts(node.right)
    return []


def call_name(func: ast.AST) -> str:
    """Nombre de la función de una llamada: ``error`` en ``parser.error(…)``."""
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
