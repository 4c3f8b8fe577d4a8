#!/usr/bin/env bash
# Ejecuta la edición para Colab (_build/colab/book/*.ipynb) como la ejecutaría Colab, con nbval.
#
# * Un entorno virtual aparte (_build/colab-venv) con lo que Colab trae instalado y usan los capítulos
#   (torch, numpy, matplotlib, tqdm, pandas, ipykernel): sin Jupyter Book, myst-nb ni Sphinx, y sin el
#   paquete companion, que instala la celda de preparación de cada capítulo.
# * Un módulo google.colab de imitación que el núcleo importa al arrancar (un archivo de inicio de
#   IPython), de modo que la celda de preparación sigue su rama de Colab: instala companion desde
#   COMPANION_GIT_URL y guarda el corpus en «datos». pip instala de un repositorio git lo confirmado, no la
#   copia de trabajo: con el árbol limpio, COMPANION_GIT_URL es git+file:// de este repositorio (su último
#   commit, que es lo que hay en disco); con cambios sin confirmar, se avisa y se instala desde una
#   instantánea de la copia de trabajo (los archivos versionados y los nuevos no ignorados, confirmados en
#   un repositorio temporal), para probar lo que hay en disco. Una COMPANION_GIT_URL dada se respeta.
# * Cada capítulo se ejecuta desde una carpeta temporal fuera del repositorio, con el corpus ya colocado
#   en la carpeta «datos» que elige la celda de preparación (no hay descarga).
#
# Uso: bash scripts/colab_stage.sh [capítulo.ipynb ...]   (sin argumentos, todos los de _build/colab/book)
# Requiere haber construido el libro (jupyter-book build .), que escribe _build/colab.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
VENV="$ROOT/_build/colab-venv"
KERNEL=colab-rnn
# Lo que Colab trae preinstalado y usan los capítulos. torch se fija a la versión de requirements.txt:
# sin la versión exacta, pip elegiría la compilación con CUDA (varios GB).
TORCH=$(grep -E '^torch==' requirements.txt | head -n 1)
PACKAGES=("$TORCH" numpy matplotlib tqdm pandas ipykernel)

if [ ! -x "$VENV/bin/python" ]; then
  echo "Creando el entorno de Colab simulado en $VENV (${PACKAGES[*]})"
  "${PYTHON:-python3}" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q "${PACKAGES[@]}"
fi
# El paquete del curso lo instala la celda de preparación, no este script.
"$VENV/bin/python" -m pip uninstall -y -q companion >/dev/null 2>&1 || true
(cd / && "$VENV/bin/python" - <<'EOF'
import importlib.util, sys
extra = [m for m in ("myst_nb", "sphinx", "jupyter_book", "companion") if importlib.util.find_spec(m)]
if extra:
    sys.exit(f"El entorno de Colab simulado no debe tener {extra}: borre _build/colab-venv y repita.")
EOF
)

# google.colab de imitación, importado al arrancar el núcleo.
PURELIB=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
mkdir -p "$PURELIB/google/colab" "$VENV/ipython/profile_default/startup"
cat > "$PURELIB/google/colab/__init__.py" <<'EOF'
"""Imitación de google.colab para las pruebas: solo hace que «google.colab» esté en sys.modules."""
IN_COLAB_SIMULATION = True
EOF
echo "import google.colab  # como en Colab, el módulo está cargado desde el arranque" \
  > "$VENV/ipython/profile_default/startup/00-google-colab.py"
mkdir -p "$VENV/share/jupyter/kernels/$KERNEL"
cat > "$VENV/share/jupyter/kernels/$KERNEL/kernel.json" <<EOF
{
 "argv": ["$VENV/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
 "display_name": "Python 3 (Colab simulado)",
 "language": "python",
 "env": {"IPYTHONDIR": "$VENV/ipython"}
}
EOF

if [ $# -gt 0 ]; then notebooks=("$@"); else notebooks=(_build/colab/book/*.ipynb); fi
[ -e "${notebooks[0]}" ] || { echo "No hay edición para Colab en _build/colab: construya antes el libro (jupyter-book build .)." >&2; exit 1; }

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/colab-XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
mkdir -p "$SCRATCH/datos"
CORPUS="${COMPANION_DATA_DIR:-}/pg2000.txt"
if [ -f "$CORPUS" ]; then cp "$CORPUS" "$SCRATCH/datos/"; fi
for nb in "${notebooks[@]}"; do cp "$nb" "$SCRATCH/"; done

export JUPYTER_PATH="$VENV/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
if [ -z "${COMPANION_GIT_URL:-}" ]; then
  if [ -z "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ] && git -C "$ROOT" rev-parse HEAD >/dev/null 2>&1; then
    COMPANION_GIT_URL="git+file://$ROOT"
    echo "Se instala companion desde el último commit de $ROOT ($(git -C "$ROOT" rev-parse --short HEAD)), igual a la copia de trabajo."
  else
    # Instantánea de lo que hay en disco: archivos versionados (salvo los borrados) y nuevos no ignorados.
    SNAPSHOT="$SCRATCH/repositorio"
    mkdir -p "$SNAPSHOT"
    git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
      | (cd "$ROOT" && while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done) \
      | (cd "$ROOT" && tar --null -T - -cf -) | tar -xf - -C "$SNAPSHOT"
    git -C "$SNAPSHOT" init -q
    git -C "$SNAPSHOT" add -A
    git -C "$SNAPSHOT" -c user.name=colab_stage -c user.email=colab_stage@localhost commit -q -m "Instantánea de la copia de trabajo"
    COMPANION_GIT_URL="git+file://$SNAPSHOT"
    echo "Aviso: $ROOT tiene cambios sin confirmar (git status): se instala companion desde una instantánea de la copia de trabajo, no desde el último commit." >&2
  fi
fi
export COMPANION_GIT_URL
failed=()
summary=()
for nb in "${notebooks[@]}"; do
  name=$(basename "$nb")
  start=$(date +%s)
  status=ok
  (cd "$SCRATCH" && env -u COMPANION_DATA_DIR "$ROOT/.venv/bin/python" -m pytest --nbval-lax \
      --nbval-kernel-name "$KERNEL" "$name" -q -p no:cacheprovider --rootdir "$SCRATCH") || status=FALLO
  seconds=$(( $(date +%s) - start ))
  summary+=("$(printf '%-36s %5d s  %s' "$name" "$seconds" "$status")")
  [ "$status" = ok ] || failed+=("$name")
done
echo "Tiempo de cada capítulo en el entorno de Colab simulado (incluye instalar companion):"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "Capítulos que fallan como en Colab: ${failed[*]}" >&2
  exit 1
fi
