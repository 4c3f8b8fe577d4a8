"""Capas recurrentes escritas desde cero: RNN, LSTM y GRU, profundas y bidireccionales.

Todas siguen las convenciones de ``torch.nn`` para poder sustituirse unas por otras:

* entrada ``X`` de forma ``(T, B, d)`` (el tiempo primero: T pasos, B ejemplos, d rasgos);
* ``forward(X, state=None) -> (salidas, state)`` con salidas ``(T, B, D*h)``;
* estado de forma ``(L*D, B, h)`` (L capas, D = 2 si es bidireccional, índice ``capa*D + dirección``);
  en la LSTM, el par ``(H, C)`` de dos tensores así. ``state=None`` equivale a ceros.

Convenio de filas del curso: ``X_t`` tiene forma ``(B, d)``, ``W_x*`` ``(d, h)``, ``W_h*`` ``(h, h)`` y
``b_*`` ``(h,)``, de modo que cada compuerta es ``X_t W_x* + H_{t-1} W_h* + b_*``. ``torch.nn`` guarda las
matrices traspuestas, ``(h, d)``; ``from_torch`` las traspone al copiarlas.

Una celda calcula un paso (``step(X_t, state)``), escrito línea a línea como las ecuaciones del capítulo; un
único bucle, el ``forward`` de :class:`RecurrentScratch`, la despliega en el tiempo llamando a ``step`` en cada
paso. El modelo de lenguaje (:class:`companion.model.CharLM`) entrena con el camino rápido de
:mod:`companion.fast`, que calcula la misma función en menos tiempo (las pruebas lo comprueban en ``float64``).
"""
from __future__ import annotations

import math

import torch
from torch import nn

from companion.validation import check_positive_int, check_probability

__all__ = ["RecurrentScratch", "RNNScratch", "LSTMScratch", "GRUScratch", "DeepRNN", "affine_parameters"]


def affine_parameters(input_size: int, hidden_size: int) -> tuple[nn.Parameter, nn.Parameter, nn.Parameter]:
    """Los tres parámetros de ``X_t W_x + H_{t-1} W_h + b``: ``W_x`` ``(d, h)``, ``W_h`` ``(h, h)`` y ``b`` ``(h,)``.

    Cada compuerta (y cada estado candidato) tiene los suyos; se crean sin valores y ``reset_parameters``
    los inicia.
    """
    return (nn.Parameter(torch.empty(input_size, hidden_size)), nn.Parameter(torch.empty(hidden_size, hidden_size)),
            nn.Parameter(torch.empty(hidden_size)))


