#!/usr/bin/env bash
# Pruebas de mutación de un módulo de companion/ con mutmut 3.
#
# mutmut cambia el código de un módulo de una en una manera (un `<` por `<=`, un `+ 1` por `+ 2`, un
# argumento por None...) y ejecuta las pruebas con cada cambio: un «mutante» que ninguna prueba detecta
# («sobrevive») señala una conducta que las pruebas no fijan. Los resultados del curso están en
# benchmarks/results/mutation.md.
#
# Instalación (no forma parte de requirements.txt ni de la integración continua: es lento):
#     .venv/bin/pip install "mutmut>=3.8,<4"
# Uso, desde la raíz del repositorio:
#     bash scripts/mutation.sh MÓDULO [PRUEBAS...]
#     bash scripts/mutation.sh markov                 # companion/markov.py con tests/test_markov.py
#     bash scripts/mutation.sh generate tests/test_generate.py tests/test_beam.py
# Variables: MUTATION_CHILDREN (procesos en paralelo, 1 por omisión: la máquina es compartida).
# Cada módulo trabaja en su propia copia, mutants/MÓDULO/ (ignorada por git), con un setup.cfg que dice
# qué archivo mutar y qué pruebas ejecutar; repetir la orden solo vuelve a probar lo que cambió. Para
# ver un mutante sobreviviente: cd mutants/MÓDULO && ../../.venv/bin/mutmut show NOMBRE.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MUTMUT="$ROOT/.venv/bin/mutmut"
module="${1:?Indique el módulo de companion/ que quiere mutar, por ejemplo: bash scripts/mutation.sh markov}"
shift
if [[ ! -f "$ROOT/companion/$module.py" ]]; then
    echo "No existe companion/$module.py: indique el nombre del módulo sin carpeta ni extensión (markov, metrics...)." >&2
    exit 2
fi
if [[ ! -x "$MUTMUT" ]]; then
    echo "No se encuentra mutmut en .venv: instálelo con .venv/bin/pip install \"mutmut>=3.8,<4\"." >&2
    exit 2
fi

# Pruebas por omisión: las rápidas que ejercitan el módulo.
if (($# == 0)); then
    case "$module" in
        generate) set -- tests/test_generate.py tests/test_beam.py ;;
        seq2seq) set -- tests/test_seq2seq.py tests/test_beam.py ;;
        rnn) set -- tests/test_rnn.py ;;
        train) set -- tests/test_train.py ;;
        *) set -- "tests/test_$module.py" ;;
    esac
fi
for test in "$@"; do
    [[ -f "$ROOT/$test" ]] || { echo "No existe $test." >&2; exit 2; }
done

cd "$ROOT"
source scripts/env.sh  # el corpus (COMPANION_DATA_DIR), antes de cambiar de carpeta
work="$ROOT/mutants/$module"
mkdir -p "$work"
# Copia de trabajo: el paquete y las pruebas. Los resultados anteriores (mutants/MÓDULO/mutants/) se
# conservan: mutmut vuelve a probar solo las funciones que cambiaron.
# benchmarks/: tests/test_rnn.py ejecuta benchmarks/throughput.py con tamaños diminutos.
rm -rf "$work/companion" "$work/tests" "$work/benchmarks"
cp -r "$ROOT/companion" "$ROOT/tests" "$ROOT/benchmarks" "$work/"
rm -rf "$work/tests/site"
find "$work/companion" "$work/tests" -name __pycache__ -prune -exec rm -rf {} +
{
    echo "[mutmut]"
    echo "source_paths = companion/"
    echo "only_mutate = companion/$module.py"
    echo "also_copy = benchmarks/"
    echo "pytest_add_cli_args = -p no:cacheprovider"
    echo "pytest_add_cli_args_test_selection ="
    for test in "$@"; do echo "    $test"; done
    echo "use_git_change_detection = false"
} >"$work/setup.cfg"

cd "$work"
# Un hilo por proceso: los modelos de las pruebas son diminutos y la CPU se comparte.
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
# mutmut no vuelve a probar un mutante que sobrevivió si solo cambiaron las pruebas: con MUTATION_RETEST=1
# se le pasan por nombre los que no murieron en la pasada anterior.
names=()
if [[ "${MUTATION_RETEST:-0}" == 1 && -f "mutants/companion/$module.py.meta" ]]; then
    mapfile -t names < <("$ROOT/.venv/bin/python" -c '
import json, sys
codes = json.load(open(sys.argv[1]))["exit_code_by_key"]
print("\n".join(name for name, code in codes.items() if code not in (1, 3, 37)))' "mutants/companion/$module.py.meta")
fi
"$MUTMUT" run --max-children "${MUTATION_CHILDREN:-1}" "${names[@]}" >/dev/null || true
# Resumen: una línea por estado (killed, survived, timeout, no tests...) y la lista de sobrevivientes.
"$ROOT/.venv/bin/python" - "$module" <<'EOF'
import json, sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

module = sys.argv[1]
codes = json.loads(Path(f"mutants/companion/{module}.py.meta").read_text())["exit_code_by_key"]
states = {name: status_by_exit_code[code] for name, code in codes.items()}
counts = Counter(states.values())
print(f"companion/{module}.py: {len(states)} mutantes: " + ", ".join(f"{n} {s}" for s, n in counts.most_common()))
for name, state in sorted(states.items()):
    if state not in ("killed", "caught by type check"):
        print(f"  {state}: {name}")
EOF
