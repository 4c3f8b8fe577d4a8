"""¿Copia o inventa? Tres medidas de un texto generado frente al texto de entrenamiento.

* :func:`longest_copy`: el fragmento más largo del texto generado que aparece tal cual en el de
  referencia (un modelo que memoriza copia tramos largos);
* :func:`distinct_fraction`: la fracción de fragmentos de ``width`` caracteres distintos entre sí (un texto
  que se repite en bucle tiene pocos);
* :func:`unseen_word_fraction`: la fracción de palabras que no están en un vocabulario dado (las que el
  modelo inventa).

Las usan los capítulos 1, 3, 5, 8 y 9 para comparar modelos y formas de generar.
"""
from __future__ import annotations

from collections.abc import Collection

from companion.validation import check_positive_int

__all__ = ["longest_copy", "distinct_fraction", "unseen_word_fraction"]


def _check_text(name: str, value) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} debe ser un texto (str) y se recibió {type(value).__name__}.")


def longest_copy(generated: str, reference: str) -> str:
    """El fragmento más largo de ``generated`` que aparece literalmente en ``reference``.

    Si hay varios igual de largos, el primero; si ningún carácter de ``generated`` está en ``reference``, la
    cadena vacía. Recorre ``generated`` con una ventana ``[inicio, fin)``: si un fragmento está en
    ``reference``, también lo están sus partes, así que el final nunca retrocede y bastan unas
    ``2·len(generated)`` búsquedas.
    """
    _check_text("generated", generated)
    _check_text("reference", reference)
    best, end = "", 0
    for begin in range(len(generated)):
        end = max(end, begin)
        while end < len(generated) and generated[begin : end + 1] in reference:
            end += 1
        if end - begin > len(best):
            best = generated[begin:end]
    return best


def distinct_fraction(text: str, width: int = 10) -> float:
    """Fracción de fragmentos distintos entre los ``len(text) − width + 1`` de ``width`` caracteres de ``text``.

    Vale 1 si ningún fragmento se repite y se acerca a 0 en un texto que repite el mismo tramo en bucle.
    """
    _check_text("text", text)
    check_positive_int("width", width)
    if len(text) < width:
        raise ValueError(f"text tiene {len(text)} caracteres, menos que width = {width}: no hay ningún "
                         "fragmento que contar; use un texto más largo o un width menor.")
    pieces = [text[i : i + width] for i in range(len(text) - width + 1)]
    return len(set(pieces)) / len(pieces)


def unseen_word_fraction(text: str, known_words: Collection[str]) -> float:
    """Fracción de las palabras de ``text`` (separadas por espacios) que no están en ``known_words``.

    La última palabra no cuenta: un texto generado de longitud fija suele cortarla a la mitad. ``known_words``
    es un conjunto (``set(corpus.train_text.split())``, por ejemplo); un texto sin palabras completas da 0.
    """
    _check_text("text", text)
    if isinstance(known_words, str) or not isinstance(known_words, Collection):
        raise TypeError("known_words debe ser una colección de palabras, como set(texto.split()), y se recibió "
                        f"{type(known_words).__name__}.")
    words = text.split()[:-1]
    return sum(word not in known_words for word in words) / len(words) if words else 0.0
