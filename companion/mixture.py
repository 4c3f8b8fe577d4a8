"""Mezcla (interpolación lineal) de dos modelos de lenguaje, por ejemplo un n-grama y una red recurrente.

Para cada carácter objetivo x_t se combinan las probabilidades que le dan los dos modelos,

    p(x_t) = λ p_a(x_t) + (1 − λ) p_b(x_t),   0 ≤ λ ≤ 1,

y como cada modelo da una distribución que suma 1, la mezcla también. Se trabaja con logaritmos:
ln p = logaddexp(ln λ + ln p_a, ln(1 − λ) + ln p_b), que no se desborda aunque las probabilidades sean
diminutas. El peso λ se elige en validación (nunca en prueba). La log-verosimilitud media es cóncava en λ
(suma de logaritmos de funciones lineales), así que tiene un único máximo y basta una búsqueda de la
sección áurea en [0, 1].
"""
from __future__ import annotations

import math

import numpy as np
import torch

from companion.metrics import Evaluation

_GOLDEN = (math.sqrt(5) - 1) / 2


def _as_tensor(logp, name) -> torch.Tensor:
    tensor = torch.as_tensor(np.asarray(logp) if not isinstance(logp, torch.Tensor) else logp)
    if tensor.dim() != 1 or not tensor.is_floating_point():
        raise ValueError(f"{name} debe ser un vector 1-D de log-probabilidades (ln p de cada carácter objetivo).")
    if torch.any(tensor > 1e-9):
        raise ValueError(f"{name} contiene valores positivos: se esperaban logaritmos naturales de probabilidades.")
    return tensor.double().cpu()


def mixture_log_probs(logp_a, logp_b, weight: float) -> torch.Tensor:
    """ln(λ p_a + (1 − λ) p_b) elemento a elemento, con λ = ``weight`` y ``logp_a``, ``logp_b`` = ln p_a, ln p_b.

    Los dos vectores deben estar alineados (mismo carácter objetivo en cada posición), como los de
    :func:`companion.train.token_log_probs` y :meth:`companion.markov.NGramLM.token_log_probs` sobre el
    mismo texto.
    """
    a, b = _as_tensor(logp_a, "logp_a"), _as_tensor(logp_b, "logp_b")
    if a.shape != b.shape:
        raise ValueError(f"Las log-probabilidades no están alineadas: {len(a)} frente a {len(b)} caracteres. "
                         "Calcúlelas sobre el mismo texto.")
    if not isinstance(weight, (int, float)) or not 0.0 <= weight <= 1.0:
        raise ValueError(f"El peso de la mezcla debe estar en [0, 1] y se recibió {weight!r}.")
    if weight == 0.0:
        return b.clone()
    if weight == 1.0:
        return a.clone()
    return torch.logaddexp(a + math.log(weight), b + math.log1p(-weight))


def best_mixture_weight(logp_a_val, logp_b_val, tol: float = 1e-4) -> float:
    """Peso λ en [0, 1] que maximiza la log-verosimilitud de la mezcla en los datos de validación.

    Búsqueda de la sección áurea (la función es cóncava en λ); al final se comparan también los extremos
    λ = 0 y λ = 1, de modo que la mezcla elegida nunca es peor que el mejor de los dos modelos en esos datos.
    """
    a, b = _as_tensor(logp_a_val, "logp_a_val"), _as_tensor(logp_b_val, "logp_b_val")
    score = lambda w: float(mixture_log_probs(a, b, w).sum())
    lo, hi = 0.0, 1.0
    x1, x2 = hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo)
    f1, f2 = score(x1), score(x2)
    while hi - lo > tol:
        if f1 < f2:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + _GOLDEN * (hi - lo)
            f2 = score(x2)
        else:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - _GOLDEN * (hi - lo)
            f1 = score(x1)
    candidates = [(score(0.0), 0.0), (score(1.0), 1.0), (f1, x1), (f2, x2)]
    return max(candidates)[1]


def mixture_evaluation(logp_a, logp_b, weight: float):
    """Perplejidad y bits por carácter de la mezcla con peso ``weight`` (un :class:`~companion.metrics.Evaluation`)."""
    return Evaluation.from_log_probs(mixture_log_probs(logp_a, logp_b, weight))
