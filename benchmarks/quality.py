"""Calidad de los modelos del curso: perplejidad de prueba en el Quijote.

Todos los modelos se entrenan con el 90 % inicial del texto limpio y se evalúan en el 5 % final (prueba,
disjunto del entrenamiento): perplejidad = exp(NLL total / caracteres predichos) y bits por carácter.

* n-gramas con suavizado de Kneser-Ney interpolado, órdenes 1 a 8 (se ajustan aquí);
* los modelos preentrenados del paquete (RNN, GRU, LSTM de 1 y 2 capas), evaluados aquí con sus pesos;
  el tiempo de entrenamiento y la orden que los reproduce salen de sus metadatos;
* la mezcla lineal del n-grama y la LSTM preentrenada con mejor validación, con el peso también elegido en
  la parte de validación (nunca en la de prueba).

Imprime una tabla en Markdown y la guarda en ``benchmarks/results/quality.md``. Uso (desde la raíz)::

    source scripts/env.sh && .venv/bin/python benchmarks/quality.py
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import torch

from companion.checkpoint import PRETRAINED_NAMES, load_pretrained
from companion.data import load_corpus
from companion.markov import NGramLM
from companion.mixture import best_mixture_weight, mixture_evaluation
from companion.train import Evaluation, token_log_probs

RESULTS = Path(__file__).resolve().parent / "results" / "quality.md"
NAMES = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM", "lstm2": "LSTM (2 capas)"}


def _grouped(number: int) -> str:
    """Entero con los miles separados por espacios, como se escribe en español (2 034 949)."""
    return f"{number:,}".replace(",", " ")


def write_atomic(path: Path, text: str) -> None:
    """Escribe ``text`` en ``path`` mediante un archivo temporal de la misma carpeta y ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False, encoding="utf-8") as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)


def describe(config: dict) -> str:
    emb = "one-hot" if config["embedding_dim"] is None else f"embedding {config['embedding_dim']}"
    layers = "1 capa" if config["num_layers"] == 1 else f"{config['num_layers']} capas"
    return f"h = {config['hidden_size']}, {layers}, {emb}"


def epochs_seen(meta: dict, train_chars: int) -> float:
    """Épocas recorridas: caracteres vistos (pasos × B × T) entre los del texto de entrenamiento."""
    settings = meta["settings"]
    return meta["steps"] * settings["batch_size"] * settings["steps"] / train_chars


def run(orders) -> str:
    corpus = load_corpus()
    rows, ngrams = [], {}
    for order in orders:
        start = time.perf_counter()
        lm = NGramLM(order).fit(corpus.train_text)
        fit_time = time.perf_counter() - start
        result = Evaluation.from_log_probs(lm.token_log_probs(corpus.test_text))
        val = Evaluation.from_log_probs(lm.token_log_probs(corpus.val_text))
        ngrams[order] = (lm, val.perplexity)
        rows.append((f"Kneser-Ney, orden {order}", "—", f"{val.perplexity:.3f}", f"{result.perplexity:.3f}",
                     f"{result.bpc:.3f}", "—", f"ajuste en {fit_time:.1f} s"))
        print(rows[-1], flush=True)

    best_name, best_val, test_logp = None, float("inf"), {}
    for name in PRETRAINED_NAMES:
        model, _, meta = load_pretrained(name)
        test_logp[name] = token_log_probs(model, corpus.test)
        result = Evaluation.from_log_probs(test_logp[name])
        if meta["val_perplexity"] < best_val and name.startswith("lstm"):  # elegido en validación
            best_name, best_val = name, meta["val_perplexity"]
        rows.append((f"{NAMES[name]} (`load_pretrained(\"{name}\")`)", describe(model.config),
                     f"{meta['val_perplexity']:.3f}", f"{result.perplexity:.3f}", f"{result.bpc:.3f}",
                     _grouped(model.num_parameters()),
                     f"{meta['training_time_s'] / 60:.1f} min ({meta['steps']} pasos, "
                     f"{epochs_seen(meta, len(corpus.train)):.2f} épocas)"))
        print(rows[-1], flush=True)

    order = min(ngrams, key=lambda o: ngrams[o][1])  # el orden con mejor validación
    lm, model = ngrams[order][0], load_pretrained(best_name).model
    val_logp = lm.token_log_probs(corpus.val_text), token_log_probs(model, corpus.val)
    weight = best_mixture_weight(*val_logp)
    val = mixture_evaluation(*val_logp, weight)
    mixed = mixture_evaluation(lm.token_log_probs(corpus.test_text), test_logp[best_name], weight)
    rows.append((f"Mezcla: λ·KN-{order} + (1 − λ)·{NAMES[best_name]}",
                 f"λ = {weight:.3f} (elegido en validación)",
                 f"{val.perplexity:.3f}", f"{mixed.perplexity:.3f}", f"{mixed.bpc:.3f}", "—", "—"))
    print(rows[-1], flush=True)

    lines = [
        "# Calidad: perplejidad de prueba en el Quijote",
        "",
        f"Entrenamiento: 90 % inicial del texto limpio ({_grouped(len(corpus.train))} caracteres); prueba: 5 % "
        f"final ({_grouped(len(corpus.test) - 1)} caracteres predichos). "
        "Perplejidad = exp(NLL total / caracteres predichos). "
        "Los tiempos de entrenamiento de las redes son los de sus metadatos (CPU de 2 núcleos compartida).",
        "",
        "| Modelo | Configuración | Perplejidad (validación) | Perplejidad (prueba) | Bits/carácter (prueba) "
        "| Parámetros | Entrenamiento |",
        "|---|---|---:|---:|---:|---:|---|",
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
        "Órdenes que reproducen los modelos preentrenados:",
        "",
        *(f"- `{name}`: `{load_pretrained(name).metadata['command']}`" for name in PRETRAINED_NAMES),
        "",
        f"Generado por `benchmarks/quality.py` el {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC "
        f"con torch {torch.__version__}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Tabla de perplejidad de prueba de todos los modelos.")
    parser.add_argument("--orders", type=int, nargs="+", default=list(range(1, 9)), help="órdenes de n-gramas")
    parser.add_argument("--threads", type=int, default=None, help="hilos de CPU para PyTorch")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    table = run(args.orders)
    write_atomic(RESULTS, table)
    print(table)


if __name__ == "__main__":
    main()
