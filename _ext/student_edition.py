"""Edición para estudiantes: el libro sin las soluciones de los ejercicios.

Con la variable de entorno ``STUDENT_EDITION=1`` (también ``si``, ``true`` o ``yes``) la construcción activa
la opción ``hide_solutions`` de sphinx-exercise, que quita del sitio todas las directivas ``solution``; los
enunciados de los ejercicios se quedan. Sin la variable (o con ``0``), el libro sale completo::

    STUDENT_EDITION=1 .venv/bin/jupyter-book build .     # edición para estudiantes en _build/html
    .venv/bin/jupyter-book build .                       # edición completa, con soluciones

``hide_solutions`` se registra con reconstrucción del entorno, así que al cambiar de edición Sphinx vuelve
a leer todas las páginas (los cuadernos no se ejecutan otra vez: sus salidas están en la caché).
"""
from __future__ import annotations

import os

ENV_VAR = "STUDENT_EDITION"
TRUE_VALUES = ("1", "si", "sí", "true", "yes")


def student_edition() -> bool:
    """``True`` si la variable de entorno pide la edición para estudiantes."""
    return os.environ.get(ENV_VAR, "").strip().lower() in TRUE_VALUES


def _configure(app, config):
    if student_edition():
        config.hide_solutions = True


def setup(app):
    app.setup_extension("sphinx_exercise")
    # Prioridad alta: se aplica después de que sphinx-exercise registre su configuración.
    app.connect("config-inited", _configure, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
