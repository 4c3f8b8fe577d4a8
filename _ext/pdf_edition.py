"""Edición en PDF del libro: el constructor LaTeX de Jupyter Book (XeLaTeX), en español.

``bash scripts/build_pdf.sh`` (que llaman ``scripts/install.sh`` y ``scripts/test.sh``) ejecuta
``jupyter-book build . --builder pdflatex`` con la misma caché de ejecución que el sitio (ningún capítulo se
vuelve a ejecutar) y copia el resultado en ``_build/html/redes-recurrentes.pdf``. Esta extensión:

* fija la composición del PDF (``latex_elements``): A4, polyglossia en español (guiones, «Capítulo»,
  «Figura», «Tabla», «Apéndice»; el índice se titula «Índice»), tipografías FreeSerif/FreeSans/FreeMono
  (Debian, ``fonts-freefont-otf``), y el código y las salidas partidos en varias líneas cuando no caben
  (``verbatimforcewraps``: también las líneas sin espacios), de modo que nada se sale de la página;
* convierte los diagramas SVG a PDF vectorial con ``rsvg-convert`` (``librsvg2-bin`` de Debian, a través
  de ``sphinxcontrib.rsvgconverter`` del paquete ``sphinxcontrib-svg2pdfconverter``) en lugar de con
  ImageMagick, que ``sphinx-jupyterbook-latex`` cargaría por omisión;
* empieza los apéndices (la parte «Apéndices» de ``_toc.yml``) con ``\\appendix``: se numeran A, B, C…;
* en la página interactiva, que en papel no puede ejecutarse, añade un aviso con la dirección del sitio;
* en el sitio, añade al menú de descargas de cada página el enlace «Descargar el libro en PDF».

Las demás extensiones del libro (sitio sin conexión, edición para Colab, página interactiva…) solo actúan
con el constructor HTML.
"""
from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

PDF_NAME = "redes-recurrentes.pdf"
INTERACTIVE_DOC = "book/interactivo"
APPENDIX_CAPTION = "Apéndices"

# Preámbulo propio (se añade al de sphinx-jupyterbook-latex).
PREAMBLE = r"""
% --- Edición en PDF (_ext/pdf_edition.py) ---
% El índice general se titula «Índice», como en el sitio.
\addto\captionsspanish{\renewcommand{\contentsname}{Índice}}
% Caracteres que FreeMono (código) no tiene, o no en cursiva (los comentarios): se toman de FreeSerif.
% Al empezar el documento, después de unicode-math (que daría a «ᵀ» su significado en fórmulas).
\usepackage{newunicodechar}
\newfontfamily\pdfrespaldo{FreeSerif}[Extension=.otf, UprightFont=*, BoldFont=*Bold, ItalicFont=*Italic]
\AtBeginDocument{%
  \newunicodechar{ᵀ}{\ifmmode^{\mathrm{T}}\else{\pdfrespaldo\upshape\symbol{"1D40}}\fi}%
  \newunicodechar{≫}{\ifmmode\gg\else{\pdfrespaldo\upshape\symbol{"226B}}\fi}%
  \newunicodechar{⊙}{\ifmmode\odot\else{\pdfrespaldo\upshape\symbol{"2299}}\fi}%
  \newunicodechar{⋯}{\ifmmode\cdots\else{\pdfrespaldo\upshape\symbol{"22EF}}\fi}%
  \newunicodechar{𝒱}{\ifmmode\mathcal{V}\else{\pdfrespaldo\upshape\symbol{"1D4B1}}\fi}%
}
% Figuras, tablas y ecuaciones numeradas por capítulo, como en el sitio («Figura 3.1»). Sphinx calcula
% la profundidad de esa numeración contando la parte como un nivel más (sphinx-jupyterbook-latex pone las
% partes de _toc.yml) y las numeraría 1, 2… en cada capítulo; se fija al empezar el documento, después
% de sphinx.sty.
\AtBeginDocument{%
  \renewcommand{\thefigure}{\ifnum\value{chapter}>0 \thechapter.\fi\arabic{figure}}%
  \renewcommand{\thetable}{\ifnum\value{chapter}>0 \thechapter.\fi\arabic{table}}%
  \renewcommand{\theliteralblock}{\ifnum\value{chapter}>0 \thechapter.\fi\arabic{literalblock}}%
  \renewcommand{\theequation}{\ifnum\value{chapter}>0 \thechapter.\fi\arabic{equation}}%
}
% Tablas (las de las salidas, con muchas columnas) en letra más pequeña, para que quepan en la página.
\AtBeginEnvironment{tabulary}{\small}
\AtBeginEnvironment{longtable}{\small}
\setlength{\emergencystretch}{3em}
"""

# sphinx-jupyterbook-latex carga una clase (jupyterBook.cls) que pide el paquete bbm, que en Debian solo
# está en texlive-fonts-extra (más de 1 GB). El libro no usa \mathbbm: basta con este sustituto.
BBM_STY = r"""\NeedsTeXFormat{LaTeX2e}
\ProvidesPackage{bbm}[2026/12/04 sustituto de bbm escrito por _ext/pdf_edition.py]
\RequirePackage{amssymb}
\providecommand{\mathbbm}[1]{\mathbb{#1}}
"""

# Márgenes; el código y las salidas se parten en varias líneas cuando no caben, también las líneas sin
# espacios (verbatimforcewraps), con una tolerancia de un carácter.
SPHINXSETUP = ("hmargin={2.2cm,2.2cm}, vmargin={2.4cm,2.6cm}, verbatimwrapslines=true, "
               "verbatimforcewraps=true, verbatimmaxoverfull=1, verbatimmaxunderfull=2")


