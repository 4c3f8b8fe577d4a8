#!/usr/bin/env bash
# Instala todo lo necesario para construir y probar el curso y construye el libro.
#   bash scripts/install.sh            # instala y construye el libro en _build/html
#   SKIP_BUILD=1 bash scripts/install.sh   # solo instala (lo usa la integración continua)
set -euo pipefail
cd "$(dirname "$0")/.."

# Paquetes del sistema para las pruebas del sitio: navegador, su driver y los diccionarios (español, y
# el inglés para los términos ingleses en cursiva).
need=()
for pkg in chromium chromium-driver hunspell hunspell-es hunspell-en-us; do
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

if [ -z "${SKIP_BUILD:-}" ]; then
  source scripts/env.sh
  .venv/bin/jupyter-book build . -W -n --keep-going
  echo "Libro construido: abra _build/html/index.html"
fi
