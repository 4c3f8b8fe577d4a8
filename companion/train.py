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

from companion.data import random_batches, random_length_batches, sequential_batches
from companion.metrics import Evaluation, perplexity_from_nll  # Evaluation vive en metrics; también se importa de aquí
from companion.validation import check_choice, check_positive, check_positive_int

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
    escalan por el mismo factor, así que la dirección del gradiente no cambia: solo se acorta su longitud.
    """
    check_positive("max_norm", max_norm, finite=False)
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


def _check_ids(ids, name, minimum=2):
    if not isinstance(ids, torch.Tensor) or ids.dim() != 1 or ids.dtype != torch.long:
        raise TypeError(f"{name} debe ser un tensor 1-D de enteros (torch.long), como los que produce Vocab.encode.")
    if len(ids) < minimum:
        raise ValueError(f"{name} es demasiado corto ({len(ids)} caracteres); hacen falta al menos {minimum}.")


class Callback:
    """Ganchos de :func:`train` para lo que rodea al entrenamiento sin formar parte de él (como los de Keras).

    La línea de órdenes los usa para reanudar desde un archivo de progreso, guardarlo al final de cada época y
    parar tras un tiempo límite. Cada método recibe el :class:`TrainingState` en curso; los de esta clase no
    hacen nada: una subclase redefine los que necesite.
    """

    def on_train_begin(self, state: TrainingState) -> None:
        """Antes de la primera época; por ejemplo, para cargar un estado con :meth:`TrainingState.load_state_dict`."""

    def should_stop(self, state: TrainingState) -> bool:
        """Tras cada actualización: ``True`` para parar ahí (la época queda incompleta)."""
        return False

    def on_epoch_end(self, state: TrainingState) -> None:
        """Al acabar cada época, validación incluida; por ejemplo, para guardar :meth:`TrainingState.state_dict`."""


@dataclass
class TrainingState:
    """Lo que cambia durante :func:`train`: modelo, optimizador, programa de la tasa de aprendizaje, historial,
    pesos de la mejor época (solo con parada temprana) y número de épocas terminadas."""

    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler | None
    history: History = field(default_factory=History)
    best_weights: dict | None = None
    epoch: int = 0

    def state_dict(self) -> dict:
        """Diccionario para ``torch.save`` (claves ``epoch``, ``history``, ``model``, ``optimizer``, ``scheduler``,
        ``best_model``), con referencias a los tensores en uso: guárdelo antes de seguir entrenando."""
        return {"epoch": self.epoch, "history": dataclasses.asdict(self.history),
                "model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                "scheduler": None if self.scheduler is None else self.scheduler.state_dict(),
                "best_model": self.best_weights}

    def load_state_dict(self, saved: dict) -> None:
        """Vuelve al estado que dio :meth:`state_dict`: :func:`train` sigue en la época siguiente, con los mismos
        lotes y el mismo programa (solo cambia la semilla del *dropout*)."""
        self.model.load_state_dict(saved["model"])
        self.optimizer.load_state_dict(saved["optimizer"])
        if self.scheduler is not None:
            self.scheduler.load_state_dict(saved["scheduler"])
        self.history, self.best_weights = History(**saved["history"]), saved.get("best_model")
        self.epoch = int(saved["epoch"])


def train(model, train_ids, val_ids=None, *, epochs=1, batch_size=64, num_steps=100, lr=None, optimizer="adam",
          lr_schedule="constant", clip=1.0, sampling="sequential", random_truncation=False, max_steps=None,
          total_steps=None, patience=None, device=None, seed=0, progress=True, callback=None) -> History:
    """Entrena ``model`` (un :class:`~companion.model.CharLM`) con retropropagación a través del tiempo truncada.

    Cada época pasa los lotes (X, Y) de forma (``batch_size``, ``num_steps`` = T) por :func:`train_epoch`
    (pérdida, retropropagación, recorte por la norma global con ``clip`` y paso del optimizador) y después mide
    la perplejidad de validación si hay ``val_ids``. Devuelve el :class:`History`.

    - ``sampling="sequential"`` (:func:`~companion.data.sequential_batches`): la fila b del lote i+1 continúa
      la fila b del lote i, así que el estado final de un lote, separado del grafo (``detach``), es el inicial
      del siguiente. ``"random"`` (:func:`~companion.data.random_batches`): ventanas independientes, estado cero.
      ``random_truncation=True`` sortea cada longitud entre T/2 y 3T/2 (:func:`~companion.data.random_length_batches`),
      sin la compensación de Tallec y Ollivier: el gradiente sigue sesgado hacia las dependencias cortas.
    - ``optimizer``: ``"adam"``, ``"sgd"`` o ``"adadelta"``; ``lr=None`` usa 2e-3 con Adam y 1.0 con los otros.
      ``lr_schedule="cosine"`` lleva la tasa a 0 en las S actualizaciones previstas: η_s = η · (1 + cos(π s / S)) / 2.
    - ``max_steps``: máximo de actualizaciones (pasos del optimizador, uno por lote) por época; ``total_steps``:
      máximo sumando todas las épocas. Un «paso» aquí es una actualización, no un paso de tiempo (``num_steps``).
    - ``patience``: parada temprana tras ``patience`` épocas sin mejorar en validación (y pesos de la mejor).
    - ``device``: por omisión :func:`get_device` (la GPU si existe). ``seed`` fija la inicialización, el orden
      de los lotes y el *dropout*: en CPU dos llamadas iguales dan el mismo resultado.
    - ``callback``: un :class:`Callback` para reanudar, guardar el progreso o parar antes (la línea de órdenes).
    """
    lr = _check_train_arguments(train_ids, val_ids, epochs, batch_size, num_steps, lr, optimizer, clip, sampling,
                                max_steps, patience, lr_schedule, total_steps)
    device = torch.device(device) if device is not None else get_device()
    set_seed(seed)
    model.to(device)
    steps_per_epoch = min((len(train_ids) - 1) // (batch_size * num_steps), max_steps or math.inf)
    opt = _make_optimizer(optimizer, model.parameters(), lr)
    state = TrainingState(model, opt, _make_scheduler(opt, lr_schedule, epochs * steps_per_epoch, total_steps))
    callback = callback if callback is not None else Callback()
    callback.on_train_begin(state)
    history = state.history

    def out_of_budget():
        return len(history.step_loss) >= (total_steps or math.inf) or callback.should_stop(state)

    for epoch in range(state.epoch + 1, epochs + 1):
        start = time.perf_counter()
        batches = _epoch_batches(train_ids, batch_size, num_steps, sampling, random_truncation, seed * 1000 + epoch)
        with _progress_bar(progress, steps_per_epoch, f"Época {epoch}/{epochs}") as bar:
            nll, count = train_epoch(model, batches, opt, history, clip=clip, scheduler=state.scheduler,
                                     device=device, carry_state=sampling == "sequential",
                                     max_batches=steps_per_epoch, should_stop=out_of_budget, bar=bar)
            history.train_ppl.append(perplexity_from_nll(nll, count))
            history.epoch_time.append(time.perf_counter() - start)
            if val_ids is not None:
                history.val_ppl.append(evaluate(model, val_ids).perplexity)
                if _epochs_without_gain(history) == 0:  # la mejor época hasta ahora
                    history.best_epoch = epoch
                    state.best_weights = copy.deepcopy(model.state_dict()) if patience is not None else None
            bar.set_postfix_str(_epoch_summary(history))
        state.epoch = epoch
        callback.on_epoch_end(state)
        if (patience is not None and _epochs_without_gain(history) >= patience) or out_of_budget():
            break
    if state.best_weights is not None:
        model.load_state_dict(state.best_weights)
    return history


def train_epoch(model, batches, optimizer, history, *, clip=1.0, scheduler=None, device=None, carry_state=True,
                max_batches=None, should_stop=None, bar=None) -> tuple[float, int]:
    """Una época de retropropagación truncada sobre ``batches``: devuelve la NLL total (nats) y los caracteres predichos.

    Con cada lote (X, Y): pérdida media, retropropagación, recorte por la norma global (si ``clip`` no es
    ``None``), paso del optimizador y, si lo hay, del programa de la tasa de aprendizaje. Añade a ``history`` la
    pérdida y la norma del gradiente (antes de recortar) de cada actualización. Con ``carry_state`` el estado
    final de un lote es el inicial del siguiente, separado del grafo. Para tras ``max_batches`` lotes o cuando
    ``should_stop()`` devuelve ``True``.
    """
    model.train()
    device = device if device is not None else next(model.parameters()).device
    state, total_nll, total_count = None, 0.0, 0
    for step, (X, Y) in enumerate(batches, start=1):
        X, Y = X.to(device), Y.to(device)
        if not carry_state or (state is not None and _batch_size(state) != X.shape[0]):
            state = None
        logits, state = model(X, state)
        state = _detach(state)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), Y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norm = clip_gradients(model.parameters(), clip) if clip is not None else grad_norm(model.parameters())
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        value = loss.item()
        history.step_loss.append(value)
        history.grad_norms.append(norm)
        total_nll, total_count = total_nll + value * Y.numel(), total_count + Y.numel()
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"pérdida {value:.3f}, perplejidad {math.exp(value):.2f}")
        if step == max_batches or (should_stop is not None and should_stop()):
            break
    return total_nll, total_count


def _check_train_arguments(train_ids, val_ids, epochs, batch_size, num_steps, lr, optimizer, clip, sampling,
                           max_steps, patience, lr_schedule, total_steps) -> float:
    """Comprueba los argumentos de :func:`train` y devuelve la tasa de aprendizaje (la de omisión si ``lr=None``)."""
    _check_ids(train_ids, "train_ids", minimum=num_steps + 2 if isinstance(num_steps, int) else 2)
    if val_ids is not None:
        _check_ids(val_ids, "val_ids")
    check_choice("Optimizador (optimizer)", optimizer, OPTIMIZERS)
    check_choice("Programa de tasa de aprendizaje (lr_schedule)", lr_schedule, ("constant", "cosine"))
    check_choice("Muestreo (sampling)", sampling, ("sequential", "random"))
    for name, value in (("epochs", epochs), ("batch_size", batch_size), ("num_steps", num_steps)):
        check_positive_int(name, value)
    for name, value in (("max_steps", max_steps), ("patience", patience), ("total_steps", total_steps)):
        check_positive_int(name, value, optional=True)
    if patience is not None and val_ids is None:
        raise ValueError("La parada temprana (patience) necesita datos de validación: pase val_ids.")
    check_positive("clip", clip, optional=True, finite=False)
    # Cada época empieza en un desplazamiento al azar de hasta num_steps − 1 caracteres: el lote debe caber después.
    if len(train_ids) - 1 < batch_size * num_steps + num_steps - 1:
        raise ValueError(f"El texto de entrenamiento ({len(train_ids)} caracteres) no llena ni un lote de "
                         f"{batch_size}×{num_steps} tras el desplazamiento inicial al azar (hasta {num_steps - 1} "
                         f"caracteres): reduzca batch_size o num_steps.")
    lr = DEFAULT_LR[optimizer] if lr is None else lr
    check_positive("lr", lr, finite=False)
    return lr


def _make_scheduler(opt, lr_schedule, planned_steps, total_steps):
    """Programa coseno de ``lr`` a 0 en las actualizaciones previstas; ``None`` con la tasa constante."""
    if lr_schedule == "constant":
        return None
    horizon = planned_steps if total_steps is None else min(total_steps, planned_steps)
    return torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, horizon) / horizon)))


def _epochs_without_gain(history) -> int:
    """Épocas seguidas, hasta la última, sin mejorar la mejor perplejidad de validación anterior."""
    best, best_index = math.inf, -1
    for i, value in enumerate(history.val_ppl):
        if value < best:
            best, best_index = value, i
    return len(history.val_ppl) - 1 - best_index


def _epoch_batches(ids, batch_size, num_steps, sampling, random_truncation, seed):
    if random_truncation:
        return random_length_batches(ids, batch_size, num_steps, sampling, torch.Generator().manual_seed(seed))
    batches = sequential_batches if sampling == "sequential" else random_batches
    return batches(ids, batch_size, num_steps, seed=seed)


def _progress_bar(progress, total, description):
    if progress:
        from tqdm.auto import tqdm  # barra de cuaderno en Jupyter, de texto en la terminal
    else:
        from tqdm import tqdm  # sin barra: evita importar el soporte de Jupyter
    return tqdm(total=total, desc=description, unit="lote", disable=not progress)


def _epoch_summary(history) -> str:
    """Texto de la barra al acabar una época: perplejidad de entrenamiento y, si se midió, de validación."""
    text = f"perplejidad de entrenamiento {history.train_ppl[-1]:.2f}"
    if len(history.val_ppl) == len(history.train_ppl):
        text += f", de validación {history.val_ppl[-1]:.2f}"
    return text


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
    return token_log_probs_many(model, [ids], chunk_size=chunk_size)[0]


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
    check_positive_int("chunk_size", chunk_size)
    lengths = [len(ids) for ids in sequences]
    batch = torch.zeros(len(sequences), max(lengths), dtype=torch.long)
    for k, ids in enumerate(sequences):
        batch[k, :len(ids)] = ids
    was_training, threads = model.training, torch.get_num_threads()
    model.eval()
    device = next(model.parameters()).device
    if device.type == "cpu":
        # Lotes de uno o dos flujos: cada paso es un producto pequeño; varios hilos no lo aceleran y, con la
        # CPU ocupada, sincronizarlos en cada paso lo hace decenas de veces más lento.
        torch.set_num_threads(1)
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
