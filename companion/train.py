"""Entrenamiento y evaluación de modelos de lenguaje de caracteres.

Retropropagación a través del tiempo truncada (*truncated BPTT*): el texto de entrenamiento se corta en
segmentos de ``num_steps`` caracteres; el gradiente solo recorre cada segmento, pero con el muestreo
secuencial el estado oculto pasa de un lote al siguiente (separado del grafo con ``detach``), de modo que
el modelo ve un contexto más largo que el segmento.

La pérdida de una secuencia es

    L = (1/T) Σ_t −log P(x_{t+1} | x_{≤t}),

y la perplejidad de un corpus es exp(NLL total / número de caracteres predichos) = 2^{bits por carácter}:
siempre se acumula la NLL total y se divide una sola vez (nunca se promedian perplejidades de lotes).
"""
from __future__ import annotations

import copy
import dataclasses
import math
import random
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from companion.data import contiguous_streams, random_batches, sequential_batches
from companion.metrics import bits_per_char, perplexity_from_nll

OPTIMIZERS = ("adam", "sgd", "adadelta")
# Tasa de aprendizaje por omisión de cada optimizador (Adadelta y SGD necesitan valores mucho mayores que Adam).
DEFAULT_LR = {"adam": 2e-3, "sgd": 1.0, "adadelta": 1.0}


def get_device() -> torch.device:
    """Devuelve la GPU (``cuda``) si hay una disponible (por ejemplo en Colab) y la CPU en otro caso."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def set_seed(seed: int) -> None:
    """Fija la semilla de ``random``, NumPy y PyTorch (CPU y GPU) para que un experimento sea reproducible."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def clip_gradients(parameters, max_norm: float) -> float:
    """Recorta los gradientes por su norma global y devuelve la norma *antes* de recortar.

    Con g el vector que concatena los gradientes de todos los parámetros,

        ‖g‖ = sqrt(Σ_i ‖g_i‖²),   g ← g · min(1, θ / (‖g‖ + ε)),

    con θ = ``max_norm`` y ε = 1e-6 (igual que ``torch.nn.utils.clip_grad_norm_``). Todos los gradientes se
    escalan por el mismo factor, así que la dirección del paso no cambia: solo se acorta su longitud.
    """
    if max_norm is None or max_norm <= 0:
        raise ValueError(f"max_norm debe ser un número positivo y se recibió {max_norm!r}.")
    parameters = [p for p in parameters if p.grad is not None]
    norm = grad_norm(parameters)  # ‖g‖ = sqrt(Σ_i ‖g_i‖²)
    scale = max_norm / (norm + 1e-6)
    if scale < 1:
        for p in parameters:
            p.grad.detach().mul_(scale)
    return norm


def grad_norm(parameters) -> float:
    """Norma global de los gradientes, ‖g‖ = sqrt(Σ_i ‖g_i‖²), sin modificarlos (0 si no hay ninguno)."""
    squares = [(p.grad.detach().double() ** 2).sum() for p in parameters if p.grad is not None]
    return float(torch.sqrt(sum(squares))) if squares else 0.0


@dataclass
class History:
    """Registro de un entrenamiento.

    ``train_ppl`` y ``val_ppl``: perplejidad de cada época a nivel de corpus (NLL total / caracteres).
    La de entrenamiento se acumula durante la época (con el modelo cambiando y con *dropout*); la de
    validación se mide al final de la época con :func:`evaluate`. ``step_loss`` y ``grad_norms``: pérdida
    media y norma global del gradiente (antes de recortar) de cada paso. ``epoch_time``: segundos por época.
    ``best_epoch``: número (desde 1) de la época con menor perplejidad de validación.
    """

    train_ppl: list = field(default_factory=list)
    val_ppl: list = field(default_factory=list)
    step_loss: list = field(default_factory=list)
    grad_norms: list = field(default_factory=list)
    epoch_time: list = field(default_factory=list)
    best_epoch: int | None = None

    @property
    def total_time(self) -> float:
        """Tiempo total de entrenamiento en segundos."""
        return float(sum(self.epoch_time))


