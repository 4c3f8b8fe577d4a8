"""Edición para Colab: al terminar ``jupyter-book build .``, cada capítulo como cuaderno corriente.

Esta extensión es solo el enganche con Sphinx; la conversión de MyST a Markdown está en el paquete
``_ext/myst_to_colab`` (explicado en su ``__init__.py``, con sus pruebas en ``tests/test_colab_edition.py``).
Al terminar la construcción en HTML, esta extensión:

* toma de cada capítulo el cuaderno con las salidas de esta construcción (de la caché de ejecución o de
  ``_build/jupyter_execute``) y los valores de ``glue``;
* reúne lo que la conversión necesita saber del sitio: los números que Sphinx dio a secciones, ejercicios
  y figuras (``numbered`` en ``_toc.yml`` y ``numfig_secnum_depth``), los destinos de ``{ref}``,
  ``{numref}`` y ``{doc}`` (en el propio cuaderno o en la página publicada: ``html_baseurl`` o, si no se
  fijó, ``https://ORG.github.io/REPO/`` a partir de ``repository.url``) y las referencias de
  ``references.bib`` con el estilo del sitio (``spanish_bibtex``);
* escribe ``_build/colab/<docname>.ipynb`` (y una copia en ``_build/html/_colab/`` para el botón de
  descarga), un ``README.md`` y ``COMMIT``, el commit de la construcción, al que se fija la celda de
  preparación de cada cuaderno (``scripts/publish_colab.sh`` publica la carpeta en la rama ``colab``).

Además, el botón «Abrir en Colab» de cada capítulo apunta a esta edición publicada en la rama ``colab``
del repositorio (``colab_branch`` en la configuración de Sphinx), en lugar de al cuaderno fuente sin
ejecutar, y el botón de descarga ofrece este mismo cuaderno. Lo que la conversión no sabe traducir (o un
resto de sintaxis de MyST) es un aviso de la construcción, que con ``-W`` falla; también avisa de un
``{numref}`` a una sección sin número propio (Sphinx le daría, sin avisar, el número del capítulo).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Optional

from myst_to_colab import (NUMFIG_FORMAT, Context, Target, colab_launch_url, convert_notebook, image_loader,
                           intro_markdown, load_citations, myst_leftovers, site_url)

DOWNLOADS = "_colab"  # carpeta del sitio con la copia de la edición que ofrece el botón de descarga
COMMIT_FILE = "COMMIT"  # el commit de la construcción, para scripts/publish_colab.sh
README = """# Edición para Colab

Cuadernos generados por `jupyter-book build .` (`_ext/colab_edition.py`) a partir de los capítulos ya
ejecutados: Markdown corriente y salidas incluidas. No los edite aquí; la fuente está en {source}
y el libro publicado en {site}. Se actualizan con `bash scripts/publish_colab.sh`.

