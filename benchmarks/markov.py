"""Banco de pruebas de los modelos de n-gramas (Kneser-Ney interpolado) sobre el Quijote.

Entrena un modelo por orden (1 a 8) con el 90 % inicial del texto limpio, lo evalúa en el 5 % final
(la parte de prueba, disjunta del entrenamiento) y mide:

* la perplejidad ``exp(NLL total / caracteres predichos)`` y los bits por carácter;
* el tiempo de ajuste (objetivo: orden 7 en ≤ 30 s) y el de puntuar 100 000 caracteres (≤ 10 s).

Imprime una tabla en Markdown y la guarda en ``benchmarks/results/markov.md``.

Uso (desde la raíz del repositorio)::

    source scripts/env.sh && .venv/bin/python benchmarks/markov.py
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import write_atomic  # noqa: E402
from companion.data import load_corpus  # noqa: E402
from companion.display import fmt_int  # noqa: E402
from companion.markov import NGramLM  # noqa: E402
from companion.metrics import bits_per_char, perplexity_from_nll  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "markov.md"
SCORED_CHARS = 100_000


def run(orders: list[int], timed_order: int) -> str:
    load = f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "desconocida"
    corpus = load_corpus()
    train, test = corpus.train_text, corpus.test_text
    scored = test[: SCORED_CHARS + 1]  # 100 000 caracteres predichos
    rows, timing = [], None
    for order in orders:
        start = time.perf_counter()
        lm = NGramLM(order, "kneser-ney").fit(train)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        nll = -lm.log_likelihood(test)
        eval_s = time.perf_counter() - start
        count = len(test) - 1
        rows.append((order, perplexity_from_nll(nll, count), bits_per_char(nll, count), fit_s, eval_s))
        if order == timed_order:
            score_s = min(_time(lambda: lm.token_log_probs(scored)) for _ in range(3))
            timing = (fit_s, score_s)
        print(f"orden {order}: perplejidad {rows[-1][1]:.3f}, ajuste {fit_s:.1f} s", flush=True)

    lines = [
        "# Modelos de n-gramas de caracteres (Kneser-Ney interpolado) sobre el Quijote",
        "",
        f"Entrenamiento: 90 % inicial del texto limpio ({fmt_int(len(train))} caracteres). "
        f"Evaluación: 5 % final, la parte de prueba ({fmt_int(len(test) - 1)} caracteres predichos). "
        "Perplejidad = exp(NLL total / caracteres predichos); bits por carácter = NLL / (N · ln 2).",
        "",
        "| Orden n | Contexto (n − 1) | Perplejidad (prueba) | Bits por carácter | Ajuste (s) | Evaluación (s) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {o} | {o - 1} | {p:.3f} | {b:.3f} | {f:.1f} | {e:.2f} |" for o, p, b, f, e in rows]
    if timing is not None:
        lines += [
            "",
            f"Velocidad del orden {timed_order}: ajuste sobre el texto de entrenamiento en {timing[0]:.1f} s "
            f"(objetivo ≤ 30 s); puntuación de {fmt_int(SCORED_CHARS)} caracteres en {timing[1]:.2f} s "
            "(objetivo ≤ 10 s, mejor de 3).",
        ]
    lines += [
        "",
        f"Medido el {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC en {platform.machine()} con {os.cpu_count()} "
        f"núcleos (carga media al empezar: {load}), Python {platform.python_version()}, NumPy {np.__version__}. "
        f"SHA-256 del texto limpio: `{corpus.checksum}`.",
        "",
    ]
    return "\n".join(lines)


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Perplejidad y velocidad de los n-gramas de Kneser-Ney sobre el Quijote."
    )
    parser.add_argument("--max-order", type=int, default=8, help="orden máximo evaluado (por defecto, 8)")
    parser.add_argument("--timed-order", type=int, default=7, help="orden cuya velocidad se mide (por defecto, 7)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="archivo Markdown de resultados")
    args = parser.parse_args()
    if args.max_order < 1:
        parser.error("--max-order debe ser ≥ 1")
    table = run(list(range(1, args.max_order + 1)), args.timed_order)
    print()
    print(table)
    write_atomic(args.output, table)
    print(f"Resultados guardados en {args.output}")


if __name__ == "__main__":
    main()
