"""Protocolo de entrenamiento de los modelos preentrenados del curso (la «receta» de cada uno).

Los cuatro modelos de la **familia controlada** (``rnn``, ``gru``, ``lstm``, ``lstm2``) se entrenan con el
mismo protocolo, para que sus diferencias se deban a la celda y no al presupuesto:

- las mismas particiones (90 % inicial del texto limpio para entrenar, 5 % de validación, 5 % final de
  prueba) y los mismos caracteres vistos (``epochs`` × ``batch_size`` × ``num_steps`` por paso);
- **el mismo número de parámetros**, alrededor de un millón (no el mismo tamaño oculto): con h igual, una
  LSTM tiene cuatro veces los parámetros recurrentes de una RNN y la comparación mediría sobre todo el
  tamaño. Igualar parámetros es la práctica de los estudios comparativos de celdas (Jozefowicz et al., 2015;
  Collins et al., 2017). El tamaño oculto de cada celda se eligió para quedar cerca de 1.0 M;
- el mismo optimizador (Adam, η = 2·10⁻³), el mismo programa (coseno hasta 0), el mismo recorte (norma 1),
  el mismo *dropout* (0.1 sobre la incrustación, entre capas y sobre las salidas), la misma semilla (0) y
  parada temprana sobre validación (se conservan los pesos de la mejor época).

``lstm_fb1`` es la misma receta que ``lstm`` con el sesgo de olvido iniciado a 1, la variante que mide el
capítulo 5 (allí, en un entrenamiento corto, no ayudó; con la receta completa tampoco, según
``benchmarks/quality.py``, que la compara): no se distribuye.

``lstm_large`` es el mejor modelo del curso: una LSTM de dos capas de 512 unidades con más *dropout* y más
épocas. No forma parte de la comparación controlada (tiene tres veces más parámetros y más entrenamiento).

``lstm_xl`` es la receta de un modelo mayor, aún sin entrenar: dos capas de 768 unidades (unos 7.3 M
parámetros), con la regularización del capítulo 7 al completo (*dropout* 0.3 en la incrustación, entre capas y
en la salida, y *weight drop* 0.2 sobre las matrices recurrentes, como AWD-LSTM) y pesos guardados en int8
(``int8=True``: en float16 no cabrían en 8 MB). El *weight drop* está porque, sin él, una calibración hecha
fuera del curso (que el curso no reproduce) vio sobreajustar a esta misma red. No se distribuye: en la CPU de
dos núcleos del curso tardaría de cuatro a cinco horas (con ``--resume`` puede hacerse por tramos).

``python -m companion train --recipe NOMBRE --out RUTA`` reproduce cada receta; cualquier opción escrita
en la orden sustituye a la de la receta.
"""
from __future__ import annotations

# Opciones comunes de la familia controlada (nombres de los argumentos de ``python -m companion train``).
FAMILY = dict(embedding=64, epochs=6, batch_size=64, steps=100, lr=2e-3, lr_schedule="cosine", clip=1.0,
              optimizer="adam", dropout=0.1, embedding_dropout=0.1, output_dropout=0.1, patience=2, seed=0,
              half=True)

RECIPES = {
    "rnn": dict(FAMILY, cell="rnn", hidden=960, layers=1),
    "gru": dict(FAMILY, cell="gru", hidden=540, layers=1),
    "lstm": dict(FAMILY, cell="lstm", hidden=464, layers=1),
    "lstm2": dict(FAMILY, cell="lstm", hidden=276, layers=2),
    "lstm_fb1": dict(FAMILY, cell="lstm", hidden=464, layers=1, forget_bias=1.0),
    "lstm_large": dict(FAMILY, cell="lstm", hidden=512, layers=2, epochs=16, dropout=0.25,
                       embedding_dropout=0.25, output_dropout=0.25, patience=3),
    "lstm_xl": dict(FAMILY, cell="lstm", hidden=768, layers=2, epochs=18, dropout=0.3, embedding_dropout=0.3,
                    output_dropout=0.3, weight_drop=0.2, patience=4, half=False, int8=True),
    # Capítulo 10: una minGRU de tres capas y una GRU de la familia con los mismos parámetros (unos 0.5 M) y los
    # mismos caracteres vistos (2 épocas, para que quepan en unos 30 minutos de una CPU de dos núcleos).
    "mingru": dict(FAMILY, cell="mingru", hidden=330, layers=3, epochs=2),
    "gru_small": dict(FAMILY, cell="gru", hidden=370, layers=1, epochs=2),
}

# Recetas cuyos pesos se distribuyen en companion/pretrained (las de la familia, el mejor modelo y las dos del
# capítulo 10).
SHIPPED = ("rnn", "gru", "lstm", "lstm2", "lstm_large", "gru_small", "mingru")
FAMILY_NAMES = ("rnn", "gru", "lstm", "lstm2")


def recipe(name: str) -> dict:
    """Opciones de la receta ``name`` (una copia: puede modificarse sin cambiar la tabla)."""
    if name not in RECIPES:
        raise ValueError(f"Receta desconocida {name!r}: elija una de {', '.join(RECIPES)}.")
    return dict(RECIPES[name])


def _recipes_table() -> str:
    """Las recetas como tabla de reStructuredText, generada a partir de ``RECIPES`` (para la referencia del paquete)."""
    shown = ("cell", "hidden", "layers", "epochs", "dropout", "patience")
    header = ("receta", "celda", "h", "capas", "épocas", "*dropout*", "paciencia", "además")
    rows = []
    for name, options in RECIPES.items():
        extra = [f"``{key}={value}``" for key, value in options.items()
                 if key not in shown and key not in ("embedding_dropout", "output_dropout")
                 and FAMILY.get(key, "—") != value]
        rows.append((f"``{name}``", *(str(options[key]) for key in shown), ", ".join(extra) or "—"))
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in (header, *rows):
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    return "\n".join(lines)


__doc__ += (
    "\n\nLa tabla sale de ``RECIPES`` al importar el módulo, así que no puede desfasarse. Las opciones comunes son"
    " las de ``FAMILY``; la última columna da lo que cada receta cambia además (el *dropout* de la incrustación y"
    " el de la salida son siempre iguales al de entre capas):\n\n" + _recipes_table() + "\n"
)
