#!/usr/bin/env bash
# Ejecuta todas las pruebas del curso: paquete, capítulos (nbval), construcción estricta y sitio.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
PY=.venv/bin/python
start=$(date +%s)

echo "== 1/4 Pruebas del paquete companion y ortografía (Hunspell)"
$PY -m pytest tests --ignore=tests/site -q -p no:cacheprovider

echo "== 2/4 Ejecución de los capítulos con nbval"
$PY scripts/sync_setup_cells.py --check
$PY -m pytest --nbval-lax --nbval-current-env book/ -q -p no:cacheprovider

echo "== 3/4 Construcción estricta del libro (cero avisos)"
rm -rf _build
.venv/bin/jupyter-book build . -W -n --keep-going

echo "== 4/4 Pruebas del sitio construido (HTML, enlaces y Chromium; capturas en _build/screenshots)"
$PY -m pytest tests/site -q -p no:cacheprovider

echo "Tiempo total de las pruebas: $(( $(date +%s) - start )) s"
