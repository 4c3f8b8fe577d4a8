"""Filas de la tabla «Plan de sesiones» de ``book/instructores.md``.

Cuenta las palabras de prosa y los ejercicios de cada capítulo (``book_text.prose_words_and_exercises``),
toma el tiempo de ejecución de la última construcción (la caché de ejecución de Jupyter Book,
``_build/.jupyter_cache``, guarda cuántos segundos tardó cada cuaderno) y calcula el tiempo de clase con la
fórmula de la página: 120 palabras por minuto más 10 minutos por ejercicio, redondeado a múltiplos de 5.

Uso, después de construir el libro: ``.venv/bin/python scripts/class_plan.py`` (imprime las filas en
Markdown; ``tests/test_class_plan.py`` comprueba que la tabla de la página concuerda con los cuadernos).
"""
from __future__ import annotations

import json
from pathlib import Path

import book_text


def execution_seconds(cache_dir: Path) -> dict[str, float]:
    """Segundos de la última ejecución guardada de cada cuaderno (por nombre de archivo)."""
    from jupyter_cache import get_cache

    seconds = {}
    for record in sorted(get_cache(str(cache_dir)).list_cache_records(), key=lambda r: r.created):
        if "execution_seconds" in (record.data or {}):
            seconds[Path(record.uri).name] = record.data["execution_seconds"]
    return seconds


def class_minutes(words: int, exercises: int) -> int:
    """Minutos de clase estimados: lectura a 120 palabras por minuto y 10 minutos por ejercicio."""
    return 5 * round((words / 120 + 10 * exercises) / 5)


def main() -> None:
    seconds = execution_seconds(book_text.ROOT / "_build" / ".jupyter_cache")
    for path in book_text.notebooks("[0-9][0-9]_*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        title = next(line[2:].strip() for c in nb["cells"] if c["cell_type"] == "markdown"
                     for line in "".join(c["source"]).split("\n") if line.startswith("# "))
        words, exercises = book_text.prose_words_and_exercises(path)
        run = f"{seconds[path.name]:.0f} s" if path.name in seconds else "sin medir"
        print(f"| {int(path.name[:2])}. {title} | {words} | {exercises} | {run} | {class_minutes(words, exercises)} min |")


if __name__ == "__main__":
    main()
