"""Las órdenes de la guía para instructores (book/instructores.md), tal como están escritas, en una carpeta
nueva (como un clon recién hecho) y con ajustes diminutos: entrenar, evaluar y generar con la línea de
órdenes, la cola de entrenamiento en segundo plano y ``scripts/fork.sh`` en un clon de prueba."""
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from companion.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "book" / "instructores.md").read_text(encoding="utf-8")
WORDS = ("había una vez en un lugar de la mancha cuyo nombre no quiero acordarme vivía hidalgo lanza "
         "adarga antigua rocín flaco galgo corredor").split()
TINY = ["--hidden", "8", "--embedding", "4", "--batch-size", "4", "--steps", "10", "--max-steps", "1",
        "--epochs", "1", "--quiet"]


def _tiny_text(path: Path) -> Path:
    rng = random.Random(0)
    path.write_text("\n".join(" ".join(rng.choice(WORDS) for _ in range(10)) for _ in range(150)),
                    encoding="utf-8")
    return path


def _guide_commands(prefix: str) -> list[str]:
    """Líneas de los bloques de código de la guía que empiezan por ``prefix``."""
    blocks = re.findall(r"```bash\n(.*?)```", GUIDE, re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip().startswith(prefix)]


def test_guide_cli_commands_run_verbatim_with_tiny_settings(tmp_path, monkeypatch, capsys):
    """Cada ``.venv/bin/python -m companion …`` de la guía, con opciones diminutas añadidas al final."""
    commands = _guide_commands(".venv/bin/python -m companion ")
    assert len(commands) >= 6
    monkeypatch.chdir(tmp_path)
    _tiny_text(tmp_path / "texto.txt")
    _tiny_text(tmp_path / "otra_novela.txt")
    for command in commands:
        argv = shlex.split(command)[3:]
        if argv[0] == "train":
            argv += TINY + ([] if "--text" in argv else ["--text", "texto.txt"])
        elif argv[0] == "evaluate" and "--text" not in argv:
            argv += ["--text", "texto.txt"]  # el modelo diminuto no conoce todas las letras del Quijote
        elif argv[0] == "generate":
            argv += ["--length", "10", "--seed", "0"]
        assert main(argv) == 0, command
    out = capsys.readouterr().out
    assert "Guardado en mi_lstm.pt" in out and "Guardado en gru_otra.pt" in out
    assert "había una vez" in out and "en un lugar de la mancha" in out


def test_background_training_queue_works_on_a_fresh_tree(tmp_path):
    """La orden en segundo plano de la guía, en una carpeta sin _train (antes fallaba: la redirección se
    abre antes de que el script cree la carpeta)."""
    (command,) = [line for line in _guide_commands("") if "scripts/train_pretrained.sh" in line
                  and "nohup" in line]
    (tmp_path / "scripts").mkdir()
    for name in ("train_pretrained.sh", "env.sh"):
        shutil.copy(ROOT / "scripts" / name, tmp_path / "scripts" / name)
    (tmp_path / "companion").symlink_to(ROOT / "companion")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)
    _tiny_text(tmp_path / "texto.txt")
    env = dict(os.environ, RECIPES="rnn", THREADS="1", PYTHONPATH=os.pathsep.join(sys.path),
               TRAIN_OPTIONS=shlex.join(["--text", "texto.txt", *TINY]))
    for _ in range(2):  # la segunda vez, el modelo ya está: no se vuelve a entrenar
        subprocess.run(["bash", "-c", command + "\nwait"], cwd=tmp_path, env=env, check=True, timeout=300)
    log = (tmp_path / "_train" / "queue.log").read_text(encoding="utf-8")
    assert "rnn: ya entrenado (_train/rnn.pt)" in log
    assert (tmp_path / "_train" / "rnn.pt").is_file() and "Guardado en _train/rnn.pt" in (
        tmp_path / "_train" / "rnn.log").read_text(encoding="utf-8")