@dataclass
class Evaluation:
    """Resultado de :func:`evaluate`: NLL total en nats, caracteres predichos, perplejidad y bits por carácter."""

    nll: float
    count: int
    perplexity: float
    bpc: float

    @classmethod
    def from_log_probs(cls, logp) -> "Evaluation":
        """Evaluación a partir de ln p de cada carácter predicho (NLL = −Σ ln p, count = número de términos)."""
        nll, count = float(-logp.sum()), len(logp)
        return cls(nll=nll, count=count, perplexity=perplexity_from_nll(nll, count), bpc=bits_per_char(nll, count))


def _detach(state):
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def _make_optimizer(name, parameters, lr):
    if name == "adam":
        return torch.optim.Adam(parameters, lr=lr)
    if name == "sgd":
        return torch.optim.SGD(parameters, lr=lr)
    return torch.optim.Adadelta(parameters, lr=lr)


def _random_length_batches(ids, batch_size, num_steps, sampling, generator):
    """Lotes con longitud de truncamiento aleatoria.

    En cada lote la longitud del segmento es T' = round(T · u) con u uniforme en [0.5, 1.5] (al menos 2):
    los cortes del gradiente ya no caen siempre en las mismas posiciones del texto y, en promedio, el
    segmento mide T. Con partición secuencial la fila b de cada lote continúa la fila b del anterior.
    """
    n = len(ids) - 1
    length = lambda: max(2, round(num_steps * (0.5 + torch.rand((), generator=generator).item())))
    if sampling == "sequential":
        offset = int(torch.randint(0, num_steps, (), generator=generator))
        xs, ys = contiguous_streams(ids, batch_size, offset)
        rows, start = xs.shape[1], 0
        while start < rows - 1:
            t = min(length(), rows - start)
            yield xs[:, start:start + t], ys[:, start:start + t]
            start += t
    else:
        for _ in range(n // (batch_size * num_steps)):
            t = length()
            starts = torch.randint(0, n - t + 1, (batch_size,), generator=generator)
            index = starts[:, None] + torch.arange(t)
            yield ids[index], ids[index + 1]


def _check_ids(ids, name, minimum=2):
    if not isinstance(ids, torch.Tensor) or ids.dim() != 1 or ids.dtype != torch.long:
        raise TypeError(f"{name} debe ser un tensor 1-D de enteros (torch.long), como los que produce Vocab.encode.")
    if len(ids) < minimum:
        raise ValueError(f"{name} es demasiado corto ({len(ids)} caracteres); hacen falta al menos {minimum}.")


def train(model, train_ids, val_ids=None, *, epochs=1, batch_size=64, num_steps=100, lr=None, optimizer="adam",
          clip=1.0, sampling="sequential", random_truncation=False, max_steps=None, patience=None, device=None,
          seed=0, progress=True, lr_schedule="constant", time_limit=None, total_steps=None, on_epoch_end=None,
          resume=None) -> History:
    """Entrena ``model`` (un :class:`~companion.model.CharLM`) con retropropagación a través del tiempo truncada.

    Cada paso toma un lote (X, Y) de forma (``batch_size``, ``num_steps``), calcula la entropía cruzada media
    L = (1/(B·T)) Σ −log P(y | contexto), retropropaga, recorta los gradientes por su norma global
    (:func:`clip_gradients`, si ``clip`` no es ``None``) y da un paso del optimizador.

    - ``sampling="sequential"`` (:func:`~companion.data.sequential_batches`): la fila b del lote i+1 continúa
      la fila b del lote i, así que el estado final de un lote es el estado inicial del siguiente; se separa
      del grafo (``detach``) para que el gradiente no retroceda más allá del segmento actual.
      ``sampling="random"`` (:func:`~companion.data.random_batches`): ventanas independientes, estado cero.
    - ``random_truncation=True``: la longitud de cada segmento se sortea uniformemente entre T/2 y 3T/2
      (la idea de truncamiento aleatorio de Tallec y Ollivier, 2017). Solo se sortea la longitud: no se
      aplican sus factores de compensación, así que el gradiente sigue estando sesgado hacia dependencias
      cortas, pero los cortes ya no caen siempre en las mismas posiciones.
    - ``optimizer``: ``"adam"`` (por omisión), ``"sgd"`` o ``"adadelta"``; ``lr=None`` usa 2e-3 para Adam
      y 1.0 para SGD y Adadelta.
    - ``lr_schedule``: ``"constant"`` (por omisión) o ``"cosine"``, que reduce la tasa de aprendizaje de
      ``lr`` a 0 a lo largo de todos los pasos previstos, η_s = η · (1 + cos(π s / S)) / 2.
    - ``max_steps``: máximo de pasos por época (útil para entrenamientos cortos en los capítulos).
    - ``total_steps``: máximo de pasos sumando todas las épocas (la última puede quedar incompleta).
    - ``time_limit``: segundos (desde el comienzo, validaciones incluidas) tras los cuales se para al acabar
      el paso en curso; la época queda incompleta y ``len(History.step_loss)`` dice cuántos pasos se dieron.
    - ``patience``: parada temprana; si la perplejidad de validación no mejora en ``patience`` épocas
      seguidas se detiene, y al terminar se restauran los pesos de la mejor época.
    - ``on_epoch_end(state)``: se llama al acabar cada época con un diccionario (época, historial, estados del
      modelo, del optimizador y del programa) que :func:`train` acepta después como ``resume=`` para seguir
      donde se quedó (mismos lotes y mismo programa; solo la semilla del *dropout* cambia); así un entrenamiento largo guarda su progreso y puede reanudarse.
    - ``device``: por omisión :func:`get_device` (la GPU si existe). ``seed`` fija la inicialización del
      orden de los lotes y del *dropout*: en CPU dos llamadas iguales dan el mismo resultado.
    """
    _check_ids(train_ids, "train_ids", minimum=num_steps + 2 if isinstance(num_steps, int) else 2)
    if val_ids is not None:
        _check_ids(val_ids, "val_ids")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"Optimizador desconocido {optimizer!r}: use uno de {', '.join(OPTIMIZERS)}.")
    if lr_schedule not in ("constant", "cosine"):
        raise ValueError(f"Programa de tasa de aprendizaje desconocido {lr_schedule!r}: use 'constant' o 'cosine'.")
    if sampling not in ("sequential", "random"):
        raise ValueError(f"Muestreo desconocido {sampling!r}: use 'sequential' o 'random'.")
    for name, value in (("epochs", epochs), ("batch_size", batch_size), ("num_steps", num_steps)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} debe ser un entero positivo y se recibió {value!r}.")
    if max_steps is not None and (not isinstance(max_steps, int) or max_steps < 1):
        raise ValueError(f"max_steps debe ser None o un entero positivo y se recibió {max_steps!r}.")
    if patience is not None and (not isinstance(patience, int) or patience < 1):
        raise ValueError(f"patience debe ser None o un entero positivo y se recibió {patience!r}.")
    if patience is not None and val_ids is None:
        raise ValueError("La parada temprana (patience) necesita datos de validación: pase val_ids.")
    if total_steps is not None and (not isinstance(total_steps, int) or total_steps < 1):
        raise ValueError(f"total_steps debe ser None o un entero positivo y se recibió {total_steps!r}.")
    if time_limit is not None and not time_limit > 0:
        raise ValueError(f"time_limit debe ser None o un número de segundos positivo y se recibió {time_limit!r}.")
    if clip is not None and clip <= 0:
        raise ValueError(f"clip debe ser None (sin recorte) o positivo y se recibió {clip!r}.")
    if len(train_ids) - 1 < batch_size * num_steps:
        raise ValueError(f"El texto de entrenamiento ({len(train_ids)} caracteres) no llena ni un lote de "
                         f"{batch_size}×{num_steps}: reduzca batch_size o num_steps.")
    lr = DEFAULT_LR[optimizer] if lr is None else lr
    if lr <= 0:
        raise ValueError(f"La tasa de aprendizaje debe ser positiva y se recibió {lr!r}.")

    if progress:
        from tqdm.auto import tqdm  # barra de cuaderno en Jupyter, de texto en la terminal
    else:
        from tqdm import tqdm  # sin barra: evita importar el soporte de Jupyter

    device = torch.device(device) if device is not None else get_device()
    set_seed(seed)
    model.to(device)
    opt = _make_optimizer(optimizer, model.parameters(), lr)
    history = History()
    best_ppl, best_state, epochs_without_gain = math.inf, None, 0
    steps_per_epoch = (len(train_ids) - 1) // (batch_size * num_steps)
    if max_steps is not None:
        steps_per_epoch = min(steps_per_epoch, max_steps)
    if lr_schedule == "cosine":
        horizon = epochs * steps_per_epoch if total_steps is None else min(total_steps, epochs * steps_per_epoch)
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, horizon) / horizon)))
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    first_epoch = 1
    if resume is not None:
        model.load_state_dict(resume["model"])
        opt.load_state_dict(resume["optimizer"])
        if lr_schedule == "cosine":
            scheduler.load_state_dict(resume["scheduler"])
        history = History(**resume["history"])
        best_ppl = min(history.val_ppl, default=math.inf)
        if history.val_ppl:
            epochs_without_gain = len(history.val_ppl) - history.val_ppl.index(best_ppl) - 1
        if patience is not None and resume.get("best_model") is not None:
            best_state = resume["best_model"]
        first_epoch = int(resume["epoch"]) + 1

    def out_of_budget():
        return ((deadline is not None and time.perf_counter() > deadline)
                or (total_steps is not None and len(history.step_loss) >= total_steps))
    for epoch in range(first_epoch, epochs + 1):
        model.train()
        start = time.perf_counter()
        epoch_seed = seed * 1000 + epoch
        if random_truncation:
            generator = torch.Generator().manual_seed(epoch_seed)
            batches = _random_length_batches(train_ids, batch_size, num_steps, sampling, generator)
        elif sampling == "sequential":
            batches = sequential_batches(train_ids, batch_size, num_steps, seed=epoch_seed)
        else:
            batches = random_batches(train_ids, batch_size, num_steps, seed=epoch_seed)
        state, total_nll, total_count = None, 0.0, 0
        bar = tqdm(total=steps_per_epoch, desc=f"Época {epoch}/{epochs}", unit="lote", disable=not progress,
                   leave=True)
        for step, (X, Y) in enumerate(batches, start=1):
            X, Y = X.to(device), Y.to(device)
            if sampling == "random" or (state is not None and _batch_size(state) != X.shape[0]):
                state = None
            logits, state = model(X, state)
            state = _detach(state)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), Y.reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            norm = (clip_gradients(model.parameters(), clip) if clip is not None
                    else grad_norm(model.parameters()))
            opt.step()
            if lr_schedule == "cosine":
                scheduler.step()
            value = loss.item()
            history.step_loss.append(value)
            history.grad_norms.append(norm)
            total_nll += value * Y.numel()
            total_count += Y.numel()
            bar.update(1)
            bar.set_postfix(pérdida=f"{value:.3f}", perplejidad=f"{math.exp(value):.2f}")
            if step >= steps_per_epoch or out_of_budget():
                break
        history.train_ppl.append(perplexity_from_nll(total_nll, total_count))
        history.epoch_time.append(time.perf_counter() - start)
        postfix = {"perplejidad_entrenamiento": f"{history.train_ppl[-1]:.2f}"}
        if val_ids is not None:
            val_ppl = evaluate(model, val_ids).perplexity
            history.val_ppl.append(val_ppl)
            postfix["perplejidad_validación"] = f"{val_ppl:.2f}"
            if val_ppl < best_ppl:
                best_ppl, epochs_without_gain, history.best_epoch = val_ppl, 0, epoch
                if patience is not None:
                    best_state = copy.deepcopy(model.state_dict())
            else:
                epochs_without_gain += 1
        bar.set_postfix(postfix)
        bar.close()
        if on_epoch_end is not None:
            on_epoch_end({"epoch": epoch, "history": dataclasses.asdict(history),
                          "model": copy.deepcopy(model.state_dict()), "optimizer": copy.deepcopy(opt.state_dict()),
                          "scheduler": scheduler.state_dict() if lr_schedule == "cosine" else None,
                          "best_model": best_state})
        if patience is not None and epochs_without_gain >= patience:
            break
        if out_of_budget():
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    return history