class RecurrentScratch(nn.Module):
    """Base común de las capas de una capa y una dirección: el bucle que despliega ``step`` en el tiempo.

    Cada subclase declara sus parámetros en ``__init__`` y escribe ``step``, un paso con las ecuaciones del
    capítulo. Inicialización como en ``torch.nn``: uniforme en ``[-1/√h, 1/√h]``.
    """

    gates = ""  # letras de las compuertas, en el orden de __init__ (para from_torch y companion.fast)
    state_is_pair = False  # True en la LSTM: el estado es (H, C)
    torch_class = None
    torch_order = ()  # posición de cada compuerta en los bloques de weight_ih/weight_hh de torch
    num_layers = 1
    bidirectional = False

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            check_positive_int(name, value)
        self.input_size, self.hidden_size = input_size, hidden_size

    def reset_parameters(self) -> None:
        """Inicializa todos los parámetros con una uniforme en ``[-a, a]``, con ``a = init_bound()``."""
        bound = self.init_bound()
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def init_bound(self) -> float:
        """``1/√h``, como ``torch.nn``."""
        return 1.0 / math.sqrt(self.hidden_size)

    def extra_repr(self) -> str:
        """Lo que ``print(modelo)`` muestra entre paréntesis tras el nombre de la capa."""
        return f"{self.input_size}, {self.hidden_size}"

    def forward(self, inputs: torch.Tensor, state=None):
        """Despliega la celda sobre ``inputs`` ``(T, B, d)``: ``state = step(X_t, state)`` para ``t = 1, …, T``.

        Devuelve las salidas ``H_1, …, H_T`` ``(T, B, h)`` y el estado final ``(1, B, h)`` (en la LSTM, el par
        ``(H_T, C_T)``), que puede pasarse a la llamada siguiente para continuar la secuencia.
        """
        state = self.initial_state(inputs, state)  # H_0 (B, h); en la LSTM, el par (H_0, C_0)
        outputs = []
        for X_t in inputs:  # X_t: (B, d)
            state = self.step(X_t, state)
            outputs.append(self.output(state))  # H_t
        return torch.stack(outputs), self.final_state(state)

    def step(self, X_t: torch.Tensor, state):
        """Un paso de tiempo con las ecuaciones del capítulo: el nuevo estado a partir de ``X_t`` ``(B, d)``."""
        raise NotImplementedError

    def initial_state(self, inputs: torch.Tensor, state=None):
        """Comprueba ``inputs`` y ``state`` y devuelve el estado con que empieza el bucle, sin la dimensión de capas.

        ``(1, B, h) -> (B, h)`` (en la LSTM, el par); ``state=None`` da ceros.
        """
        _check_inputs(inputs, self.input_size)
        state = _check_state(state, self.state_is_pair, (1, inputs.shape[1], self.hidden_size), inputs)
        return tuple(s[0] for s in state) if self.state_is_pair else state[0]

    def output(self, state) -> torch.Tensor:
        """La salida de un paso a partir de su estado: el propio ``H_t``."""
        return state

    def final_state(self, state):
        """El estado de un paso con la dimensión de capas de ``torch.nn``: ``(B, h) -> (1, B, h)`` (o el par)."""
        return tuple(s.unsqueeze(0) for s in state) if self.state_is_pair else state.unsqueeze(0)

    @classmethod
    def from_torch(cls, module: nn.Module) -> "RecurrentScratch":
        """Copia los pesos de un ``torch.nn`` equivalente de una capa y una dirección."""
        _check_torch_module(module, cls)
        if module.num_layers != 1 or module.bidirectional:
            raise ValueError(
                f"{cls.__name__}.from_torch copia una sola capa en una sola dirección, pero el módulo tiene "
                f"num_layers={module.num_layers} y bidirectional={module.bidirectional}: use DeepRNN.from_torch."
            )
        return cls._from_torch_layer(module, "_l0")

    @classmethod
    def _from_torch_layer(cls, module: nn.Module, suffix: str) -> "RecurrentScratch":
        W_ih, W_hh = getattr(module, "weight_ih" + suffix), getattr(module, "weight_hh" + suffix)
        b_ih, b_hh = getattr(module, "bias_ih" + suffix), getattr(module, "bias_hh" + suffix)
        h = module.hidden_size
        cell = cls(W_ih.shape[1], h, **cls._torch_kwargs()).to(dtype=W_ih.dtype, device=W_ih.device)
        block = lambda w, k: w.detach()[k * h:(k + 1) * h]  # noqa: E731 (bloque k de torch)
        with torch.no_grad():
            for g, k in zip(cls.gates, cls.torch_order):
                getattr(cell, f"W_x{g}").copy_(block(W_ih, k).T)
                getattr(cell, f"W_h{g}").copy_(block(W_hh, k).T)
                getattr(cell, f"b_{g}").copy_(block(b_ih, k) + block(b_hh, k))
            cell._fix_torch_biases(block(b_ih, cls.torch_order[-1]), block(b_hh, cls.torch_order[-1]))
        return cell

    @classmethod
    def _torch_kwargs(cls) -> dict:
        return {}

    def _fix_torch_biases(self, b_ih_last: torch.Tensor, b_hh_last: torch.Tensor) -> None:
        """Gancho para la GRU de torch, cuyo último sesgo recurrente no puede sumarse al de la entrada."""


class RNNScratch(RecurrentScratch):
    """RNN simple (de Elman) desde cero.

    Ecuación de un paso, con ``X_t`` de forma ``(B, d)`` y ``H_t`` de forma ``(B, h)``::

        H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)

    Equivale a ``nn.RNN(d, h)`` (no lineal ``tanh``), cuyo ``b_ih + b_hh`` es aquí un único ``b_h``.
    """

    gates = "h"
    torch_class = nn.RNN
    torch_order = (0,)

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__(input_size, hidden_size)
        self.W_xh, self.W_hh, self.b_h = affine_parameters(input_size, hidden_size)
        self.reset_parameters()

    def step(self, X_t, H):
        """``H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)``."""
        return torch.tanh(X_t @ self.W_xh + H @ self.W_hh + self.b_h)


