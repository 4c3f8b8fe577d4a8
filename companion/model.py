"""Modelo de lenguaje de caracteres que envuelve cualquier capa recurrente (desde cero o de ``torch.nn``)."""
from __future__ import annotations

import math
import re

import torch
import torch.nn.functional as F
from torch import nn

from companion.fast import fused
from companion.linear import LRU, MinGRU, MinLSTM
from companion.rnn import DeepRNN, GRUScratch, LSTMScratch, RecurrentScratch, RNNScratch
from companion.validation import check_positive_int, check_probability, fail

__all__ = ["CharLM", "build_model", "CELLS"]

# Celda: (capa desde cero, capa de torch.nn). Las recurrencias lineales (capítulo 10) no tienen equivalente en
# torch.nn: las dos entradas son la misma capa y ``scratch`` no cambia nada.
CELLS = {"rnn": (RNNScratch, nn.RNN), "lstm": (LSTMScratch, nn.LSTM), "gru": (GRUScratch, nn.GRU),
         "mingru": (MinGRU, MinGRU), "minlstm": (MinLSTM, MinLSTM), "lru": (LRU, LRU)}


class CharLM(nn.Module):
    """Modelo de lenguaje de caracteres: entrada, capa recurrente y capa de salida.

    Para cada paso ``t`` (``X_t`` en one-hot de tamaño ``|V|`` o, si ``embedding_dim`` no es ``None``, su
    vector de incrustación)::

        H_t = capa recurrente(X_t, H_{t-1})
        Ŷ_t = H_t W_hq + b_q          logits; softmax(Ŷ_t) = P(x_{t+1} | x_{≤t})

    ``forward(X, state)`` recibe índices ``(B, T)`` (lote primero, como los dan los generadores de lotes) y
    devuelve los logits ``(B, T, |V|)`` y el nuevo estado, que puede pasarse al siguiente lote.
    La capa recurrente trabaja con el tiempo primero, como ``torch.nn``.
    """

    def __init__(self, rnn: nn.Module, vocab_size: int, embedding_dim: int | None = None,
                 embedding_dropout: float = 0.0, output_dropout: float = 0.0, weight_drop: float = 0.0):
        super().__init__()
        check_probability("embedding_dropout", embedding_dropout)
        check_probability("output_dropout", output_dropout)
        check_probability("weight_drop", weight_drop)
        check_positive_int("vocab_size", vocab_size)
        input_size = vocab_size if embedding_dim is None else embedding_dim
        if getattr(rnn, "input_size", None) != input_size:
            raise ValueError(
                f"La capa recurrente espera entradas de tamaño {getattr(rnn, 'input_size', '?')}, pero el modelo le "
                f"da {input_size} ({'one-hot de |V|' if embedding_dim is None else 'embedding_dim'}): créela con "
                f"input_size={input_size}."
            )
        if getattr(rnn, "batch_first", False):
            raise ValueError("La capa recurrente debe tener el tiempo primero (batch_first=False).")
        self.rnn, self.vocab_size, self.embedding_dim = rnn, vocab_size, embedding_dim
        self.embedding = None if embedding_dim is None else nn.Embedding(vocab_size, embedding_dim)
        # Dropout sobre las entradas de la capa recurrente y sobre sus salidas (antes de W_hq): regulariza
        # también un modelo de una sola capa, donde el dropout «entre capas» no tiene dónde actuar.
        self.embedding_dropout = nn.Dropout(float(embedding_dropout))
        self.output_dropout = nn.Dropout(float(output_dropout))
        self.weight_drop = float(weight_drop)
        num_outputs = rnn.hidden_size * (2 if rnn.bidirectional else 1)
        bound = 1.0 / math.sqrt(num_outputs)
        self.W_hq = nn.Parameter(torch.empty(num_outputs, vocab_size).uniform_(-bound, bound))
        self.b_q = nn.Parameter(torch.zeros(vocab_size))
        self._config = None

    def forward(self, X: torch.Tensor, state=None):
        """Logits del carácter siguiente en cada posición: ``X`` ``(B, T)`` int64 → ``((B, T, |V|), estado)``.

        ``state`` es el estado con que empieza la capa recurrente (``None``: ceros); el estado devuelto sirve
        para continuar el texto en la llamada siguiente.
        """
        if not isinstance(X, torch.Tensor) or X.dim() != 2 or X.dtype != torch.int64:
            got = f"{tuple(X.shape)} {X.dtype}" if isinstance(X, torch.Tensor) else type(X).__name__
            raise ValueError(f"X debe ser un tensor de índices int64 de forma (B, T), no {got}.")
        if X.numel() and (X.min() < 0 or X.max() >= self.vocab_size):
            raise ValueError(f"X contiene índices fuera del vocabulario [0, {self.vocab_size}).")
        device = self.W_hq.device  # entradas y estado pasan al dispositivo del modelo (CPU o GPU)
        X = X.to(device).T  # (T, B): la capa recurrente pone el tiempo primero
        if state is not None:
            state = tuple(s.to(device) for s in state) if isinstance(state, tuple) else state.to(device)
        if self.embedding is None:
            inputs = F.one_hot(X, self.vocab_size).to(self.W_hq.dtype)
        else:
            inputs = self.embedding(X)
        outputs, state = self.recurrent(self.embedding_dropout(inputs), state)
        logits = self.output_dropout(outputs).transpose(0, 1) @ self.W_hq + self.b_q
        return logits, state

    def recurrent(self, inputs: torch.Tensor, state=None):
        """Aplica la capa recurrente; en entrenamiento, con *weight drop* sobre sus matrices recurrentes.

        *Weight drop* (DropConnect sobre ``W_hh``, como en AWD-LSTM; Merity et al., 2018): cada entrada de
        cada matriz recurrente se anula con probabilidad p y las demás se dividen por 1 − p,

            W̃_hh = (M ⊙ W_hh) / (1 − p),   M con entradas independientes de Bernoulli(1 − p),

        con **una sola máscara M por llamada**, la misma en todos los pasos del segmento (como el *dropout*
        variacional, pero sobre los pesos). Las conexiones de la entrada (``W_x*``) no se tocan. En evaluación,
        o con ``weight_drop = 0``, es la capa sin cambios.

        Las capas desde cero toman aquí el camino rápido de :mod:`companion.fast`, que calcula lo mismo que su
        ``forward``, paso a paso, en menos tiempo.
        """
        with fused(self.rnn):
            if not (self.training and self.weight_drop > 0):
                return self.rnn(inputs, state)
            dropped = {name: F.dropout(weight, self.weight_drop)
                       for name, weight in self.rnn.named_parameters() if is_recurrent_weight(name)}
            # functional_call usa los pesos anulados en lugar de los propios sin modificar el módulo: el
            # gradiente llega a los pesos originales a través de la máscara.
            return torch.func.functional_call(self.rnn, dropped, (inputs, state))

    @property
    def config(self) -> dict:
        """Argumentos de :func:`build_model` que reconstruyen este modelo (``build_model(**m.config)``)."""
        return dict(self._config) if self._config is not None else _infer_config(self)

    def num_parameters(self) -> int:
        """Número total de parámetros entrenables."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)


_RECURRENT_WEIGHT = re.compile(r"(weight_hh_l\d+(_reverse)?|W_h[a-z]*)")


def is_recurrent_weight(name: str) -> bool:
    """``True`` si el parámetro ``name`` de una capa recurrente es una matriz recurrente (``W_h*`` o ``weight_hh``)."""
    return _RECURRENT_WEIGHT.fullmatch(name.rsplit(".", 1)[-1]) is not None


def build_model(cell: str = "lstm", vocab_size: int = 33, hidden_size: int = 256, num_layers: int = 1,
                bidirectional: bool = False, dropout: float = 0.0, embedding_dim: int | None = None,
                scratch: bool = False, embedding_dropout: float = 0.0, output_dropout: float = 0.0,
                forget_bias: float | None = None, weight_drop: float = 0.0) -> CharLM:
    """Construye un :class:`CharLM` con una capa ``cell`` (``"rnn"``, ``"gru"``, ``"lstm"`` o, del capítulo 10,
    ``"mingru"``, ``"minlstm"`` o ``"lru"``).

    ``scratch=True`` usa las capas desde cero de :mod:`companion.rnn` (la GRU del capítulo, de Cho et al.,
    con ``reset_after=False``); ``scratch=False``, las de ``torch.nn``. El modelo guarda estos argumentos en
    ``.config``.

    ``dropout`` actúa entre capas apiladas; ``embedding_dropout`` sobre las entradas de la capa recurrente y
    ``output_dropout`` sobre sus salidas (antes de ``W_hq``); ``weight_drop`` anula entradas de las matrices
    recurrentes con una máscara por segmento (:meth:`CharLM.recurrent`). ``forget_bias`` (solo LSTM) fija el sesgo total
    de la compuerta de olvido ``b_f`` de todas las capas a ese valor al iniciar (por ejemplo 1.0, como
    recomienda la bibliografía; el capítulo 5 mide que aquí no ayuda); ``None`` deja la inicialización por omisión.
    """
    config = dict(cell=cell, vocab_size=vocab_size, hidden_size=hidden_size, num_layers=num_layers,
                  bidirectional=bidirectional, dropout=dropout, embedding_dim=embedding_dim, scratch=scratch)
    extras = dict(embedding_dropout=embedding_dropout, output_dropout=output_dropout, forget_bias=forget_bias,
                  weight_drop=weight_drop)
    # Solo se guardan si difieren del valor por omisión: los puntos de control antiguos siguen siendo iguales.
    config.update({k: v for k, v in extras.items() if v not in (None, 0, 0.0)})
    if cell not in CELLS:
        raise ValueError(f"Celda desconocida {cell!r}: elija una de {', '.join(map(repr, CELLS))}.")
    if forget_bias is not None and cell != "lstm":
        raise ValueError(f"forget_bias solo tiene sentido con cell='lstm', no con {cell!r}.")
    if forget_bias is not None and not (isinstance(forget_bias, (int, float)) and math.isfinite(forget_bias)):
        fail("forget_bias", "None o un número finito", forget_bias)
    for name, value in (("vocab_size", vocab_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
        check_positive_int(name, value)
    check_positive_int("embedding_dim", embedding_dim, optional=True)  # None: one-hot
    check_probability("dropout", dropout)
    check_probability("weight_drop", weight_drop)
    input_size = vocab_size if embedding_dim is None else embedding_dim
    scratch_cls, torch_cls = CELLS[cell]
    if weight_drop and scratch_cls is torch_cls:
        raise ValueError(f"weight_drop anula entradas de las matrices recurrentes W_h*, y la celda {cell!r} no "
                         "tiene ninguna (sus compuertas solo ven X_t): use weight_drop=0.")
    if not scratch and torch_cls is not scratch_cls:
        rnn = torch_cls(input_size, hidden_size, num_layers=num_layers, bidirectional=bidirectional,
                        dropout=dropout if num_layers > 1 else 0.0)
    elif num_layers == 1 and not bidirectional:
        rnn = scratch_cls(input_size, hidden_size)
    else:
        rnn = DeepRNN(scratch_cls, input_size, hidden_size, num_layers, bidirectional, dropout)
    model = CharLM(rnn, vocab_size, embedding_dim, embedding_dropout, output_dropout, weight_drop)
    if forget_bias is not None:
        _set_forget_bias(rnn, float(forget_bias))
    model._config = config
    return model


@torch.no_grad()
def _set_forget_bias(rnn: nn.Module, value: float) -> None:
    """Pone el sesgo total de la compuerta de olvido a ``value`` en cada capa (y dirección) de una LSTM."""
    if isinstance(rnn, nn.LSTM):
        h = rnn.hidden_size
        for name, param in rnn.named_parameters():
            if name.startswith("bias_ih"):
                param[h:2 * h] = value  # nn.LSTM ordena sus bloques i, f, g, o
            elif name.startswith("bias_hh"):
                param[h:2 * h] = 0.0
        return
    cells = rnn.layers if isinstance(rnn, DeepRNN) else [rnn]
    for cell in cells:
        for module in cell.modules():
            if isinstance(module, LSTMScratch):
                module.b_f.fill_(value)


def _infer_config(model: CharLM) -> dict:
    rnn = model.rnn
    layer = rnn.layer_cls if isinstance(rnn, DeepRNN) else type(rnn)
    scratch = isinstance(rnn, (RecurrentScratch, DeepRNN))
    cell = next((name for name, classes in CELLS.items() if layer is classes[0 if scratch else 1]), None)
    cells = rnn.layers if isinstance(rnn, DeepRNN) else [rnn]
    if (cell is None or getattr(rnn, "nonlinearity", "tanh") != "tanh"
            or any(getattr(c, "reset_after", False) for c in cells)):
        raise ValueError(
            f"No hay configuración de build_model que reproduzca la capa {type(rnn).__name__} de este modelo; "
            "construya el modelo con build_model para poder guardarlo y reconstruirlo."
        )
    config = dict(cell=cell, vocab_size=model.vocab_size, hidden_size=rnn.hidden_size,
                  num_layers=rnn.num_layers, bidirectional=bool(rnn.bidirectional),
                  dropout=float(getattr(rnn, "dropout", 0.0)), embedding_dim=model.embedding_dim, scratch=scratch)
    for name in ("embedding_dropout", "output_dropout"):
        if getattr(model, name).p:
            config[name] = float(getattr(model, name).p)
    if model.weight_drop:
        config["weight_drop"] = model.weight_drop
    return config
