"""Una tarea sintética de dependencia larga: recordar el primer símbolo.

**La tarea.** Cada ejemplo es una secuencia de ``T`` símbolos tomados al azar, uniformes e independientes,
de un alfabeto de ``K`` símbolos (``0, 1, …, K − 1``). En cada paso la red recibe el símbolo en *one-hot* y una
**marca de inicio**, un rasgo más que vale 1 en el primer paso y 0 en los demás: la entrada tiene ``K + 1``
rasgos. En **cada** paso ``t`` la red debe decir cuál fue el **primer** símbolo, ``x_1``; la pérdida es la
entropía cruzada media sobre los ``T`` pasos. Lo que se mide es el **acierto en el último paso** sobre
secuencias nuevas: para acertar ahí la red tiene que haber guardado ``x_1`` durante ``T − 1`` pasos mientras le
llegaban ``T − 1`` símbolos que no le sirven de nada. Sin memoria, el acierto es el del azar, ``1/K``.

**Por qué mide el desvanecimiento del gradiente.** El objetivo del último paso depende solo de la entrada de
hace ``T − 1`` pasos, así que el único gradiente útil para aprenderlo es el que recorre ``T − 1`` pasos hacia
atrás: si se desvanece, la red no puede aprender la dependencia por larga que sea el entrenamiento. La pérdida
en todos los pasos da señal a todas las distancias, de 0 a ``T − 1``, en cada secuencia: la red puede aprender
primero a recordar unos pocos pasos y alargar después su memoria, si su gradiente se lo permite.

**La comparación.** :func:`run_recall_sweep` entrena, para cada longitud ``T``, una red por celda
(``torch.nn.RNN`` con ``tanh``, ``torch.nn.LSTM`` o ``torch.nn.GRU``, más una capa lineal de salida) con el mismo
número de parámetros (la RNN y la GRU, con más unidades que la LSTM para igualarla), las mismas secuencias de
entrenamiento, el mismo optimizador (Adam), el mismo número de pasos y el mismo recorte de la norma del
gradiente; después mide el acierto en el último paso con las mismas secuencias de prueba, que ninguna vio al
entrenar. Por omisión todo se calcula en la CPU (``device="cpu"``), para que el resultado no dependa de la GPU.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from companion.validation import check_choice, check_positive, check_positive_int, fail

__all__ = [
    "CELLS",
    "RecallNet",
    "RecallRun",
    "RecallSweep",
    "count_parameters",
    "hidden_size_for",
    "recall_accuracy",
    "recall_batch",
    "run_recall_sweep",
    "train_recall",
]

CELLS = ("rnn", "lstm", "gru")
_TORCH_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
_CELL_NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


def recall_batch(length: int, num_symbols: int, batch_size: int, generator: torch.Generator | None = None,
                 device="cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """Un minilote de la tarea de recordar el primer símbolo.

    - ``length``: número de pasos ``T`` de cada secuencia.
    - ``num_symbols``: tamaño ``K`` del alfabeto (al menos 2).
    - ``batch_size``: número de secuencias ``B``.
    - ``generator``: un ``torch.Generator`` (en la CPU) para que el minilote sea reproducible; con ``None``, el
      generador global de PyTorch.
    - ``device``: dónde dejar los tensores.

    Devuelve ``(inputs, targets)``: ``inputs`` de forma ``(T, B, K + 1)`` (el *one-hot* del símbolo y, en la
    última columna, la marca de inicio, 1 solo en el primer paso) y ``targets`` de forma ``(B,)``, el primer
    símbolo de cada secuencia (el objetivo en todos los pasos).
    """
    check_positive_int("length", length)
    check_positive_int("batch_size", batch_size)
    _check_symbols(num_symbols)
    symbols = torch.randint(0, num_symbols, (length, batch_size), generator=generator)
    inputs = torch.zeros(length, batch_size, num_symbols + 1)
    inputs[..., :num_symbols] = F.one_hot(symbols, num_symbols).float()
    inputs[0, :, num_symbols] = 1.0  # la marca de inicio
    return inputs.to(device), symbols[0].clone().to(device)


class RecallNet(nn.Module):
    """Una capa recurrente de ``torch.nn`` (RNN con ``tanh``, LSTM o GRU) y una capa lineal que, en cada paso,
    da los logits del primer símbolo.

    - ``cell``: ``"rnn"``, ``"lstm"`` o ``"gru"``.
    - ``hidden_size``: tamaño ``h`` del estado.
    - ``num_symbols``: tamaño ``K`` del alfabeto; la entrada tiene ``K + 1`` rasgos (con la marca de inicio).
    - ``forget_bias``: solo para la LSTM, el sesgo inicial de la compuerta de olvido (el efectivo, la suma
      ``bias_ih + bias_hh`` del bloque ``f``); ``None`` deja la inicialización de ``torch.nn``.

    ``forward(inputs)`` recibe ``(T, B, K + 1)`` y devuelve los logits ``(T, B, K)``.
    """

    def __init__(self, cell: str, hidden_size: int, num_symbols: int = 8, forget_bias: float | None = 1.0):
        super().__init__()
        check_choice("cell", cell, CELLS)
        check_positive_int("hidden_size", hidden_size)
        _check_symbols(num_symbols)
        if forget_bias is not None and not (isinstance(forget_bias, (int, float)) and math.isfinite(forget_bias)):
            fail("forget_bias", "None o un número finito", forget_bias)
        if forget_bias is not None and cell != "lstm":
            raise ValueError(f"forget_bias solo tiene sentido con cell='lstm', no con cell={cell!r}: "
                             "deje forget_bias=None.")
        self.cell, self.num_symbols = cell, num_symbols
        self.rnn = _TORCH_CELLS[cell](num_symbols + 1, hidden_size)
        self.out = nn.Linear(hidden_size, num_symbols)
        if forget_bias is not None:
            with torch.no_grad():  # bloques de torch.nn.LSTM: i, f, g, o
                self.rnn.bias_ih_l0[hidden_size:2 * hidden_size].fill_(float(forget_bias))
                self.rnn.bias_hh_l0[hidden_size:2 * hidden_size].zero_()

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """Logits ``(T, B, K)`` de cada paso: ``y_t = W_hq h_t + b_q`` sobre los estados de la celda recurrente.

        ``inputs`` tiene la forma ``(T, B, K + 1)`` de :func:`recall_batch`; el estado inicial es cero.
        """
        if inputs.dim() != 3 or inputs.shape[-1] != self.num_symbols + 1:
            raise ValueError(f"La entrada debe tener forma (T, B, {self.num_symbols + 1}) (la de recall_batch con "
                             f"num_symbols={self.num_symbols}), no {tuple(inputs.shape)}.")
        outputs, _ = self.rnn(inputs)
        return self.out(outputs)


def count_parameters(module: nn.Module) -> int:
    """Número de parámetros entrenables de ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def hidden_size_for(cell: str, num_symbols: int, max_parameters: int) -> int:
    """El mayor ``hidden_size`` con el que ``RecallNet(cell, hidden_size, num_symbols)`` no pasa de
    ``max_parameters`` parámetros (así se iguala el tamaño de las celdas)."""
    check_choice("cell", cell, CELLS)
    _check_symbols(num_symbols)
    check_positive_int("max_parameters", max_parameters)
    d, k = num_symbols + 1, num_symbols
    blocks = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    # blocks·(d·h + h² + 2h) de la capa (torch.nn tiene dos sesgos por bloque) + h·k + k de la salida
    size = lambda h: blocks * (d * h + h * h + 2 * h) + h * k + k
    if size(1) > max_parameters:
        raise ValueError(f"Con max_parameters={max_parameters} no cabe ni una unidad de {_CELL_NAMES[cell]} "
                         f"({size(1)} parámetros con hidden_size=1): aumente max_parameters.")
    h = 1
    while size(h + 1) <= max_parameters:
        h += 1
    return h


