"""Pruebas del conversor de la edición para Colab (el paquete ``_ext/myst_to_colab``) y de la celda de preparación.

No construyen el libro: convierten fragmentos de MyST y cuadernos pequeños (entrada en MyST → Markdown
esperado). La edición construida se
comprueba en ``tests/site/test_colab_edition_build.py`` y se ejecuta como en Colab en
``scripts/colab_stage.sh``.
"""
from __future__ import annotations

import importlib.util
import os
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
import myst_to_colab as ce  # noqa: E402


CITATIONS = {
    "elman1990finding": ("Elman", "1990", "Jeffrey L. Elman. Finding structure in time. 1990."),
    "hochreiter1997lstm": ("Hochreiter y Schmidhuber", "1997", "Sepp Hochreiter y Jürgen Schmidhuber. LSTM. 1997."),
}
GLUE = {
    "n_train": {"data": {"text/plain": "'1\\u202f831\\u202f454'"}},
    "ppl": {"data": {"text/plain": "3.363585661014858"}},
    "table": {"data": {"text/markdown": "| a | b |\n|---|---|\n| 1 | 2 |", "text/plain": "<Markdown>"}},
}


SITE = "https://org.github.io/repo/book/"
TARGETS = {
    "sec-bptt": ce.Target("La retropropagación", SITE + "04_bptt.html#sec-bptt", "book/04_bptt", "sec-bptt",
                          "section", "4.3"),
    "cap-rnn": ce.Target("Redes neuronales recurrentes", SITE + "03_rnn.html#cap-rnn", "book/03_rnn", "cap-rnn",
                         "section", "3"),
    "ej-otro": ce.Target("Ejercicio", SITE + "08_x.html#ej-otro", "book/08_x", "ej-otro", "exercise", "8.5"),
    "ej-1": ce.Target("Ejercicio", SITE + "prueba.html#ej-1", "book/prueba", "ej-1", "exercise", "5.1"),
    "fig-celda": ce.Target("Una celda.", SITE + "prueba.html#fig-celda", "book/prueba", "fig-celda", "figure", "5.1"),
}


def resolve(role, target):
    if role == "doc":
        return ce.Target("Referencia del paquete", SITE + "api.html", "book/api") if target == "api" else None
    return TARGETS.get(target)


def make_ctx(**kwargs) -> ce.Context:
    kwargs.setdefault("numbers", {"ej-1": "5.1", "fig-celda": "5.1"})
    kwargs.setdefault("order", {"exercise": ["5.1", "5.2"], "figure": ["5.1"]})
    kwargs.setdefault("citations", CITATIONS)
    kwargs.setdefault("resolve", resolve)
    return ce.Context(glue=GLUE, docname="book/prueba", **kwargs)


def anchor(label: str) -> str:
    return f'<a id="{label}" name="{label}"></a>'


def test_glue_text_and_format_spec():
    ctx = make_ctx()
    out = ce.convert_markdown("Con {glue:text}`n_train` caracteres y {glue:text}`ppl:.3f` de perplejidad.", ctx)
    assert out == "Con 1\u202f831\u202f454 caracteres y 3.364 de perplejidad."
    assert ctx.problems == []


def test_glue_md_and_plain_glue():
    ctx = make_ctx()
    assert "| 1 | 2 |" in ce.convert_markdown("{glue:md}`table`", ctx)
    assert ce.convert_markdown("{glue}`ppl:.1f`", ctx) == "3.4"


def test_missing_glue_is_reported():
    ctx = make_ctx()
    ce.convert_markdown("{glue:text}`nada`", ctx)
    assert ctx.problems and "nada" in ctx.problems[0]


def test_inline_code_and_code_blocks_are_untouched():
    ctx = make_ctx()
    source = "Se escribe ``{glue:text}`n` `` así.\n\n```markdown\n:::{exercise}\n{footcite:p}`x`\n:::\n```"
    assert ce.convert_markdown(source, ctx) == source
    assert ctx.problems == []


