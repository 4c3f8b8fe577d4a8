"""Entrena los codificadores–decodificadores del capítulo 9 y los guarda en companion/pretrained/seq2seq/.

    .venv/bin/python scripts/train_seq2seq.py                       # los cuatro modelos, uno tras otro
    .venv/bin/python scripts/train_seq2seq.py reversal_attention    # solo uno

Dos tareas (números romanos → palabras; fragmentos del Quijote → al revés) y, para cada una, un modelo con
atención y otro sin ella. Los dos modelos de una tarea ven los mismos datos de entrenamiento, en el mismo orden,
durante el mismo número de épocas; de cada uno se guarda la época con mejor exactitud en validación (la prueba
no interviene). El modelo sin atención recibe el estado más pequeño con el que no tiene menos parámetros que el
que tiene atención, para que la comparación no le dé ventaja a este.
"""
from __future__ import annotations

import platform
import sys
import time

import torch

from companion.checkpoint import SEQ2SEQ_DIR, SEQ2SEQ_NAMES, round_to_half, save_seq2seq
from companion.data import load_corpus
from companion.seq2seq import Seq2Seq, evaluate_seq2seq
from companion.seq2seq_train import train_seq2seq
from companion.tasks import ROMAN_SYMBOLS, WORDS_SYMBOLS, number_split, reversal_pairs, roman_pairs

TASKS = {
    "roman": dict(embedding_dim=16, hidden_size=64, epochs=15, batch_size=64, lr=5e-3),
    "reversal": dict(embedding_dim=16, hidden_size=64, epochs=10, batch_size=64, lr=5e-3),
}
REVERSAL_PER_EPOCH = 4000  # fragmentos nuevos del tramo de entrenamiento en cada época
REVERSAL_LENGTHS = dict(min_length=4, max_length=30)
REVERSAL_VAL = 500


def task_data(task: str):
    """(símbolos de entrada, símbolos de salida, pares de entrenamiento o función época → pares, validación)."""
    if task == "roman":
        split = number_split()
        return ROMAN_SYMBOLS, WORDS_SYMBOLS, roman_pairs(split["train"]), roman_pairs(split["val"])
    corpus = load_corpus()
    symbols = "".join(corpus.vocab.itos)
    return (symbols, symbols,
            lambda epoch: reversal_pairs(corpus.train_text, REVERSAL_PER_EPOCH, seed=1000 + epoch, **REVERSAL_LENGTHS),
            reversal_pairs(corpus.val_text, REVERSAL_VAL, seed=0, **REVERSAL_LENGTHS))


def baseline_hidden_size(src, tgt, embedding_dim, hidden_size) -> int:
    """El menor estado con el que el modelo sin atención tiene al menos los parámetros del que tiene atención."""
    target = Seq2Seq(src, tgt, embedding_dim, hidden_size, attention=True).num_parameters()
    h = hidden_size
    while Seq2Seq(src, tgt, embedding_dim, h, attention=False).num_parameters() < target:
        h += 1
    return h


def main(names: list[str]) -> None:
    torch.set_num_threads(1)
    for name in names or SEQ2SEQ_NAMES:
        if name not in SEQ2SEQ_NAMES:
            raise SystemExit(f"Modelo desconocido {name!r}: use {', '.join(SEQ2SEQ_NAMES)}.")
        task, variant = name.split("_", 1)
        settings = dict(TASKS[task])
        embedding_dim, hidden_size = settings.pop("embedding_dim"), settings.pop("hidden_size")
        src, tgt, train_pairs, val_pairs = task_data(task)
        attention = variant == "attention"
        if not attention:
            hidden_size = baseline_hidden_size(src, tgt, embedding_dim, hidden_size)
        torch.manual_seed(0)
        model = Seq2Seq(src, tgt, embedding_dim, hidden_size, attention=attention)
        start = time.perf_counter()
        history = train_seq2seq(model, train_pairs, val_pairs, log=lambda m: print(name, m, flush=True),
                                seed=0, **settings)
        seconds = time.perf_counter() - start
        round_to_half(model)  # se guarda en float16: las cifras de los metadatos son las de esos pesos
        val = evaluate_seq2seq(model, val_pairs)
        metadata = {"history": history, "training_time_s": round(seconds, 1), "train_args": settings,
                    "val_accuracy": val.accuracy, "val_cer": val.cer, "parameters": model.num_parameters(),
                    "machine": f"{platform.machine()}, {torch.get_num_threads()} hilo, torch {torch.__version__}",
                    "command": f"python scripts/train_seq2seq.py {name}"}
        path = save_seq2seq(SEQ2SEQ_DIR / f"{name}.pt", model, metadata)
        print(f"{name}: {seconds:.0f} s, mejor época {history['best_epoch']}, validación "
              f"{val.accuracy:.3f} exacta, CER {val.cer:.4f}, {model.num_parameters()} parámetros -> {path}",
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
