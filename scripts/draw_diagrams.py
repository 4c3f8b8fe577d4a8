"""Dibuja los diagramas de celdas del libro (SVG en ``book/figuras/``) con matplotlib.

    python scripts/draw_diagrams.py            # reescribe los cinco SVG y sus PNG
    python scripts/draw_diagrams.py --check    # falla si algún SVG o PNG no coincide con lo que dibujaría

Cada diagrama se guarda dos veces: en SVG, el que muestra el sitio, y en PNG con el mismo nombre, el que la
edición para Colab incrusta en el cuaderno (``_ext/colab_edition.py``): Colab no muestra imágenes SVG en el
Markdown ni los adjuntos de celda (``attachment:``), y sí una imagen PNG escrita como ``data:`` en el propio
Markdown.

Convenciones comunes a las cinco figuras (las explica la leyenda de cada una):

- un **rectángulo amarillo** es una capa con pesos propios: una transformación afín de sus entradas seguida de
  la función que lleva escrita (σ o tanh);
- un **círculo rosa** es una operación elemento a elemento, sin pesos (⊙, +, 1 − ·, tanh);
- las flechas llevan tensores; un punto negro marca una copia (el mismo tensor va a dos sitios) y dos líneas
  que se unen, una concatenación (``[H_{t-1}, X_t]`` entra en cada capa).

Los símbolos son los de los capítulos (``X_t``, ``H_{t-1}``, ``W_xh``, ``I_t``, ``F_t``, ``O_t``, ``C~_t``,
``R_t``, ``Z_t``, ``H~_t``…). Cada figura tiene un fondo claro opaco con las esquinas redondeadas, de modo
que se lee igual con el tema claro y con el oscuro del sitio. El texto se guarda como trazos (no depende de
las fuentes del lector) y el SVG no lleva fecha ni identificadores aleatorios: dibujar dos veces da el mismo
archivo.
"""
from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "book" / "figuras"
UNIT = 0.62  # pulgadas por unidad de las coordenadas de dibujo

INK = "#1f1f1f"
PANEL = ("#ffffff", "#b9b9b9")  # fondo opaco y borde de toda la figura
CELL = ("#eaf1fb", "#4a6fa5")  # la celda (o la capa) que se repite en cada paso
LAYER = ("#ffe59a", "#8a6a00")  # capa con pesos: σ o tanh de una transformación afín
POINTWISE = ("#f7c9d4", "#9b2c48")  # operación elemento a elemento
BACKWARD = ("#e3f3e3", "#3c7a3c")  # capas de la dirección inversa (red bidireccional)
LINE_WIDTH = 1.6

plt.rcParams.update({
    "svg.fonttype": "path",
    "svg.hashsalt": "curso-rnn",
    "mathtext.fontset": "dejavusans",
    "font.family": "DejaVu Sans",
    "font.size": 12,
})


# --- Primitivas -----------------------------------------------------------------------------------------
def canvas(width, height):
    """Figura de ``width`` × ``height`` unidades con el panel de fondo claro y redondeado."""
    fig = plt.figure(figsize=(width * UNIT, height * UNIT))
    fig.patch.set_alpha(0.0)  # fuera del panel, transparente: las esquinas redondeadas se ven
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.add_patch(FancyBboxPatch((0.06, 0.06), width - 0.12, height - 0.12,
                                boxstyle="round,pad=0,rounding_size=0.35", fc=PANEL[0], ec=PANEL[1], lw=1.2,
                                zorder=0))
    return fig, ax


def cell_frame(ax, x0, y0, x1, y1, colors=CELL, label=None):
    ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0,rounding_size=0.3",
                                fc=colors[0], ec=colors[1], lw=1.4, zorder=1))
    if label:
        ax.text(x1 - 0.15, y1 - 0.12, label, ha="right", va="top", fontsize=10, color=colors[1], zorder=2)


def layer(ax, x, y, text, width=1.05, height=0.62, colors=LAYER, fontsize=12):
    """Capa con pesos: rectángulo centrado en (x, y)."""
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0,rounding_size=0.1", fc=colors[0], ec=colors[1], lw=1.3,
                                zorder=4))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=INK, zorder=5)


def op(ax, x, y, text, radius=0.3, fontsize=13):
    """Operación elemento a elemento: círculo centrado en (x, y)."""
    ax.add_patch(Circle((x, y), radius, fc=POINTWISE[0], ec=POINTWISE[1], lw=1.3, zorder=4))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=INK, zorder=5)


