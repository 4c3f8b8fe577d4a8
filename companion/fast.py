"""El camino rápido de las capas desde cero: la misma función que su ``forward``, en menos tiempo.

El ``forward`` de :class:`companion.rnn.RecurrentScratch` llama a ``step`` en cada paso, tal como lo escriben
las ecuaciones. Este módulo, opcional, calcula lo mismo reordenando las cuentas; el modelo de lenguaje
(:meth:`companion.model.CharLM.recurrent`) lo usa para entrenar:

* fuera del bucle, una sola vez, la parte de la entrada de todas las compuertas y de todos los pasos,
  ``X [W_x* | ...] + [b_* | ...]``, con un único producto de matrices (:func:`input_projection`);
* dentro del bucle, un solo producto ``H_{t-1} [W_h* | ...]`` por paso con las matrices recurrentes
  concatenadas (:func:`recurrent_weight`), en lugar de uno por compuerta;
* ``tanh(x)`` calculada como ``2σ(2x) − 1`` (:func:`fast_tanh`).

Uso::

    with fused(model):  # dentro del bloque, las capas desde cero de model toman el camino rápido
        logits, state = model(X)

o, para una sola capa, ``fused_forward(cell, X, state)``. Las pruebas comprueban en ``float64`` que los dos
caminos dan las mismas salidas, estados y gradientes. Solo conoce las tres celdas de :mod:`companion.rnn`; las
demás capas (una subclase con otro ``step``, las de :mod:`companion.linear`) siguen con su ``forward``.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import partial

import torch
from torch import nn

from companion.rnn import GRUScratch, LSTMScratch, RecurrentScratch, RNNScratch

__all__ = ["fused", "fused_forward", "input_projection", "recurrent_weight", "rnn_step", "lstm_step", "gru_step",
           "fast_tanh"]


def fast_tanh(x: torch.Tensor) -> torch.Tensor:
    """Tangente hiperbólica calculada como ``tanh(x) = 2σ(2x) − 1`` (la misma función que ``torch.tanh``).

    ¿Por qué no ``torch.tanh``? Con varios hilos, PyTorch reparte ``torch.tanh`` entre ellos a partir de solo
    2048 elementos (la sigmoide, a partir de 32 768); en un paso de tiempo, con matrices de ``64 × 256``, esa
    sincronización entre hilos cuesta más que el cálculo, sobre todo si la máquina está ocupada.
    """
    return 2 * torch.sigmoid(2 * x) - 1


def input_projection(cell: RecurrentScratch, inputs: torch.Tensor) -> torch.Tensor:
    """``X [W_x* | ...] + [b_* | ...]`` para todos los pasos a la vez: ``(T, B, d) -> (T, B, G*h)``."""
    W_x = torch.cat([getattr(cell, f"W_x{g}") for g in cell.gates], dim=1)
    b = torch.cat([getattr(cell, f"b_{g}") for g in cell.gates])
    T, B, d = inputs.shape
    return torch.addmm(b, inputs.reshape(T * B, d), W_x).view(T, B, -1)


def recurrent_weight(cell: RecurrentScratch) -> torch.Tensor:
    """``[W_h* | ...]`` de las compuertas cuyo ``H_{t-1} W_h*`` cabe en un solo producto, concatenadas: ``(h, G*h)``.

    Son todas salvo en la GRU con el reinicio antes del producto, donde ``W_hh`` multiplica a ``R_t ⊙ H_{t-1}``
    y hay que esperar a ``R_t``.
    """
    gates = "rz" if isinstance(cell, GRUScratch) and not cell.reset_after else cell.gates
    return torch.cat([getattr(cell, f"W_h{g}") for g in gates], dim=1)


def rnn_step(cell: RNNScratch, XW_t: tuple, H: torch.Tensor, W_h: torch.Tensor) -> torch.Tensor:
    """:meth:`~companion.rnn.RNNScratch.step` con ``XW_t = (X_t W_xh + b_h,)`` ya calculado."""
    (XH,) = XW_t
    return fast_tanh(XH + H @ W_h)


def lstm_step(cell: LSTMScratch, XW_t: tuple, state: tuple, W_h: torch.Tensor) -> tuple:
    """:meth:`~companion.rnn.LSTMScratch.step` con ``XW_t = (X_t W_xi + b_i, …)`` ya calculado y un solo producto por ``W_h``."""
    H, C = state
    XI, XF, XO, XC = XW_t
    HI, HF, HO, HC = (H @ W_h).chunk(4, dim=1)  # H_{t-1} W_h*: un solo producto para las cuatro
    I, F, O = torch.sigmoid(XI + HI), torch.sigmoid(XF + HF), torch.sigmoid(XO + HO)
    C = F * C + I * fast_tanh(XC + HC)
    return O * fast_tanh(C), C


def gru_step(cell: GRUScratch, XW_t: tuple, H: torch.Tensor, W_h: torch.Tensor) -> torch.Tensor:
    """:meth:`~companion.rnn.GRUScratch.step` con ``XW_t = (X_t W_xr + b_r, …)`` ya calculado.

    ``W_h`` incluye ``W_hh`` solo con ``reset_after=True``; con el reinicio antes, ``(R_t ⊙ H_{t-1}) W_hh`` es un
    segundo producto, que tiene que esperar a ``R_t``.
    """
    XR, XZ, XH = XW_t
    HR, HZ, *HH = (H @ W_h).chunk(W_h.shape[1] // cell.hidden_size, dim=1)  # (y H_{t-1} W_hh si reset_after)
    R, Z = torch.sigmoid(XR + HR), torch.sigmoid(XZ + HZ)
    if cell.reset_after:
        H_tilde = fast_tanh(XH + R * (HH[0] + cell.b_hh))
    else:
        H_tilde = fast_tanh(XH + (R * H) @ cell.W_hh)
    return Z * H + (1 - Z) * H_tilde


# El paso rápido de cada celda. La clase exacta: una subclase podría cambiar step.
FUSED_STEPS = {RNNScratch: rnn_step, LSTMScratch: lstm_step, GRUScratch: gru_step}


def fused_forward(cell: RecurrentScratch, inputs: torch.Tensor, state=None):
    """Lo mismo que ``cell(inputs, state)``, por el camino rápido: salidas ``(T, B, h)`` y estado final."""
    if type(cell) not in FUSED_STEPS:
        raise ValueError(f"El camino rápido solo conoce {', '.join(c.__name__ for c in FUSED_STEPS)}, no "
                         f"{type(cell).__name__}: llame a la capa directamente.")
    fused_step, W_h = FUSED_STEPS[type(cell)], recurrent_weight(cell)
    state = cell.initial_state(inputs, state)
    XW = input_projection(cell, inputs).chunk(len(cell.gates), dim=2)  # un (T, B, h) por compuerta
    outputs = []
    for XW_t in zip(*(X_gate.unbind(0) for X_gate in XW)):  # XW_t: X_t W_x* + b_* de cada compuerta
        state = fused_step(cell, XW_t, state, W_h)
        outputs.append(cell.output(state))
    return torch.stack(outputs), cell.final_state(state)


@contextmanager
def fused(module: nn.Module):
    """Dentro del bloque ``with``, las capas desde cero de ``module`` (también dentro de una ``DeepRNN``) toman
    el camino rápido; al salir, vuelven a su ``forward``.

    Sustituye el ``forward`` de cada capa por :func:`fused_forward` con un atributo de la instancia, que
    ``nn.Module`` llama en lugar del método de la clase; las demás capas no cambian. Los parámetros son los
    mismos, así que sirve también con ``torch.func.functional_call``.
    """
    cells = [m for m in module.modules() if type(m) in FUSED_STEPS and "forward" not in vars(m)]
    for cell in cells:
        cell.forward = partial(fused_forward, cell)
    try:
        yield module
    finally:
        for cell in cells:
            del cell.forward
