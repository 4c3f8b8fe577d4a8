"""La edición para Colab construida (``_build/colab``): un cuaderno por capítulo, legible sin MyST.

La escribe ``_ext/colab_edition.py`` al construir el libro; ``scripts/colab_stage.sh`` la ejecuta como en
Colab. Estas pruebas comprueban lo que verá el lector al abrirla: Markdown corriente (sin roles ni
directivas de MyST), los números calculados en el texto, las salidas de la construcción, la celda de
preparación a la vista y fijada a un commit, las imágenes incrustadas, los mismos números de secciones,
ejercicios y figuras que el sitio, y el botón de descarga del sitio, que ofrece esta edición.
"""
from __future__ import annotations

import base64
import json
import re
import sys

import pytest

from site_helpers import COLAB, ROOT, SITE, book_config, parse

sys.path.insert(0, str(ROOT / "_ext"))
from myst_to_colab import SETUP_MARKER, myst_leftovers  # noqa: E402


def load(chapter: str) -> dict:
    path = COLAB / f"{chapter}.ipynb"
    if not path.is_file():
        pytest.fail(f"Falta {path}: la construcción del libro (jupyter-book build .) escribe la edición para Colab.")
    return json.loads(path.read_text(encoding="utf-8"))


def markdown(nb: dict) -> list[str]:
    return [c["source"] if isinstance(c["source"], str) else "".join(c["source"])
            for c in nb["cells"] if c["cell_type"] == "markdown"]


def test_no_myst_syntax_left(chapter):
    leftovers = [f for text in markdown(load(chapter)) for f in myst_leftovers(text)]
    assert leftovers == [], f"{chapter}: sintaxis de MyST en la edición para Colab: {leftovers[:5]}"


