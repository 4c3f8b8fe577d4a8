"""Copia los modelos entrenados por ``scripts/train_pretrained.sh`` a ``companion/pretrained/``.

    python scripts/ship_pretrained.py [NOMBRE ...]   # por omisión, los de companion.recipes.SHIPPED

Cada punto de control se vuelve a guardar con ``save_checkpoint`` (pesos en float16, o en int8 si su receta lo
pide, como se midieron al entrenar, y su suma de comprobación), conservando sus metadatos. Se comprueba antes que su perplejidad de prueba, medida de
nuevo aquí, coincide con la de los metadatos. Respeta el límite del repositorio: 8 MB por archivo y 20 MB en
total en ``companion/pretrained/``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from companion.checkpoint import PRETRAINED_DIR, load_checkpoint, save_checkpoint
from companion.data import load_corpus
from companion.recipes import RECIPES, SHIPPED
from companion.train import evaluate

SOURCE = Path(__file__).resolve().parents[1] / "_train"
MAX_FILE, MAX_TOTAL = 8_000_000, 20_000_000


def main(names) -> int:
    corpus = load_corpus()
    for name in names:
        model, vocab, meta = load_checkpoint(SOURCE / f"{name}.pt", vocab=corpus.vocab)
        test = evaluate(model, corpus.test).perplexity
        if abs(test - meta["test_perplexity"]) > 1e-3:
            raise SystemExit(f"{name}: la perplejidad de prueba medida ({test:.4f}) no coincide con la de los "
                             f"metadatos ({meta['test_perplexity']:.4f}).")
        int8 = bool(RECIPES.get(name, {}).get("int8"))
        path = save_checkpoint(PRETRAINED_DIR / f"{name}.pt", model, vocab, meta, half=not int8, int8=int8)
        size = path.stat().st_size
        print(f"{name}: prueba {test:.3f}, {size / 1e6:.2f} MB → {path}")
        if size > MAX_FILE:
            raise SystemExit(f"{path} ocupa {size / 1e6:.1f} MB: más de 8 MB.")
    total = sum(p.stat().st_size for p in PRETRAINED_DIR.rglob("*") if p.is_file())
    print(f"companion/pretrained/: {total / 1e6:.2f} MB en total")
    if total > MAX_TOTAL:
        raise SystemExit(f"companion/pretrained/ ocupa {total / 1e6:.1f} MB: más de 20 MB.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or list(SHIPPED)))