def test_exercise_and_solution():
    ctx = make_ctx()
    source = (":::{exercise}\n:label: ej-1\n\n¿Cuántos son $2 + 2$?\n:::\n\n"
              ":::{solution} ej-1\n:class: dropdown\n\nSon {glue:text}`ppl:.0f`.\n:::")
    out = ce.convert_markdown(source, ctx)
    assert out.startswith(f"### {anchor('ej-1')}Ejercicio 5.1\n\n¿Cuántos son $2 + 2$?")
    assert "#### Solución del ejercicio 5.1" in out
    details = out[out.index("<details>"):]
    assert details.startswith("<details>\n<summary>Mostrar la solución</summary>\n\nSon 3.\n\n</details>")
    assert ce.myst_leftovers(out) == []


def test_nested_fences_with_more_colons():
    ctx = make_ctx()
    source = "::::{admonition} Fuera\n:::{note}\nDentro.\n:::\n::::"
    out = ce.convert_markdown(source, ctx)
    assert out == "> **Fuera**\n>\n> > **Nota**\n> >\n> > Dentro."


def test_admonitions_become_block_quotes():
    ctx = make_ctx()
    out = ce.convert_markdown(":::{admonition} Objetivos\n:class: tip\n\n- uno\n- dos\n:::", ctx)
    assert out == "> **Objetivos**\n>\n> - uno\n> - dos"
    assert ce.convert_markdown("```{important}\nOjo.\n```", ctx) == "> **Importante**\n>\n> Ojo."


def test_citations_and_reference_list():
    ctx = make_ctx()
    out = ce.convert_markdown(
        "{footcite:t}`hochreiter1997lstm` siguen a {footcite:p}`elman1990finding,hochreiter1997lstm`.", ctx)
    assert out == "Hochreiter y Schmidhuber (1997) siguen a (Elman, 1990; Hochreiter y Schmidhuber, 1997)."
    assert ctx.cited == ["hochreiter1997lstm", "elman1990finding"]
    refs = ce.references_markdown(ctx)
    assert refs.splitlines() == ["- Jeffrey L. Elman. Finding structure in time. 1990.",
                                 "- Sepp Hochreiter y Jürgen Schmidhuber. LSTM. 1997."]


def test_cross_references_link_to_published_pages():
    ctx = make_ctx()
    out = ce.convert_markdown("Vea {ref}`sec-bptt`, {ref}`esta sección <sec-bptt>` y {doc}`api`.", ctx)
    assert out == ("Vea [La retropropagación](https://org.github.io/repo/book/04_bptt.html#sec-bptt), "
                   "[esta sección](https://org.github.io/repo/book/04_bptt.html#sec-bptt) y "
                   "[Referencia del paquete](https://org.github.io/repo/book/api.html).")


def test_numref_fills_in_the_number_of_the_site():
    ctx = make_ctx()
    out = ce.convert_markdown("La {numref}`Figura %s <fig-celda>`, la {numref}`sección %s <sec-bptt>`, el "
                              "{numref}`capítulo %s <cap-rnn>` y {numref}`ej-otro`.", ctx)
    assert out == ("La [Figura 5.1](#fig-celda), la [sección 4.3](" + SITE + "04_bptt.html#sec-bptt), el "
                   "[capítulo 3](" + SITE + "03_rnn.html#cap-rnn) y [Ejercicio 8.5](" + SITE + "08_x.html#ej-otro).")
    assert "%s" not in out and ctx.problems == []


def test_exercise_reference_keeps_its_number_and_links_inside_the_notebook():
    ctx = make_ctx()
    out = ce.convert_markdown("Vea el {ref}`ej-1`, el {ref}`ejercicio de otro capítulo <ej-otro>` y el {ref}`ej-otro`.",
                              ctx)
    assert out == ("Vea el [Ejercicio 5.1](#ej-1), el [ejercicio de otro capítulo](" + SITE + "08_x.html#ej-otro) "
                   "y el [Ejercicio 8.5](" + SITE + "08_x.html#ej-otro).")


def test_figure_embedded_with_number_and_anchor():
    images = {"figuras/celda.svg": "data:image/png;base64,iVBO"}
    ctx = make_ctx(images=images.get)
    out = ce.convert_markdown("```{figure} figuras/celda.svg\n:name: fig-celda\n:alt: Diagrama de la celda.\n\n"
                              "Una celda con $\\tanh$.\n```", ctx)
    assert out == (f"{anchor('fig-celda')}\n\n![Diagrama de la celda.](data:image/png;base64,iVBO)\n\n"
                   "**Figura 5.1.** Una celda con $\\tanh$.")
    missing = make_ctx()
    ce.convert_markdown("```{figure} figuras/otra.svg\nPie.\n```", missing)
    assert missing.problems and "otra.svg" in missing.problems[0]


