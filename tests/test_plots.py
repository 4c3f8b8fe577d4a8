"""Estilo de las figuras del curso (``companion.plots``) y su uso en todos los capítulos."""
import json
import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from companion.plots import COURSE_STYLE, DPI, FIGURE_WIDTH, subplot_mosaic, subplots  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COLUMN_PX = 688  # ancho de las salidas de las celdas en el sitio, con la ventana a 1280 px


def test_text_readable_in_the_column():
    image_px = FIGURE_WIDTH * DPI
    scale = min(1.0, COLUMN_PX / image_px)
    smallest = min(v for k, v in COURSE_STYLE.items() if k.endswith("size") and k != "figure.figsize")
    assert smallest * DPI / 72 * scale >= 12  # la letra más pequeña, a 12 px o más


def test_subplots_applies_style_and_width():
    import matplotlib.pyplot as plt

    matplotlib.rcParams["font.size"] = 6
    fig, axes = subplots(1, 2, height=3)
    assert tuple(fig.get_size_inches()) == (FIGURE_WIDTH, 3)
    assert matplotlib.rcParams["font.size"] == COURSE_STYLE["font.size"]
    assert len(axes) == 2
    plt.close(fig)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(width=FIGURE_WIDTH + 1), "más filas"),
        (dict(height=0), "positivo"),
        (dict(figsize=(5, 3)), "no pase figsize"),
    ],
)
def test_subplots_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        subplots(**kwargs)
    with pytest.raises(ValueError, match=message):
        subplot_mosaic([["a"]], **kwargs)


def test_subplot_mosaic_named_panels():
    import matplotlib.pyplot as plt

    fig, panels = subplot_mosaic([["a", "b"], ["c", "c"]], height=5)
    assert set(panels) == {"a", "b", "c"} and tuple(fig.get_size_inches()) == (FIGURE_WIDTH, 5)
    plt.close(fig)


def test_chapters_use_the_course_figures():
    """Los capítulos crean sus figuras con ``companion.plots.subplots``, nunca con ``plt.subplots`` o
    ``plt.figure`` (que no aplicarían el estilo ni el ancho del curso)."""
    problems = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            source = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
            for match in re.finditer(r"plt\.(subplots|subplot_mosaic|figure)\(|figsize\s*=", source):
                problems.append(f"{path.name} (celda {cell.get('id')}): {match.group(0)}")
    assert not problems, "Use companion.plots.subplots(filas, columnas, height=…):\n" + "\n".join(problems)