class LSTMScratch(RecurrentScratch):
    """LSTM (memoria a corto y largo plazo) desde cero.

    Ecuaciones de un paso, con ``σ`` la sigmoide y ``⊙`` el producto elemento a elemento::

        I_t  = σ(X_t W_xi + H_{t-1} W_hi + b_i)        compuerta de entrada
        F_t  = σ(X_t W_xf + H_{t-1} W_hf + b_f)        compuerta de olvido
        O_t  = σ(X_t W_xo + H_{t-1} W_ho + b_o)        compuerta de salida
        C~_t = tanh(X_t W_xc + H_{t-1} W_hc + b_c)     celda candidata
        C_t  = F_t ⊙ C_{t-1} + I_t ⊙ C~_t             celda de memoria
        H_t  = O_t ⊙ tanh(C_t)                        estado oculto

    El estado es el par ``(H, C)``. Equivale a ``nn.LSTM(d, h)``, que ordena sus bloques ``i, f, c, o``.
    """

    gates = "ifoc"
    state_is_pair = True
    torch_class = nn.LSTM
    torch_order = (0, 1, 3, 2)

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__(input_size, hidden_size)
        d, h = input_size, hidden_size
        self.W_xi, self.W_hi, self.b_i = affine_parameters(d, h)  # compuerta de entrada I_t
        self.W_xf, self.W_hf, self.b_f = affine_parameters(d, h)  # compuerta de olvido F_t
        self.W_xo, self.W_ho, self.b_o = affine_parameters(d, h)  # compuerta de salida O_t
        self.W_xc, self.W_hc, self.b_c = affine_parameters(d, h)  # celda candidata C~_t
        self.reset_parameters()

    def step(self, X_t, state, return_gates: bool = False):
        """Las seis ecuaciones de la LSTM: de ``(H_{t-1}, C_{t-1})`` a ``(H_t, C_t)``.

        Con ``return_gates=True`` devuelve además las compuertas del paso, ``{"I": I_t, "F": F_t, "O": O_t,
        "C_tilde": C~_t}``, para estudiarlas.
        """
        H, C = state
        I = torch.sigmoid(X_t @ self.W_xi + H @ self.W_hi + self.b_i)
        F = torch.sigmoid(X_t @ self.W_xf + H @ self.W_hf + self.b_f)
        O = torch.sigmoid(X_t @ self.W_xo + H @ self.W_ho + self.b_o)
        C_tilde = torch.tanh(X_t @ self.W_xc + H @ self.W_hc + self.b_c)
        C = F * C + I * C_tilde
        H = O * torch.tanh(C)
        if return_gates:
            return (H, C), {"I": I, "F": F, "O": O, "C_tilde": C_tilde}
        return H, C

    def output(self, state) -> torch.Tensor:
        """La salida de un paso es ``H_t``, el primero del par ``(H_t, C_t)``."""
        return state[0]


class GRUScratch(RecurrentScratch):
    """GRU (unidad recurrente con compuertas) desde cero, en sus dos formulaciones.

    Ecuaciones de un paso::

        R_t  = σ(X_t W_xr + H_{t-1} W_hr + b_r)        compuerta de reinicio
        Z_t  = σ(X_t W_xz + H_{t-1} W_hz + b_z)        compuerta de actualización
        H~_t = tanh(X_t W_xh + (R_t ⊙ H_{t-1}) W_hh + b_h)            (reset_after=False)
        H~_t = tanh(X_t W_xh + b_h + R_t ⊙ (H_{t-1} W_hh + b_hh))     (reset_after=True)
        H_t  = Z_t ⊙ H_{t-1} + (1 − Z_t) ⊙ H~_t

    ``reset_after=False`` es la GRU original de Cho et al. (2014), la del capítulo: el reinicio se aplica a
    ``H_{t-1}`` *antes* del producto por ``W_hh``. ``reset_after=True`` es la variante de ``nn.GRU`` (y de
    cuDNN): se aplica *después*, a ``H_{t-1} W_hh + b_hh``, lo que permite calcular ``H_{t-1} W_hh`` junto con
    las otras dos compuertas en un solo producto; necesita el sesgo recurrente propio ``b_hh``, que no puede
    sumarse a ``b_h`` (el ``b_xh`` de la variante de torch) porque queda multiplicado por ``R_t``. Las dos son
    GRU válidas, pero no son la misma función: solo ``reset_after=True`` reproduce ``nn.GRU`` (``from_torch``
    la elige).
    """

    gates = "rzh"
    torch_class = nn.GRU
    torch_order = (0, 1, 2)

    def __init__(self, input_size: int, hidden_size: int, reset_after: bool = False):
        super().__init__(input_size, hidden_size)
        d, h = input_size, hidden_size
        self.W_xr, self.W_hr, self.b_r = affine_parameters(d, h)  # compuerta de reinicio R_t
        self.W_xz, self.W_hz, self.b_z = affine_parameters(d, h)  # compuerta de actualización Z_t
        self.W_xh, self.W_hh, self.b_h = affine_parameters(d, h)  # estado candidato H~_t
        self.reset_after = bool(reset_after)
        if self.reset_after:
            self.b_hh = nn.Parameter(torch.empty(h))  # sesgo recurrente propio de la variante de torch
        self.reset_parameters()

    def extra_repr(self) -> str:
        """Lo que ``print(modelo)`` muestra entre paréntesis tras el nombre de la capa."""
        return f"{super().extra_repr()}, reset_after={self.reset_after}"

    def step(self, X_t, H):
        """Las cuatro ecuaciones de la GRU: de ``H_{t-1}`` a ``H_t``."""
        R = torch.sigmoid(X_t @ self.W_xr + H @ self.W_hr + self.b_r)
        Z = torch.sigmoid(X_t @ self.W_xz + H @ self.W_hz + self.b_z)
        if self.reset_after:  # variante de torch y cuDNN
            H_tilde = torch.tanh(X_t @ self.W_xh + self.b_h + R * (H @ self.W_hh + self.b_hh))
        else:  # Cho et al. (2014), la del capítulo
            H_tilde = torch.tanh(X_t @ self.W_xh + (R * H) @ self.W_hh + self.b_h)
        return Z * H + (1 - Z) * H_tilde

    @classmethod
    def _torch_kwargs(cls) -> dict:
        return {"reset_after": True}

    def _fix_torch_biases(self, b_ih_last, b_hh_last) -> None:
        self.b_h.copy_(b_ih_last)
        self.b_hh.copy_(b_hh_last)


