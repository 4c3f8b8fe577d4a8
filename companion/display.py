"""Utilidades de presentación para los capítulos del libro."""
from __future__ import annotations

import inspect
import re
import textwrap


def source_markdown(obj) -> str:
    """Devuelve el código fuente de ``obj`` como un bloque de Markdown resaltado en Python."""
    try:
        code = inspect.getsource(obj)
    except (TypeError, OSError) as error:
        raise ValueError(
            f"No se pudo obtener el código fuente de {obj!r}: pase una función, una clase o un módulo "
            "definidos en un archivo de Python."
        ) from error
    return "```python\n" + textwrap.dedent(code).rstrip() + "\n```"


def show_source(obj):
    """Muestra el código fuente de ``obj`` (clase, función o módulo) con resaltado de sintaxis.

    El libro enseña el código del propio paquete, de modo que el texto y la implementación
    nunca pueden divergir.
    """
    from IPython.display import Markdown, display

    display(Markdown(source_markdown(obj)))


# --- Números en el texto: un solo estilo para todo el libro -------------------------------------------
# Punto decimal (3.264), millares agrupados con un espacio fino que no separa la línea (U+202F:
# 1 831 454) y el signo de porcentaje tras un espacio que no separa (35 %). La introducción lo explica.
MINUS = "\N{MINUS SIGN}"
THIN_SPACE = "\u202f"
NBSP = "\u00a0"


def fmt_int(number) -> str:
    """Entero con los millares separados por un espacio fino: ``fmt_int(1831454) == '1 831 454'``.

    Los números de cuatro cifras no se agrupan (``2026``, ``1000``), como recomienda la ortografía académica.
    ``None`` se escribe «—».
    """
    if number is None:
        return "—"
    number = int(number)
    if abs(number) < 10_000:
        return str(number)
    return f"{number:,}".replace(",", THIN_SPACE)


def fmt_num(value, digits: int = 2) -> str:
    """Número con ``digits`` decimales, punto decimal y millares con espacio fino (``12 345.68``).

    Los negativos llevan el signo menos tipográfico (U+2212, ``−0.25``), no el guion; un negativo que se
    redondea a cero conserva su signo (``−0.00``), como en Python.
    """
    if value is None:
        return "—"
    text = f"{float(value):,.{digits}f}"
    integer = text.split(".")[0].replace(",", "").lstrip("-")
    return text.replace(",", THIN_SPACE if len(integer) > 4 else "").replace("-", MINUS)


def fmt_pct(fraction_or_percent, digits: int = 1, *, is_fraction: bool = False) -> str:
    """Porcentaje con espacio que no separa antes de «%»: ``fmt_pct(35.2) == '35.2 %'``.

    Con ``is_fraction=True`` el valor es una proporción en [0, 1] (``fmt_pct(0.352, is_fraction=True)``).
    """
    value = float(fraction_or_percent) * (100 if is_fraction else 1)
    return f"{fmt_num(value, digits)}{NBSP}%"


def fmt_sci(value, digits: int = 1) -> str:
    """Notación científica para el texto: ``fmt_sci(3.6e-16) == '3.6 · 10⁻¹⁶'``."""
    mantissa, exponent = f"{float(value):.{digits}e}".split("e")
    superscript = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{mantissa} · 10{superscript}"


def fmt_time(seconds) -> str:
    """Duración legible: «42.0 s» por debajo de dos minutos y «3.5 min» por encima."""
    if seconds is None:
        return "—"
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


# --- Valores calculados que cita el texto --------------------------------------------------------------
GLUED: dict = {}