Construida desde el commit {commit}: la celda de preparación de cada cuaderno instala el paquete de ese commit.
"""


# --- Sphinx -----------------------------------------------------------------------------------------------
def repository_url(app) -> str:
    """La dirección del repositorio (``repository.url`` de ``_config.yml``)."""
    return (app.config.html_theme_options or {}).get("repository_url", "")


def base_url(app) -> str:
    """La dirección del sitio publicado: ``html_baseurl`` si se fijó; si no, la de GitHub Pages."""
    return site_url(getattr(app.config, "html_baseurl", "") or "", repository_url(app))


def _number(numbers) -> Optional[str]:
    return ".".join(map(str, numbers)) if numbers else None


def _resolver(app, base: str, current: str):
    """``(rol, destino) → Target`` con las etiquetas y los títulos que Sphinx reunió (``current``: el capítulo)."""
    env = app.env
    std = env.get_domain("std")
    labels = env.domaindata.get("std", {}).get("labels", {})
    anonlabels = env.domaindata.get("std", {}).get("anonlabels", {})

    doctree = lru_cache(maxsize=None)(env.get_doctree)

    def numbered(docname: str, anchor: str) -> tuple:
        """Tipo y número del destino, con las mismas funciones con que Sphinx resuelve ``{numref}``."""
        node = doctree(docname).ids.get(anchor)
        kind = std.get_enumerable_node_type(node) if node is not None else None
        if kind is None:
            return None, None
        try:
            return kind, _number(std.get_fignumber(env, app.builder, kind, docname, node))
        except ValueError:  # sin número asignado
            return kind, None

    def resolve(role: str, target: str) -> Optional[Target]:
        if role == "doc":
            from sphinx.util import docname_join

            target = target.removesuffix(".md").removesuffix(".ipynb")
            docname = target.lstrip("/") if target.startswith("/") else docname_join(current, target)
            if docname not in env.all_docs:
                return None
            title = env.titles[docname].astext() if docname in env.titles else docname
            return Target(title, f"{base}{docname}.html", docname)
        label = target.lower()
        if label in labels:
            docname, anchor, title = labels[label]
        elif label in anonlabels:
            docname, anchor = anonlabels[label]
            title = env.titles[docname].astext() if docname in env.titles else target
        else:
            return None
        kind, number = numbered(docname, anchor)
        return Target(title, f"{base}{docname}.html#{anchor}", docname, anchor, kind, number)

    return resolve


def chapter_numbers(app, docname: str) -> dict:
    """Los números que el sitio da a los ejercicios, figuras y encabezados de un capítulo.

    ``numbers``: id (la etiqueta) → número; ``order``: tipo → números en el orden del documento;
    ``sections``: número de cada sección en el orden del documento (``None`` si no lleva).
    """
    from docutils import nodes

    env = app.env
    figures = env.toc_fignumbers.get(docname, {})
    numbers = {key.lower(): _number(value) for ids in figures.values() for key, value in ids.items()}
    order = {kind: [_number(value) for value in sorted(ids.values())] for kind, ids in figures.items()}
    secnumbers = env.toc_secnumbers.get(docname, {})
    sections = []
    # Solo las secciones con título (sphinx-exercise envuelve el enunciado y la solución en secciones sin él).
    titled = [s for s in env.get_doctree(docname).findall(nodes.section) if s.children and isinstance(s[0], nodes.title)]
    for index, section in enumerate(titled):
        # Como el índice de Sphinx: la primera sección (el título) se guarda sin ancla.
        anchor = "" if index == 0 else "#" + section["ids"][0]
        sections.append(_number(secnumbers.get(anchor)))
    return {"numbers": numbers, "order": order, "sections": sections}


def build_commit(srcdir: Path) -> str:
    """El commit desde el que se construye (``git rev-parse HEAD``), o ``""`` fuera de un repositorio."""
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=srcdir, capture_output=True, text=True,
                                timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}", commit) else ""


def executed_notebook(app, docname: str, executed: Path) -> Optional[dict]:
    """El cuaderno con las salidas de esta construcción.

    Si el capítulo salió de la caché de ejecución, myst-nb escribe en ``jupyter_execute`` el cuaderno *sin*
    salidas (guarda el original, no el combinado con la caché); por eso se buscan primero en la caché,
    como hace myst-nb al mostrar la página, y solo si no están allí se usa ``jupyter_execute``.
    """
    import nbformat

    source = Path(str(app.env.doc2path(docname)))
    # Como myst-nb: nb_execution_cache_path o, si está vacío, _build/.jupyter_cache.
    cache_path = getattr(app.config, "nb_execution_cache_path", "") or str(Path(app.outdir).parent / ".jupyter_cache")
    if Path(cache_path).is_dir():
        try:
            from jupyter_cache import get_cache

            _, merged = get_cache(cache_path).merge_match_into_notebook(nbformat.read(str(source), as_version=4))
            return json.loads(nbformat.writes(merged))
        except KeyError:  # no está en la caché (se ejecutó sin caché o cambió)
            pass
    path = executed / f"{docname}.ipynb"
    if not path.is_file():
        return None
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    return nb if any(c.get("outputs") for c in code) or not code else None


def chapter_context(app, docname: str, executed: Path, citations: dict) -> Context:
    """Lo que la conversión de un capítulo necesita saber del libro construido."""
    glue_path = executed / f"{docname}.glue.json"
    glue = json.loads(glue_path.read_text(encoding="utf-8")) if glue_path.is_file() else {}
    return Context(glue=glue, citations=citations, resolve=_resolver(app, base_url(app), docname),
                   docname=docname, drop_solutions=bool(getattr(app.config, "hide_solutions", False)),
                   numfig_format={**NUMFIG_FORMAT, **(app.config.numfig_format or {})},
                   images=image_loader(Path(app.env.doc2path(docname)).parent), **chapter_numbers(app, docname))


def convert_chapter(app, notebook: dict, ctx: Context, commit: str) -> dict:
    """La edición para Colab de un capítulo; lo que no se pudo convertir queda en ``ctx.problems``."""
    from static_widgets import render_widget

    project = app.config.html_title or app.config.project
    number = (ctx.sections or [None])[0]
    intro = intro_markdown(project, f"{base_url(app)}{ctx.docname}.html", commit, number)
    nb = convert_notebook(notebook, ctx, intro=intro, commit=commit, draw_widget=render_widget)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for leftover in myst_leftovers(cell["source"]):
                ctx.problem(f"{ctx.docname}: queda sintaxis de MyST en la edición para Colab: {leftover!r}")
    return nb


def fresh_folder(folder: Path) -> Path:
    """La carpeta vacía (sin cuadernos de capítulos que ya no existen)."""
    if folder.is_dir():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def write_colab_edition(app, exception) -> None:
    """Escribe ``_build/colab`` (y su copia en ``_build/html/_colab``) al terminar la construcción en HTML."""
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.util import logging
    from spanish_bibtex import SpanishStyle

    logger = logging.getLogger(__name__)
    outdir = Path(app.outdir)
    executed = outdir.parent / "jupyter_execute"
    target, downloads = fresh_folder(outdir.parent / "colab"), fresh_folder(outdir / DOWNLOADS)
    bibfiles = [Path(app.srcdir) / f for f in getattr(app.config, "bibtex_bibfiles", [])]
    citations = load_citations(bibfiles, SpanishStyle()) if bibfiles else {}
    commit = build_commit(Path(app.srcdir))
    (target / "README.md").write_text(README.format(source=repository_url(app), site=base_url(app),
                                                    commit=commit or "(desconocido)"), encoding="utf-8")
    (target / COMMIT_FILE).write_text(commit + "\n", encoding="utf-8")
    written = 0
    for docname in sorted(app.env.found_docs):
        if not str(app.env.doc2path(docname)).endswith(".ipynb"):
            continue
        notebook = executed_notebook(app, docname, executed)
        if notebook is None:
            logger.warning(f"Edición para Colab: no hay salidas de {docname} (ni en la caché de ejecución ni en "
                           f"{executed})", type="colab", subtype="missing")
            continue
        ctx = chapter_context(app, docname, executed, citations)
        text = json.dumps(convert_chapter(app, notebook, ctx, commit), ensure_ascii=False, indent=1) + "\n"
        for problem in dict.fromkeys(ctx.problems):
            logger.warning(f"Edición para Colab: {problem}", type="colab", subtype="convert")
        for folder in (target, downloads):  # la edición y la copia que descarga el botón del sitio
            path = folder / f"{docname}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        written += 1
    logger.info(f"Edición para Colab: {written} cuadernos en {target}")


def _download_button(app, pagename, context) -> None:
    """En un capítulo en cuaderno, el botón de descarga ofrece la edición para Colab, no la fuente en MyST."""
    if context.get("page_source_suffix") != ".ipynb":
        return
    url = context["pathto"](f"{DOWNLOADS}/{pagename}.ipynb", 1)
    for group in context.get("header_buttons", []) or []:
        if group.get("label") != "download-buttons":
            continue
        buttons = [b for b in group.get("buttons", []) if b.get("label") != "download-notebook-button"]
        for button in buttons:
            if button.get("label") == "download-source-button":
                button.update(url=url, text=".ipynb", tooltip="Descargar el cuaderno con sus resultados "
                              "(edición para Colab o Jupyter)")
        group["buttons"] = buttons


def _colab_button(app, pagename, templatename, context, doctree) -> None:
    """El botón «Colab» del tema abre la edición para Colab (rama ``colab_branch``), no la fuente."""
    _download_button(app, pagename, context)
    url = repository_url(app)
    if not url:
        return
    for group in context.get("header_buttons", []) or []:
        for button in group.get("buttons", []) or []:
            if "colab.research.google.com" in str(button.get("url", "")) or button.get("text") == "Colab":
                colab = ((app.config.html_theme_options or {}).get("launch_buttons") or {}).get(
                    "colab_url", "https://colab.research.google.com")
                button["url"] = colab_launch_url(url, app.config.colab_branch, pagename, colab)


def check_numrefs(app, env) -> None:
    """Avisa de un ``{numref}`` a una sección sin número propio.

    Sphinx le daría, sin avisar, el número del capítulo (la primera sección del documento): con
    ``numbered: 2`` en ``_toc.yml``, «{numref}`sección %s <x>`» a un encabezado ``###`` diría «sección 5».
    """
    from docutils import nodes
    from sphinx import addnodes
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    std = env.get_domain("std")
    doctree = lru_cache(maxsize=None)(env.get_doctree)
    for docname in sorted(env.found_docs):
        for ref in doctree(docname).findall(addnodes.pending_xref):
            if ref.get("reftype") != "numref":
                continue
            found = std.labels.get(ref.get("reftarget", "").lower())
            if found is None:
                continue  # el propio Sphinx avisa de un destino que no existe
            target_doc, anchor, _ = found
            node = doctree(target_doc).ids.get(anchor)
            if not isinstance(node, nodes.section) or isinstance(node.parent, nodes.document):
                continue  # no es una sección, o es el título del capítulo (numerado si lo es el capítulo)
            if not env.toc_secnumbers.get(target_doc, {}).get("#" + node["ids"][0]):
                logger.warning(f"{{numref}} a la sección «{ref.get('reftarget')}», que no tiene número propio "
                               "(solo se numeran los capítulos y sus secciones ##): use {ref}",
                               location=(docname, ref.line), type="colab", subtype="numref")


def setup(app):
    app.add_config_value("colab_branch", "colab", "html")
    app.connect("html-page-context", _colab_button, priority=600)
    app.connect("env-check-consistency", check_numrefs)
    app.connect("build-finished", write_colab_edition)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
