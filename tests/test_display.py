"""Tablas de resultados de ``companion.display``: Markdown para el sitio y Colab, texto para la consola."""
import pytest

from companion.display import Table, plain_math, show_table


def test_markdown_is_a_gfm_table():
    table = Table(["Red", "$\\rho$", "Tiempo"], [["RNN", 1.25, "3.0 s"], ["a|b", "0.9", "—"]])
    lines = table._repr_markdown_().split("\n")
    assert lines[0] == "| Red | $\\rho$ | Tiempo |"
    assert lines[1] == "|---|---:|---:|"
    assert lines[2] == "| RNN | 1.25 | 3.0 s |"
    assert lines[3] == "| a\\|b | 0.9 | — |"  # una barra en una celda no parte la fila


def test_plain_text_aligned_without_tex():
    text = repr(Table(["Red", "$\\sigma_{\\max}$"], [["RNN entrenada", "1.5"], ["b", "10.25"]]))
    lines = text.split("\n")
    assert lines[0].split() == ["Red", "σ_máx"]
    assert "$" not in text and "\\" not in text
    assert len({len(line) for line in lines[1:]}) == 1  # columnas alineadas


def test_plain_math():
    assert plain_math("$\\Vert(\\mathbf{W}_{hh}^\\top)^{50}\\Vert_2$") == "‖(W_hh^ᵀ)^50‖_2"
    assert plain_math("`lstm` y $T$ = 5") == "lstm y T = 5"


@pytest.mark.parametrize(
    "header, rows, align, message",
    [
        ([], [], None, "al menos una columna"),
        (["a", "b"], [["1"]], None, "La fila 1 tiene 1 valores"),
        (["a", "b"], [["1", "2"]], "lx", "align debe tener"),
        (["a", "b"], [["1", "2"]], "l", "align debe tener"),
    ],
)
def test_clear_errors(header, rows, align, message):
    with pytest.raises(ValueError, match=message):
        Table(header, rows, align)


def test_show_table_displays_once_and_returns_nothing(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    assert show_table(["a"], [["1"]], align="c") is None  # última línea de una celda: no se repite
    assert len(shown) == 1 and shown[0]._repr_markdown_().split("\n")[1] == "|:---:|"
