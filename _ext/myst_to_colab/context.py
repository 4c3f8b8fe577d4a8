"""Lo que la conversión sabe del libro (``Context``), los destinos de las referencias y los números."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional

NUMFIG_FORMAT = {"figure": "Figura %s", "exercise": "Ejercicio %s", "section": "Sección %s", "table": "Tabla %s"}
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.*)$")


@dataclass
class Target:
    """Destino de una referencia: su título, su dirección en el sitio y, si lo tiene, su número."""

    title: str
    url: str
    docname: str = ""
    anchor: str = ""
    kind: Optional[str] = None  # figure, exercise, section…
    number: Optional[str] = None


@dataclass
class Context:
    """Lo que la conversión de un capítulo necesita saber del libro construido, y lo que va anotando.

    Datos del libro: ``glue``, nombre → salida de ``glue`` (un diccionario con ``data``); ``citations``,
    clave de BibTeX → ``(autores, año, referencia completa en Markdown)``; ``resolve``, ``(rol, destino) →
    Target`` para ``{ref}``, ``{numref}`` y ``{doc}`` (``None`` si no se encuentra); ``images``, ruta de una
    imagen (relativa al capítulo) → ``data:`` para incrustarla, o ``None``.

    Números del capítulo, como los da Sphinx en el sitio: ``numbers``, etiqueta → número («5.2») de sus
    ejercicios y figuras; ``order``, tipo (``exercise``, ``figure``) → números en el orden del documento
    (para los que no tienen etiqueta); ``sections``, el número de cada encabezado en orden (``None`` si no
    lleva).

    Lo que se anota al convertir: ``problems`` (avisos para la construcción), ``cited`` (claves citadas, en
    orden), ``exercises`` (etiqueta → número, para las soluciones) y el estado de la lectura.
    """

    glue: dict = field(default_factory=dict)
    citations: dict = field(default_factory=dict)
    resolve: Callable[[str, str], Optional[Target]] = lambda role, target: None
    docname: str = ""
    drop_solutions: bool = False  # edición para estudiantes (hide_solutions de sphinx-exercise)
    numbers: dict = field(default_factory=dict)
    order: dict = field(default_factory=dict)
    sections: Optional[list] = None
    numfig_format: dict = field(default_factory=lambda: dict(NUMFIG_FORMAT))
    images: Callable[[str], Optional[str]] = lambda path: None
    problems: list = field(default_factory=list)
    exercises: dict = field(default_factory=dict)
    cited: list = field(default_factory=list)
    seen: dict = field(default_factory=dict)  # tipo → cuántos van (ejercicios, figuras, encabezados)
    anchor: Optional[str] = None  # etiqueta ``(nombre)=`` que espera su línea
    depth: int = 0  # dentro de una directiva (sus encabezados no son secciones)

    def problem(self, message: str) -> None:
        self.problems.append(message)

    def next_number(self, kind: str, label: Optional[str] = None) -> Optional[str]:
        """Número del siguiente ejercicio o figura: el de su etiqueta o, sin ella, el que le toca por orden."""
        index = self.seen.get(kind, 0)
        self.seen[kind] = index + 1
        if label and label.lower() in self.numbers:
            return self.numbers[label.lower()]
        numbers = self.order.get(kind, [])
        return numbers[index] if index < len(numbers) else None

    def take_anchor(self) -> Optional[str]:
        """La etiqueta ``(nombre)=`` pendiente, que deja de estarlo."""
        label, self.anchor = self.anchor, None
        return label


def anchor_html(label: str) -> str:
    """Ancla de una etiqueta: ``id`` para Jupyter y ``name`` para los visores que solo miran ese atributo."""
    label = label.lower()
    return f'<a id="{label}" name="{label}"></a>'


def with_anchor(line: str, label: Optional[str]) -> str:
    """Pone el ancla al principio del texto de la línea (dentro del encabezado, si lo es)."""
    if not label:
        return line
    heading = HEADING.match(line)
    if heading:
        return f"{heading.group('hashes')} {anchor_html(label)}{heading.group('title')}"
    return anchor_html(label) + line.lstrip()


def numbered_text(fmt: str, number: str, title: str = "") -> str:
    """Como Sphinx con ``numref``: «Figura %s» o el estilo nuevo «Figura {number}» con el número."""
    if "{number}" in fmt or "{name}" in fmt:
        return fmt.format(number=number, name=title)
    return fmt % number if "%s" in fmt else fmt
