"""Las dos tareas del codificador–decodificador del capítulo 9, con datos que genera el propio paquete.

* Leer un número romano, como los de los capítulos del Quijote («XXXVII»), y escribirlo con palabras
  («treinta y siete»): :func:`to_roman`, :func:`spanish_cardinal`, :func:`number_split` y :func:`roman_pairs`.
* Escribir al revés un fragmento del Quijote («en un lugar» → «ragul nu ne»): :func:`reversal_pairs`.

Y cómo se puntúa una salida frente a su referencia: exactitud y tasa de error de caracteres (:func:`score`,
con la distancia de edición de :func:`edit_distance`). No hay nada que descargar.
"""
from __future__ import annotations

import math

import torch

from companion.records import documented_namedtuple

__all__ = ["MAX_NUMBER", "ROMAN_SYMBOLS", "WORDS_SYMBOLS", "to_roman", "spanish_cardinal", "number_split",
           "roman_pairs", "reversal_pairs", "edit_distance", "Scores", "score"]

MAX_NUMBER = 3999  # el mayor número que se escribe con las reglas clásicas (MMMCMXCIX)

_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_UNITS = "cero uno dos tres cuatro cinco seis siete ocho nueve".split()
_TEENS = ("diez once doce trece catorce quince dieciséis diecisiete dieciocho diecinueve "
          "veinte veintiuno veintidós veintitrés veinticuatro veinticinco veintiséis veintisiete veintiocho "
          "veintinueve").split()
_TENS = "_ _ _ treinta cuarenta cincuenta sesenta setenta ochenta noventa".split()
_HUNDREDS = ("_ ciento doscientos trescientos cuatrocientos quinientos seiscientos setecientos ochocientos "
             "novecientos").split()


def _check_number(n) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_NUMBER:
        raise ValueError(f"Se esperaba un entero entre 1 y {MAX_NUMBER} y se recibió {n!r}.")
    return n


def to_roman(n: int) -> str:
    """Número romano de ``n`` (1–3999) con la notación sustractiva habitual: ``to_roman(37) == 'XXXVII'``."""
    n = _check_number(n)
    out = []
    for value, symbols in _ROMAN:
        count, n = divmod(n, value)
        out.append(symbols * count)
    return "".join(out)


def spanish_cardinal(n: int) -> str:
    """Lectura de ``n`` (1–3999) en palabras: ``spanish_cardinal(1605) == 'mil seiscientos cinco'``."""
    n = _check_number(n)
    thousands, rest = divmod(n, 1000)
    hundreds, rest = divmod(rest, 100)
    words = []
    if thousands:
        words.append("mil" if thousands == 1 else f"{_UNITS[thousands]} mil")
    if hundreds:
        words.append("cien" if hundreds == 1 and rest == 0 else _HUNDREDS[hundreds])
    if rest >= 30:
        tens, units = divmod(rest, 10)
        words.append(_TENS[tens] + (f" y {_UNITS[units]}" if units else ""))
    elif rest >= 10:
        words.append(_TEENS[rest - 10])
    elif rest:
        words.append(_UNITS[rest])
    return " ".join(words)


ROMAN_SYMBOLS = "CDILMVX"  # los símbolos de los números romanos, en orden alfabético
WORDS_SYMBOLS = "".join(sorted({c for n in range(1, MAX_NUMBER + 1) for c in spanish_cardinal(n)}))


def number_split(maximum: int = MAX_NUMBER, fractions=(0.7, 0.15, 0.15), seed: int = 0) -> dict:
    """Reparte los números ``1…maximum`` al azar en tres conjuntos disjuntos: ``train``, ``val`` y ``test``.

    Cada número cae en uno solo, así que en la prueba todos los números son nuevos para el modelo: para
    acertar tiene que haber aprendido la regla, no la tabla.
    """
    _check_number(maximum)
    if len(fractions) != 3 or any(f <= 0 for f in fractions) or not math.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions deben ser tres proporciones positivas que sumen 1, no {fractions!r}.")
    order = torch.randperm(maximum, generator=torch.Generator().manual_seed(seed)) + 1
    n_train, n_val = int(fractions[0] * maximum), int(fractions[1] * maximum)
    parts = order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:]
    return {name: sorted(part.tolist()) for name, part in zip(("train", "val", "test"), parts)}


def roman_pairs(numbers) -> list[tuple[str, str]]:
    """Pares (número romano, lectura en palabras) de ``numbers``: ``('XXXVII', 'treinta y siete')``."""
    return [(to_roman(n), spanish_cardinal(n)) for n in numbers]


def reversal_pairs(text: str, count: int, min_length: int = 4, max_length: int = 40,
                   seed: int = 0) -> list[tuple[str, str]]:
    """``count`` pares (fragmento de ``text``, el mismo fragmento al revés).

    Cada fragmento empieza en una palabra y tiene palabras enteras; su longitud objetivo se elige al azar,
    uniforme entre ``min_length`` y ``max_length`` caracteres, y se corta en el último espacio que no la
    supera (si la primera palabra ya es más larga, o el fragmento queda por debajo de ``min_length``, se
    sortea otro).
    """
    if not 1 <= min_length <= max_length:
        raise ValueError(f"Se necesita 1 ≤ min_length ≤ max_length; se recibieron {min_length} y {max_length}.")
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == " " and i + 1 < len(text) - max_length]
    generator = torch.Generator().manual_seed(seed)
    pairs = []
    while len(pairs) < count:
        start = starts[int(torch.randint(len(starts), (1,), generator=generator))]
        target = int(torch.randint(min_length, max_length + 1, (1,), generator=generator))
        end = text.rfind(" ", start, start + target + 1)  # el último espacio que deja ≤ target caracteres
        piece = text[start:end] if end > start else ""
        if min_length <= len(piece) and " " not in (piece[:1], piece[-1:]):
            pairs.append((piece, piece[::-1]))
    return pairs


# --- Puntuación de las salidas -------------------------------------------------------------------------

def edit_distance(a: str, b: str) -> int:
    """Distancia de Levenshtein: inserciones, borrados y sustituciones para pasar de ``a`` a ``b``."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


Scores = documented_namedtuple(
    "Scores",
    "Evaluación: ``accuracy`` (proporción de lecturas exactas), ``cer`` (tasa de error de caracteres: distancia "
    "de edición total / caracteres de las referencias) y ``predictions``.",
    accuracy="Proporción de predicciones idénticas a su referencia.",
    cer="Tasa de error de caracteres (distancia de edición total / caracteres de las referencias).",
    predictions="Las predicciones evaluadas, en el orden recibido.")


def score(predictions, references) -> Scores:
    """Exactitud y tasa de error de caracteres de ``predictions`` frente a ``references``."""
    predictions, references = list(predictions), list(references)
    if len(predictions) != len(references):
        raise ValueError(f"Hay {len(predictions)} predicciones para {len(references)} referencias.")
    exact = sum(p == r for p, r in zip(predictions, references)) / len(references)
    cer = sum(edit_distance(p, r) for p, r in zip(predictions, references)) / sum(map(len, references))
    return Scores(exact, cer, predictions)