def _batch_size(state):
    return (state[0] if isinstance(state, tuple) else state).shape[1]


@torch.no_grad()
def token_log_probs(model, ids, *, chunk_size=2000) -> torch.Tensor:
    """ln P(ids[t] | ids[:t]) para t = 1, …, N−1 (tensor float64 de longitud N−1, en CPU).

    Recorre ``ids`` como un único flujo en trozos de ``chunk_size`` pasos, pasando el estado de un trozo al
    siguiente: el resultado es exactamente el de procesar la secuencia entera de una vez. Se alinea con
    :meth:`companion.markov.NGramLM.token_log_probs`. Modo de evaluación (sin *dropout*) y sin gradientes.
    """
    _check_ids(ids, "ids")
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size debe ser un entero positivo y se recibió {chunk_size!r}.")
    was_training, threads = model.training, torch.get_num_threads()
    model.eval()
    device = next(model.parameters()).device
    out, state = [], None
    if device.type == "cpu":
        # Con un solo flujo cada paso es un producto matriz-vector pequeño: varios hilos no lo aceleran y,
        # si la CPU está ocupada, sincronizarlos en cada paso lo hace decenas de veces más lento.
        torch.set_num_threads(1)
    try:
        for start in range(0, len(ids) - 1, chunk_size):
            X = ids[start:start + chunk_size].to(device)[None, :]
            Y = ids[start + 1:start + chunk_size + 1].to(device)
            X = X[:, :len(Y)]
            logits, state = model(X, state)
            logp = torch.log_softmax(logits[0].double(), dim=-1)
            out.append(logp.gather(1, Y[:, None])[:, 0].cpu())
    finally:
        model.train(was_training)
        torch.set_num_threads(threads)
    return torch.cat(out)


