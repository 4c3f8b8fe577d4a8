"""Tablas de resultados de ``companion.display``: Markdown para el sitio y Colab, texto para la consola."""
import pytest

from companion.display import Table, fmt_num, fmt_pct, plain_math, show_table


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


@pytest.mark.parametrize(
    "value, digits, expected",
    [
        (12345.678, 2, "12\u202f345.68"),
        (1234.5, 1, "1234.5"),
        (-1234567.891, 2, "−1\u202f234\u202f567.89"),
        (-0.25, 2, "−0.25"),
        (-0.0001, 3, "−0.000"),
        (0.0, 3, "0.000"),
        (float("-inf"), 1, "−inf"),
        (None, 2, "—"),
    ],
)
def test_fmt_num_groups_thousands_and_uses_the_minus_sign(value, digits, expected):
    assert fmt_num(value, digits) == expected
    assert "-" not in fmt_num(value, digits)


def test_fmt_pct_negative_uses_the_minus_sign():
    assert fmt_pct(-3.25) == "−3.2\u00a0%"
    assert fmt_pct(0.352, is_fraction=True) == "35.2\u00a0%"
