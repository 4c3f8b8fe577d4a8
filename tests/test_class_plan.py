"""El plan de sesiones de ``book/instructores.md`` dice la verdad sobre los capítulos: cuántos ejercicios
tiene cada uno, cuántas palabras de prosa (con un margen del 5 %, para que un retoque de redacción no obligue
a rehacer la tabla) y el tiempo de clase que da la fórmula que la página declara."""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import book_text  # noqa: E402


def _plan_rows() -> dict[int, tuple[int, int, int]]:
    text = (ROOT / "book" / "instructores.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        match = re.match(r"^\| (\d+)\. [^|]+\| (\d+) \| (\d+) \| [^|]+ \| (\d+) min \|$", line)
        if match:
            number, words, exercises, minutes = map(int, match.groups())
            rows[number] = (words, exercises, minutes)
    return rows


def test_every_chapter_has_a_row():
    chapters = book_text.notebooks("[0-9][0-9]_*.ipynb")
    assert sorted(_plan_rows()) == [int(p.name[:2]) for p in chapters], (
        "La tabla «Plan de sesiones» de book/instructores.md no tiene una fila por capítulo.")


def test_words_exercises_and_minutes_match_the_chapters():
    rows = _plan_rows()
    for path in book_text.notebooks("[0-9][0-9]_*.ipynb"):
        words, exercises, minutes = rows[int(path.name[:2])]
        real_words, real_exercises = book_text.prose_words_and_exercises(path)
        assert exercises == real_exercises, f"{path.name}: la tabla dice {exercises} ejercicios y hay {real_exercises}."
        assert abs(words - real_words) <= 0.05 * real_words, (
            f"{path.name}: la tabla dice {words} palabras de prosa y hay {real_words}: actualice la fila.")
        expected = 5 * round((words / 120 + 10 * exercises) / 5)
        assert minutes == expected, f"{path.name}: con la fórmula de la página, la clase es de {expected} min."


def test_counting_skips_code_math_and_solutions(tmp_path):
    import json

    cell = ("Una frase de cinco palabras.\n\n$$x = 1$$\n\n```python\nprint('nada')\n```\n\n"
            ":::{exercise}\n:label: e\n\nMida dos cosas.\n:::\n\n:::{solution} e\nNo cuenta esto.\n:::\n")
    nb = {"cells": [{"cell_type": "markdown", "source": cell, "metadata": {}}], "metadata": {},
          "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "99_prueba.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert book_text.prose_words_and_exercises(path) == (8, 1)