def test_image_loader_uses_png_next_to_svg(tmp_path):
    (tmp_path / "figuras").mkdir()
    (tmp_path / "figuras" / "celda.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    load = ce.image_loader(tmp_path)
    assert load("figuras/celda.svg") == "data:image/png;base64,iVBORw0KGgo="
    assert load("figuras/nada.svg") is None


def test_headings_numbered_like_the_site():
    ctx = make_ctx(sections=["5", "5.1", None, "5.2"])
    out = ce.convert_markdown("(cap-x)=\n# Título\n\nTexto.\n\n## Uno\n### Sub\n\n```python\n# comentario\n```\n"
                              ":::{exercise}\n# no es sección\n:::\n\n## Dos", ctx)
    assert out.startswith(f"# {anchor('cap-x')}5. Título\n\nTexto.\n\n## 5.1. Uno\n### Sub\n\n```python\n# comentario")
    assert out.endswith("## 5.2. Dos") and ctx.problems == []


def test_setup_cell_pinned_to_the_build_commit():
    source = ('# Preparación del entorno (solo actúa en Colab)\nif x:\n'
              '    default_url = "git+https://github.com/org/repo@main"\n')
    commit = "0123456789abcdef0123456789abcdef01234567"
    assert ce.pin_setup(source, commit) == source.replace("@main", "@" + commit)
    nb = {"metadata": {}, "cells": [{"cell_type": "code", "metadata": {"tags": ["remove-cell"]}, "outputs": [],
                                     "source": source}]}
    out = ce.convert_notebook(nb, make_ctx(), intro=ce.intro_markdown("El curso", SITE + "x.html", commit),
                              commit=commit)
    intro, setup = out["cells"]  # la presentación y, justo después, la celda de preparación
    assert intro["cell_type"] == "markdown" and setup["cell_type"] == "code"
    assert "](" + SITE + "x.html)" in intro["source"] and f"`{commit[:12]}`" in intro["source"]
    assert ce.myst_leftovers(intro["source"]) == [] and "{" not in intro["source"]  # plantilla rellena
    assert ce.intro_markdown("C", "u", commit, "5").startswith("> **Edición para Colab** del capítulo 5 del curso [C](u)")
    assert commit[:12] not in ce.intro_markdown("C", "u")  # sin commit, no se cita ninguno
    assert "@" + commit in setup["source"] and "@main" not in setup["source"]
    assert nb["cells"][0]["source"] == source  # la fuente no cambia


def test_labels_and_comments_removed():
    ctx = make_ctx()
    assert ce.convert_markdown("(sec-uno)=\n## Uno\n% nota interna\nTexto.", ctx) == f"## {anchor('sec-uno')}Uno\nTexto."
    assert ce.convert_markdown("(sec-dos)=\nTexto.", ctx) == f"{anchor('sec-dos')}Texto."


def test_unknown_syntax_is_reported_and_detected():
    ctx = make_ctx()
    out = ce.convert_markdown("Un {raro}`x`.", ctx)
    assert ctx.problems and ce.myst_leftovers(out) == ["{raro}`x`"]
    assert ce.myst_leftovers(":::{exercise}\nx\n:::")
    assert ce.myst_leftovers("```{note}\nx\n```")
    assert ce.myst_leftovers("(etiqueta)=\n# T")
    assert ce.myst_leftovers("Texto normal con $x_{t}$ y `{glue:text}` en código.") == []


def test_convert_notebook():
    nb = {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3"}},
        "cells": [
            {"cell_type": "code", "metadata": {"tags": ["remove-cell"]}, "outputs": [],
             "source": "# Preparación del entorno (en Colab…)\nimport os"},
            {"cell_type": "markdown", "metadata": {}, "source": "Cita {footcite:p}`elman1990finding`."},
            {"cell_type": "code", "metadata": {"tags": ["hide-input"]}, "source": "glue('x', 1)", "outputs": [
                {"output_type": "display_data", "metadata": {"scrapbook": {"name": "x", "mime_prefix": ce.GLUE_PREFIX}},
                 "data": {ce.GLUE_PREFIX + "text/plain": "1"}},
                {"output_type": "display_data", "metadata": {},
                 "data": {ce.WIDGET_VIEW: {"model_id": "abc"}, "text/plain": "0%|"}},
                {"output_type": "stream", "name": "stdout", "text": "hola\n"}]},
            {"cell_type": "markdown", "metadata": {}, "source": "## Referencias\n\n```{footbibliography}\n```"},
        ],
    }
    ctx = make_ctx()
    out = ce.convert_notebook(nb, ctx)
    setup, cite, code, refs = out["cells"]
    assert "tags" not in setup["metadata"] and "cellView" not in setup["metadata"]
    assert cite["source"] == "Cita (Elman, 1990)."
    assert code["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "hola\n"}]
    assert code["metadata"]["cellView"] == "form" and code["metadata"]["jupyter"]["source_hidden"]
    assert refs["source"] == "## Referencias\n\n- Jeffrey L. Elman. Finding structure in time. 1990."
    assert out["metadata"]["kernelspec"]["name"] == "python3"
    assert nb["cells"][1]["source"].startswith("Cita {footcite")  # el original no cambia


def test_references_appended_without_footbibliography():
    nb = {"metadata": {}, "cells": [{"cell_type": "markdown", "metadata": {}, "source": "{cite}`elman1990finding`"}]}
    out = ce.convert_notebook(nb, make_ctx())
    assert out["cells"][-1]["source"].startswith("## Referencias\n\n- Jeffrey L. Elman")


def test_bibliography_from_references_bib():
    citations = ce.load_citations([ROOT / "references.bib"])
    authors, year, full = citations["hochreiter1997lstm"]
    assert (authors, year) == ("Hochreiter y Schmidhuber", "1997")
    assert "Long short-term memory" in full and "\\" not in full and "\n" not in full
    assert citations["cho2014gru"][0] == "Cho et al."


def test_urls_from_repository():
    url = "https://github.com/curso-rnn/redes-recurrentes"
    assert ce.pages_url(url) == "https://curso-rnn.github.io/redes-recurrentes/"
    assert ce.colab_launch_url(url, "colab", "book/03_rnn") == (
        "https://colab.research.google.com/github/curso-rnn/redes-recurrentes/blob/colab/book/03_rnn.ipynb")
    with pytest.raises(ValueError, match="GitHub"):
        ce.pages_url("https://gitlab.com/a/b")


def run_setup_cell(modules: dict, environ: dict) -> list[str]:
    """Ejecuta la celda de preparación de ``scripts/sync_setup_cells.py`` con IPython simulado.

    Devuelve las órdenes ``%pip`` que habría ejecutado (``modules`` y ``environ``: los de la sesión).
    """
    from IPython.core.inputtransformer2 import TransformerManager

    spec = importlib.util.spec_from_file_location("sync_setup_cells", ROOT / "scripts" / "sync_setup_cells.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    code = TransformerManager().transform_cell(module.setup_source())
    magics: list[str] = []

    class FakeShell:
        def run_line_magic(self, name, line):  # IPython sustituye {variable} con las de la celda
            magics.append(f"%{name} {line.format(**sys._getframe(1).f_globals)}")

    fake_os = types.SimpleNamespace(environ=dict(environ), path=os.path)
    fake_sys = types.SimpleNamespace(modules=modules)
    real_import = __builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__
    fakes = {"os": fake_os, "sys": fake_sys}

    def fake_import(name, *args, **kwargs):
        return fakes[name] if name in fakes else real_import(name, *args, **kwargs)

    builtins = dict(vars(__import__("builtins")), __import__=fake_import)
    exec(code, {"__builtins__": builtins, "get_ipython": FakeShell})
    return magics


def test_setup_cell_installs_the_course_only_in_colab_or_jupyterhub():
    """En Colab instala el paquete de la rama de ``_config.yml`` (o de ``COMPANION_GIT_URL``); en local, nada."""
    import yaml

    repo = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
    default = f'git+{repo["url"].rstrip("/")}@{repo.get("branch", "main")}'
    assert run_setup_cell({"google.colab": object()}, {}) == [f'%pip install -q "companion @ {default}"']
    assert run_setup_cell({}, {"JUPYTERHUB_USER": "ana"}) == [f'%pip install -q "companion @ {default}"']
    fork = "git+https://github.com/otra/copia@rama"
    assert run_setup_cell({"google.colab": object()}, {"COMPANION_GIT_URL": fork}) == [
        f'%pip install -q "companion @ {fork}"']
    assert run_setup_cell({}, {}) == []  # en local el paquete ya está instalado


def test_publish_script_pushes_edition_to_branch(tmp_path):
    """``scripts/publish_colab.sh`` publica ``_build/colab`` en la rama ``colab_branch`` de un remoto."""
    import shutil
    import subprocess

    def git(*args, cwd):
        return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()

    remote, repo = tmp_path / "remoto.git", tmp_path / "repo"
    git("init", "-q", "--bare", str(remote), cwd=tmp_path)
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "publish_colab.sh", repo / "scripts")
    (repo / "_config.yml").write_text("sphinx:\n  config:\n    colab_branch: edicion  # comentario\n", encoding="utf-8")
    env = {"GIT_AUTHOR_NAME": "Prueba", "GIT_AUTHOR_EMAIL": "p@localhost", "GIT_COMMITTER_NAME": "Prueba",
           "GIT_COMMITTER_EMAIL": "p@localhost", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    subprocess.run("git init -q && git add . && git commit -qm inicio && git remote add origin ../remoto.git",
                   shell=True, cwd=repo, check=True, env=env)
    (repo / "_build" / "colab" / "book").mkdir(parents=True)
    (repo / "_build" / "colab" / "book" / "01_x.ipynb").write_text("{}\n", encoding="utf-8")
    run = lambda: subprocess.run(["bash", "scripts/publish_colab.sh"], cwd=repo, env=env,
                                 capture_output=True, text=True)
    first = run()
    assert first.returncode == 0, first.stderr
    assert git("ls-tree", "-r", "--name-only", "edicion", cwd=remote) == "book/01_x.ipynb"
    assert "al día" in run().stdout  # sin cambios, no publica otro commit
    assert git("rev-list", "--count", "edicion", cwd=remote) == "1"
    assert git("status", "--porcelain", cwd=repo) == "?? _build/"  # no toca el índice ni el árbol

    # Una edición fijada a un commit que el remoto no tiene no se publica (Colab no podría instalarlo).
    head = git("rev-parse", "HEAD", cwd=repo)
    (repo / "_build" / "colab" / "COMMIT").write_text(head + "\n", encoding="utf-8")
    (repo / "_build" / "colab" / "book" / "01_x.ipynb").write_text('{"a": 1}\n', encoding="utf-8")
    refused = run()
    assert refused.returncode == 1 and head in refused.stderr and "git push" in refused.stderr
    subprocess.run(["git", "push", "-q", "origin", "HEAD:refs/heads/main"], cwd=repo, check=True, env=env)
    published = run()
    assert published.returncode == 0, published.stderr
    assert git("log", "-1", "--format=%s", "edicion", cwd=remote).endswith(head[:12])


def test_glue_from_named_document():
    ctx = make_ctx()
    assert ce.convert_markdown("{glue:text}`otro.ipynb::ppl:.2f` y {glue:md}`table:myst`", ctx).startswith("3.36 y | a |")


def test_student_edition_drops_solutions():
    ctx = make_ctx(drop_solutions=True)
    out = ce.convert_markdown(":::{exercise}\n:label: e\n\nEnunciado.\n:::\n\n:::{solution} e\nSecreto.\n:::", ctx)
    assert out == "### <a id=\"e\" name=\"e\"></a>Ejercicio 5.1\n\nEnunciado." and ctx.problems == []


def test_progress_bars_drawn_as_static_html_or_dropped():
    """Una barra de progreso (widget) se dibuja con ``static_widgets.render_widget``; sin dibujante, se quita."""
    from static_widgets import render_widget

    models = {"caja": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_barra"]}},
              "barra": {"model_name": "FloatProgressModel", "state": {"value": 3, "max": 3}}}
    bar = {"output_type": "display_data", "data": {ce.WIDGET_VIEW: {"model_id": "caja"}, "text/plain": "0%|"}}
    nb = {"metadata": {"widgets": {ce.WIDGET_STATE: {"state": models}}},
          "cells": [{"cell_type": "code", "metadata": {}, "source": "entrenar()", "outputs": [bar]}]}
    drawn = ce.convert_notebook(nb, make_ctx(), draw_widget=render_widget)
    (output,) = drawn["cells"][0]["outputs"]
    assert output["output_type"] == "display_data" and list(output["data"]) == ["text/html"]
    assert '<progress value="3" max="3"' in output["data"]["text/html"]
    assert "widgets" not in drawn["metadata"]
    assert ce.convert_notebook(nb, make_ctx())["cells"][0]["outputs"] == []
    unknown = dict(nb, metadata={"widgets": {ce.WIDGET_STATE: {"state": {}}}})
    assert ce.convert_notebook(unknown, make_ctx(), draw_widget=render_widget)["cells"][0]["outputs"] == []


def test_citations_formatted_like_the_site():
    """Con ``references.bib`` y el estilo del sitio (``spanish_bibtex``): cita corta y referencia en español."""
    from spanish_bibtex import SpanishStyle

    ctx = make_ctx(citations=ce.load_citations([ROOT / "references.bib"], SpanishStyle()))
    out = ce.convert_markdown("{footcite:t}`cho2014gru` y {cite:p}`elman1990finding,hochreiter1997lstm`.", ctx)
    assert out == "Cho et al. (2014) y (Elman, 1990; Hochreiter y Schmidhuber, 1997)."
    cho, elman, hochreiter = ce.references_markdown(ctx).splitlines()
    assert cho.startswith("- Kyunghyun Cho, Bart van Merriënboer, ") and ", Holger Schwenk y Yoshua Bengio. " in cho
    assert ". En *Proceedings of the 2014 Conference on Empirical Methods" in cho  # «En», no «In»
    assert hochreiter == ("- Sepp Hochreiter y Jürgen Schmidhuber. Long short-term memory. *Neural Computation*, "
                          "9(8):1735–1780, 1997. [doi:10.1162/neco.1997.9.8.1735]"
                          "(https://doi.org/10.1162/neco.1997.9.8.1735).")
    assert elman.startswith("- Jeffrey L. Elman. Finding structure in time.") and ctx.problems == []


def test_extensions_import_no_private_names_of_each_other():
    """Ninguna extensión de ``_ext/`` usa una función privada (``_nombre``) de otra."""
    import ast

    local = {p.stem for p in (ROOT / "_ext").glob("*.py")} | {"myst_to_colab"}
    for path in sorted((ROOT / "_ext").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] in local:
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.relative_to(ROOT)} importa {private} de {node.module}"


def test_simple_roles_become_plain_markdown():
    """Roles sin equivalente en Markdown: código en línea, subíndices, o su texto sin la explicación."""
    ctx = make_ctx()
    out = ce.convert_markdown("Pulse {kbd}`Ctrl+Enter`, abra {file}`book/x.md`, vea H{sub}`t`, "
                              "{term}`BPTT (retropropagación en el tiempo)` y {math}`h_t`.", ctx)
    assert out == "Pulse `Ctrl+Enter`, abra `book/x.md`, vea H<sub>t</sub>, BPTT y $h_t$."
    assert ctx.problems == []


def test_link_to_a_label_of_the_same_notebook_reaches_its_anchor():
    """Un ``{ref}`` a una etiqueta del propio capítulo lleva a un ancla que la conversión escribe."""
    here = ce.Target("Uno", SITE + "prueba.html#sec-uno", "book/prueba", "sec-uno", "section", "5.1")
    ctx = make_ctx(resolve=lambda role, target: here if target == "sec-uno" else None)
    nb = {"metadata": {}, "cells": [{"cell_type": "markdown", "metadata": {}, "source": "(sec-uno)=\n## Uno"},
                                    {"cell_type": "markdown", "metadata": {}, "source": "Vea {ref}`sec-uno`."}]}
    heading, link = (c["source"] for c in ce.convert_notebook(nb, ctx)["cells"])
    assert link == "Vea [Uno](#sec-uno)."
    assert '<a id="sec-uno"' in heading and ctx.problems == []


def test_site_url_from_baseurl_or_github_pages():
    repo = "https://github.com/Curso-RNN/redes-recurrentes.git"
    assert ce.site_url("", repo) == "https://curso-rnn.github.io/redes-recurrentes/"
    assert ce.site_url("https://curso.example.org/rnn", repo) == "https://curso.example.org/rnn/"
    assert ce.site_url("", "") == ""
