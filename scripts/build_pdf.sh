#!/usr/bin/env bash
# Construye la edición en PDF del libro (_build/latex/redes-recurrentes.pdf) y la copia en el sitio
# (_build/html/redes-recurrentes.pdf, el enlace «Descargar el libro en PDF» de cada página).
#
#   bash scripts/build_pdf.sh                    # edición completa, con las soluciones
#   STUDENT_EDITION=1 bash scripts/build_pdf.sh  # edición para estudiantes, sin soluciones
#
# Usa el constructor LaTeX de Jupyter Book (XeLaTeX con latexmk; paquetes de Debian que instala
# scripts/install.sh) y la misma caché de ejecución que el sitio (_build/.jupyter_cache): construido antes
# el sitio, ningún capítulo se vuelve a ejecutar. La composición (español, tipografías, código partido,
# diagramas SVG convertidos con rsvg-convert) está en _ext/pdf_edition.py. Deja el registro de la
# construcción en _build/pdf.log y un resumen (páginas, tamaño, tiempo) en _build/pdf-summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
NAME=redes-recurrentes.pdf
LOG=_build/pdf.log
for tool in xelatex latexmk rsvg-convert makeindex pdfinfo; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "Falta $tool: instale los paquetes de Debian del PDF con scripts/install.sh." >&2; exit 1; }
done
mkdir -p _build
rm -rf _build/latex
start=$(date +%s)
# -W -n: una referencia sin resolver o una imagen que no se pudo convertir detienen la construcción.
if ! .venv/bin/jupyter-book build . --builder pdflatex -W -n --keep-going > "$LOG" 2>&1; then
  tail -n 40 "$LOG" >&2
  # El primer error de LaTeX, si lo hubo.
  grep -n -A4 "^!" _build/latex/*.log 2>/dev/null | head -n 20 >&2 || true
  echo "La construcción del PDF falló; registro completo en $LOG (y _build/latex/*.log)." >&2
  exit 1
fi
seconds=$(( $(date +%s) - start ))
pdf=_build/latex/$NAME
[ -f "$pdf" ] || { echo "No se generó $pdf (registro: $LOG)." >&2; exit 1; }
if [ -d _build/html ]; then cp "$pdf" "_build/html/$NAME"; fi
executed=$(grep -c "Executed notebook" "$LOG" || true)
cached=$(grep -c "Using cached notebook" "$LOG" || true)
pages=$(pdfinfo "$pdf" | sed -n 's/^Pages:[[:space:]]*//p')
size=$(du -k "$pdf" | cut -f1)
{
  echo "PDF: $pdf"
  echo "Páginas: $pages"
  echo "Tamaño: $(( size / 1024 )) MB ($size KB)"
  echo "Tiempo de construcción: $seconds s"
  echo "Capítulos ejecutados de nuevo: $executed (releídos de la caché de ejecución: $cached; los demás, sin cambios desde la construcción del sitio)"
} | tee _build/pdf-summary.txt