def train_recall(cell: str, length: int, *, hidden_size: int, num_symbols: int = 8, steps: int = 500,
                 batch_size: int = 32, lr: float = 1e-2, clip: float = 1.0, seed: int = 0,
                 forget_bias: float | None = 1.0, device="cpu") -> tuple[RecallNet, float]:
    """Entrena una :class:`RecallNet` en la tarea con secuencias de ``length`` pasos.

    Adam con tasa ``lr``, ``steps`` pasos con minilotes nuevos de ``batch_size`` secuencias y recorte de la
    norma del gradiente a ``clip``. La pérdida es la entropía cruzada media sobre todos los pasos (el objetivo de
    cada paso es el primer símbolo). ``seed`` fija los pesos iniciales y las secuencias: con la misma semilla y la
    misma longitud, todas las celdas ven exactamente los mismos minilotes. ``forget_bias`` se aplica solo a la
    LSTM. No cambia el estado aleatorio global de PyTorch.

    Devuelve ``(model, loss)``: la red entrenada (en modo de evaluación) y la pérdida media de los últimos
    50 pasos (o de todos, si hay menos).
    """
    check_positive_int("length", length)
    check_positive_int("steps", steps)
    check_positive_int("batch_size", batch_size)
    check_positive("lr", lr)
    check_positive("clip", clip)
    _check_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = RecallNet(cell, hidden_size, num_symbols, forget_bias if cell == "lstm" else None).to(device)
    data = torch.Generator().manual_seed(_stream(seed, length, 0))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(steps):
        inputs, targets = recall_batch(length, num_symbols, batch_size, data, device)
        logits = model(inputs)  # (T, B, K): el objetivo es el mismo en todos los pasos
        loss = F.cross_entropy(logits.reshape(-1, num_symbols), targets.repeat(length))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    tail = losses[-50:]
    return model, sum(tail) / len(tail)


