"""Comprobación de argumentos, con un solo formato de mensaje: «{nombre} debe ser …, no {valor!r}.».

Cada función lanza ``ValueError`` con ese mensaje si el valor no vale y no devuelve nada si vale. Con
``optional=True`` también se acepta ``None`` (y el mensaje lo dice).
"""
from __future__ import annotations

import math

__all__ = ["check_positive_int", "check_positive", "check_probability", "check_choice", "fail"]


def fail(name: str, expected: str, value) -> None:
    """Lanza el error del curso: ``{name} debe ser {expected}, no {value!r}.``"""
    raise ValueError(f"{name} debe ser {expected}, no {value!r}.")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_positive_int(name: str, value, *, optional: bool = False) -> None:
    """``value`` es un entero ≥ 1 (o ``None`` si ``optional``)."""
    if optional and value is None:
        return
    if not (_is_int(value) and value >= 1):
        fail(name, "None o un entero positivo" if optional else "un entero positivo", value)


def check_positive(name: str, value, *, optional: bool = False, finite: bool = True) -> None:
    """``value`` es un número real positivo, finito si ``finite`` (o ``None`` si ``optional``)."""
    if optional and value is None:
        return
    if not (_is_number(value) and value > 0 and (math.isfinite(value) or not finite)):
        expected = "un número positivo" + (" y finito" if finite else "")
        fail(name, "None o " + expected if optional else expected, value)


def check_probability(name: str, value) -> None:
    """``value`` es una probabilidad de *dropout*: un número en ``[0, 1)``."""
    if not (_is_number(value) and 0.0 <= value < 1.0):
        raise ValueError(f"{name} es una probabilidad: debe ser un número en [0, 1), no {value!r}.")


def check_choice(name: str, value, choices) -> None:
    """``value`` es una de ``choices``."""
    if value not in choices:
        fail(name, "uno de " + ", ".join(map(repr, choices)), value)
