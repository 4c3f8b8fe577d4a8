"""La edición en PDF, comprobada desde el propio archivo (``_build/latex/redes-recurrentes.pdf``).

La construye ``bash scripts/build_pdf.sh`` (``scripts/test.sh`` lo hace antes de estas pruebas), que deja
también el registro de la construcción (``_build/pdf.log``) y el de LaTeX (``_build/latex/*.log``). Se
comprueba, con las herramientas de poppler-utils (``pdftotext``, ``pdfinfo``, ``pdffonts``, ``pdfimages``):

* el título de cada capítulo y apéndice de ``_toc.yml`` y las palabras de LaTeX en español
  («Capítulo», «Índice», «Figura», «Ejercicio», «Apéndice»…); ninguna referencia sin resolver («??»,
  «[?]») ni carácter que falte en las tipografías;
* las figuras: las imágenes de las salidas y los diagramas SVG convertidos a PDF con ``rsvg-convert``;
* todas las tipografías incrustadas;
* ninguna línea de código más ancha que la caja de texto, y nada fuera de la página (cajas «Overfull»
  del registro de LaTeX);
* las salidas son las de la construcción del sitio (caché de ejecución: ningún capítulo se ejecutó de
  nuevo) y las soluciones están (o no, en la edición para estudiantes, ``STUDENT_EDITION=1``).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from site_helpers import BUILD, ROOT, SITE

sys.path.insert(0, str(ROOT / "_ext"))
from pdf_edition import PDF_NAME  # noqa: E402

LATEX = BUILD / "latex"
PDF = LATEX / PDF_NAME
TEX = PDF.with_suffix(".tex")
LATEX_LOG = PDF.with_suffix(".log")
BUILD_LOG = BUILD / "pdf.log"
# Código: ni un punto más ancho que la caja de texto (más allá del redondeo). El resto (fórmulas, tablas)
# puede invadir un poco el margen de 2,2 cm, pero no salirse de la página.
CODE_OVERFULL_PT = 1.0
OTHER_OVERFULL_PT = 30.0


def run(*args: str) -> str:
    if not shutil.which(args[0]):
        pytest.fail(f"No se encuentra {args[0]}: instale poppler-utils (scripts/install.sh).")
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def pdf() -> Path:
    if not PDF.is_file():
        pytest.fail(f"No existe {PDF}: constrúyalo con «bash scripts/build_pdf.sh» (lo hace scripts/test.sh).")
    return PDF


@lru_cache(maxsize=1)
def pdf_text() -> str:
    return run("pdftotext", "-enc", "UTF-8", str(PDF), "-")


def normalize(text: str) -> str:
    """Sin guiones de final de línea, con los espacios unificados (también los finos y los de no separación)."""
    text = re.sub(r"-\n(?=\w)", "", text)
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def toc_documents() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [entry["file"] for part in toc.get("parts", []) for entry in part.get("chapters", [])]


def first_heading(docname: str) -> str:
    """El título de un documento: su primer encabezado «# …» (de Markdown o de un cuaderno)."""
    path = ROOT / f"{docname}.ipynb"
    if path.is_file():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = (ROOT / f"{docname}.md").read_text(encoding="utf-8")
    match = re.search(r"^# (.+)$", text, re.M)
    assert match, f"{docname} no tiene título"
    title = re.sub(r"\{[\w:-]+\}`([^`<]*?)\s*(<[^>]*>)?`", r"\1", match.group(1))  # roles de MyST
    return re.sub(r"[`*_]", "", title).strip()


def test_pdf_copied_into_the_site(pdf):
    copy = SITE / PDF_NAME
    assert copy.is_file(), f"Falta {copy}: el enlace «Descargar el libro en PDF» del sitio apunta ahí."
    assert copy.read_bytes() == pdf.read_bytes()


def test_metadata_and_size(pdf):
    info = run("pdfinfo", str(pdf))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert "A4" in info
    assert pages > 100
    assert pdf.stat().st_size < 40 * 1024 * 1024
    assert re.search(r"^Title:\s+Redes neuronales recurrentes", info, re.M)


@pytest.mark.parametrize("docname", toc_documents())
def test_every_chapter_title(pdf, docname):
    title = normalize(first_heading(docname))
    assert title in normalize(pdf_text()), f"El PDF no tiene el título de {docname}: {title!r}"


def test_spanish_words(pdf):
    text = pdf_text()
    for word in ("Índice", "Capítulo", "Parte", "Apéndice", "Figura", "Ejercicio", "Índice alfabético"):
        assert word in text, f"Falta «{word}» en el PDF"
    for english in ("Chapter", "Contents", "Appendix", "Exercise ", "Solution", "Figure "):
        assert english not in text, f"Palabra de la interfaz en inglés en el PDF: «{english}»"


def test_no_unresolved_references(pdf):
    text = pdf_text()
    assert "??" not in text
    assert "[?]" not in text
    log = LATEX_LOG.read_text(encoding="utf-8", errors="replace")
    assert "There were undefined references" not in log
    assert not re.search(r"(Reference|Citation) `[^']+' on page \d+ undefined", log)


def test_no_missing_characters(pdf):
    log = LATEX_LOG.read_text(encoding="utf-8", errors="replace")
    missing = sorted(set(re.findall(r"Missing character: There is no (\S+) \(U\+([0-9A-F]+)\)", log)))
    assert not missing, (
        f"Caracteres sin glifo en las tipografías del PDF: {missing}; añádalos a PREAMBLE en _ext/pdf_edition.py")


