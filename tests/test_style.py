"""Un término por concepto, trato de usted y un solo estilo de números en todo el curso.

- Terminología: las variantes prohibidas de ``book/_terms.yml`` no aparecen en la prosa de los
  capítulos (celdas Markdown de ``book/*.ipynb``), de las páginas ``book/*.md`` (el glosario de la
  introducción incluido) ni en las cadenas de ``companion/*.py``.
- Números: en la prosa y en los mensajes del paquete, punto decimal, millares con espacio fino que no
  separa (U+202F) y «35 %» con un espacio que no separa (U+00A0), como hacen las funciones de
  ``companion.display``; los capítulos y el paquete no formatean números por su cuenta.

No necesita el sitio construido. Si falla, la salida dice qué variante apareció, dónde y qué escribir.
"""
import ast
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import book_text  # noqa: E402  (scripts/book_text.py)
import spellcheck  # noqa: E402  (scripts/spellcheck.py)
import teaching_share  # noqa: E402  (scripts/teaching_share.py)

TERMS = yaml.safe_load((ROOT / "book" / "_terms.yml").read_text(encoding="utf-8"))
THIN, NBSP = "\u202f", "\u00a0"


# ---------------------------------------------------------------------------- fuentes
def prose(text: str) -> str:
    """Prosa de un texto MyST, cursivas incluidas (marcadas con *): sin código, matemáticas, URL ni roles."""
    text = book_text.strip_code_and_math(text)
    text = re.sub(r"\]\([^)]*\)", "]", text)                   # destino de los enlaces
    text = re.sub(r"<https?://[^>]*>|https?://\S+|www\.\S+", " ", text)
    text = re.sub(r"^\s*\([\w:.-]+\)=\s*$", " ", text, flags=re.M)
    return text


def chapter_sources() -> list[tuple[str, str]]:
    """(origen, texto MyST) de cada capítulo (sus celdas Markdown juntas) y de cada página ``book/*.md``."""
    chapters = {}
    for path, _, source in book_text.cells("markdown"):
        chapters.setdefault(path.name, []).append(source)
    return [(name, "\n\n".join(texts)) for name, texts in chapters.items()] + book_text.pages()


def chapter_code() -> list[tuple[str, str]]:
    return [(origin, source) for _, origin, source in book_text.cells("code")]


def package_strings() -> list[tuple[str, str]]:
    """(origen, texto) de cada cadena literal de ``companion/*.py`` (docstrings y partes de f-strings)."""
    out = []
    for path, tree in book_text.package_modules():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip()
                    and not re.fullmatch(r"[\w.-]+", node.value.strip())):      # un nombre suelto es código
                text = re.sub(r"``[^`]*``|`[^`]*`", " ", node.value)     # código citado en los docstrings
                out.append((f"companion/{path.name}:{node.lineno}", text))
    return out


def package_messages() -> list[tuple[str, str]]:
    """(origen, texto) de los mensajes para el usuario: excepciones, ayuda, etiquetas, ``print``."""
    calls = spellcheck.MESSAGE_CALLS | spellcheck.MESSAGE_METHODS | {"print"}
    return list(spellcheck.message_texts(calls, every_argument=True))


# ---------------------------------------------------------------------------- terminología
def _pattern(variant: str) -> re.Pattern:
    # Palabra completa; un nombre de código (embedding_dim, nn.Embedding, --embedding-dropout) no cuenta.
    return re.compile(rf"(?<![\w.-]){re.escape(variant)}(?![\w(-])", re.IGNORECASE)


def find_banned(sources, entries, italic_once=True) -> list[str]:
    problems = []
    for origin, text in sources:
        for entry in entries:
            for variant in entry["banned"]:
                hits = [m for m in _pattern(variant).finditer(text)]
                if entry.get("italic_once") and italic_once:
                    glosses = [m for m in hits if text[max(m.start() - 1, 0)] in "*_" and
                               text[m.end():m.end() + 1] in ("*", "_")]
                    hits = [m for m in hits if m not in glosses] + glosses[1:]
                for m in hits:
                    context = text[max(m.start() - 40, 0):m.end() + 40].replace("\n", " ")
                    problems.append(f"{origin}: «{m.group(0)}» → escriba «{entry['preferred']}»  (…{context}…)")
    return problems


