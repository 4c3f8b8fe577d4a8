#!/usr/bin/env bash
# Entrena (o reanuda) los modelos preentrenados del curso con sus recetas (companion/recipes.py).
#   bash scripts/train_pretrained.sh [NOMBRE ...]   # por omisión: los distribuidos (companion.recipes.SHIPPED:
#   rnn gru lstm lstm2 lstm_large gru_small mingru) y lstm_fb1, que compara benchmarks/quality.py
# Cada modelo se escribe en ${TRAIN_DIR:-_train}/NOMBRE.pt con su registro NOMBRE.log; al final de cada
# época queda NOMBRE.pt.progreso.pt, de modo que si se interrumpe basta con repetir la orden. Para
# distribuirlos, copie los de companion.recipes.SHIPPED a companion/pretrained/ (revise antes sus cifras).
# Pensado para ejecutarse en segundo plano (la carpeta se crea antes, porque la redirección se abre antes
# de que empiece el script):
#   mkdir -p _train && nohup bash scripts/train_pretrained.sh > _train/queue.log 2>&1 &
# Variables: TRAIN_DIR (carpeta de salida), THREADS (hilos, 2 por omisión), RECIPES (nombres, si no se dan
# como argumentos) y TRAIN_OPTIONS (opciones que se añaden a cada orden, por ejemplo para una prueba rápida:
# TRAIN_OPTIONS="--text corto.txt --hidden 8 --max-steps 2").
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
out=${TRAIN_DIR:-_train}
mkdir -p "$out"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  default="$(.venv/bin/python -c 'from companion.recipes import SHIPPED; print(*SHIPPED)') lstm_fb1"
  read -r -a names <<< "${RECIPES:-$default}"
fi
read -r -a extra <<< "${TRAIN_OPTIONS:-}"
for name in "${names[@]}"; do
  if [ -f "$out/$name.pt" ] && [ ! -f "$out/$name.pt.progreso.pt" ]; then
    echo "$name: ya entrenado ($out/$name.pt)"; continue
  fi
  echo "== $name ($(date -u +%H:%M:%S))"
  .venv/bin/python -m companion train --recipe "$name" --out "$out/$name.pt" --resume --quiet \
      --threads "${THREADS:-2}" "${extra[@]}" 2>&1 | tee -a "$out/$name.log"
done