def test_fonts_embedded(pdf):
    rows = run("pdffonts", str(pdf)).splitlines()[2:]
    assert rows, "pdffonts no lista ninguna tipografía"
    not_embedded = [row for row in rows if row.split()[-5] != "yes"]
    assert not not_embedded, f"Tipografías sin incrustar: {not_embedded}"
    names = " ".join(rows)
    for family in ("FreeSerif", "FreeMono", "LatinModernMath"):
        assert family in names


def test_figures_present(pdf):
    rows = run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    images = [row for row in rows if row.split()[2] == "image"]
    tex = TEX.read_text(encoding="utf-8")
    # \sphinxincludegraphics[opciones]{{nombre}.ext}: las salidas son PNG; los diagramas, PDF.
    included = [stem + ext for stem, ext in
                re.findall(r"\\sphinxincludegraphics(?:\[[^\]]*\])?\{\{([^{}]+)\}(\.\w+)\}", tex)]
    pngs = [name for name in included if name.endswith((".png", ".jpg", ".jpeg"))]
    assert len(images) >= len(pngs) > 10, (len(images), len(pngs))
    # Cada diagrama SVG del libro que se usa, convertido a PDF vectorial con rsvg-convert.
    for svg in sorted((ROOT / "book" / "figuras").glob("*.svg")):
        if svg.stem in tex:
            assert (LATEX / f"{svg.stem}.pdf").is_file(), f"{svg.name} no se convirtió a PDF"
            assert f"{svg.stem}.pdf" in tex or re.search(rf"\{{{svg.stem}\}}", tex)


def verbatim_lines() -> set[int]:
    """Líneas del ``.tex`` dentro de bloques de código o de salidas de texto (``sphinxVerbatim``; no los
    entornos ``sphinxVerbatimInput``/``sphinxVerbatimOutput`` que los envuelven, donde también hay tablas)."""
    lines, inside = set(), False
    for number, line in enumerate(TEX.read_text(encoding="utf-8").splitlines(), start=1):
        if re.match(r"\\begin\{sphinxVerbatim\}", line):
            inside = True
        if inside:
            lines.add(number)
        if re.match(r"\\end\{sphinxVerbatim\}", line):
            inside = False
    return lines


def overfull_boxes() -> list[tuple[float, int, str]]:
    log = LATEX_LOG.read_text(encoding="utf-8", errors="replace")
    found = []
    for match in re.finditer(r"Overfull \\hbox \(([\d.]+)pt too wide\) (?:in paragraph at lines (\d+)--\d+|"
                             r"detected at line (\d+))\n(.*)", log):
        found.append((float(match.group(1)), int(match.group(2) or match.group(3)), match.group(4)[:120]))
    return found


def test_code_fits_the_text_block(pdf):
    code = verbatim_lines()
    assert code, "el .tex no tiene bloques de código"
    too_wide = [box for box in overfull_boxes() if box[1] in code and box[0] > CODE_OVERFULL_PT]
    assert not too_wide, f"Líneas de código más anchas que la caja de texto (pt, línea del .tex): {too_wide}"


def test_nothing_runs_off_the_page(pdf):
    too_wide = [box for box in overfull_boxes() if box[0] > OTHER_OVERFULL_PT]
    assert not too_wide, f"Cajas que se salen del margen (pt, línea del .tex, contenido): {too_wide}"


def test_outputs_come_from_the_execution_cache(pdf):
    log = BUILD_LOG.read_text(encoding="utf-8", errors="replace")
    # Tras la construcción del sitio, la del PDF no vuelve a leer los capítulos que no cambiaron; los que
    # relee, los toma de la caché («Using cached notebook»).
    assert "Executed notebook" not in log, (
        "La construcción del PDF volvió a ejecutar capítulos: debe reutilizar la caché de la del sitio "
        "(construya antes el sitio, como scripts/test.sh)")
    # Un valor calculado por un capítulo (glue) aparece en el PDF tal como en el sitio.
    glue = json.loads((BUILD / "jupyter_execute" / "book" / "02_perplejidad.glue.json").read_text(encoding="utf-8"))
    texts = [value["data"]["text/plain"] for value in glue.values()
             if "text/plain" in value.get("data", {}) and str(value["data"]["text/plain"]).startswith("'")]
    assert texts
    shown = [t.strip("'").encode().decode("unicode_escape") for t in texts]
    found = [t for t in shown if normalize(t) and normalize(t) in normalize(pdf_text())]
    assert len(found) >= len(shown) // 2, (shown, found)


def test_solutions_follow_the_edition(pdf):
    text = pdf_text()
    student = os.environ.get("STUDENT_EDITION", "").strip().lower() in ("1", "si", "sí", "true", "yes")
    exercises = len(re.findall(r"^Ejercicio \d+\.\d+", text, re.M))
    solutions = text.count("Solución")
    assert exercises > 20
    if student:
        assert solutions == 0, "La edición para estudiantes no debe tener soluciones"
    else:
        assert solutions >= exercises // 2


def test_numbering_per_chapter(pdf):
    """Figuras y ejercicios numerados por capítulo, como en el sitio: «Figura 3.1», «Ejercicio 8.5»."""
    text = pdf_text()
    figures = re.findall(r"^Figura ([\w.]+):", text, re.M)
    assert figures, "el PDF no tiene pies de figura"
    assert all(re.fullmatch(r"\d+\.\d+", number) for number in figures), figures
    exercises = re.findall(r"^Ejercicio ([\w.]+)", text, re.M)
    assert exercises and all(re.fullmatch(r"\d+\.\d+", number) for number in exercises), exercises[:20]