class DeepRNN(nn.Module):
    """Pila de ``num_layers`` capas recurrentes desde cero, opcionalmente bidireccional.

    La capa ``l`` recibe las salidas de la ``l-1`` (con *dropout* entre capas, nunca tras la última).
    En la versión bidireccional cada capa tiene dos celdas: la de ida recorre ``X_1, …, X_T`` y la de vuelta
    recorre la secuencia invertida ``X_T, …, X_1``; sus salidas se realinean en el tiempo y se concatenan
    ``[ida, vuelta]`` en la última dimensión, como en ``torch.nn``. El estado tiene forma ``(L*D, B, h)``
    con índice ``capa*D + dirección`` (el par ``(H, C)`` si la celda es una LSTM).
    """

    def __init__(self, layer_cls, input_size: int, hidden_size: int, num_layers: int = 2,
                 bidirectional: bool = False, dropout: float = 0.0, **layer_kwargs):
        super().__init__()
        # Cualquier capa con step y el mismo forward sirve: las de este módulo y las de companion.linear.
        if not (isinstance(layer_cls, type) and issubclass(layer_cls, nn.Module) and hasattr(layer_cls, "step")):
            raise ValueError(
                f"layer_cls debe ser una clase de celda desde cero (RNNScratch, LSTMScratch, GRUScratch o una de "
                f"companion.linear, como MinGRU), no {layer_cls!r}."
            )
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            check_positive_int(name, value)
        check_probability("dropout", dropout)
        self.layer_cls, self.input_size, self.hidden_size = layer_cls, input_size, hidden_size
        self.num_layers, self.bidirectional, self.dropout = num_layers, bool(bidirectional), float(dropout)
        self.num_directions = 2 if self.bidirectional else 1
        self.layers = nn.ModuleList(
            layer_cls(input_size if layer == 0 else self.num_directions * hidden_size, hidden_size, **layer_kwargs)
            for layer in range(num_layers) for _ in range(self.num_directions)
        )

    def extra_repr(self) -> str:
        """Lo que ``print(modelo)`` muestra entre paréntesis tras el nombre de la capa."""
        return (f"num_layers={self.num_layers}, bidirectional={self.bidirectional}, dropout={self.dropout}")

    def forward(self, inputs: torch.Tensor, state=None):
        """Salidas ``(T, B, D*h)`` de la última capa y estado final ``(L*D, B, h)`` de todas las celdas."""
        _check_inputs(inputs, self.input_size)
        pair = self.layer_cls.state_is_pair
        shape = (self.num_layers * self.num_directions, inputs.shape[1], self.hidden_size)
        state = _check_state(state, pair, shape, inputs)
        X, final = inputs, []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(self.num_directions):
                i = layer * self.num_directions + direction
                state_i = tuple(s[i:i + 1] for s in state) if pair else state[i:i + 1]
                X_dir = X if direction == 0 else X.flip(0)  # la dirección hacia atrás lee la secuencia al revés
                out, state_i = self.layers[i](X_dir, state_i)
                outputs.append(out if direction == 0 else out.flip(0))
                final.append(state_i)
            X = torch.cat(outputs, dim=2) if self.bidirectional else outputs[0]
            if layer < self.num_layers - 1 and self.dropout > 0:
                X = nn.functional.dropout(X, self.dropout, self.training)
        if pair:
            return X, tuple(torch.cat(parts) for parts in zip(*final))
        return X, torch.cat(final)

    @classmethod
    def from_torch(cls, module: nn.Module) -> "DeepRNN":
        """Copia un ``nn.RNN``, ``nn.LSTM`` o ``nn.GRU`` de varias capas o bidireccional.

        Las celdas de una GRU se crean con ``reset_after=True``, la variante de torch.
        """
        layer_cls = {nn.RNN: RNNScratch, nn.LSTM: LSTMScratch, nn.GRU: GRUScratch}.get(type(module))
        if layer_cls is None:
            raise ValueError(f"DeepRNN.from_torch espera un nn.RNN, nn.LSTM o nn.GRU, no {type(module).__name__}.")
        _check_torch_module(module, layer_cls)
        deep = cls(layer_cls, module.input_size, module.hidden_size, module.num_layers, module.bidirectional,
                   module.dropout, **layer_cls._torch_kwargs())
        suffixes = [f"_l{layer}" + ("_reverse" if direction else "")
                    for layer in range(module.num_layers) for direction in range(deep.num_directions)]
        deep.layers = nn.ModuleList(layer_cls._from_torch_layer(module, s) for s in suffixes)
        return deep