def wire(ax, points, arrow=True, gap_under=None):
    """Polilínea por ``points``; con ``arrow``, punta en el último punto.

    ``gap_under`` (el color del fondo) dibuja debajo un trazo ancho de ese color, por encima de las líneas
    ya dibujadas: donde esta línea cruza otra, la de debajo queda interrumpida y se ve que no se tocan.
    """
    xs, ys = zip(*points)
    z = 3.6 if gap_under else 3
    if gap_under:
        ax.plot(xs, ys, color=gap_under, lw=LINE_WIDTH + 6, solid_capstyle="butt", zorder=3.5)
    if arrow and len(points) >= 2:
        ax.plot(xs[:-1], ys[:-1], color=INK, lw=LINE_WIDTH, solid_capstyle="round", zorder=z)
        ax.add_patch(FancyArrowPatch(points[-2], points[-1], arrowstyle="-|>,head_length=6,head_width=3.5",
                                     color=INK, lw=LINE_WIDTH, shrinkA=0, shrinkB=0, zorder=z))
    else:
        ax.plot(xs, ys, color=INK, lw=LINE_WIDTH, solid_capstyle="round", zorder=z)


def dot(ax, x, y):
    """Punto de copia: el tensor sigue por dos caminos."""
    ax.add_patch(Circle((x, y), 0.07, fc=INK, ec=INK, zorder=6))


def label(ax, x, y, text, ha="center", va="center", fontsize=13, color=INK):
    ax.text(x, y, text, ha=ha, va=va, fontsize=fontsize, color=color, zorder=7)


def legend(ax, x, y, pointwise=True):
    """Leyenda común en una fila, empezando en (x, y)."""
    layer(ax, x + 0.3, y, "", width=0.46, height=0.32)
    label(ax, x + 0.65, y, "capa con pesos", ha="left", fontsize=10)
    if pointwise:
        op(ax, x + 3.05, y, "", radius=0.16)
        label(ax, x + 3.32, y, "operación elemento a elemento", ha="left", fontsize=10)
    x += 0 if pointwise else -4.2  # sin círculo en la leyenda, el resto se corre a la izquierda
    dot(ax, x + 7.55, y)
    label(ax, x + 7.73, y, "copia", ha="left", fontsize=10)
    wire(ax, [(x + 8.75, y + 0.16), (x + 9.05, y), (x + 9.35, y)], arrow=False)
    wire(ax, [(x + 8.75, y - 0.16), (x + 9.05, y)], arrow=False)
    label(ax, x + 9.5, y, "unión: concatenación", ha="left", fontsize=10)


PNG_DPI = 100  # la figura más ancha (la red bidireccional) queda en unos 1000 píxeles, el ancho de Colab


def save(fig, name):
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    raster = io.BytesIO()
    fig.savefig(raster, format="png", dpi=PNG_DPI, metadata={"Software": None})
    plt.close(fig)
    return name, buffer.getvalue(), raster.getvalue()


# --- Las cinco figuras ----------------------------------------------------------------------------------
def rnn_cell():
    fig, ax = canvas(11.4, 6.6)
    cell_frame(ax, 2.0, 1.3, 8.6, 5.6, label="celda RNN")
    # Entradas: H_{t-1} por la izquierda, X_t por abajo; se unen y entran en la capa tanh.
    label(ax, 0.95, 2.2, r"$\mathbf{H}_{t-1}$")
    wire(ax, [(1.45, 2.2), (4.6, 2.2)], arrow=False)
    label(ax, 3.4, 0.72, r"$\mathbf{X}_t$")
    wire(ax, [(3.4, 1.0), (3.4, 2.2)], arrow=False)
    wire(ax, [(4.6, 2.2), (4.6, 3.05)])
    layer(ax, 4.6, 3.4, "tanh", width=1.2, height=0.7)
    label(ax, 5.35, 3.4, r"$\mathbf{W}_{xh},\ \mathbf{W}_{hh},\ \mathbf{b}_h$", ha="left", fontsize=11)
    # Salida: H_t va al paso siguiente (derecha) y a la capa de salida (arriba).
    wire(ax, [(4.6, 3.75), (4.6, 4.6), (9.5, 4.6)])
    dot(ax, 6.2, 4.6)
    wire(ax, [(6.2, 4.6), (6.2, 6.0)])
    label(ax, 6.35, 5.95, r"$\mathbf{H}_t$ a la capa de salida", ha="left", va="top", fontsize=10)
    label(ax, 10.15, 4.6, r"$\mathbf{H}_t$")
    label(ax, 8.45, 1.7, r"$\mathbf{H}_t = \tanh(\mathbf{X}_t\mathbf{W}_{xh}"
          r" + \mathbf{H}_{t-1}\mathbf{W}_{hh} + \mathbf{b}_h)$", ha="right", fontsize=9.5, color="#333333")
    legend(ax, 0.3, 0.38, pointwise=False)
    return save(fig, "celda_rnn.svg")


