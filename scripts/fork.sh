#!/usr/bin/env bash
# Cambia la dirección del repositorio del curso en todos los lugares que la usan, para publicar una copia.
#
#   bash scripts/fork.sh https://github.com/ORG/REPO
#
# La dirección vive en _config.yml (repository.url); de ella salen los botones del sitio, los de Colab y la
# celda de preparación de cada capítulo. Este script:
#   1. escribe la nueva dirección en _config.yml;
#   2. la sustituye en las dos líneas «pip install … git+…» que se escriben a mano (README.md y
#      book/instructores.md) y en cualquier otro texto que citara la anterior (README, páginas del libro,
#      flujos de GitHub);
#   3. regenera la celda de preparación de los capítulos (scripts/sync_setup_cells.py). Esa celda solo
#      actúa en Colab, así que las salidas guardadas en la caché de ejecución (_build/.jupyter_cache)
#      siguen valiendo: se vuelven a registrar con el cuaderno nuevo y la próxima construcción no ejecuta
#      ningún capítulo por este cambio;
#   4. comprueba con tests/test_workflows.py que nada cita ya la dirección anterior.
# No confirma ni empuja nada: revise «git diff» y siga los pasos de GitHub de la guía para instructores
# (book/instructores.md, «Publicar su propia copia»).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
if [ ! -x "$PYTHON" ]; then
  echo "No se encuentra $PYTHON: instale antes el entorno (SKIP_BUILD=1 bash scripts/install.sh) o indique otro intérprete con PYTHON=…" >&2
  exit 2
fi
if [ $# -ne 1 ]; then
  echo "Uso: bash scripts/fork.sh https://github.com/ORG/REPO   (la dirección de su copia en GitHub)" >&2
  exit 2
fi
new=${1%/}
new=${new%.git}
if ! [[ "$new" =~ ^https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
  echo "La dirección «$1» no tiene la forma https://github.com/ORG/REPO (la página del repositorio en GitHub, sin más ruta)." >&2
  exit 2
fi
old=$("$PYTHON" -c 'import yaml; print(yaml.safe_load(open("_config.yml", encoding="utf-8"))["repository"]["url"].rstrip("/"))')
if [ "$old" = "$new" ]; then
  echo "_config.yml ya tiene la dirección $new: no hay nada que cambiar."
  exit 0
fi
echo "Dirección anterior: $old"
echo "Dirección nueva:    $new"

# 1 y 2: la dirección, como texto literal, en los archivos de texto que pueden citarla (no en los cuadernos,
# cuya celda regenera el paso 3).
mapfile -t files < <(grep -rlF --include='*.md' --include='*.yml' --include='*.yaml' -e "$old" \
                       _config.yml README.md book .github 2>/dev/null || true)
OLD="$old" NEW="$new" "$PYTHON" - "${files[@]}" <<'EOF'
import os
import sys
from pathlib import Path

old, new = os.environ["OLD"], os.environ["NEW"]
for name in sys.argv[1:]:
    path = Path(name)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new), encoding="utf-8")
    print(f"actualizado: {name} ({text.count(old)} veces)")
EOF

# 3: celdas de preparación, conservando la caché de ejecución.
"$PYTHON" - <<'EOF'
import json
import subprocess
import sys
from pathlib import Path

import nbformat

cache_dir = Path("_build/.jupyter_cache")
notebooks = sorted(Path("book").glob("*.ipynb"))
cache, matches = None, {}
if cache_dir.is_dir():
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir))
    for path in notebooks:
        try:
            matches[path] = cache.match_cache_notebook(nbformat.read(path, as_version=4)).pk
        except KeyError:
            pass  # sin salidas en la caché: ese capítulo se ejecutará en la próxima construcción de todos modos
subprocess.run([sys.executable, "scripts/sync_setup_cells.py"], check=True)
kept = 0
for path, pk in matches.items():
    new_nb = nbformat.read(path, as_version=4)
    bundle = cache.get_cache_bundle(pk)
    cached = bundle.nb
    new_code = [c for c in new_nb.cells if c.cell_type == "code"]
    old_code = [c for c in cached.cells if c.cell_type == "code"]
    if len(new_code) != len(old_code) or any(a.source != b.source for a, b in zip(new_code[1:], old_code[1:])):
        continue  # el capítulo cambió además de su celda de preparación: que se ejecute
    old_code[0].source = new_code[0].source  # la celda de preparación no hace nada fuera de Colab
    from jupyter_cache.base import CacheBundleIn

    cache.cache_notebook_bundle(CacheBundleIn(cached, bundle.record.uri, artifacts=bundle.artifacts,
                                              data=bundle.record.data or {}),
                                check_validity=False, overwrite=True)
    cache.remove_cache(pk)
    cache.match_cache_notebook(new_nb)  # comprobación: el cuaderno nuevo encuentra sus salidas
    kept += 1
if cache is not None:
    print(f"Caché de ejecución: {kept} de {len(notebooks)} capítulos conservan sus salidas (no se vuelven a ejecutar).")
EOF

# 4: nada debe citar ya la dirección anterior.
"$PYTHON" scripts/sync_setup_cells.py --check
"$PYTHON" -m pytest -q -p no:cacheprovider tests/test_workflows.py -k "repository_url or pip_line or forking"
cat <<EOF

Hecho. Revise los cambios con «git diff --stat», confírmelos y empújelos:
  git commit -am "Dirección de mi copia del curso" && git push
Después, en GitHub ($new): Settings → Actions → General → «Allow all actions and reusable workflows»
(en un fork, además, la pestaña Actions → «I understand my workflows, go ahead and enable them»), y
Settings → Pages → Source: «GitHub Actions». La guía para instructores detalla cada paso.
EOF
