"""Banco de pruebas 1: rendimiento de entrenamiento de las capas desde cero frente a torch.nn.

Mide caracteres por segundo (propagación hacia delante + hacia atrás) de cada celda desde cero, por sus dos
caminos (el rápido, ``companion.fast``, y el legible, ``layer(X)``, que llama a ``step`` en cada paso), y
de su equivalente de ``torch.nn`` en la misma ejecución, con lote 64, 100 pasos, tamaño oculto 256 y entrada de
tamaño 33 (un one-hot del vocabulario del Quijote), con 2 hilos. Las mediciones se intercalan (en orden
alterno en cada repetición) para que la carga de la máquina afecte por igual a todas, y la razón que se
informa es la mediana de las razones de cada par de mediciones (camino rápido frente a torch.nn).

Uso::

    python benchmarks/throughput.py                 # escribe benchmarks/results/throughput.md
    python benchmarks/throughput.py --repeats 5 --output /tmp/t.md
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import write_atomic  # noqa: E402
from companion.display import fmt_int  # noqa: E402
from companion.fast import fused  # noqa: E402
from companion.rnn import GRUScratch, LSTMScratch, RNNScratch  # noqa: E402

CELLS = {
    "rnn": ("RNN", lambda d, h: RNNScratch(d, h), lambda d, h: nn.RNN(d, h)),
    "lstm": ("LSTM", lambda d, h: LSTMScratch(d, h), lambda d, h: nn.LSTM(d, h)),
    "gru": ("GRU (Cho et al., reset_after=False)", lambda d, h: GRUScratch(d, h), lambda d, h: nn.GRU(d, h)),
    "gru-torch": ("GRU (variante de torch, reset_after=True)", lambda d, h: GRUScratch(d, h, reset_after=True),
                  lambda d, h: nn.GRU(d, h)),
}


def train_step_time(layer: nn.Module, X: torch.Tensor, iterations: int, path=nullcontext) -> float:
    """Segundos por iteración de propagación hacia delante y hacia atrás (gradientes de todos los parámetros).

    ``path`` elige el camino: ``nullcontext`` (el ``forward`` de la capa) o ``companion.fast.fused``."""
    start = time.perf_counter()
    with path(layer):
        for _ in range(iterations):
            for p in layer.parameters():
                p.grad = None
            outputs, _ = layer(X)
            outputs.square().mean().backward()
    return (time.perf_counter() - start) / iterations


def benchmark(cell: str, batch_size: int, num_steps: int, input_size: int, hidden_size: int,
              repeats: int, iterations: int) -> dict:
    _, make_scratch, make_torch = CELLS[cell]
    torch.manual_seed(0)
    scratch, reference = make_scratch(input_size, hidden_size), make_torch(input_size, hidden_size)
    ids = torch.randint(0, input_size, (num_steps, batch_size))
    X = nn.functional.one_hot(ids, input_size).float()
    runs = {"scratch": (scratch, fused), "readable": (scratch, nullcontext), "torch": (reference, nullcontext)}
    for layer, path in runs.values():  # calentamiento
        train_step_time(layer, X, 2, path)
    times = {name: [] for name in runs}
    for r in range(repeats):
        for name in (list(runs) if r % 2 == 0 else list(runs)[::-1]):
            layer, path = runs[name]
            times[name].append(train_step_time(layer, X, iterations, path))
    tokens = batch_size * num_steps
    result = {name: tokens / statistics.median(t) for name, t in times.items()}
    result["ratio"] = statistics.median(t / s for s, t in zip(times["scratch"], times["torch"]))
    return result


def markdown_table(results: dict, args) -> str:
    lines = [
        f"Rendimiento de entrenamiento (caracteres/s, hacia delante + hacia atrás): lote {args.batch_size}, "
        f"{args.num_steps} pasos, entrada {args.input_size}, tamaño oculto {args.hidden_size}, "
        f"{args.threads} hilos, mediana de {args.repeats} mediciones intercaladas de {args.iterations} iteraciones; "
        f"torch {torch.__version__}, {platform.machine()}, {os.cpu_count()} núcleos, "
        f"carga media de la máquina al terminar {os.getloadavg()[0]:.1f}. La razón es la mediana de las razones "
        "de cada par de mediciones (más robusta a la carga que el cociente de las medianas).",
        "",
        "| Celda | Desde cero, rápido (car./s) | Desde cero, legible (car./s) | torch.nn (car./s) "
        "| Razón rápido / torch.nn |",
        "|---|---:|---:|---:|---:|",
    ]
    for cell, r in results.items():
        lines.append(f"| {CELLS[cell][0]} | {fmt_int(round(r['scratch']))} | {fmt_int(round(r['readable']))} | "
                     f"{fmt_int(round(r['torch']))} | {r['ratio']:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Compara el rendimiento de las celdas desde cero con torch.nn.")
    parser.add_argument("--cells", nargs="+", default=list(CELLS), choices=list(CELLS), help="celdas que medir")
    parser.add_argument("--batch-size", type=int, default=64, help="tamaño del lote (64)")
    parser.add_argument("--num-steps", type=int, default=100, help="pasos de tiempo (100)")
    parser.add_argument("--input-size", type=int, default=33, help="tamaño de la entrada one-hot (33)")
    parser.add_argument("--hidden-size", type=int, default=256, help="tamaño oculto (256)")
    parser.add_argument("--threads", type=int, default=2, help="hilos de torch (2)")
    parser.add_argument("--repeats", type=int, default=9, help="mediciones por capa (9)")
    parser.add_argument("--iterations", type=int, default=3, help="iteraciones por medición (3)")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "throughput.md",
                        help="archivo Markdown donde escribir la tabla")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    results = {}
    for cell in args.cells:
        results[cell] = benchmark(cell, args.batch_size, args.num_steps, args.input_size, args.hidden_size,
                                  args.repeats, args.iterations)
        print(f"{cell}: razón {results[cell]['ratio']:.2f}", file=sys.stderr, flush=True)
    table = markdown_table(results, args)
    print(table)
    write_atomic(args.output, table)


if __name__ == "__main__":
    main()