@torch.no_grad()
def recall_accuracy(model: RecallNet, length: int, *, num_sequences: int = 1000, seed: int = 0,
                    device="cpu") -> float:
    """Fracción de ``num_sequences`` secuencias nuevas de ``length`` pasos en las que ``model`` acierta el
    primer símbolo **en el último paso**. Las secuencias salen de un generador propio (``seed``), distinto del
    de entrenamiento de :func:`train_recall`: no son las que la red vio al entrenar."""
    if not isinstance(model, RecallNet):
        raise TypeError(f"model debe ser una RecallNet (la red de train_recall), no {type(model).__name__}.")
    check_positive_int("length", length)
    check_positive_int("num_sequences", num_sequences)
    _check_seed(seed)
    data = torch.Generator().manual_seed(_stream(seed, length, 1))
    inputs, targets = recall_batch(length, model.num_symbols, num_sequences, data, device)
    was_training = model.training
    model.eval()
    predictions = model(inputs)[-1].argmax(dim=-1)
    model.train(was_training)
    return (predictions == targets).float().mean().item()


@dataclass(frozen=True)
class RecallRun:
    """Una fila del resultado de :func:`run_recall_sweep`: una celda entrenada con una longitud."""

    cell: str
    length: int
    accuracy: float  # acierto en el último paso, secuencias de prueba
    loss: float  # pérdida media de entrenamiento de los últimos pasos
    seconds: float  # tiempo de entrenamiento y evaluación


@dataclass
class RecallSweep:
    """El resultado de :func:`run_recall_sweep`, en forma ordenada: una :class:`RecallRun` por celda y longitud.

    Además de ``runs`` guarda la configuración (``cells``, ``lengths``, ``steps``, ``seed``, ``num_symbols``,
    ``batch_size``, ``num_test``) y, por celda, ``hidden_sizes`` y ``parameters`` (el número de parámetros de
    cada red).
    """

    cells: tuple
    lengths: tuple
    steps: int
    seed: int
    num_symbols: int
    batch_size: int = 32
    num_test: int = 1000
    hidden_sizes: dict = field(default_factory=dict)
    parameters: dict = field(default_factory=dict)
    runs: list = field(default_factory=list)

    @property
    def chance(self) -> float:
        """El acierto del azar, ``1/K``."""
        return 1.0 / self.num_symbols

    @property
    def seconds(self) -> float:
        """Tiempo total del barrido, en segundos."""
        return sum(run.seconds for run in self.runs)

    def accuracy(self, cell: str) -> list[float]:
        """Los aciertos de ``cell``, uno por longitud, en el orden de ``lengths``."""
        check_choice("cell", cell, self.cells)
        by_length = {run.length: run.accuracy for run in self.runs if run.cell == cell}
        return [by_length[length] for length in self.lengths]

    def failure_length(self, cell: str, threshold: float) -> int | None:
        """La primera longitud (la menor de ``lengths``) en la que el acierto de ``cell`` queda por debajo de
        ``threshold``; ``None`` si no queda por debajo en ninguna."""
        if not (isinstance(threshold, (int, float)) and 0 < threshold <= 1):
            fail("threshold", "un acierto entre 0 y 1", threshold)
        for length, accuracy in zip(self.lengths, self.accuracy(cell)):
            if accuracy < threshold:
                return length
        return None


