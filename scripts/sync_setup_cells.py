"""Escribe (o comprueba) la celda de preparación de cada capítulo a partir de ``_config.yml``.

La dirección del repositorio se escribe en un solo lugar, ``_config.yml`` (``repository.url``), y de ahí
la toman tanto el botón de Colab como esta celda. Uso:

    python scripts/sync_setup_cells.py          # reescribe la primera celda de código de cada capítulo
    python scripts/sync_setup_cells.py --check  # falla si alguna celda no coincide
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MARKER = "# Preparación del entorno"


def setup_source() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    url = config["repository"]["url"].rstrip("/")
    branch = config["repository"].get("branch", "main")
    # COMPANION_GIT_URL permite a la integración continua instalar la copia que se está probando
    # (git+file://…) en lugar del repositorio publicado; el lector de Colab no la define. En un JupyterHub
    # (JUPYTERHUB_USER, que el hub define en el servidor de cada estudiante) la celda hace lo mismo: el hub
    # solo necesita las dependencias del paquete (_ext/jupyterhub_launch.py). El corpus se
    # guarda en «datos» junto al cuaderno (en Colab, /content/datos), salvo que COMPANION_DATA_DIR diga otra cosa.
    # La forma es la que deja «ruff format» (las pruebas formatean los cuadernos con él): la dirección va
    # en su propia línea para que una dirección larga no cambie el formato.
    return (
        f"{MARKER} (en Colab y en JupyterHub instala el paquete del curso).\n"
        "import os\n"
        "import sys\n"
        "\n"
        "if \"google.colab\" in sys.modules or \"JUPYTERHUB_USER\" in os.environ:\n"
        f"    default_url = \"git+{url}@{branch}\"\n"
        "    companion_url = os.environ.get(\"COMPANION_GIT_URL\", default_url)\n"
        "    %pip install -q \"companion @ {companion_url}\"\n"
        "    # El corpus se guarda junto al cuaderno (en Colab, /content/datos).\n"
        "    os.environ.setdefault(\"COMPANION_DATA_DIR\", os.path.abspath(\"datos\"))"
    )


def notebooks():
    return sorted((ROOT / "book").glob("*.ipynb"))


def first_code_cell(nb: dict) -> dict | None:
    return next((c for c in nb["cells"] if c["cell_type"] == "code"), None)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    wanted = setup_source()
    bad = []
    for path in notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        cell = first_code_cell(nb)
        current = "".join(cell["source"]) if cell else ""
        if current == wanted:
            continue
        if check:
            bad.append(path.name)
            continue
        new = {"cell_type": "code", "execution_count": None, "id": "preparacion",
               "metadata": {"tags": ["remove-cell"]}, "outputs": [],
               "source": wanted.splitlines(keepends=True)}
        if cell is not None and "".join(cell["source"]).startswith(MARKER):
            cell.update(new)
        else:
            nb["cells"].insert(0, new)
        path.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"actualizado: {path.name}")
    if bad:
        print("Celdas de preparación desactualizadas: " + ", ".join(bad)
              + ". Ejecute: python scripts/sync_setup_cells.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
