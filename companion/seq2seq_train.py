"""Entrenamiento del codificador–decodificador (:class:`~companion.seq2seq.Seq2Seq`) con forzado del profesor.

El bucle tiene la forma del de :func:`companion.train.train`: por época, una pasada por los lotes (pérdida,
retropropagación, recorte del gradiente y paso del optimizador, en :func:`train_seq2seq_epoch`), la medida en
validación y, al terminar, los pesos de la mejor época de validación.
"""
from __future__ import annotations

import copy
import time

import torch

from companion.seq2seq import Seq2Seq, evaluate_seq2seq, make_batch, sequence_loss
from companion.train import clip_gradients
from companion.validation import check_positive, check_positive_int

__all__ = ["train_seq2seq", "train_seq2seq_epoch"]


def train_seq2seq(model: Seq2Seq, train_pairs, val_pairs=None, *, epochs: int = 10, batch_size: int = 64,
                  lr: float = 3e-3, clip: float | None = 1.0, seed: int = 0, log=None) -> dict:
    """Entrena ``model`` con forzado del profesor y Adam; devuelve la historia por época.

    ``train_pairs`` es una lista de pares (entrada, salida) o una función ``época -> lista de pares`` (para dar
    datos nuevos en cada época; la primera es la 0). En cada época los pares se barajan y se recorren en lotes
    de ``batch_size``. Si se da ``val_pairs``, al final de cada época se mide la exactitud voraz en validación
    y, al terminar, el modelo se queda con los pesos de la mejor época (la primera, si hay empate): la
    elección se hace en validación, nunca en prueba. ``log``, si se da, recibe una línea de texto por época.

    La historia tiene ``loss`` (pérdida media de entrenamiento por época), ``seconds`` (segundos desde el
    comienzo al acabar cada época), ``val_accuracy`` (vacía sin validación) y, con validación, ``best_epoch``
    (desde 1).
    """
    pairs_of = train_pairs if callable(train_pairs) else (lambda epoch, fixed=list(train_pairs): fixed)
    if not pairs_of(0):
        raise ValueError("No hay pares de entrenamiento: dé al menos un par (entrada, salida).")
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        check_positive_int(name, value)
    check_positive("lr", lr)
    check_positive("clip", clip, optional=True, finite=False)
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"loss": [], "val_accuracy": [], "seconds": []}
    best_state, start = None, time.perf_counter()
    for epoch in range(1, epochs + 1):
        pairs = pairs_of(epoch - 1)
        order = torch.randperm(len(pairs), generator=generator).tolist()
        batches = (make_batch([pairs[k] for k in order[i:i + batch_size]], model.src_vocab, model.tgt_vocab)
                   for i in range(0, len(order), batch_size))
        history["loss"].append(train_seq2seq_epoch(model, batches, optimizer, clip=clip))
        history["seconds"].append(time.perf_counter() - start)
        line = f"época {epoch}: pérdida {history['loss'][-1]:.4f}"
        if val_pairs is not None:
            history["val_accuracy"].append(evaluate_seq2seq(model, val_pairs).accuracy)
            line += f", exactitud de validación {history['val_accuracy'][-1]:.3f}"
            if history["val_accuracy"][-1] > max(history["val_accuracy"][:-1], default=-1.0):
                history["best_epoch"], best_state = epoch, copy.deepcopy(model.state_dict())
        if log is not None:
            log(line)
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return history


def train_seq2seq_epoch(model: Seq2Seq, batches, optimizer, *, clip: float | None = 1.0) -> float:
    """Una época sobre ``batches`` (lotes de :func:`~companion.seq2seq.make_batch`): devuelve la pérdida media.

    Con cada lote: entropía cruzada media por carácter de salida (:func:`~companion.seq2seq.sequence_loss`),
    retropropagación, recorte por la norma global (si ``clip`` no es ``None``) y un paso del optimizador. La
    media pondera cada lote por su número de ejemplos.
    """
    model.train()
    total, count = 0.0, 0
    for batch in batches:
        loss = sequence_loss(model, batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if clip is not None:
            clip_gradients(model.parameters(), clip)
        optimizer.step()
        total, count = total + loss.item() * len(batch.src), count + len(batch.src)
    return total / count
