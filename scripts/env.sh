# Variables comunes a la construcción y a las pruebas (se carga con `source`).
# Si no se indicó dónde está el corpus y existe la copia local de ../shared/data, se usa esa.
if [ -z "${COMPANION_DATA_DIR:-}" ] && [ -f ../shared/data/pg2000.txt ]; then
  COMPANION_DATA_DIR="$(cd ../shared/data && pwd)"
  export COMPANION_DATA_DIR
fi
export PYTHONHASHSEED=0