def glue(name: str, value, display: bool = False):
    """Publica un valor calculado para que el texto del capítulo lo cite como ``{glue:text}`nombre```.

    Al construir el libro (con ``myst_nb`` instalado) delega en ``myst_nb.glue``, que guarda el valor en
    la salida de la celda para que el sitio lo escriba en la prosa. En cualquier otro entorno (Colab, un
    Jupyter sin las herramientas del libro) solo lo guarda en el diccionario ``GLUED`` y no muestra nada: el
    cuaderno corre igual con solo las dependencias del paquete.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"El nombre de un valor publicado debe ser un texto no vacío, no {name!r}.")
    GLUED[name] = value
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return None
    return myst_glue(name, value, display=display)


# --- Tablas de resultados ------------------------------------------------------------------------------
_TEX_SYMBOLS = {
    r"\rho": "ρ", r"\sigma": "σ", r"\lambda": "λ", r"\eta": "η", r"\tau": "τ", r"\alpha": "α",
    r"\beta": "β", r"\gamma": "γ", r"\theta": "θ", r"\Vert": "‖", r"\|": "‖", r"\top": "ᵀ",
    r"\cdot": "·", r"\times": "×", r"\approx": "≈", r"\le": "≤", r"\ge": "≥", r"\max": "máx",
    r"\min": "mín", r"\log": "log",
}


def plain_math(text: str) -> str:
    """Versión en texto llano de las fórmulas ``$…$`` de ``text`` (``$\\rho$`` → ``ρ``).

    Sirve para la representación en texto de :class:`Table`, la que ve una consola sin Markdown.
    """

    def convert(match: re.Match) -> str:
        formula = match.group(1)
        for command in sorted(_TEX_SYMBOLS, key=len, reverse=True):
            formula = formula.replace(command, _TEX_SYMBOLS[command])
        formula = re.sub(r"\\(?:mathbf|mathrm|text|operatorname)\{([^{}]*)\}", r"\1", formula)
        formula = re.sub(r"([_^])\{([^{}]*)\}", r"\1\2", formula)
        return formula.replace("{", "").replace("}", "").replace("\\", "")

    return re.sub(r"(?<!\\)\$([^$]+)\$", convert, text).replace("`", "")


class Table:
    """Tabla de resultados que se ve como tabla en el sitio, en Jupyter y en Colab.

    Se representa en Markdown (``_repr_markdown_``: el sitio lo compone con MyST, de modo que ``$…$`` se
    escribe como fórmula; Jupyter y Colab lo componen igual) y en texto alineado por columnas
    (``repr``), para una consola sin Markdown. Los capítulos la crean con :func:`show_table`.

    - ``header``: títulos de las columnas (texto Markdown; admite ``$…$`` y código entre comillas
      invertidas).
    - ``rows``: filas; cada una, una secuencia con tantos valores como columnas (se escriben con ``str``).
    - ``align``: alineación de cada columna, ``"l"`` (izquierda), ``"r"`` (derecha) o ``"c"`` (centro),
      por ejemplo ``"lrr"``. Por omisión, la primera a la izquierda y las demás (números) a la derecha.
    """

    _RULE = {"l": "---", "r": "---:", "c": ":---:"}

    def __init__(self, header, rows, align: str | None = None) -> None:
        self.header = [str(cell) for cell in header]
        if not self.header:
            raise ValueError("Una tabla necesita al menos una columna: pase sus títulos en header.")
        self.rows = [[str(cell) for cell in row] for row in rows]
        width = len(self.header)
        for number, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(
                    f"La fila {number} tiene {len(row)} valores y la tabla {width} columnas: "
                    "dé a cada fila un valor por columna."
                )
        self.align = align if align is not None else "l" + "r" * (width - 1)
        if len(self.align) != width or set(self.align) - set(self._RULE):
            raise ValueError(
                f"align debe tener una letra (l, r o c) por columna ({width}), no {self.align!r}."
            )

    @staticmethod
    def _cell(text: str) -> str:
        return text.replace("|", r"\|").replace("\n", " ")

    def _repr_markdown_(self) -> str:
        lines = ["| " + " | ".join(self._cell(c) for c in self.header) + " |"]
        lines.append("|" + "|".join(self._RULE[a] for a in self.align) + "|")
        lines += ["| " + " | ".join(self._cell(c) for c in row) + " |" for row in self.rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        table = [[plain_math(c) for c in self.header]] + [[plain_math(c) for c in r] for r in self.rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(self.header))]
        just = {"l": str.ljust, "r": str.rjust, "c": str.center}

        def line(row):
            return "  ".join(just[a](c, w) for c, w, a in zip(row, widths, self.align)).rstrip()

        rule = "  ".join("-" * w for w in widths)
        return "\n".join([line(table[0]), rule] + [line(row) for row in table[1:]])


def show_table(header, rows, align: str | None = None) -> None:
    """Muestra en el cuaderno una tabla de resultados (un objeto ``Table``).

    La tabla se ve como tabla en el sitio, en Jupyter y en Colab (Markdown; ``$…$`` como fórmula) y
    alineada por columnas en una consola. ``header``: títulos de las columnas; ``rows``: filas, una
    secuencia de valores por fila; ``align``: una letra por columna, ``"l"``, ``"r"`` o ``"c"`` (por
    omisión, la primera a la izquierda y las demás a la derecha). No devuelve nada: si la llamada es la última
    línea de una celda, la tabla no se muestra dos veces.
    """
    from IPython.display import display

    display(Table(header, rows, align))
