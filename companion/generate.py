"""Generación de texto con un modelo de lenguaje de caracteres.

Tras leer el texto inicial (*prompt*), el modelo da en cada paso una distribución P(x_{t+1} | x_{≤t}) y se
elige el siguiente carácter:

- voraz (*greedy*): el más probable, argmax. Es determinista y tiende a caer en bucles ("de de de…"),
  porque el mismo contexto lleva siempre a la misma elección;
- muestreo con temperatura τ: se muestrea de softmax(logits / τ); τ < 1 concentra la probabilidad en los
  caracteres más probables, τ > 1 la reparte;
- top-k: antes de muestrear se conservan solo los k caracteres más probables (y se renormaliza).
"""
from __future__ import annotations

import torch

from companion.data import clean

STRATEGIES = ("sample", "greedy")


def generate(model, vocab, prompt, length=100, strategy="sample", temperature=1.0, top_k=None, seed=None) -> str:
    """Devuelve ``prompt`` (limpiado como el corpus) seguido de ``length`` caracteres generados por ``model``.

    ``strategy``: ``"sample"`` (muestreo con ``temperature`` y, si se da, ``top_k``) o ``"greedy"``.
    ``seed`` hace reproducible el muestreo (usa un generador propio: no altera el estado global de torch).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"Estrategia desconocida {strategy!r}: use 'sample' o 'greedy'.")
    if not isinstance(length, int) or isinstance(length, bool) or length < 0:
        raise ValueError(f"length debe ser un entero no negativo y se recibió {length!r}.")
    if not isinstance(temperature, (int, float)) or not temperature > 0:
        raise ValueError(f"La temperatura debe ser positiva (por ejemplo 0.5 o 1.0) y se recibió {temperature!r}.")
    if top_k is not None and (not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1):
        raise ValueError(f"top_k debe ser None o un entero mayor o igual que 1 y se recibió {top_k!r}.")
    if not isinstance(prompt, str):
        raise TypeError(f"El texto inicial debe ser una cadena y se recibió {type(prompt).__name__}.")
    text = clean(prompt)
    if not text:
        raise ValueError("El texto inicial está vacío tras limpiarlo: escriba al menos una letra, por ejemplo "
                         "'en un lugar'.")
    unknown = sorted(set(text) - set(vocab.itos))
    if unknown:
        raise ValueError(f"El texto inicial contiene caracteres que el vocabulario del modelo no tiene: {unknown}. "
                         "Quítelos o sustitúyalos por otros del vocabulario.")

    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    ids = vocab.encode(text).tolist()
    try:
        with torch.no_grad():
            logits, state = model(torch.tensor([ids], device=device), None)
            for _ in range(length):
                scores = logits[0, -1].double().cpu()
                if strategy == "greedy":
                    next_id = int(scores.argmax())
                else:
                    scores = scores / temperature
                    if top_k is not None and top_k < len(scores):
                        values, indices = torch.topk(scores, top_k)
                        scores = torch.full_like(scores, float("-inf")).scatter(0, indices, values)
                    probs = torch.softmax(scores, dim=-1)
                    next_id = int(torch.multinomial(probs, 1, generator=generator))
                ids.append(next_id)
                logits, state = model(torch.tensor([[next_id]], device=device), state)
    finally:
        model.train(was_training)
    return vocab.decode(ids)