def test_glued_numbers_written_in(chapter):
    """Donde la fuente cita ``{glue:text}`` hay ahora un valor (y nunca el marcador de un valor ausente)."""
    source = json.loads((ROOT / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    glued = sum(len(re.findall(r"\{glue(?::\w+)?\}`", t)) for t in markdown(source))
    text = "\n".join(markdown(load(chapter)))
    assert "{glue" not in text and "**[" not in text
    if glued:
        assert re.search(r"\d", text)


def test_outputs_kept_and_setup_cell_visible(chapter):
    nb = load(chapter)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    setup = "".join(code[0]["source"])
    assert setup.startswith(SETUP_MARKER) and "google.colab" in setup
    assert "cellView" not in code[0].get("metadata", {}), "La celda de preparación debe verse en Colab"
    assert any(c.get("outputs") for c in code), f"{chapter}: la edición para Colab perdió las salidas"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_exercises_and_references_readable(chapter):
    text = "\n".join(markdown(load(chapter)))
    if "### Ejercicio" in text and "Solución del ejercicio" in text:
        assert text.count("<details>") == text.count("</details>") >= text.count("Solución del ejercicio")
    cites = re.findall(r"\((?:[^()]+?, (?:\d{4}|s\. f\.))(?:; [^()]+?, \d{4})*\)", text)
    if cites:
        assert "## Referencias" in text or "Referencias" in text, f"{chapter}: cita sin lista de referencias"


IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\)")


def test_no_placeholders_left(chapter):
    """Ningún «Figura %s» sin número ni marcador de formato de Sphinx."""
    text = "\n".join(markdown(load(chapter)))
    assert "%s" not in text and "{number}" not in text, f"{chapter}: queda un «%s» sin número"


def test_images_embedded_and_resolve(chapter):
    """Cada imagen va dentro del cuaderno (PNG en ``data:``) o es una dirección: nada de rutas relativas.

    Colab no muestra SVG en el Markdown ni los adjuntos (``attachment:``); un PNG en ``data:`` sí, sin
    conexión y en cualquier copia del repositorio. Hay tantas imágenes como figuras tiene la fuente.
    """
    nb = load(chapter)
    images = [m for text in markdown(nb) for m in IMAGE.finditer(text)]
    for image in images:
        src = image.group("src")
        if src.startswith("data:"):
            head, _, data = src.partition(",")
            assert head == "data:image/png;base64", f"{chapter}: imagen {head} (Colab solo muestra PNG/JPEG)"
            assert base64.b64decode(data).startswith(b"\x89PNG\r\n\x1a\n"), f"{chapter}: PNG ilegible"
        else:
            assert src.startswith("https://"), f"{chapter}: imagen con una ruta que el cuaderno no tiene: {src}"
        assert image.group("alt").strip(), f"{chapter}: imagen sin texto alternativo"
    source = json.loads((ROOT / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    figures = sum(len(re.findall(r"^(?:```|:::)\{(?:figure|image)\}", t, re.M)) for t in markdown(source))
    assert sum(i.group("src").startswith("data:") for i in images) == figures


def test_links_inside_notebook_resolve(chapter):
    """Un enlace ``#ancla`` lleva a un ``<a id="ancla">`` del mismo cuaderno."""
    text = "\n".join(markdown(load(chapter)))
    anchors = set(re.findall(r'<a id="([^"]+)"', text))
    targets = set(re.findall(r"\]\(#([^)\s]+)\)", text))
    assert targets <= anchors, f"{chapter}: enlaces a anclas que no existen: {sorted(targets - anchors)}"


def test_first_cell_explains_the_notebook(chapter):
    nb = load(chapter)
    first = nb["cells"][0]
    text = "".join(first["source"])
    assert first["cell_type"] == "markdown" and "Edición para Colab" in text
    assert "celda de preparación" in text and "CPU" in text and "salidas" in text


def test_setup_cell_pinned_to_a_commit(chapter):
    """La edición instala el paquete del commit que calculó sus salidas; la fuente sigue en la rama."""
    nb = load(chapter)
    setup = next("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    match = re.search(r'default_url = "git\+https://[^"@]+@(?P<ref>[^"]+)"', setup)
    assert match and re.fullmatch(r"[0-9a-f]{40}", match.group("ref")), f"{chapter}: {setup[:300]}"
    assert match.group("ref")[:12] in "".join(nb["cells"][0]["source"])
    source = json.loads((ROOT / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    original = next("".join(c["source"]) for c in source["cells"] if c["cell_type"] == "code")
    branch = book_config()["repository"].get("branch", "main")
    assert setup.replace(f'@{match.group("ref")}"', f'@{branch}"') == original, (
        "La celda de preparación de la edición solo cambia la rama por el commit")


def site_numbers(chapter: str) -> dict:
    """Números que muestra la página del sitio: encabezados, ejercicios y figuras, en orden."""
    page = (SITE / f"{chapter}.html").read_text(encoding="utf-8")
    main = page[page.index('<main'):] if "<main" in page else page
    headings = re.findall(r'<h[1-6][^>]*>\s*<span class="section-number">(\d+(?:\.\d+)*)\.?\s*</span>', main)
    exercises = re.findall(r'<span class="caption-number">Ejercicio (\d+\.\d+)', main)
    figures = re.findall(r'<span class="caption-number">Figura (\d+\.\d+)', main)
    return {"headings": headings, "exercises": exercises, "figures": figures}


def test_numbers_match_the_site(site, chapter):
    """Las secciones, los ejercicios y las figuras llevan en Colab los números del sitio («5.1», «5.2»…)."""
    numbers = site_numbers(chapter)
    chapter_number = numbers["headings"][0] if numbers["headings"] else None
    assert chapter_number and "." not in chapter_number, f"{chapter}: el título del sitio no lleva número"
    text = "\n".join(markdown(load(chapter)))
    headings = re.findall(r"^#{1,6} (?:<a [^>]*></a>)?([\d.]+)\. ", text, re.M)
    assert [h.rstrip(".") for h in headings] == numbers["headings"]
    exercises = re.findall(r"^### (?:<a [^>]*></a>)?Ejercicio (\d+\.\d+)", text, re.M)
    assert exercises and all(e.split(".")[0] == chapter_number for e in exercises), (
        f"{chapter}: ejercicios sin el número del capítulo {chapter_number}: {exercises}")
    assert numbers["exercises"] == exercises
    figures = re.findall(r"^\*\*Figura (\d+\.\d+)\.\*\*", text, re.M)
    assert figures == numbers["figures"]


def test_download_button_offers_colab_edition(site, chapter):
    """El botón de descarga del capítulo da esta edición (con salidas y sin MyST), no la fuente."""
    page = SITE / f"{chapter}.html"
    links = [value for tag, attr, value in parse(page).links if attr == "href" and value.endswith(".ipynb")
             and "colab.research.google.com" not in value]
    assert links, f"{chapter}: sin enlace de descarga .ipynb"
    for link in links:
        assert "_sources" not in link, f"{chapter}: el botón de descarga ofrece la fuente en MyST ({link})"
        target = (page.parent / link).resolve()
        assert target.is_file(), f"{chapter}: el enlace de descarga {link} no existe"
        assert target.read_text(encoding="utf-8") == (COLAB / f"{chapter}.ipynb").read_text(encoding="utf-8")
