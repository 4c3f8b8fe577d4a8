"""Ortografía de los capítulos, las páginas y los mensajes del paquete (Hunspell, diccionario español).

No necesita el sitio construido. Si falla, la salida lista cada palabra desconocida y dónde aparece:
corríjala o, si es correcta (término técnico, nombre propio), añádala a ``book/_words.txt``.
"""
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import spellcheck  # noqa: E402  (scripts/spellcheck.py)


def test_hunspell_installed():
    assert shutil.which("hunspell"), "Falta hunspell: bash scripts/install.sh instala hunspell y sus diccionarios."
    assert spellcheck.hunspell_unknown({"perplejidad", "compuerta"}, spellcheck.SPANISH) == set()
    assert spellcheck.hunspell_unknown({"gate"}, spellcheck.SPANISH_AND_ENGLISH) == set()


def test_markdown_filters_code_math_and_markup():
    text = (
        "# Título\n\nLa *compuerta de olvido* (*forget gate*) y $\\mathbf{H}_t$ con `codigo_raro` "
        "y {footcite:t}`hochreiter1997lstm`, véase [la página](https://example.org/xqzt).\n\n"
        "```python\nxqzt = 1\n```\n\n$$\nxqzt\n$$\n\n:::{exercise}\n:label: ej-xqzt\nEnunciado.\n:::\n"
    )
    prose, italic = spellcheck.markdown_prose(text)
    assert "xqzt" not in prose and "codigo_raro" not in prose and "hochreiter" not in prose
    assert "Enunciado" in prose and "la página" in prose
    assert "forget gate" in italic and "forget" not in prose


def test_detects_misspellings():
    found = spellcheck.unknown_words([("prueba", "Los modelos makovianos y el datset.", "")], set())
    assert set(found) == {"makovianos", "datset"}


def test_enclitic_verbs_accepted():
    found = spellcheck.unknown_words([("prueba", "Calcúlelas y desplegarlas; conviértalo.", "")], set())
    assert not found


def test_course_spelling():
    unknown = spellcheck.unknown_words()
    listing = "\n".join(f"  {w}  ←  {', '.join(where[:3])}" for w, where in unknown.items())
    if unknown:
        pytest.fail(f"{len(unknown)} palabras desconocidas (corríjalas o añádalas a book/_words.txt):\n{listing}")
