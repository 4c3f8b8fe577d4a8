"""``argparse`` en español: la ayuda, los títulos y los errores de la línea de órdenes, y convertidores de
valores cuyos mensajes dicen qué se esperaba.

argparse escribe en inglés sus propios textos (uso, títulos, errores). Aquí se traducen por sus vías públicas:
la ayuda (-h) y los grupos de opciones se crean con títulos en español, el prefijo «usage:» se cambia en
``format_usage``/``format_help`` y los errores, en ``error()`` (documentado para redefinirse). Los valores se
comprueban con los convertidores de :func:`number_type` y :func:`path_type`, así que los mensajes de tipo de argparse
(«invalid int value») no aparecen.
"""
from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

_ERRORS_ES = [
    (r"^the following arguments are required: (.*)$", r"faltan los argumentos obligatorios: \1"),
    (r"^unrecognized arguments: (.*)$", r"argumentos no reconocidos: \1"),
    (r"^ambiguous option: (\S+) could match (.*)$", r"opción ambigua: \1 puede ser \2"),
    (r"^argument (\S+): ", r"argumento \1: "),
    (r"invalid choice: (.*) \(choose from (.*)\)$", r"opción no válida: \1 (elija entre \2)"),
    (r"expected one argument$", "se esperaba un valor (si empieza por «-», escríbalo unido a la opción con «=», "
                                "por ejemplo --seed=-1)"),
    (r"expected at most one argument$", "se esperaba como mucho un valor"),
    (r"not allowed with argument (.*)$", r"no se admite junto con \1"),
    (r"ignored explicit argument (.*)$", r"sobra el valor \1"),
    (r"invalid (\S+) value: (.*)$", r"valor no válido: \2"),
]


def spanish_error(message: str) -> str:
    """Traduce al español un mensaje de error de argparse (los propios ya están en español)."""
    for pattern, replacement in _ERRORS_ES:
        message = re.sub(pattern, replacement, message)
    return message


class _HelpFormatter(argparse.HelpFormatter):
    """Añade a cada ayuda el valor por omisión (cuando lo hay), en español."""

    def _get_help_string(self, action):
        text = action.help or ""
        if action.option_strings and not (action.default is None or action.default is False
                                          or action.default == argparse.SUPPRESS):
            text += " (por omisión: %(default)s)"
        return text


class SpanishArgumentParser(argparse.ArgumentParser):
    """``ArgumentParser`` con la ayuda, los títulos y los errores en español.

    Las opciones se añaden a ``self.options`` y los argumentos posicionales a ``self.positionals`` (grupos
    con título en español); ``-h``/``--help`` se crea aquí con su texto traducido.
    """

    def __init__(self, *args, **kwargs):
        kwargs["add_help"] = False
        # Sin abreviaturas (--hid por --hidden): la orden que se guarda en los metadatos debe seguir
        # significando lo mismo aunque se añadan opciones, y un error nombra la opción tal como se escribió.
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)
        self.positionals = self.add_argument_group("argumentos posicionales")
        self.options = self.add_argument_group("opciones")
        self.options.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                                  help="muestra este mensaje de ayuda y termina")

    @staticmethod
    def _spanish_usage(text: str) -> str:
        return "uso: " + text[len("usage: "):] if text.startswith("usage: ") else text

    def format_usage(self) -> str:
        return self._spanish_usage(super().format_usage())

    def format_help(self) -> str:
        return self._spanish_usage(super().format_help())

    def error(self, message):
        """Una sola línea: qué está mal y dónde ver las opciones (sin el uso completo, que ocupa varias)."""
        self.exit(2, f"{self.prog}: error: {spanish_error(str(message))} (opciones: {self.prog} --help)\n")


def number_type(kind, minimum=None, *, strict=False, below=None, description):
    """Convertidor de argparse: un ``kind`` (``int`` o ``float``) finito, ``> minimum`` si ``strict`` (si no,
    ``>= minimum``) y ``< below``. El error dice qué se esperaba (argparse le antepone el nombre de la opción)."""
    def convert(text):
        try:
            value = kind(text)
        except ValueError:
            value = None
        ok = value is not None and math.isfinite(value)
        if ok and minimum is not None:
            ok = value > minimum if strict else value >= minimum
        if ok and below is not None:
            ok = value < below
        if not ok:
            raise argparse.ArgumentTypeError(f"se esperaba {description} y se recibió {text!r}")
        return value
    convert.__name__ = description
    return convert


def path_type(text):
    """Convertidor de argparse para rutas: una cadena vacía no es una ruta (``Path("")`` sería la carpeta actual)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("se esperaba una ruta y se recibió una cadena vacía")
    if "\0" in text:
        raise argparse.ArgumentTypeError(f"la ruta {text!r} contiene un carácter nulo")
    return Path(text).expanduser()


path_type.__name__ = "ruta"