def gated_cell(name, top, before, after, scale_x, add_x):
    """Lienzo, marco y línea de arriba de una celda con compuertas (LSTM, GRU): ``before`` entra por la
    izquierda, se escala (⊙ en ``scale_x``), se le suma algo (+ en ``add_x``) y sale como ``after``."""
    fig, ax = canvas(14.2, 8.0)
    cell_frame(ax, 1.6, 1.5, 12.4, 7.1, label=f"celda {name}")
    label(ax, 0.75, top, before)
    wire(ax, [(1.3, top), (scale_x - 0.3, top)])
    op(ax, scale_x, top, "⊙")
    wire(ax, [(scale_x + 0.3, top), (add_x - 0.3, top)])
    op(ax, add_x, top, "+")
    wire(ax, [(add_x + 0.3, top), (13.1, top)])
    label(ax, 13.6, top, after)
    return fig, ax


def lstm_cell():
    top, bus = 6.4, 2.3
    # Celda de memoria: la línea de arriba, que solo se escala (⊙ F_t) y se suma (+).
    fig, ax = gated_cell("LSTM", top, r"$\mathbf{C}_{t-1}$", r"$\mathbf{C}_t$", scale_x=4.0, add_x=7.2)
    # Entradas de las cuatro capas: [H_{t-1}, X_t].
    label(ax, 0.75, bus, r"$\mathbf{H}_{t-1}$")
    wire(ax, [(1.3, bus), (9.2, bus)], arrow=False)
    label(ax, 2.6, 0.75, r"$\mathbf{X}_t$")
    wire(ax, [(2.6, 1.05), (2.6, bus)], arrow=False)
    gates = ((4.0, "σ", r"$\mathbf{F}_t$"), (5.6, "σ", r"$\mathbf{I}_t$"), (7.2, "tanh", r"$\tilde{\mathbf{C}}_t$"),
             (9.2, "σ", r"$\mathbf{O}_t$"))
    for x, text, _ in gates:
        if x != 9.2:
            dot(ax, x, bus)
        wire(ax, [(x, bus), (x, 3.05)])
        layer(ax, x, 3.35, text)
    # F_t escala la memoria anterior.
    wire(ax, [(4.0, 3.66), (4.0, top - 0.3)])
    label(ax, 3.9, 4.9, r"$\mathbf{F}_t$", ha="right")
    # I_t ⊙ C~_t se suma a la memoria.
    op(ax, 7.2, 5.0, "⊙")
    wire(ax, [(5.6, 3.66), (5.6, 5.0), (6.9, 5.0)])
    label(ax, 5.5, 4.35, r"$\mathbf{I}_t$", ha="right")
    wire(ax, [(7.2, 3.66), (7.2, 4.7)])
    label(ax, 7.3, 4.2, r"$\tilde{\mathbf{C}}_t$", ha="left")
    wire(ax, [(7.2, 5.3), (7.2, top - 0.3)])
    # H_t = O_t ⊙ tanh(C_t).
    dot(ax, 10.6, top)
    wire(ax, [(10.6, top), (10.6, 5.5)])
    op(ax, 10.6, 5.2, "tanh", radius=0.36, fontsize=10)
    wire(ax, [(10.6, 4.84), (10.6, 4.45)])
    op(ax, 10.6, 4.15, "⊙")
    wire(ax, [(9.2, 3.66), (9.2, 4.15), (10.3, 4.15)])
    label(ax, 9.1, 4.0, r"$\mathbf{O}_t$", ha="right")
    wire(ax, [(10.6, 3.85), (10.6, bus), (13.1, bus)])
    label(ax, 13.6, bus, r"$\mathbf{H}_t$")
    legend(ax, 0.45, 0.38)
    return save(fig, "celda_lstm.svg")