def run_recall_sweep(cells=("rnn", "lstm"), lengths=(5, 10, 20, 40, 80, 160), *, steps: int = 500, seed: int = 0,
                     num_symbols: int = 8, lstm_hidden: int = 16, batch_size: int = 32, lr: float = 1e-2,
                     clip: float = 1.0, forget_bias: float | None = 1.0, num_test: int = 1000, device="cpu",
                     progress=None) -> RecallSweep:
    """Entrena y evalúa cada celda de ``cells`` con cada longitud de ``lengths`` (ver el inicio del módulo).

    Las celdas se igualan en parámetros con la LSTM de ``lstm_hidden`` unidades: cada una recibe el mayor estado
    que no pasa de los parámetros de esa LSTM (:func:`hidden_size_for`). Para una misma longitud todas ven las
    mismas secuencias de entrenamiento y de prueba. ``steps``, ``batch_size``, ``lr``, ``clip`` y
    ``forget_bias`` van a :func:`train_recall`; ``num_test`` es el número de secuencias de prueba por longitud.
    ``progress``, si se da, es una función a la que se llama con cada :class:`RecallRun` al terminarla.

    Devuelve un :class:`RecallSweep`.
    """
    cells, lengths = tuple(cells), tuple(lengths)
    if not cells:
        raise ValueError(f"cells debe nombrar al menos una celda de {CELLS}, no {cells!r}.")
    for cell in cells:
        check_choice("cell", cell, CELLS)
    if len(set(cells)) != len(cells):
        raise ValueError(f"cells no debe repetir celdas: {cells!r}.")
    if not lengths:
        raise ValueError(f"lengths debe tener al menos una longitud, no {lengths!r}.")
    for length in lengths:
        check_positive_int("length", length)
    if list(lengths) != sorted(set(lengths)):
        raise ValueError(f"lengths debe ir en orden creciente y sin repeticiones, no {lengths!r}.")
    check_positive_int("lstm_hidden", lstm_hidden)
    _check_symbols(num_symbols)
    budget = count_parameters(RecallNet("lstm", lstm_hidden, num_symbols))
    check_positive_int("num_test", num_test)
    sweep = RecallSweep(cells=cells, lengths=lengths, steps=steps, seed=seed, num_symbols=num_symbols,
                        batch_size=batch_size, num_test=num_test)
    for cell in cells:
        hidden = lstm_hidden if cell == "lstm" else hidden_size_for(cell, num_symbols, budget)
        sweep.hidden_sizes[cell] = hidden
        sweep.parameters[cell] = count_parameters(RecallNet(cell, hidden, num_symbols, None))
    for cell in cells:
        for length in lengths:
            start = time.perf_counter()
            model, loss = train_recall(cell, length, hidden_size=sweep.hidden_sizes[cell],
                                       num_symbols=num_symbols, steps=steps, batch_size=batch_size, lr=lr,
                                       clip=clip, seed=seed, forget_bias=forget_bias, device=device)
            accuracy = recall_accuracy(model, length, num_sequences=num_test, seed=seed, device=device)
            run = RecallRun(cell, length, accuracy, loss, time.perf_counter() - start)
            sweep.runs.append(run)
            if progress is not None:
                progress(run)
    return sweep


def _check_symbols(num_symbols) -> None:
    if not (isinstance(num_symbols, int) and not isinstance(num_symbols, bool) and num_symbols >= 2):
        fail("num_symbols", "un entero ≥ 2 (el tamaño del alfabeto)", num_symbols)


def _check_seed(seed) -> None:
    if not (isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0):
        fail("seed", "un entero ≥ 0", seed)


def _stream(seed: int, length: int, purpose: int) -> int:
    # Una semilla distinta por (semilla, longitud, uso): 0 entrenamiento, 1 prueba.
    return (seed * 1_000_003 + length) * 2 + purpose
