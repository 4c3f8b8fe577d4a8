"""Parte del código visible de cada capítulo que enseña (y parte que es contabilidad).

Cuenta las líneas no vacías de las celdas de código que el sitio muestra (sin ``remove-input``,
``remove-cell`` ni ``hide-input``) y separa la contabilidad, lo que está ahí para el libro y no para la
lección:

* ``assert`` (comprobación de lo que afirma el texto) y ``glue(...)`` (números que cita el texto);
* la preparación del cuaderno: ``torch.set_num_threads``, relojes del capítulo (``time.perf_counter()``
  guardado en un nombre con «start») y órdenes mágicas (``%matplotlib``…).

Un comentario cuenta con la instrucción que le sigue. Todo lo demás (modelos, experimentos, ``print`` de
resultados, figuras) enseña. Uso::

    python scripts/teaching_share.py            # tabla por capítulo
    python scripts/teaching_share.py --json     # lo mismo en JSON
"""
from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

from book_text import cells, notebooks, without_magics

TARGET = 0.80


def _is_bookkeeping(node: ast.stmt, line: str) -> bool:
    if isinstance(node, ast.Assert):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("glue", "set_num_threads"):
            return True
    if isinstance(node, ast.Pass) and line.strip().startswith(("%", "!")):
        return True
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
        target = node.targets[0]
        func = node.value.func
        if (isinstance(target, ast.Name) and "start" in target.id and isinstance(func, ast.Attribute)
                and func.attr == "perf_counter"):
            return True
    return False


def classify(source: str) -> tuple[int, int]:
    """(líneas que enseñan, líneas de contabilidad) de una celda."""
    lines = source.split("\n")
    kind = [None] * len(lines)  # True: contabilidad; False: enseña
    try:
        tree = ast.parse(without_magics(source))
    except SyntaxError:
        return sum(1 for line in lines if line.strip()), 0
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.For,
                                                                 ast.While, ast.If, ast.With, ast.Try,
                                                                 ast.AsyncFunctionDef, ast.AsyncFor,
                                                                 ast.AsyncWith)):
            book = _is_bookkeeping(node, lines[node.lineno - 1])
            for n in range(node.lineno - 1, node.end_lineno):
                if kind[n] is None or book:
                    kind[n] = book
    # Los comentarios (y las líneas de control sin clasificar) cuentan con la instrucción siguiente.
    following = False
    for n in range(len(lines) - 1, -1, -1):
        if not lines[n].strip():
            continue
        if kind[n] is None:
            kind[n] = following
        following = kind[n]
    teach = sum(1 for n, line in enumerate(lines) if line.strip() and not kind[n])
    book = sum(1 for n, line in enumerate(lines) if line.strip() and kind[n])
    return teach, book


def chapter_share(path: Path) -> dict:
    teach = book = 0
    for _, _, source in cells("code", path.name, visible=True):
        t, b = classify(source)
        teach, book = teach + t, book + b
    total = teach + book
    return {"chapter": path.stem, "teach": teach, "bookkeeping": book,
            "share": teach / total if total else 1.0}


def shares() -> list[dict]:
    return [chapter_share(p) for p in notebooks("[0-9][0-9]_*.ipynb")]


def main(argv: list[str]) -> int:
    rows = shares()
    if "--json" in argv:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    print(f"{'capítulo':32s} {'enseñan':>8s} {'contab.':>8s} {'parte':>7s}")
    for r in rows:
        print(f"{r['chapter']:32s} {r['teach']:8d} {r['bookkeeping']:8d} {100 * r['share']:6.1f} %")
    teach = sum(r["teach"] for r in rows)
    total = teach + sum(r["bookkeeping"] for r in rows)
    print(f"{'total':32s} {teach:8d} {total - teach:8d} {100 * teach / total:6.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