def gru_cell():
    top, bus, low = 6.4, 2.4, 1.9
    # El estado: la línea de arriba, interpolada entre H_{t-1} y el candidato.
    fig, ax = gated_cell("GRU", top, r"$\mathbf{H}_{t-1}$", r"$\mathbf{H}_t$", scale_x=8.9, add_x=11.1)
    # Entradas de las compuertas: [H_{t-1}, X_t].
    dot(ax, 2.2, top)
    wire(ax, [(2.2, top), (2.2, bus), (5.4, bus)], arrow=False)
    label(ax, 3.0, 0.75, r"$\mathbf{X}_t$")
    wire(ax, [(3.0, 1.05), (3.0, bus)], arrow=False)
    dot(ax, 3.0, low)
    for x, name in ((4.0, r"$\mathbf{R}_t$"), (5.4, r"$\mathbf{Z}_t$")):
        if x != 5.4:
            dot(ax, x, bus)
        wire(ax, [(x, bus), (x, 3.05)])
        layer(ax, x, 3.35, "σ")
    # R_t ⊙ H_{t-1} y X_t entran en la capa del candidato.
    op(ax, 4.0, 4.6, "⊙")
    wire(ax, [(4.0, 3.66), (4.0, 4.3)])
    label(ax, 3.9, 4.0, r"$\mathbf{R}_t$", ha="right")
    dot(ax, 4.0, top)
    wire(ax, [(4.0, top), (4.0, 4.9)])
    wire(ax, [(4.3, 4.6), (7.0, 4.6), (7.0, 4.1)])
    wire(ax, [(3.0, low), (7.0, low), (7.0, 3.05)])
    layer(ax, 7.0, 3.58, "tanh", height=1.0)
    # Z_t conserva el estado anterior; 1 − Z_t deja pasar el candidato.
    wire(ax, [(5.4, 3.66), (5.4, 5.5), (8.9, 5.5), (8.9, top - 0.3)], gap_under=CELL[0])
    dot(ax, 8.9, 5.5)
    label(ax, 5.3, 5.05, r"$\mathbf{Z}_t$", ha="right")
    wire(ax, [(8.9, 5.5), (9.7, 5.5)])
    op(ax, 10.0, 5.5, "1−", fontsize=11)
    wire(ax, [(10.0, 5.2), (10.0, 3.88)])
    op(ax, 10.0, 3.58, "⊙")
    wire(ax, [(7.53, 3.58), (9.7, 3.58)])
    label(ax, 8.6, 3.85, r"$\tilde{\mathbf{H}}_t$")
    wire(ax, [(10.3, 3.58), (11.1, 3.58), (11.1, top - 0.3)])
    legend(ax, 0.45, 0.38)
    return save(fig, "celda_gru.svg")


def deep_rnn():
    steps, layers = 4, 2
    dx, dy = 2.5, 1.6
    fig, ax = canvas(3.6 + dx * steps, 3.3 + dy * (layers + 1))
    xs = [2.7 + dx * j for j in range(steps)]
    ys = [2.25 + dy * l for l in range(layers + 1)]  # fila 0: las entradas X_t = H_t^(0)
    for l in range(1, layers + 1):
        label(ax, 0.35, ys[l] + 0.3, f"capa {l}", ha="left", fontsize=11, color=CELL[1])
        wire(ax, [(1.3, ys[l]), (xs[0] - 0.62, ys[l])])
        for j, x in enumerate(xs):
            if j < steps - 1:
                wire(ax, [(x + 0.62, ys[l]), (xs[j + 1] - 0.62, ys[l])])
            wire(ax, [(x, ys[l - 1] + (0.34 if l > 1 else 0.3)), (x, ys[l] - 0.34)])
            layer(ax, x, ys[l], rf"$\mathbf{{H}}_{j + 1}^{{({l})}}$", width=1.24, height=0.68, colors=CELL,
                  fontsize=14)
        wire(ax, [(xs[-1] + 0.62, ys[l]), (xs[-1] + 1.4, ys[l])])
    for j, x in enumerate(xs):
        label(ax, x, ys[0], rf"$\mathbf{{X}}_{j + 1}$", fontsize=15)
        wire(ax, [(x, ys[-1] + 0.34), (x, ys[-1] + 0.95)])
        label(ax, x, ys[-1] + 1.3, rf"$\hat{{\mathbf{{Y}}}}_{j + 1}$", fontsize=15)
    label(ax, 0.45, 1.05, r"Cada recuadro: la celda de la capa $l$ en el paso $t$ (RNN, LSTM o GRU), con los pesos"
          r" $\mathbf{W}_{xh}^{(l)}, \mathbf{W}_{hh}^{(l)}, \mathbf{b}_h^{(l)}$", ha="left", fontsize=11)
    label(ax, 0.45, 0.5, r"de su capa, los mismos en todos los pasos; la entrada de la capa 1 es"
          r" $\mathbf{H}_t^{(0)} = \mathbf{X}_t$.", ha="left", fontsize=11)
    return save(fig, "rnn_profunda.svg")


