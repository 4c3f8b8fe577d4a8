"""Entropía, entropía cruzada, perplejidad y bits por carácter.

Todas las funciones aceptan listas, arreglos de NumPy o tensores de PyTorch y devuelven ``float``.

El logaritmo solo fija la unidad: con base 2 la entropía se mide en bits y con base *e* en nats,
y Hₑ = H₂ · ln 2. Por eso la perplejidad no depende de la base: 2^H₂ = e^Hₑ.
Una probabilidad cero asignada a un símbolo observado da entropía cruzada y perplejidad
infinitas (``math.inf``), nunca ``nan``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F


def _as_array(x, name: str, what: str = "probabilidades") -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().double().numpy()
    array = np.asarray(x, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} debe ser un vector 1-D no vacío de {what}; recibió forma {array.shape}.")
    return array


def _check_distribution(p: np.ndarray, name: str) -> None:
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(
            f"{name} contiene valores negativos, infinitos o NaN: no es una distribución de probabilidad."
        )
    if abs(p.sum() - 1.0) > 1e-6:
        raise ValueError(
            f"{name} suma {p.sum():.6g} y no 1: normalícela antes (divídala por su suma) para que sea una distribución."
        )


def _check_base(base: float) -> float:
    base = float(base)
    if not base > 0 or base == 1 or not math.isfinite(base):
        raise ValueError(
            f"La base del logaritmo debe ser positiva y distinta de 1 (2 para bits, e para nats); recibió {base}."
        )
    return base


def entropy(p, base: float = 2.0) -> float:
    """Entropía ``H(p) = −Σ_i p_i log_b p_i`` de una distribución discreta.

    Con ``base=2`` (por defecto) se mide en bits; con ``base=math.e``, en nats. Los términos con
    ``p_i = 0`` valen 0 (límite de ``p log p``). La identidad 2^H₂ = e^Hₑ relaciona ambas
    unidades.

    >>> entropy([0.25, 0.25, 0.25, 0.25])
    2.0
    """
    p = _as_array(p, "p")
    _check_distribution(p, "p")
    base = _check_base(base)
    nz = p > 0
    return float(-(p[nz] * np.log(p[nz])).sum() / math.log(base))


def cross_entropy(p, q, base: float = 2.0) -> float:
    """Entropía cruzada ``H(p, q) = −Σ_i p_i log_b q_i`` de un modelo ``q`` frente a la distribución real ``p``.

    Mide cuántos bits (``base=2``) o nats (``base=math.e``) cuesta en promedio codificar símbolos de
    ``p`` con el modelo ``q``; es mínima, e igual a ``H(p)``, cuando ``q = p``. Si ``q`` da
    probabilidad cero a un símbolo con ``p_i > 0`` el resultado es ``math.inf`` (nunca ``nan``).
    """
    p, q = _as_array(p, "p"), _as_array(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p y q deben tener la misma longitud; recibió {p.size} y {q.size}.")
    _check_distribution(p, "p")
    _check_distribution(q, "q")
    base = _check_base(base)
    nz = p > 0
    if np.any(q[nz] == 0):
        return math.inf
    return float(-(p[nz] * np.log(q[nz])).sum() / math.log(base))


def perplexity(p, q=None) -> float:
    """Perplejidad b^H: el número de opciones equiprobables que equivalen a la incertidumbre.

    Con un solo argumento es 2^H(p); con ``q``, la perplejidad del modelo ``q`` sobre datos de ``p``,
    2^H(p, q). No depende de la base: 2^H₂ = e^Hₑ. Vale ``math.inf`` si ``q`` da
    probabilidad cero a un símbolo posible.

    >>> perplexity([0.25, 0.25, 0.25, 0.25])
    4.0
    """
    h = entropy(p) if q is None else cross_entropy(p, q)
    return math.inf if math.isinf(h) else float(2.0**h)


def _check_nll(total_nll, count) -> tuple[float, int]:
    total_nll = float(total_nll)
    if isinstance(count, bool) or int(count) != count or count <= 0:
        raise ValueError(f"count (número de caracteres predichos) debe ser un entero positivo; recibió {count!r}.")
    if math.isnan(total_nll) or total_nll < 0:
        raise ValueError(f"La log-verosimilitud negativa total debe ser un número ≥ 0; recibió {total_nll}.")
    return total_nll, int(count)


def perplexity_from_nll(total_nll, count) -> float:
    """Perplejidad ``exp(NLL_total / N)`` a partir de la log-verosimilitud negativa total en nats.

    ``total_nll`` es ``−Σ_t ln P(x_{t+1} | x_{≤t})`` sobre todo el texto evaluado y ``count`` es el número
    ``N`` de caracteres predichos. Equivale a 2^bpc con ``bpc = bits_per_char(total_nll, count)``
    (2^H₂ = e^Hₑ). Una NLL infinita (probabilidad cero) da ``math.inf``.
    """
    total_nll, count = _check_nll(total_nll, count)
    mean = total_nll / count
    return math.inf if mean > 709.0 else math.exp(mean)


def bits_per_char(total_nll, count) -> float:
    """Bits por carácter ``NLL_total / (N · ln 2)``: la entropía cruzada en base 2 (``total_nll`` en nats)."""
    total_nll, count = _check_nll(total_nll, count)
    return total_nll / count / math.log(2.0)


def perplexity_from_logits(logits, targets) -> float:
    """Perplejidad de un modelo a partir de sus ``logits`` (``(..., |V|)``) y los ``targets`` (``(...)``, enteros).

    Calcula ``exp(−(1/N) Σ_t ln softmax(Ŷ_t)[y_t])`` en doble precisión sobre los ``N`` objetivos
    (igual a 2^H₂ = e^Hₑ). Un logit ``-inf`` en el objetivo da ``math.inf``.
    """
    logits, targets = torch.as_tensor(logits), torch.as_tensor(targets)
    if not logits.is_floating_point() or logits.ndim < 1:
        raise ValueError("logits debe ser un tensor de números reales con el vocabulario en la última dimensión.")
    if targets.is_floating_point() or tuple(targets.shape) != tuple(logits.shape[:-1]):
        raise ValueError(
            f"targets debe ser un tensor de enteros de forma {tuple(logits.shape[:-1])} (la de logits sin la última "
            f"dimensión); recibió forma {tuple(targets.shape)} y tipo {targets.dtype}."
        )
    if targets.numel() == 0:
        raise ValueError("No hay objetivos: hace falta al menos un carácter predicho.")
    if targets.min() < 0 or targets.max() >= logits.shape[-1]:
        raise ValueError(f"Hay objetivos fuera del vocabulario: deben estar entre 0 y {logits.shape[-1] - 1}.")
    with torch.no_grad():
        log_probs = F.log_softmax(logits.detach().double().reshape(-1, logits.shape[-1]), dim=-1)
        nll = -log_probs.gather(1, targets.reshape(-1, 1).long()).sum().item()
    if math.isnan(nll):
        raise ValueError(
            "Los logits contienen NaN (o todos son -inf en alguna posición): no definen una distribución."
        )
    return perplexity_from_nll(nll, targets.numel())


@dataclass
class Evaluation:
    """Resultado de una evaluación: NLL total en nats, caracteres predichos, perplejidad y bits por carácter.

    Lo devuelven :func:`companion.train.evaluate` y :func:`companion.mixture.mixture_evaluation`.
    """

    nll: float
    count: int
    perplexity: float
    bpc: float

    @classmethod
    def from_log_probs(cls, logp) -> "Evaluation":
        """Evaluación a partir de ln p de cada carácter predicho (NLL = −Σ ln p, count = número de términos)."""
        nll, count = float(-logp.sum()), len(logp)
        return cls(nll=nll, count=count, perplexity=perplexity_from_nll(nll, count), bpc=bits_per_char(nll, count))


@dataclass
class PairedDifference:
    """Diferencia de bits por carácter entre dos modelos sobre el mismo texto, con su intervalo al 95 %.

    ``difference`` es bpc(A) − bpc(B) (negativa si A es mejor); ``low`` y ``high`` son los percentiles 2.5 y
    97.5 del *bootstrap* por bloques; ``blocks`` es el número de bloques del texto. ``tie`` es ``True``
    cuando el intervalo contiene el 0: con ese texto, los dos modelos no se distinguen.
    """

    difference: float
    low: float
    high: float
    blocks: int

    @property
    def tie(self) -> bool:
        return self.low <= 0.0 <= self.high


def paired_bootstrap(logp_a, logp_b, *, block_size: int = 2000, samples: int = 2000,
                     seed: int = 0) -> PairedDifference:
    """Intervalo al 95 % de bpc(A) − bpc(B) por *bootstrap* pareado sobre bloques del texto.

    ``logp_a`` y ``logp_b`` son ln P de cada carácter del **mismo** texto según cada modelo (por ejemplo de
    :func:`companion.train.token_log_probs` o de ``NGramLM.token_log_probs``). El texto se corta en bloques
    contiguos de ``block_size`` caracteres (el resto final se descarta) y se remuestrean bloques con
    reemplazo ``samples`` veces; en cada remuestra se calcula la diferencia media. Es *pareado* porque los
    dos modelos se evalúan sobre los mismos bloques, y *por bloques* porque los caracteres vecinos no son
    independientes: remuestrear caracteres sueltos daría intervalos demasiado estrechos.
    (Una función de bibliotecas como SciPy no hace el remuestreo por bloques, y el paquete no depende de ellas.)
    """
    a = _as_logp(logp_a, "logp_a")
    b = _as_logp(logp_b, "logp_b")
    if a.shape != b.shape:
        raise ValueError(
            f"logp_a y logp_b deben medir el mismo texto (la misma longitud); recibió {a.size} y {b.size}."
        )
    for name, value in (("block_size", block_size), ("samples", samples)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"{name} debe ser un entero positivo; recibió {value!r}.")
    blocks = a.size // block_size
    if blocks < 2:
        raise ValueError(
            f"Con {a.size} caracteres y block_size={block_size} hay {blocks} bloque(s); hacen falta al menos 2: "
            "use un texto más largo o bloques más cortos."
        )
    per_char = (b - a)[: blocks * block_size] / math.log(2.0)  # bits(A) − bits(B) de cada carácter
    block_means = per_char.reshape(blocks, block_size).mean(axis=1)
    rng = np.random.default_rng(seed)
    resampled = block_means[rng.integers(0, blocks, size=(samples, blocks))].mean(axis=1)
    low, high = np.percentile(resampled, [2.5, 97.5])
    return PairedDifference(difference=float(block_means.mean()), low=float(low), high=float(high), blocks=blocks)


def _as_logp(x, name: str) -> np.ndarray:
    array = _as_array(x, name, "log-probabilidades")
    if np.isnan(array).any() or (array > 0).any():
        raise ValueError(f"{name} debe contener logaritmos de probabilidades (≤ 0, sin NaN).")
    return array
