"""Un solo estilo para las figuras del curso: tamaño y letra legibles en el sitio, en Colab y en Jupyter.

Las figuras de los capítulos se crean con :func:`subplots`, que aplica el estilo del curso
(``COURSE_STYLE``) y fija el ancho de la figura en ``FIGURE_WIDTH`` pulgadas. A
``DPI`` puntos por pulgada, la imagen mide lo mismo que la columna del sitio (unos 690 px en una
pantalla de 1280 px), así que el navegador apenas la reduce y la letra de 9 a 11 puntos se ve a unos
12–15 px. Una figura más ancha se reduciría al ancho de la columna y, con ella, su letra (una figura de
13 pulgadas dejaba las etiquetas en unos 6 px). Para más paneles, más filas, no más ancho.

El fondo es blanco y opaco: la figura se lee igual con el sitio en modo claro o en modo oscuro.
"""
from __future__ import annotations

FIGURE_WIDTH = 7.0  # pulgadas
DPI = 100
COURSE_STYLE = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.figsize": (FIGURE_WIDTH, 3.6),
    "font.size": 10,
    "axes.titlesize": 10.5,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "figure.titlesize": 11,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.facecolor": "white",
}


def use_course_style() -> None:
    """Aplica ``COURSE_STYLE`` a matplotlib (lo hace :func:`subplots` antes de crear cada figura)."""
    import matplotlib

    matplotlib.rcParams.update(COURSE_STYLE)


def subplots(nrows: int = 1, ncols: int = 1, *, height: float = 3.6,
             width: float = FIGURE_WIDTH, **kwargs):
    """Como ``matplotlib.pyplot.subplots``, con el estilo y el ancho de las figuras del curso.

    - ``nrows``, ``ncols``: filas y columnas de paneles.
    - ``height``: alto de la figura en pulgadas.
    - ``width``: ancho en pulgadas; como mucho ``FIGURE_WIDTH`` (el de la columna del sitio).
    - ``**kwargs``: lo demás pasa a ``plt.subplots`` (``sharex``, ``gridspec_kw``…), salvo ``figsize``.

    Devuelve ``(fig, ax)`` o ``(fig, axes)``, como ``plt.subplots``.
    """
    import matplotlib.pyplot as plt

    _check_size(width, height, kwargs)
    use_course_style()
    return plt.subplots(nrows, ncols, figsize=(width, height), **kwargs)


def _check_size(width, height, kwargs) -> None:
    if "figsize" in kwargs:
        raise ValueError("El tamaño se fija con width y height (en pulgadas); no pase figsize.")
    if not 0 < width <= FIGURE_WIDTH:
        raise ValueError(
            f"El ancho de una figura del curso va de 0 a {FIGURE_WIDTH} pulgadas (el de la columna "
            f"del sitio), no {width}: ponga los paneles en más filas en lugar de ensanchar la figura."
        )
    if not height > 0:
        raise ValueError(f"El alto de la figura debe ser positivo, no {height}.")


def subplot_mosaic(mosaic, *, height: float = 3.6, width: float = FIGURE_WIDTH, **kwargs):
    """Como ``matplotlib.pyplot.subplot_mosaic`` (paneles con nombre que pueden ocupar varias celdas de
    la rejilla, p. ej. ``[["a", "b"], ["c", "c"]]``), con el estilo y el ancho de las figuras del curso.

    ``height`` y ``width`` como en :func:`subplots`. Devuelve ``(fig, paneles)``, un diccionario de ejes.
    """
    import matplotlib.pyplot as plt

    _check_size(width, height, kwargs)
    use_course_style()
    return plt.subplot_mosaic(mosaic, figsize=(width, height), **kwargs)