def _configure(app, config) -> None:
    """Opciones de LaTeX (solo las usa el constructor LaTeX; no cambian el sitio)."""
    elements = dict(config.latex_elements or {})
    elements.setdefault("papersize", "a4paper")
    elements.setdefault("pointsize", "10pt")
    elements.setdefault("sphinxsetup", SPHINXSETUP)
    elements["preamble"] = elements.get("preamble", "") + PREAMBLE
    config.latex_elements = elements
    # makeindex en lugar de xindy (que Debian no instala con texlive-xetex).
    config.latex_use_xindy = False
    # sphinx-jupyterbook-latex cargaría sphinx.ext.imgconverter (ImageMagick): se usa rsvg-convert.
    config.jblatex_load_imgconverter = False
    # Las direcciones de los enlaces externos, al pie de la página (en papel no se puede pulsar).
    config.latex_show_urls = "footnote"
    app.env_secnum_depth = config.numfig_secnum_depth


def _latex_builder(app) -> None:
    if app.builder.format != "latex":
        return
    # sphinx-jupyterbook-latex sube numfig_secnum_depth a 2 («Ejercicio 8.12.5»); el sitio numera por
    # capítulo («Ejercicio 8.5»), y el PDF igual.
    app.config.numfig_secnum_depth = app.env_secnum_depth
    Path(app.outdir).mkdir(parents=True, exist_ok=True)
    (Path(app.outdir) / "bbm.sty").write_text(BBM_STY, encoding="utf-8")


class LatexAppendices(SphinxPostTransform):
    """``\\appendix`` tras el título de la parte «Apéndices»: sus capítulos se numeran A, B, C…"""

    default_priority = 800  # después de sphinx-jupyterbook-latex, que convierte las partes en secciones
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for section in self.document.findall(nodes.section):
            if section.get("docname") == APPENDIX_CAPTION and section.children \
                    and isinstance(section[0], nodes.title):
                section.insert(1, nodes.raw("", "\\appendix\n", format="latex"))
        # La introducción va antes de la primera parte: sin esto, el pie de sus páginas diría «Índice».
        self.document.insert(0, nodes.raw("", "\\markboth{}{}\n", format="latex"))


class LatexExerciseReferences(SphinxPostTransform):
    """Referencias a ejercicios de otro capítulo (``{numref}`` con ``refuri``) en LaTeX.

    sphinx-exercise solo convierte las referencias dentro del mismo capítulo; las demás quedarían como
    ``\\ref{capítulo:etiqueta}``, una etiqueta que no existe en el ``.tex`` («??» en el PDF). Se escriben
    como las suyas: un enlace a ``exercise:etiqueta`` con el número ya calculado («ejercicio 8.5»).
    """

    default_priority = 23  # justo después de las de sphinx-exercise (22)
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        registry = getattr(self.env, "sphinx_exercise_registry", {})
        try:
            from sphinx_exercise.nodes import exercise_latex_number_reference
        except ImportError:  # pragma: no cover - sphinx-exercise está en requirements.txt
            return
        for node in list(self.document.findall(addnodes.number_reference)):
            if isinstance(node, exercise_latex_number_reference):
                continue
            label = node.get("refid") or node.get("refuri", "").partition("#")[2]
            if registry.get(label, {}).get("type") != "exercise":
                continue
            new = exercise_latex_number_reference()
            new.attributes = dict(node.attributes, refid=label)
            new += nodes.Text(node.astext())
            node.replace_self(new)


class LatexInteractiveNote(SphinxPostTransform):
    """En la página interactiva, un aviso: en papel no se ejecuta; la dirección de la página en el sitio."""

    default_priority = 800
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for start in self.document.findall(addnodes.start_of_file):
            if start.get("docname") != INTERACTIVE_DOC:
                continue
            section = next(iter(start.findall(nodes.section)), None)
            if section is None or not section.children or not isinstance(section[0], nodes.title):
                continue
            url = f"{_site_url(self.app)}{INTERACTIVE_DOC}.html"
            note = nodes.admonition(classes=["note"])
            note += nodes.title(text="En el PDF")
            paragraph = nodes.paragraph(text=(
                "Esta página es interactiva: el modelo se ejecuta en el navegador, y en el PDF solo queda su "
                "explicación. Para usarla, ábrala en el sitio del curso: "))
            paragraph += nodes.reference(text=url, refuri=url)
            paragraph += nodes.Text(".")
            note += paragraph
            section.insert(1, note)


def _site_url(app) -> str:
    """La dirección del sitio publicado (la misma que usan los enlaces de la edición para Colab)."""
    from colab_edition import base_url

    return base_url(app)


def _pdf_button(app, pagename, templatename, context, doctree) -> None:
    """Añade «Descargar el libro en PDF» al menú de descargas de la página."""
    pathto = context.get("pathto")
    if pathto is None:
        return
    button = {
        "type": "link",
        "url": pathto(PDF_NAME, 1),
        "text": "Descargar el libro en PDF",
        "tooltip": "Descargar el libro en PDF",
        "icon": "fas fa-book",
        "label": "download-book-pdf-button",
    }
    for group in context.get("header_buttons", []) or []:
        if group.get("label") == "download-buttons":
            group.setdefault("buttons", []).insert(0, button)
            return


def setup(app):
    app.setup_extension("sphinxcontrib.rsvgconverter")
    app.connect("config-inited", _configure, priority=400)
    app.connect("builder-inited", _latex_builder, priority=600)  # después de sphinx-jupyterbook-latex
    app.add_post_transform(LatexAppendices)
    app.add_post_transform(LatexExerciseReferences)
    app.add_post_transform(LatexInteractiveNote)
    app.connect("html-page-context", _pdf_button, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
