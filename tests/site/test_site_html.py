"""Comprobaciones del HTML construido, sin navegador.

* Ninguna página carga scripts u hojas de estilo de internet (el sitio funciona sin conexión).
* MathJax se sirve desde el propio sitio, una sola vez y solo en las páginas con matemáticas.
* Cada ``href`` y ``src`` interno existe, y también el ancla (``#...``) a la que apunta.
* Los enlaces externos se listan en ``_build/external_links.txt`` (no se visitan: la CI no tiene red).
* Ningún texto de la interfaz queda en inglés (lista en ``english_ui.txt``).
* El botón de Colab de cada capítulo apunta a su cuaderno en la edición para Colab (rama ``colab``).
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urlsplit

from site_helpers import BUILD, SITE, colab_url, english_ui_strings, page_id, parse, site_pages

EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)
MATHJAX = "_static/mathjax/tex-chtml.js"


def test_site_exists(site):
    assert (site / "index.html").is_file()
    assert len(site_pages()) >= 5, "El sitio tiene muy pocas páginas: ¿falló la construcción?"


def test_no_remote_scripts_or_stylesheets(page_path):
    page = parse(page_path)
    remote = [u for u in page.scripts + page.stylesheets if EXTERNAL.match(u) and not u.startswith("file:")]
    assert not remote, f"{page_id(page_path)} carga recursos de internet: {remote}"
    images = [v for tag, attr, v in page.links if tag == "img" and EXTERNAL.match(v) and not v.startswith("data:")]
    assert not images, f"{page_id(page_path)} enlaza imágenes de otro sitio: {images}"


def test_mathjax_local_once_and_only_where_needed(page_path):
    text = page_path.read_text(encoding="utf-8")
    loads = [s for s in parse(page_path).scripts if "mathjax" in s.lower()]
    has_math = bool(re.search(r'class="[^"]*\bmath\b', text))
    if has_math:
        assert len(loads) == 1, f"{page_id(page_path)} tiene matemáticas y carga MathJax {len(loads)} veces"
        target = (page_path.parent / loads[0].split("?")[0]).resolve()
        assert target == (SITE / MATHJAX).resolve() and target.is_file(), loads
    else:
        assert not loads, f"{page_id(page_path)} no tiene matemáticas pero carga MathJax"


def test_mathjax_files_present(site):
    base = site / "_static" / "mathjax"
    for rel in ("tex-chtml.js", "LICENSE", "input/tex/extensions/ams.js", "output/chtml/fonts/woff-v2"):
        assert (base / rel).exists(), f"Falta {rel} en la copia local de MathJax"


def _ids(path: Path) -> set[str]:
    return parse(path).ids


def test_internal_links_resolve(page_path):
    missing = []
    for tag, attr, value in parse(page_path).links:
        if EXTERNAL.match(value):
            continue
        parts = urlsplit(value)
        target = (page_path.parent / unquote(parts.path)).resolve() if parts.path else page_path
        if parts.path and target.is_dir():
            target = target / "index.html"
        if not target.exists():
            missing.append(f"{tag}[{attr}]={value} (no existe {target})")
            continue
        fragment = unquote(parts.fragment)
        if fragment and target.suffix == ".html" and fragment not in _ids(target):
            missing.append(f"{tag}[{attr}]={value} (no hay id «{fragment}»)")
    assert not missing, f"Enlaces internos rotos en {page_id(page_path)}:\n" + "\n".join(missing)


def test_external_links_report(site):
    found: dict[str, set[str]] = defaultdict(set)
    for path in site_pages():
        for tag, attr, value in parse(path).links:
            if value.startswith(("http://", "https://")):
                found[value].add(page_id(path))
    report = BUILD / "external_links.txt"
    lines = ["# Enlaces externos del sitio (no se visitan en la CI). Dirección<TAB>páginas"]
    lines += [f"{url}\t{', '.join(sorted(pages))}" for url, pages in sorted(found.items())]
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert report.is_file()


def test_interface_in_spanish(page_path):
    page = parse(page_path)
    haystacks = [page.text] + page.ui_attributes
    found = sorted({s for s in english_ui_strings() for h in haystacks if re.search(rf"\b{re.escape(s)}\b", h)})
    assert not found, f"{page_id(page_path)} tiene textos de interfaz en inglés: {found}"


def test_colab_button_points_to_chapter(site, chapter):
    page = site / f"{chapter}.html"
    assert page.is_file(), f"No se construyó la página del capítulo {chapter}"
    colab = [v for tag, attr, v in parse(page).links if "colab.research.google.com" in v]
    assert colab == [colab_url(chapter)], f"Botón de Colab de {chapter}: {colab}"


def test_chapter_has_figure(site, chapter):
    """Cada capítulo tiene al menos una figura (las dibuja el propio cuaderno al ejecutarse)."""
    page = site / f"{chapter}.html"
    images = [v for tag, attr, v in parse(page).links if tag == "img" and "_images/" in v]
    assert images, (f"{chapter} no muestra ninguna figura: ¿se ejecutó el cuaderno con un backend de "
                    "matplotlib que no dibuja (MPLBACKEND=Agg) o falta el experimento con su figura?")


def _visible_text(path: Path) -> str:
    """El texto de una página HTML, sin etiquetas y con los espacios normalizados."""
    import html as html_lib

    text = re.sub(r"<(script|style)\b.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_glue_from_other_documents_renders_its_value():
    """Cada ``{glue:text}`DOC.ipynb::clave:fmt``` de una página Markdown muestra el valor que guardó ese
    capítulo (antes, una ruta sin extensión dejaba el hueco vacío y solo lo decía un aviso)."""
    import ast
    import json

    pasted = 0
    for source in sorted((BUILD.parent / "book").glob("*.md")):
        roles = re.findall(r"([^\s`{}]+)\s*\{glue:text\}`([\w.-]+)\.ipynb::(\w+):s`", source.read_text(encoding="utf-8"))
        if not roles:
            continue
        page = _visible_text(SITE / "book" / f"{source.stem}.html")
        for before, doc, key in roles:
            glued = json.loads((BUILD / "jupyter_execute" / "book" / f"{doc}.glue.json").read_text(encoding="utf-8"))
            plain = glued[key]["data"]["text/plain"]
            # text/plain guarda la representación de Python («'69\\xa0%'»); la página, el texto.
            value = " ".join(str(ast.literal_eval(plain)).split()) if plain[:1] in "'\"" else plain
            # La palabra anterior ancla el valor en su sitio; una fórmula («$|r| =$») se ve compuesta por MathJax, así
            # que entonces basta con el valor.
            anchor = "" if "$" in before or "\\" in before else f"{before} "
            assert value and f"{anchor}{value}" in page, (
                f"{source.name}: «{before} {{glue:text}}`{doc}.ipynb::{key}`» no muestra el valor {value!r}")
            pasted += 1
    assert pasted >= 5, "book/interactivo.md pega números del capítulo 5: no se encontró ninguno"