@torch.no_grad()
def token_log_probs_many(model, sequences, *, chunk_size=2000) -> list:
    """:func:`token_log_probs` de varias secuencias a la vez, cada una como su propio flujo desde estado cero.

    Las secuencias forman un lote (la más corta se rellena al final y su relleno se descarta), de modo que
    evaluar la validación y la prueba juntas cuesta casi lo mismo que evaluar una sola: cada paso es un producto
    matriz-matriz pequeño en lugar de dos matriz-vector. El resultado de cada secuencia es el mismo que el de
    :func:`token_log_probs` (salvo redondeo de coma flotante).
    """
    sequences = list(sequences)
    if not sequences:
        raise ValueError("Pase al menos una secuencia de índices.")
    for k, ids in enumerate(sequences):
        _check_ids(ids, f"sequences[{k}]")
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size debe ser un entero positivo y se recibió {chunk_size!r}.")
    lengths = [len(ids) for ids in sequences]
    batch = torch.zeros(len(sequences), max(lengths), dtype=torch.long)
    for k, ids in enumerate(sequences):
        batch[k, :len(ids)] = ids
    was_training, threads = model.training, torch.get_num_threads()
    model.eval()
    device = next(model.parameters()).device
    if device.type == "cpu":
        torch.set_num_threads(1)  # como en token_log_probs: lotes diminutos, un hilo es lo más rápido
    out, state = [], None
    try:
        for start in range(0, batch.shape[1] - 1, chunk_size):
            X = batch[:, start:start + chunk_size]
            Y = batch[:, start + 1:start + chunk_size + 1]
            X = X[:, :Y.shape[1]]
            logits, state = model(X.to(device), state)
            logp = torch.log_softmax(logits.double(), dim=-1)
            out.append(logp.gather(2, Y.to(device)[:, :, None])[:, :, 0].cpu())
    finally:
        model.train(was_training)
        torch.set_num_threads(threads)
    logp = torch.cat(out, dim=1)
    return [logp[k, :n - 1] for k, n in enumerate(lengths)]


def evaluate_many(model, sequences, *, chunk_size=2000) -> list:
    """:func:`evaluate` de varias particiones en una sola pasada por lotes (por ejemplo validación y prueba)."""
    return [Evaluation.from_log_probs(logp) for logp in token_log_probs_many(model, sequences, chunk_size=chunk_size)]


def evaluate(model, ids, *, chunk_size=2000) -> Evaluation:
    """Perplejidad y bits por carácter de ``model`` sobre una partición completa ``ids``.

    NLL = −Σ_{t=1}^{N−1} ln P(ids[t] | ids[:t]) con el estado arrastrado desde el principio de la partición,
    count = N − 1, perplejidad = exp(NLL / count), bits por carácter = NLL / (count · ln 2).
    """
    return Evaluation.from_log_probs(token_log_probs(model, ids, chunk_size=chunk_size))
