"""myst_to_colab: los capítulos en MyST, como cuadernos que Colab y Jupyter muestran tal cual.

Jupyter Book escribe los capítulos en Markdown de MyST (roles, directivas, etiquetas), que Colab no
entiende. Este paquete convierte un cuaderno ya ejecutado en uno corriente, celda a celda. No sabe nada de
Sphinx: lo que necesita del libro construido (valores de ``glue``, referencias, números, imágenes) le llega
en un ``Context``. La extensión ``_ext/colab_edition.py`` lo llena al terminar la construcción y escribe
``_build/colab``; las pruebas, ``tests/test_colab_edition.py``, lo llenan a mano.

Qué se convierte (``markdown.convert_markdown``):

* ``{glue:text}`nombre``` (también ``{glue}``, ``{glue:md}`` y los formatos como ``nombre:.3f``): el valor
  que calculó la construcción, el mismo que muestra el sitio (``glue``);
* ``:::{exercise}`` y ``:::{solution}``: encabezados «Ejercicio 5.2» y «Solución del ejercicio 5.2», con la
  solución plegada en un bloque ``<details>`` (sin soluciones si ``Context.drop_solutions``);
* ``{figure}``: la imagen incrustada como ``data:image/png;base64`` (de un SVG, el PNG con el mismo nombre)
  y su pie «**Figura 5.1.** …»; avisos (``{note}``, ``{admonition}``…): citas en bloque con su título en
  negrita (``directives``);
* los números son los del sitio: encabezados «5.1. …», «Ejercicio 5.2», «Figura 5.1»;
* ``{footcite}`` y ``{cite}``: «(Autor, año)» o «Autor (año)», con la lista de referencias del capítulo
  donde el sitio pone ``{footbibliography}`` o, si no la hay, al final (``bibliography``, con pybtex);
* ``{ref}``, ``{numref}`` y ``{doc}``: enlaces con el texto del sitio, al ancla del propio cuaderno si el
  destino está en él y, si no, a la página publicada (``references``, ``links``);
* etiquetas ``(nombre)=``: un ancla ``<a id="nombre">``; comentarios ``%`` y separadores ``+++``: se quitan.

Y en el cuaderno (``notebook.convert_notebook``): una primera celda que dice qué es y cómo usarlo; las
salidas de ``glue`` se quitan y las barras de progreso se dibujan como HTML estático; las celdas marcadas
``remove-*`` o ``hide-*`` se pliegan, salvo la de preparación, que queda a la vista e instala el paquete
del commit que calculó las salidas. ``myst_leftovers`` encuentra la sintaxis de MyST que quede.

Uso::

    from myst_to_colab import Context, convert_notebook
    ctx = Context(glue={...}, citations=load_citations([Path("references.bib")]), docname="book/03_rnn")
    colab_nb = convert_notebook(executed_nb, ctx, intro="…", commit="0123abc…")
    ctx.problems   # lo que no se pudo convertir (la construcción lo muestra como avisos)
"""
from __future__ import annotations

from .bibliography import cite_text, load_citations, references_markdown
from .context import NUMFIG_FORMAT, Context, Target, anchor_html, numbered_text
from .directives import image_loader
from .links import colab_launch_url, github_parts, pages_url, site_url
from .markdown import convert_inline, convert_markdown, myst_leftovers
from .notebook import (GLUE_PREFIX, SETUP_MARKER, WIDGET_STATE, WIDGET_VIEW, convert_notebook, intro_markdown,
                       pin_setup, render_widgets)

__all__ = [
    "GLUE_PREFIX", "NUMFIG_FORMAT", "SETUP_MARKER", "WIDGET_STATE", "WIDGET_VIEW", "Context", "Target",
    "anchor_html", "cite_text", "colab_launch_url", "convert_inline", "convert_markdown", "convert_notebook",
    "github_parts", "image_loader", "intro_markdown", "load_citations", "myst_leftovers", "numbered_text",
    "pages_url", "pin_setup", "references_markdown", "render_widgets", "site_url",
]