def bidirectional_rnn():
    steps, dx = 4, 3.0
    fig, ax = canvas(6.0 + dx * (steps - 1), 8.6)
    xs = [3.4 + dx * j for j in range(steps)]
    y_in, y_split, y_fwd, y_bwd, y_cat, y_out = 1.75, 2.35, 3.3, 4.6, 6.0, 7.35
    off, half = 0.5, 0.58  # desplazamiento de cada fila respecto de X_t y semiancho de sus recuadros
    label(ax, 0.35, y_fwd - 0.35, "hacia delante", ha="left", fontsize=11, color=CELL[1])
    label(ax, 0.35, y_bwd + 0.35, "hacia atrás", ha="left", fontsize=11, color=BACKWARD[1])
    # Primero las cadenas recurrentes: la de delante va de izquierda a derecha, la de atrás al revés.
    wire(ax, [(xs[0] - off - half - 1.0, y_fwd), (xs[0] - off - half, y_fwd)])
    wire(ax, [(xs[-1] + off + half + 1.0, y_bwd), (xs[-1] + off + half, y_bwd)])
    for j in range(steps - 1):
        wire(ax, [(xs[j] - off + half, y_fwd), (xs[j + 1] - off - half, y_fwd)])
        wire(ax, [(xs[j + 1] + off - half, y_bwd), (xs[j] + off + half, y_bwd)])
    wire(ax, [(xs[-1] - off + half, y_fwd), (xs[-1] - off + half + 1.0, y_fwd)])
    wire(ax, [(xs[0] + off - half, y_bwd), (xs[0] + off - half - 1.0, y_bwd)])
    for j, x in enumerate(xs):
        t = str(j + 1)
        label(ax, x, y_in, rf"$\mathbf{{X}}_{t}$", fontsize=15)
        wire(ax, [(x, y_in + 0.28), (x, y_split)], arrow=False)
        dot(ax, x, y_split)
        wire(ax, [(x, y_split), (x - off, y_split), (x - off, y_fwd - 0.32)])
        # X_t también entra en la capa de atrás: cruza la cadena de delante sin tocarla.
        wire(ax, [(x, y_split), (x + off, y_split), (x + off, y_bwd - 0.32)], gap_under=PANEL[0])
        layer(ax, x - off, y_fwd, rf"$\overrightarrow{{\mathbf{{H}}}}_{t}$", width=2 * half, height=0.64,
              colors=CELL, fontsize=14)
        layer(ax, x + off, y_bwd, rf"$\overleftarrow{{\mathbf{{H}}}}_{t}$", width=2 * half, height=0.64,
              colors=BACKWARD, fontsize=14)
        # Los dos estados se concatenan: H_t = [→H_t, ←H_t].
        op(ax, x, y_cat, "[ , ]", radius=0.34, fontsize=10)
        wire(ax, [(x - off, y_fwd + 0.32), (x - off, y_cat), (x - 0.34, y_cat)], gap_under=PANEL[0])
        wire(ax, [(x + off, y_bwd + 0.32), (x + off, y_cat), (x + 0.34, y_cat)])
        wire(ax, [(x, y_cat + 0.34), (x, y_out - 0.32)])
        label(ax, x, y_out, rf"$\hat{{\mathbf{{Y}}}}_{t}$", fontsize=15)
    label(ax, 0.6, 0.95, r"$[\ ,\ ]$: concatenación, $\mathbf{H}_t = [\overrightarrow{\mathbf{H}}_t,"
          r" \overleftarrow{\mathbf{H}}_t]$, que lee la capa de salida.", ha="left", fontsize=11)
    label(ax, 0.6, 0.45, "Azul: la capa que lee de izquierda a derecha; verde: la que lee de derecha a izquierda,"
          " con sus propios pesos.", ha="left", fontsize=11)
    return save(fig, "rnn_bidireccional.svg")


DIAGRAMS = (rnn_cell, lstm_cell, gru_cell, deep_rnn, bidirectional_rnn)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="no escribe: falla si algún SVG o PNG está desfasado")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    stale = []
    for draw in DIAGRAMS:
        name, svg, png = draw()
        path, raster = OUT / name, (OUT / name).with_suffix(".png")
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != svg:
                stale.append(name)
            if not raster.is_file() or raster.read_bytes() != png:
                stale.append(raster.name)
        else:
            path.write_text(svg, encoding="utf-8")
            raster.write_bytes(png)
            print(f"escrito {path.relative_to(OUT.parents[1])} ({len(svg) // 1024} KiB) y {raster.name} "
                  f"({len(png) // 1024} KiB)")
    if stale:
        print(f"Figuras desfasadas: {', '.join(stale)}; ejecute python scripts/draw_diagrams.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