def _report(problems):
    if problems:
        pytest.fail(f"{len(problems)} problemas:\n" + "\n".join(f"  {p}" for p in problems))


def test_terms_file_is_well_formed():
    for section in ("terms", "calques", "formal_address"):
        for entry in TERMS[section]:
            assert entry["preferred"] and entry["banned"], entry
            for variant in entry["banned"]:
                assert not _pattern(variant).search(entry["preferred"]), f"{variant!r} está en su propio preferido"


def test_banned_detection():
    entry = {"preferred": "incrustación", "banned": ["embedding"], "italic_once": True}
    ok = [("a", "una incrustación (*embedding*) y `nn.Embedding` y embedding_dim")]
    bad = [("b", "el embedding de la red"), ("c", "(*embedding*) y otra vez *embedding*")]
    assert find_banned(ok, [entry]) == []
    assert len(find_banned(bad, [entry])) == 2
    assert find_banned([("d", "Kneser–Ney")], [{"preferred": "Kneser-Ney", "banned": ["Kneser–Ney"]}])


def test_terminology_in_chapters_and_glossary():
    sources = [(origin, prose(text)) for origin, text in chapter_sources()]
    _report(find_banned(sources, TERMS["terms"] + TERMS["calques"]))


def test_terminology_in_package():
    _report(find_banned(package_strings(), TERMS["terms"] + TERMS["calques"]))


def test_usted_in_chapters():
    entries = [e for e in TERMS["formal_address"] if not e.get("package_only")]
    sources = []
    for origin, text in chapter_sources():
        outside_quotes = "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">"))
        sources.append((origin, prose(outside_quotes)))
    _report(find_banned(sources, entries))


def test_usted_in_package_messages():
    _report(find_banned(package_strings(), TERMS["formal_address"]))


# ---------------------------------------------------------------------------- números
COMMA_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])")
SPACE_THOUSANDS = re.compile(r"(?<![\d.,\u202f])\d{1,3}(?:[ \u00a0\u2009]\d{3})+(?![\d\u202f])")
BAD_PERCENT = re.compile(r"\d(?:[ \u202f\u2009])?%(?!\()")


def number_problems(sources) -> list[str]:
    problems = []
    for origin, text in sources:
        for pattern, advice in [
            (COMMA_THOUSANDS, "millares con coma: use fmt_int (1\u202f831\u202f454)"),
            (SPACE_THOUSANDS, "millares con espacio normal: use el espacio fino U+202F (fmt_int)"),
            (BAD_PERCENT, "«%» sin espacio que no separa: escriba «35\u00a0%» (fmt_pct)"),
        ]:
            for m in pattern.finditer(text):
                context = text[max(m.start() - 30, 0):m.end() + 30].replace("\n", " ")
                problems.append(f"{origin}: {advice}  (…{context}…)")
    return problems


def test_number_patterns():
    bad = [("a", "1,831,454 caracteres"), ("b", "2 034 949 caracteres"), ("c", "el 35 % y el 5%")]
    good = [("d", f"1{THIN}831{THIN}454, 2026, 3.36, 35{NBSP}%, órdenes 1, 2, 3 y 1000 veces, %(prog)s")]
    assert len(number_problems(bad)) == 4
    assert number_problems(good) == []


def test_number_style_in_chapters():
    _report(number_problems([(origin, prose(text)) for origin, text in chapter_sources()]))


def test_number_style_in_package_messages():
    _report(number_problems(package_messages()))


LOCAL_FORMATTERS = re.compile(r"^\s*def\s+(thousands|es|sci|fmt_int|fmt_num|fmt_pct|fmt_sci|_grouped)\s*\(", re.M)


