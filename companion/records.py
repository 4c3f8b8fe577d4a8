"""Tuplas con nombre (``namedtuple``) documentadas: la tupla y cada uno de sus campos, en español."""
from __future__ import annotations

import sys
from collections import namedtuple

__all__ = ["documented_namedtuple"]


def documented_namedtuple(name: str, doc: str, **fields: str) -> type:
    """Una ``namedtuple`` llamada ``name`` con la documentación ``doc`` y un campo por cada argumento con nombre.

    El valor de cada argumento es la documentación de su campo, la que muestran ``help()`` y la referencia del
    paquete (en lugar del texto genérico, en inglés, que pone ``namedtuple``)::

        Scores = documented_namedtuple("Scores", "Evaluación.", accuracy="Exactitud.", cer="Tasa de error.")
    """
    module = sys._getframe(1).f_globals.get("__name__")  # el módulo que la define, como hace namedtuple
    cls = namedtuple(name, list(fields), module=module)
    cls.__doc__ = doc
    for field, field_doc in fields.items():
        getattr(cls, field).__doc__ = field_doc
    return cls
