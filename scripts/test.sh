#!/usr/bin/env bash
# Ejecuta todas las pruebas del curso: paquete, construcción estricta, capítulos como en Colab (nbval),
# edición en PDF y sitio.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
PY=.venv/bin/python
start=$(date +%s)

echo "== 1/5 Pruebas del paquete companion y ortografía (Hunspell)"
$PY -m pytest tests --ignore=tests/site -q -p no:cacheprovider

echo "== 2/5 Construcción estricta del libro (cero avisos) y de la edición para Colab (_build/colab)"
$PY scripts/sync_setup_cells.py --check
# Se releen todas las páginas (para que -W vea todos los avisos), pero se conserva la caché de ejecución
# (_build/.jupyter_cache): un capítulo que no cambió desde install.sh no se vuelve a ejecutar.
rm -rf _build/html _build/.doctrees
.venv/bin/jupyter-book build . -W -n --keep-going

echo "== 3/5 Ejecución de los capítulos con nbval, como en Colab (entorno sin Jupyter Book, _build/colab-venv)"
bash scripts/colab_stage.sh

echo "== 4/5 Edición en PDF (XeLaTeX; las salidas, de la caché de ejecución: ningún capítulo se ejecuta de nuevo)"
bash scripts/build_pdf.sh

echo "== 5/5 Pruebas del sitio construido (HTML, enlaces, edición para Colab, PDF, JupyterHub y Chromium; capturas en _build/screenshots)"
# COMPANION_REQUIRE_SITE=1: si el sitio no se construyó, las pruebas fallan en vez de omitirse.
COMPANION_REQUIRE_SITE=1 $PY -m pytest tests/site -q -p no:cacheprovider

echo "Tiempo total de las pruebas: $(( $(date +%s) - start )) s"