def hand_grouping(source: str) -> list[int]:
    """Líneas que agrupan millares a mano: ``f"{n:,}"``, ``format(n, ",")`` o ``.replace(",", …)``."""
    lines = []
    for node in ast.walk(ast.parse(book_text.without_magics(source))):
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            if any("," in text or "_" in text for text in book_text.literal_parts(node.format_spec)):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and book_text.call_name(node.func) in ("replace", "format") and node.args:
            first = node.args[0] if book_text.call_name(node.func) == "replace" else node.args[-1]
            if isinstance(first, ast.Constant) and first.value in (",", ",d", ",.0f"):
                lines.append(node.lineno)
    return sorted(set(lines))


def test_hand_grouping_detection():
    assert hand_grouping('x = f"{n:,}"\ny = f"{n:.2f}"\nz = str(n).replace(",", " ")\nw = {1: 2, 3: 4}') == [1, 3]


def test_numbers_formatted_by_companion_display():
    """Los capítulos y el paquete formatean con ``companion.display``, no con ayudantes propios."""
    problems = []
    for origin, source in chapter_code():
        problems += [f"{origin}: define su propio formateador «{m.group(1)}»" for m in LOCAL_FORMATTERS.finditer(source)]
        problems += [f"{origin}, línea {n}: agrupa millares a mano; use fmt_int / fmt_num" for n in hand_grouping(source)]
    for path in sorted((ROOT / "companion").glob("*.py")):
        if path.name != "display.py":
            problems += [f"companion/{path.name}:{n}: agrupa millares a mano; use companion.display.fmt_int"
                         for n in hand_grouping(path.read_text(encoding="utf-8"))]
    _report(problems)


# ---------------------------------------------------------------------------- código que cabe
CODE_WIDTH = 88  # [tool.ruff] line-length en pyproject.toml


def visible_code_lines() -> list[tuple[str, str]]:
    """(origen, línea) de cada línea de código que el sitio muestra sin plegar (celdas sin
    ``remove-input``, ``remove-cell`` ni ``hide-input``)."""
    return [(f"{origin[:-1]}, línea {k})", line)
            for _, origin, source in book_text.cells("code", visible=True)
            for k, line in enumerate(source.split("\n"), start=1)]


def test_chapters_formatted_with_ruff():
    """Los capítulos están formateados con ``ruff format`` (lee los cuadernos directamente)."""
    import shutil
    import subprocess
    import sys

    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "No se encuentra ruff: instálelo con requirements.txt (scripts/install.sh)."
    notebooks = sorted(str(p) for p in (ROOT / "book").glob("*.ipynb"))
    result = subprocess.run([ruff, "format", "--check", *notebooks], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, (
        "Capítulos sin formatear; ejecute «ruff format book/*.ipynb»:\n" + result.stdout + result.stderr)


def test_visible_code_fits_the_column():
    """Ninguna línea de código visible pasa de 88 columnas: cabe en la columna del sitio sin desplazarse.

    ``ruff format`` no parte los textos ni los comentarios largos: pártalos a mano (cadenas contiguas
    entre paréntesis, comentarios en varias líneas).
    """
    lines = visible_code_lines()
    assert len(lines) > 1000, "No se encontraron las celdas de código de los capítulos"
    long = [f"{origin}: {len(line)} columnas" for origin, line in lines if len(line) > CODE_WIDTH]
    _report(long)


# ---------------------------------------------------------------------------- código que enseña
def test_teaching_share_classifier():
    teach, book = teaching_share.classify(
        "%matplotlib inline\nx = train(model)  # entrena\n\n# el texto dice que baja\n"
        "assert (\n    x < 1\n)\nglue('x', x)\nprint(x)"
    )
    assert (teach, book) == (2, 6)


def test_visible_code_mostly_teaches():
    """En cada capítulo, al menos el 80 % de las líneas de código visibles enseña
    (``scripts/teaching_share.py``): los ``assert`` y ``glue`` van a celdas ocultas (``remove-cell``)."""
    low = [f"{r['chapter']}: {100 * r['share']:.1f} %" for r in teaching_share.shares()
           if r["share"] < teaching_share.TARGET]
    assert not low, ("Mueva los assert y glue del final de las celdas a una celda oculta "
                     "(remove-cell) a continuación:\n" + "\n".join(low))
