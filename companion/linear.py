"""Recurrencias lineales que se entrenan en paralelo: el *scan*, minGRU, minLSTM y una unidad diagonal (LRU).

Todas las capas de este módulo calculan, en cada paso, una recurrencia **lineal** en el estado anterior::

    H_t = A_t ⊙ H_{t-1} + B_t,

donde ``A_t`` y ``B_t`` dependen solo de la entrada ``X_t`` (nunca de ``H_{t-1}``). Por eso pueden
calcularse para todos los pasos a la vez, antes de recorrer la secuencia, y la recurrencia se resuelve con
una **suma prefija** (*scan*): la operación ``(A, B) ∙ (A', B') = (A' ⊙ A, A' ⊙ B + B')``, que compone dos
pasos en uno, es asociativa, así que los T pasos se agrupan en un árbol de profundidad ``log₂ T``
(Blelloch, 1990; Martin y Cundy, 2018).

Tres formas de resolver la misma recurrencia, con entradas ``(T, B, h)`` (el tiempo primero):

* :func:`linear_scan_sequential`: el bucle legible, paso a paso;
* :func:`linear_scan`: el *scan* en árbol (Blelloch, 1990), ``⌊log₂ T⌋`` niveles, para ``A`` y ``B`` de
  cualquier signo (también complejos, como en la LRU): el que usan las capas;
* :func:`linear_scan_log`: el *scan* en espacio logarítmico de Heinsen (2023), con ``cumsum`` y
  ``logcumsumexp``, para ``A > 0`` y ``B > 0`` dados por sus logaritmos, como lo escriben Feng et al. (2024)
  para minGRU y minLSTM. En una CPU, ``logcumsumexp`` es varias veces más lento que el árbol, así que las
  capas usan :func:`linear_scan`; como ``0 < A_t < 1``, sus productos no se desbordan y el logaritmo no hace
  falta (las pruebas comprueban que las dos formas dan lo mismo).

Las capas siguen las convenciones de :mod:`companion.rnn` (entrada ``(T, B, d)``, estado ``(1, B, h)`` y
``step(X_t, state)``); su ``forward(X, state, fused=...)`` tiene además dos caminos: ``fused=True`` toma el
*scan* paralelo y ``fused=False`` el bucle que llama a ``step`` en cada paso (el de
:class:`companion.rnn.RecurrentScratch`); las pruebas comprueban en ``float64`` que coinciden.
Pueden apilarse con :class:`companion.rnn.DeepRNN` y usarse en :class:`companion.model.CharLM`.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from companion.rnn import RecurrentScratch, _check_inputs
from companion.validation import check_positive_int

__all__ = ["linear_scan_sequential", "linear_scan", "linear_scan_log", "positive", "log_positive", "input_parameters",
           "MinGRU", "MinLSTM", "LRU"]


def _check_scan(a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor) -> None:
    if a.shape != b.shape or a.dim() < 1 or a.shape[0] == 0:
        raise ValueError(f"a y b deben tener la misma forma (T, ...) con T ≥ 1, pero tienen {tuple(a.shape)} y "
                         f"{tuple(b.shape)}.")
    if h0.shape != a.shape[1:]:
        raise ValueError(f"h0 debe tener la forma de un paso, {tuple(a.shape[1:])}, pero tiene {tuple(h0.shape)}.")


def linear_scan_sequential(a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor) -> torch.Tensor:
    """``h_t = a_t ⊙ h_{t-1} + b_t`` para ``t = 1, …, T``, paso a paso; devuelve ``h_1, …, h_T`` ``(T, ...)``."""
    _check_scan(a, b, h0)
    h, outputs = h0, []
    for a_t, b_t in zip(a, b):
        h = a_t * h + b_t
        outputs.append(h)
    return torch.stack(outputs)


def linear_scan(a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor) -> torch.Tensor:
    """La misma recurrencia que :func:`linear_scan_sequential`, con un *scan* en árbol (Blelloch, 1990).

    Primero se absorbe ``h0`` en el primer paso (``b_1 ← a_1 ⊙ h0 + b_1``). Después se agrupan los pasos de
    dos en dos: el par de pasos ``(t−1, t)`` equivale a un solo paso con::

        a' = a_t ⊙ a_{t-1},    b' = a_t ⊙ b_{t-1} + b_t,

    de modo que la secuencia de pares, la mitad de larga, da los ``h_t`` de las posiciones pares (se resuelve
    igual, recursivamente) y cada posición impar sale de su vecina, ``h_{t+1} = a_{t+1} ⊙ h_t + b_{t+1}``.
    Son ``⌊log₂ T⌋`` niveles de operaciones sobre tensores enteros, y el trabajo total es ``O(T)``, como el del
    bucle. No hay divisiones ni logaritmos: con ``|a_t| ≤ 1`` los productos solo encogen, y sirve para ``a`` y
    ``b`` de cualquier signo (o complejos, como en la LRU).
    """
    _check_scan(a, b, h0)
    return _tree_scan(a, torch.cat([(a[0] * h0 + b[0]).unsqueeze(0), b[1:]]))


def _tree_scan(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """:func:`linear_scan` con ``h0 = 0`` ya absorbido: devuelve ``h_1, …, h_T``."""
    T = a.shape[0]
    if T == 1:
        return b
    n = T // 2  # pares (1, 2), (3, 4), … en la numeración del texto; (0, 1), (2, 3), … en la de Python
    a_first, a_second = a[:2 * n].unflatten(0, (n, 2)).unbind(1)
    b_first, b_second = b[:2 * n].unflatten(0, (n, 2)).unbind(1)
    h_second = _tree_scan(a_second * a_first, a_second * b_first + b_second)
    h_first = torch.cat([b_first[:1], a_first[1:] * h_second[:-1] + b_first[1:]])
    h = torch.stack([h_first, h_second], dim=1).flatten(0, 1)  # intercala h_1, h_2, h_3, …
    if T % 2:  # el último paso queda sin pareja
        h = torch.cat([h, (a[-1] * h_second[-1] + b[-1]).unsqueeze(0)])
    return h


def linear_scan_log(log_a: torch.Tensor, log_b: torch.Tensor, h0: torch.Tensor) -> torch.Tensor:
    """``h_t = a_t ⊙ h_{t-1} + b_t`` con ``a_t = exp(log_a_t)`` y ``b_t = exp(log_b_t)``, en espacio logarítmico.

    Desplegando la recurrencia, con ``a*_t = Σ_{s≤t} log a_s`` (un ``cumsum``)::

        h_t = exp(a*_t) ⊙ h0 + Σ_{s≤t} exp(a*_t − a*_s) ⊙ b_s
            = exp(a*_t) ⊙ h0 + exp(a*_t + logcumsumexp(log b − a*)_t)        (Heinsen, 2023).

    Los productos ``Π a_s``, que se desbordan por abajo en cuanto T crece, nunca se forman: solo sumas de
    logaritmos, y ``logcumsumexp`` resta el máximo antes de exponenciar. ``h0`` puede tener cualquier signo.
    """
    _check_scan(log_a, log_b, h0)
    a_star = torch.cumsum(log_a, dim=0)
    return torch.exp(a_star + torch.logcumsumexp(log_b - a_star, dim=0)) + torch.exp(a_star) * h0


def unroll(step, inputs: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
    """El modo paso a paso de una capa: ``state = step(X_t, state)`` para cada ``X_t`` de ``inputs`` ``(T, B, d)``;
    devuelve los T estados apilados."""
    states = []
    for X_t in inputs:
        state = step(X_t, state)
        states.append(state)
    return torch.stack(states)


def positive(x: torch.Tensor) -> torch.Tensor:
    """``g(x) = x + 1/2`` si ``x ≥ 0`` y ``σ(x)`` si ``x < 0``: continua, creciente y positiva (Feng et al., 2024)."""
    return torch.relu(x) + torch.sigmoid(torch.clamp(x, max=0))  # σ(0) = 1/2


def log_positive(x: torch.Tensor) -> torch.Tensor:
    """``log g(x)`` sin pasar por ``g(x)``: ``log(x + 1/2)`` si ``x ≥ 0`` y ``−softplus(−x)`` si ``x < 0``."""
    return torch.where(x >= 0, torch.log(x.clamp_min(0) + 0.5), -F.softplus(-x))


def input_parameters(input_size: int, hidden_size: int) -> tuple[nn.Parameter, nn.Parameter]:
    """Los dos parámetros de ``X_t W_x + b``: ``W_x`` ``(d, h)`` y ``b`` ``(h,)``, sin valores (los pone
    ``reset_parameters``). Es :func:`companion.rnn.affine_parameters` sin ``W_h``: aquí nada ve ``H_{t-1}``."""
    return nn.Parameter(torch.empty(input_size, hidden_size)), nn.Parameter(torch.empty(hidden_size))


class _LinearRecurrence(RecurrentScratch):
    """Base común: la inicialización y el *scan* que despliega la capa.

    Cada subclase declara en ``__init__`` sus parámetros, ``W_x<g>`` de forma ``(d, h)`` y ``b_<g>`` por
    compuerta, con :func:`input_parameters`; nombra sus compuertas en ``gates``, en ese mismo orden; escribe
    ``step`` (legible) y ``scan`` (paralelo, sobre ``XW = X [W_x* | ...] + [b_* | ...]``). No hay matrices
    ``W_h*``: ninguna compuerta ve ``H_{t-1}``. Tamaños, estado y bucle paso a paso son los de
    :class:`companion.rnn.RecurrentScratch`. Inicialización como ``nn.Linear``: uniforme en ``[-1/√d, 1/√d]``.
    """

    def init_bound(self) -> float:
        """``1/√d``, como ``nn.Linear`` (lo usa ``reset_parameters``)."""
        return 1.0 / math.sqrt(self.input_size)

    def forward(self, inputs: torch.Tensor, state=None, *, fused: bool = True):
        """Salidas ``(T, B, h)`` y estado final ``(1, B, h)``; ``fused=True``: *scan*; ``False``: bucle de ``step``."""
        if not fused:
            return super().forward(inputs, state)
        H = self.initial_state(inputs, state)
        W_x = torch.cat([getattr(self, f"W_x{g}") for g in self.gates], dim=1)
        b = torch.cat([getattr(self, f"b_{g}") for g in self.gates])
        outputs = self.scan((inputs @ W_x + b).chunk(len(self.gates), dim=2), H)
        return outputs, outputs[-1].unsqueeze(0)


class MinGRU(_LinearRecurrence):
    """minGRU (Feng et al., 2024): la GRU del capítulo 6 sin ``H_{t-1}`` en sus compuertas ni reinicio.

    Ecuaciones de un paso, con ``g`` la función positiva :func:`positive`::

        Z_t  = σ(X_t W_xz + b_z)                    compuerta de actualización (solo ve X_t)
        H~_t = g(X_t W_xh + b_h)                    estado candidato (sin tanh ni R_t)
        H_t  = Z_t ⊙ H_{t-1} + (1 − Z_t) ⊙ H~_t

    Es la recurrencia lineal ``H_t = A_t ⊙ H_{t-1} + B_t`` con ``A_t = Z_t`` y ``B_t = (1 − Z_t) ⊙ H~_t``,
    que el camino paralelo resuelve con :func:`linear_scan`. ``g`` mantiene ``H~_t > 0``, como en la versión
    en espacio logarítmico de Feng et al. (:func:`linear_scan_log` con ``log Z_t = −softplus(−k)`` y
    ``log(1 − Z_t) = −softplus(k)``, ``k = X_t W_xz + b_z``), que calcula lo mismo.
    """

    gates = "zh"

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__(input_size, hidden_size)
        d, h = input_size, hidden_size
        self.W_xz, self.b_z = input_parameters(d, h)  # compuerta de actualización Z_t
        self.W_xh, self.b_h = input_parameters(d, h)  # estado candidato H~_t
        self.reset_parameters()

    def step(self, X_t, H):
        """Las tres ecuaciones de la minGRU: de ``H_{t-1}`` a ``H_t``."""
        Z = torch.sigmoid(X_t @ self.W_xz + self.b_z)
        H_tilde = positive(X_t @ self.W_xh + self.b_h)
        return Z * H + (1 - Z) * H_tilde

    def scan(self, XW, H0):
        XZ, XH = XW
        Z = torch.sigmoid(XZ)
        return linear_scan(Z, (1 - Z) * positive(XH), H0)


class MinLSTM(_LinearRecurrence):
    """minLSTM (Feng et al., 2024): compuertas de olvido y de entrada que solo ven ``X_t``, normalizadas.

    Ecuaciones de un paso::

        F_t  = σ(X_t W_xf + b_f)                    compuerta de olvido
        I_t  = σ(X_t W_xi + b_i)                    compuerta de entrada
        H~_t = g(X_t W_xh + b_h)                    estado candidato
        F'_t = F_t / (F_t + I_t),   I'_t = I_t / (F_t + I_t)
        H_t  = F'_t ⊙ H_{t-1} + I'_t ⊙ H~_t

    La normalización (``F'_t + I'_t = 1``) hace de ``H_t`` una media ponderada, como en la minGRU, y
    garantiza que la escala del estado no dependa del tiempo. No hay celda ``C_t`` aparte ni compuerta de
    salida: el estado es ``H_t``. El camino paralelo usa :func:`linear_scan` con ``A_t = F'_t`` y
    ``B_t = I'_t ⊙ H~_t``.
    """

    gates = "fih"

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__(input_size, hidden_size)
        d, h = input_size, hidden_size
        self.W_xf, self.b_f = input_parameters(d, h)  # compuerta de olvido F_t
        self.W_xi, self.b_i = input_parameters(d, h)  # compuerta de entrada I_t
        self.W_xh, self.b_h = input_parameters(d, h)  # estado candidato H~_t
        self.reset_parameters()

    def step(self, X_t, H):
        """Las cinco ecuaciones de la minLSTM: de ``H_{t-1}`` a ``H_t``."""
        F_t = torch.sigmoid(X_t @ self.W_xf + self.b_f)
        I_t = torch.sigmoid(X_t @ self.W_xi + self.b_i)
        H_tilde = positive(X_t @ self.W_xh + self.b_h)
        return F_t / (F_t + I_t) * H + I_t / (F_t + I_t) * H_tilde

    def scan(self, XW, H0):
        XF, XI, XH = XW
        F_t, I_t = torch.sigmoid(XF), torch.sigmoid(XI)
        return linear_scan(F_t / (F_t + I_t), I_t / (F_t + I_t) * positive(XH), H0)


class LRU(nn.Module):
    """Unidad recurrente lineal diagonal, en el espíritu de la LRU de Orvieto et al. (2023).

    El estado ``S_t`` es complejo, de tamaño ``h``, y cada componente ``j`` evoluciona por separado::

        λ_j = exp(−exp(ν_j) + i·exp(θ_j))           valor propio: módulo exp(−exp(ν_j)) < 1 siempre
        γ_j = sqrt(1 − |λ_j|²)                      normalización
        S_t = λ ⊙ S_{t-1} + γ ⊙ (X_t W_xs)          W_xs complejo, (d, h)
        H_t = Re(S_t W_sh) + X_t W_xy               salida real, (B, h)

    Parametrizar ``|λ_j| = exp(−exp(ν_j))`` garantiza ``|λ_j| < 1`` para cualquier ``ν_j`` (en coma flotante, con
    ``ν_j`` muy negativo el redondeo puede dar 1, nunca más): la recurrencia es estable hagan lo que hagan los
    gradientes. ``γ`` compensa la ganancia ``1/(1 − |λ|²)`` que acumula una
    componente con ``|λ|`` cerca de 1, para que todas tengan una escala parecida. Al iniciar, ``|λ_j|`` es
    uniforme (en área) en el anillo ``[r_min, r_max]`` y la fase, uniforme en ``[0, max_phase]``.

    El estado que devuelve ``forward`` es el complejo ``S_T``, de forma ``(1, B, h)``; ``state=None``
    equivale a ceros.
    """

    state_is_pair = False
    num_layers = 1
    bidirectional = False

    def __init__(self, input_size: int, hidden_size: int, r_min: float = 0.4, r_max: float = 0.99,
                 max_phase: float = math.pi / 10):
        super().__init__()
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            check_positive_int(name, value)
        if not 0 < r_min < r_max < 1:
            raise ValueError(f"Se necesita 0 < r_min < r_max < 1 (módulos de valores propios estables), no "
                             f"r_min={r_min!r} y r_max={r_max!r}.")
        self.input_size, self.hidden_size = input_size, hidden_size
        u1, u2 = torch.rand(hidden_size), torch.rand(hidden_size)
        self.nu_log = nn.Parameter(torch.log(-0.5 * torch.log(u1 * (r_max**2 - r_min**2) + r_min**2)))
        self.theta_log = nn.Parameter(torch.log(max_phase * u2 + 1e-8))
        d, h = input_size, hidden_size
        self.W_xs_re = nn.Parameter(torch.randn(d, h) / math.sqrt(2 * d))
        self.W_xs_im = nn.Parameter(torch.randn(d, h) / math.sqrt(2 * d))
        self.W_sh_re = nn.Parameter(torch.randn(h, h) / math.sqrt(h))
        self.W_sh_im = nn.Parameter(torch.randn(h, h) / math.sqrt(h))
        self.W_xy = nn.Parameter(torch.randn(d, h) / math.sqrt(d))

    def extra_repr(self) -> str:
        """Lo que ``print(modelo)`` muestra entre paréntesis tras el nombre de la capa."""
        return f"{self.input_size}, {self.hidden_size}"

    def eigenvalues(self) -> torch.Tensor:
        """``λ = exp(−exp(ν) + i·exp(θ))``, complejos de módulo menor que 1, forma ``(h,)``."""
        return torch.exp(torch.complex(-torch.exp(self.nu_log), torch.exp(self.theta_log)))

    def _input(self, X):
        """``γ ⊙ (X W_xs)``: lo que entra al estado, complejo."""
        gamma = torch.sqrt(1 - torch.abs(self.eigenvalues()) ** 2)
        return gamma * torch.complex(X @ self.W_xs_re, X @ self.W_xs_im)

    def _output(self, S, X):
        """``Re(S W_sh) + X W_xy``: la parte real del producto complejo, escrita con partes real e imaginaria."""
        return S.real @ self.W_sh_re - S.imag @ self.W_sh_im + X @ self.W_xy

    def step(self, X_t, S):
        """Un paso: de ``S_{t-1}`` a ``S_t`` (complejo); la salida es ``_output(S_t, X_t)``."""
        return self.eigenvalues() * S + self._input(X_t)

    def forward(self, inputs: torch.Tensor, state=None, *, fused: bool = True):
        """Salidas reales ``(T, B, h)`` y estado complejo ``(1, B, h)``; ``fused=True`` usa :func:`linear_scan`."""
        _check_inputs(inputs, self.input_size)
        shape = (1, inputs.shape[1], self.hidden_size)
        complex_dtype = torch.complex128 if inputs.dtype == torch.float64 else torch.complex64
        if state is None:
            S = torch.zeros(shape[1:], dtype=complex_dtype, device=inputs.device)
        elif not (isinstance(state, torch.Tensor) and tuple(state.shape) == shape):
            got = tuple(state.shape) if isinstance(state, torch.Tensor) else type(state).__name__
            raise ValueError(f"El estado de la LRU debe tener forma {shape}, pero tiene {got}.")
        else:
            S = state[0].to(complex_dtype)
        if fused:
            lam = self.eigenvalues().expand(inputs.shape[0], *S.shape)
            states = linear_scan(lam, self._input(inputs), S)
        else:
            states = unroll(self.step, inputs, S)
        return self._output(states, inputs), states[-1].unsqueeze(0)