def test_training_queue_by_default_covers_every_shipped_model(tmp_path):
    """Sin nombres, la cola recorre los modelos distribuidos (``SHIPPED``) y ``lstm_fb1``, como dice la guía
    (con todos ya entrenados en ``_train``, solo los nombra)."""
    from companion.recipes import SHIPPED

    (tmp_path / "scripts").mkdir()
    for name in ("train_pretrained.sh", "env.sh"):
        shutil.copy(ROOT / "scripts" / name, tmp_path / "scripts" / name)
    (tmp_path / "companion").symlink_to(ROOT / "companion")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)
    expected = [*SHIPPED, "lstm_fb1"]
    (tmp_path / "_train").mkdir()
    for name in expected:
        (tmp_path / "_train" / f"{name}.pt").write_bytes(b"")
    env = {k: v for k, v in os.environ.items() if k != "RECIPES"}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    out = subprocess.run(["bash", "scripts/train_pretrained.sh"], cwd=tmp_path, env=env, check=True,
                         timeout=120, capture_output=True, text=True).stdout
    assert out.splitlines() == [f"{name}: ya entrenado (_train/{name}.pt)" for name in expected]
    guide = (ROOT / "book" / "instructores.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in guide for name in expected)


@pytest.mark.skipif(not (ROOT / ".git").exists() or shutil.which("git") is None, reason="hace falta git")
def test_fork_script_on_a_scratch_clone(tmp_path):
    """scripts/fork.sh cambia la dirección en todos los lugares, las pruebas de la dirección pasan y la caché
    de ejecución conserva las salidas del capítulo (no se vuelve a ejecutar)."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    clone = tmp_path / "copia"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    for name in ("scripts/fork.sh", "scripts/sync_setup_cells.py", "tests/test_workflows.py"):
        shutil.copy(ROOT / name, clone / name)  # lo que hay en disco, aunque no esté confirmado
    env = dict(os.environ, PYTHON=sys.executable)
    chapter = clone / "book" / "01_secuencias.ipynb"
    # Una caché de ejecución con un capítulo «ejecutado» (sin ejecutarlo: basta una salida de muestra).
    cache = get_cache(str(clone / "_build" / ".jupyter_cache"))
    nb = nbformat.read(chapter, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    code[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="salida guardada\n")]
    cache.cache_notebook_bundle(CacheBundleIn(nb, str(chapter)), check_validity=False)

    bad = subprocess.run(["bash", "scripts/fork.sh", "https://gitlab.com/org/repo"], cwd=clone, env=env,
                         capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2 and "no tiene la forma https://github.com/ORG/REPO" in bad.stderr

    result = subprocess.run(["bash", "scripts/fork.sh", "https://github.com/mi-org/mi-curso.git"], cwd=clone,
                            env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 de " in result.stdout and "conservan sus salidas" in result.stdout
    assert "Settings → Pages" in result.stdout
    assert "url: https://github.com/mi-org/mi-curso\n" in (clone / "_config.yml").read_text(encoding="utf-8")
    pip = 'pip install "companion @ git+https://github.com/mi-org/mi-curso@main"'
    for page in ("README.md", "book/instructores.md"):
        assert pip in (clone / page).read_text(encoding="utf-8"), page
    changed = subprocess.run(["git", "diff", "--name-only"], cwd=clone, capture_output=True, text=True,
                             check=True).stdout.split()
    assert set(changed) == {"_config.yml", "README.md", "book/instructores.md",
                            *(f"book/{p.name}" for p in (clone / "book").glob("*.ipynb"))}
    # (las pruebas pueden usar la dirección anterior como ejemplo fijo)
    leftover = subprocess.run(["git", "grep", "-l", "curso-rnn/redes-recurrentes", "--", ".", ":!tests"], cwd=clone,
                              capture_output=True, text=True, check=False).stdout.split()
    assert leftover == [], leftover
    # El capítulo, con su celda de preparación nueva, encuentra sus salidas en la caché.
    new_nb = nbformat.read(chapter, as_version=4)
    assert "mi-org/mi-curso" in new_nb.cells[[c.cell_type for c in new_nb.cells].index("code")].source
    cached = get_cache(str(clone / "_build" / ".jupyter_cache"))
    record = cached.match_cache_notebook(new_nb)
    outputs = [c.outputs for c in cached.get_cache_bundle(record.pk).nb.cells if c.cell_type == "code"]
    assert outputs[1][0]["text"] == "salida guardada\n"

    again = subprocess.run(["bash", "scripts/fork.sh", "https://github.com/mi-org/mi-curso"], cwd=clone,
                           env=env, capture_output=True, text=True, timeout=60, check=False)
    assert again.returncode == 0 and "no hay nada que cambiar" in again.stdout
