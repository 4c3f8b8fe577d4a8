"""Calidad de los modelos del curso: perplejidad de validación y de prueba en el Quijote.

Todos los modelos se entrenan con el 90 % inicial del texto limpio y se evalúan en el 5 % siguiente
(validación) y en el 5 % final (prueba): perplejidad = exp(NLL total / caracteres predichos), bits por carácter
= log2(perplejidad).

* n-gramas con suavizado de Kneser-Ney interpolado, órdenes 1 a 8 (se ajustan aquí);
* los modelos preentrenados del paquete (``companion.recipes.SHIPPED``), evaluados aquí con sus pesos; el
  tiempo, las épocas, los caracteres vistos y la orden que los reproduce salen de sus metadatos;
* los puntos de control adicionales que se pasen con ``--extra RUTA`` (por ejemplo la variante ``lstm_fb1``
  con el sesgo de olvido iniciado a 1, que no se distribuye);
* la mezcla lineal del n-grama y la red con mejor validación; el orden, la red y el peso se eligen en la
  validación, nunca en la prueba.

Escribe la tabla en ``benchmarks/results/quality.md`` y la copia en el README, entre las marcas
``<!-- quality:start -->`` y ``<!-- quality:end -->``. Uso (desde la raíz)::

    source scripts/env.sh && .venv/bin/python benchmarks/quality.py [--extra _train/lstm_fb1.pt]
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import write_atomic  # noqa: E402
from companion.checkpoint import load_checkpoint, load_pretrained  # noqa: E402
from companion.data import load_corpus  # noqa: E402
from companion.display import fmt_int, fmt_time  # noqa: E402
from companion.markov import NGramLM  # noqa: E402
from companion.mixture import best_mixture_weight, mixture_log_probs  # noqa: E402
from companion.recipes import SHIPPED  # noqa: E402
from companion.train import Evaluation, token_log_probs_many  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "quality.md"
README = ROOT / "README.md"
START, END = "<!-- quality:start -->", "<!-- quality:end -->"


def describe(config: dict) -> str:
    layers = "1 capa" if config["num_layers"] == 1 else f"{config['num_layers']} capas"
    extra = f", sesgo de olvido {config['forget_bias']}" if config.get("forget_bias") is not None else ""
    return f"{config['cell'].upper()}, h = {config['hidden_size']}, {layers}{extra}"


def run(orders, extra) -> str:
    corpus = load_corpus()
    rows, ngrams = [], {}
    for order in orders:
        start = time.perf_counter()
        lm = NGramLM(order).fit(corpus.train_text)
        fit_time = time.perf_counter() - start
        val = Evaluation.from_log_probs(torch.as_tensor(lm.token_log_probs(corpus.val_text)))
        test = Evaluation.from_log_probs(torch.as_tensor(lm.token_log_probs(corpus.test_text)))
        ngrams[order] = (lm, val, test)
        rows.append((f"Kneser-Ney, orden {order}", "—", f"{val.perplexity:.3f}", f"{test.perplexity:.3f}",
                     f"{test.bpc:.3f}", f"{fmt_int(lm.num_ngrams)} n-gramas", "—", f"ajuste en {fit_time:.1f} s"))
        print(rows[-1], flush=True)

    models = {name: load_pretrained(name) for name in SHIPPED}
    models.update({Path(path).stem: load_checkpoint(path) for path in extra})
    logps, commands = {}, []
    for name, (model, _, meta) in models.items():
        val_logp, test_logp = token_log_probs_many(model, [corpus.val, corpus.test])
        logps[name] = (val_logp, test_logp)
        val, test = Evaluation.from_log_probs(val_logp), Evaluation.from_log_probs(test_logp)
        shipped = "" if name in SHIPPED else " (no se distribuye)"
        rows.append((f"`{name}`{shipped}", describe(model.config), f"{val.perplexity:.3f}", f"{test.perplexity:.3f}",
                     f"{test.bpc:.3f}", fmt_int(model.num_parameters()),
                     f"{meta['epochs']} (mejor: {meta['best_epoch']}) · {fmt_int(meta['characters_seen'])}",
                     fmt_time(meta["training_time_s"])))
        commands.append(f"- `{name}`: `{meta['command']}`; validación por época: "
                        + ", ".join(f"{v:.3f}" for v in meta["epoch_val_perplexity"]))
        print(rows[-1], flush=True)

    order = min(ngrams, key=lambda o: ngrams[o][1].perplexity)  # orden elegido en validación
    net = min((n for n in models if n in SHIPPED), key=lambda n: Evaluation.from_log_probs(logps[n][0]).perplexity)
    lm = ngrams[order][0]
    ngram_val = torch.as_tensor(lm.token_log_probs(corpus.val_text))
    ngram_test = torch.as_tensor(lm.token_log_probs(corpus.test_text))
    weight = best_mixture_weight(ngram_val, logps[net][0])
    val = Evaluation.from_log_probs(mixture_log_probs(ngram_val, logps[net][0], weight))
    test = Evaluation.from_log_probs(mixture_log_probs(ngram_test, logps[net][1], weight))
    rows.append((f"Mezcla: λ·KN-{order} + (1 − λ)·`{net}`", f"λ = {weight:.3f} (elegido en validación)",
                 f"{val.perplexity:.3f}", f"{test.perplexity:.3f}", f"{test.bpc:.3f}", "—", "—", "—"))
    print(rows[-1], flush=True)

    lines = [
        f"Entrenamiento: 90 % inicial del texto limpio ({fmt_int(len(corpus.train))} caracteres); validación: 5 % "
        f"siguiente; prueba: 5 % final ({fmt_int(len(corpus.test) - 1)} caracteres predichos). "
        "Perplejidad = exp(NLL total / caracteres predichos). Épocas: las recorridas (la mejor en validación es la "
        "que se guardó) y caracteres vistos. Tiempo: el de los metadatos, en una CPU de 2 núcleos compartida con "
        "otros trabajos (orientativo).",
        "",
        "| Modelo | Configuración | Perplejidad (validación) | Perplejidad (prueba) | Bits/carácter (prueba) "
        "| Parámetros | Épocas · caracteres vistos | Tiempo |",
        "|---|---|---:|---:|---:|---:|---|---:|",
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
        "Órdenes que reproducen las redes y su perplejidad de validación por época:",
        "",
        *commands,
        "",
        f"Generado por `benchmarks/quality.py` el {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC "
        f"con torch {torch.__version__}.",
    ]
    return "\n".join(lines)


def update_readme(table: str) -> None:
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"El README no tiene las marcas {START} y {END}: añádalas donde deba ir la tabla.")
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    write_atomic(README, pattern.sub(lambda _: f"{START}\n{table}\n{END}", text))


def main() -> None:
    parser = argparse.ArgumentParser(description="Tabla de perplejidad de validación y prueba de todos los modelos.")
    parser.add_argument("--orders", type=int, nargs="+", default=list(range(1, 9)), help="órdenes de n-gramas")
    parser.add_argument("--extra", nargs="*", default=[], help="puntos de control adicionales (no distribuidos)")
    parser.add_argument("--no-readme", action="store_true", help="no copia la tabla en el README")
    args = parser.parse_args()
    table = run(args.orders, args.extra)
    write_atomic(RESULTS, "# Calidad: perplejidad de validación y de prueba en el Quijote\n\n" + table + "\n")
    if not args.no_readme:
        update_readme(table)
    print(table)


if __name__ == "__main__":
    main()
