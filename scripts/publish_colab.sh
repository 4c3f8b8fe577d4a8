#!/usr/bin/env bash
# Publica la edición para Colab (_build/colab, la escribe jupyter-book build .) en la rama del repositorio
# a la que apuntan los botones «Abrir en Colab» (colab_branch en _config.yml; por omisión, «colab»).
#
#   bash scripts/publish_colab.sh            # empuja a origin
#   bash scripts/publish_colab.sh upstream   # a otro remoto
#
# La rama solo contiene los cuadernos generados (no comparte historia con main). Cada publicación es un
# commit nuevo sobre la anterior; si nada cambió, no se publica nada. No toca el árbol de trabajo ni el
# índice del repositorio.
#
# La celda de preparación de cada cuaderno instala el paquete del commit que construyó la edición
# (_build/colab/COMMIT): si ese commit no está en el remoto, Colab no podría instalarlo, así que el script
# se niega a publicar hasta que se empuje.
set -euo pipefail
cd "$(dirname "$0")/.."
REMOTE=${1:-origin}
EDITION=${COLAB_EDITION_DIR:-_build/colab}
BRANCH=$(sed -n 's/^[[:space:]]*colab_branch:[[:space:]]*\([^[:space:]#]*\).*/\1/p' _config.yml | head -n 1)
BRANCH=${BRANCH:-colab}

if ! ls "$EDITION"/book/*.ipynb >/dev/null 2>&1; then
  echo "No hay edición para Colab en $EDITION: construya antes el libro (jupyter-book build .)." >&2
  exit 1
fi

index=$(mktemp)
trap 'rm -f "$index"' EXIT
rm -f "$index"
gitdir=$(git rev-parse --absolute-git-dir)
(cd "$EDITION" && GIT_INDEX_FILE="$index" git --git-dir="$gitdir" --work-tree=. add -A .)
tree=$(GIT_INDEX_FILE="$index" git write-tree)

parent=""
if git fetch -q "$REMOTE" "refs/heads/$BRANCH" 2>/dev/null; then
  parent=$(git rev-parse FETCH_HEAD)
  if [ "$(git rev-parse "$parent^{tree}")" = "$tree" ]; then
    echo "La edición para Colab de $REMOTE/$BRANCH ya está al día."
    exit 0
  fi
fi
built=$(tr -d '[:space:]' < "$EDITION/COMMIT" 2>/dev/null || true)
if [ -n "$built" ]; then
  git fetch -q "$REMOTE" 2>/dev/null || true
  if [ -z "$(git for-each-ref --contains "$built" "refs/remotes/$REMOTE" 2>/dev/null)" ]; then
    echo "La edición instala el paquete del commit $built, que no está en $REMOTE: empújelo antes (git push)." >&2
    exit 1
  fi
  source_commit=${built:0:12}
else
  source_commit=$(git rev-parse --short HEAD)
fi
export GIT_AUTHOR_NAME="${GIT_AUTHOR_NAME:-Edición para Colab}" GIT_AUTHOR_EMAIL="${GIT_AUTHOR_EMAIL:-colab@localhost}"
export GIT_COMMITTER_NAME="${GIT_COMMITTER_NAME:-$GIT_AUTHOR_NAME}" GIT_COMMITTER_EMAIL="${GIT_COMMITTER_EMAIL:-$GIT_AUTHOR_EMAIL}"
commit=$(git commit-tree "$tree" ${parent:+-p "$parent"} -m "Edición para Colab construida desde $source_commit")
git push -q "$REMOTE" "$commit:refs/heads/$BRANCH"
echo "Edición para Colab publicada en $REMOTE/$BRANCH ($commit)."