def _check_inputs(inputs, input_size: int) -> None:
    if not isinstance(inputs, torch.Tensor) or inputs.dim() != 3 or inputs.shape[2] != input_size:
        shape = tuple(inputs.shape) if isinstance(inputs, torch.Tensor) else type(inputs).__name__
        raise ValueError(
            f"La entrada debe tener forma (T, B, {input_size}) (tiempo primero, como en torch.nn), "
            f"pero tiene {shape}. Si sus datos son (B, T, d), páselos como X.transpose(0, 1)."
        )
    if not inputs.is_floating_point():
        raise ValueError(
            f"La entrada debe ser de coma flotante, no {inputs.dtype}: codifique los índices en one-hot "
            "(torch.nn.functional.one_hot(X, V).float()) o con una capa de incrustación (nn.Embedding)."
        )
    if inputs.shape[0] == 0:
        raise ValueError("La secuencia de entrada está vacía (T = 0): pase al menos un paso de tiempo.")


def _check_state(state, pair: bool, shape: tuple, inputs: torch.Tensor):
    """Devuelve el estado validado (ceros si es None) con forma ``shape`` (o el par de ellos)."""
    if state is None:
        zeros = inputs.new_zeros(shape)
        return (zeros, zeros) if pair else zeros
    if pair:
        if not (isinstance(state, (tuple, list)) and len(state) == 2):
            raise ValueError("El estado de una LSTM es un par (H, C) de tensores; pase una tupla de dos tensores.")
        parts = tuple(state)
    else:
        if not isinstance(state, torch.Tensor):
            raise ValueError(
                f"El estado de esta capa es un tensor de forma {shape}, no {type(state).__name__} "
                "(solo la LSTM usa el par (H, C))."
            )
        parts = (state,)
    for s in parts:
        if not isinstance(s, torch.Tensor) or tuple(s.shape) != shape:
            got = tuple(s.shape) if isinstance(s, torch.Tensor) else type(s).__name__
            raise ValueError(
                f"El estado debe tener forma {shape} = (capas*direcciones, lote, tamaño oculto), pero tiene {got}."
            )
    return parts if pair else state


def _check_torch_module(module, layer_cls) -> None:
    torch_class = layer_cls.torch_class
    if torch_class is None:
        raise ValueError(f"{layer_cls.__name__} no tiene equivalente en torch.nn: no hay pesos que copiar.")
    if type(module) is not torch_class:
        raise ValueError(f"Se esperaba un {torch_class.__name__}, no {type(module).__name__}.")
    if getattr(module, "nonlinearity", "tanh") != "tanh":
        raise ValueError("Solo se puede copiar una nn.RNN con nonlinearity='tanh' (la del capítulo).")
    if not module.bias:
        raise ValueError("El módulo no tiene sesgos (bias=False); las capas desde cero siempre los tienen.")
    if module.batch_first:
        raise ValueError("El módulo usa batch_first=True; las capas desde cero ponen el tiempo primero. "
                         "Cree el módulo con batch_first=False.")
    if getattr(module, "proj_size", 0):
        raise ValueError("Las LSTM con proyección (proj_size > 0) no tienen equivalente desde cero.")
