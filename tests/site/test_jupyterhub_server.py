"""El enlace «Abrir en JupyterHub», de extremo a extremo, en esta máquina.

Lo que hace el JupyterHub de una universidad con el enlace de nbgitpuller de un capítulo, sin el hub (que
solo redirige ``/hub/user-redirect/git-pull?…`` al servidor del estudiante):

1. la edición para Colab (``_build/colab``) se publica con ``scripts/publish_colab.sh`` en la rama
   ``colab_branch`` de un repositorio local (``file://``, en lugar de GitHub), desde un clon de este;
2. un servidor de Jupyter con nbgitpuller arranca en 127.0.0.1, con ``JUPYTERHUB_USER`` definida como en
   un hub y un núcleo cuyo Python tiene solo las dependencias de ``companion`` (el entorno de
   ``scripts/colab_stage.sh``, sin el paquete);
3. Chromium abre el enlace que construye ``_ext/jupyterhub_launch.py``: la página de nbgitpuller clona la
   rama y redirige al cuaderno del capítulo;
4. las primeras celdas del capítulo (la de preparación, que instala ``companion`` desde este repositorio,
   y la de importaciones) se ejecutan en un núcleo de ese servidor;
5. una segunda publicación llega con el mismo enlace sin borrar lo que el estudiante creó.

Necesita ``_build/colab`` (la construcción del libro) y ``_build/colab-venv`` (``scripts/colab_stage.sh``);
``scripts/test.sh`` los prepara antes de estas pruebas.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from site_helpers import BUILD, ROOT, book_config, start_chromium

sys.path.insert(0, str(ROOT / "_ext"))
import jupyterhub_launch as hub

COLAB = BUILD / "colab"
VENV = BUILD / "colab-venv"
CHAPTER = "book/01_secuencias"
KERNEL = "hub-rnn"
TOKEN = uuid.uuid4().hex
SETUP_MARKER = "# Preparación del entorno"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd or ROOT, check=True, capture_output=True, text=True).stdout


def publish(edition: Path, source: Path) -> None:
    """Publica ``edition`` en la rama de Colab del remoto «hub» de ``source`` con el script de verdad."""
    env = dict(os.environ, COLAB_EDITION_DIR=str(edition), GIT_AUTHOR_NAME="Prueba", GIT_AUTHOR_EMAIL="p@localhost")
    result = subprocess.run(["bash", "scripts/publish_colab.sh", "hub"], cwd=source, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"scripts/publish_colab.sh falló:\n{result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
def setting(tmp_path_factory):
    for path, how in ((COLAB / CHAPTER).with_suffix(".ipynb"), "construya el libro (jupyter-book build .)"), \
                     (VENV / "bin" / "python", "ejecute scripts/colab_stage.sh"):
        if not path.exists():
            pytest.fail(f"Falta {path}: {how} (scripts/test.sh lo hace antes de estas pruebas).")
    base = tmp_path_factory.mktemp("hub")
    repo_name = hub.repo_name(book_config()["repository"]["url"])
    remote = base / f"{repo_name}.git"
    git("init", "-q", "--bare", str(remote))
    # Un clon de este repositorio hace de copia del instructor: su remoto «hub» es el repositorio local que
    # el JupyterHub clonará. Como en GitHub, el remoto tiene el commit que construyó la edición (la celda de
    # preparación instala ese commit, y publish_colab.sh lo exige).
    source = base / "fuente"
    git("clone", "-q", "--shared", str(ROOT), str(source))
    git("remote", "add", "hub", str(remote), cwd=source)
    built_file = COLAB / "COMMIT"
    built = built_file.read_text(encoding="utf-8").strip() if built_file.is_file() else git("rev-parse", "HEAD").strip()
    git("push", "-q", "hub", f"{built}:refs/heads/main", cwd=source)
    edition = base / "edicion"
    shutil.copytree(COLAB, edition)
    publish(edition, source)
    branch = book_config()["sphinx"]["config"].get("colab_branch", "colab")
    assert git("ls-tree", "-r", "--name-only", branch, cwd=remote).count(".ipynb") >= 1
    return {"base": base, "remote": remote, "source": source, "edition": edition, "branch": branch,
            "repo_name": repo_name}


@pytest.fixture(scope="module")
def server(setting):
    """Servidor de Jupyter (el de .venv, con nbgitpuller) con un núcleo del entorno de Colab simulado."""
    base = setting["base"]
    home, jupyter = base / "home", base / "jupyter"
    home.mkdir()
    spec = jupyter / "share" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(VENV / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (JupyterHub simulado)", "language": "python",
    }), encoding="utf-8")
    # El paquete lo instala la celda de preparación: el entorno no debe tenerlo de antes.
    subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "uninstall", "-y", "-q", "companion"],
                   check=False, capture_output=True)
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("JUPYTER", "COMPANION_DATA"))}
    env.update({
        "JUPYTERHUB_USER": "alumno",  # lo define JupyterHub en el servidor de cada estudiante
        "COMPANION_GIT_URL": f"git+file://{ROOT}",  # en el hub, el repositorio publicado
        "JUPYTER_PATH": str(jupyter / "share"),
        "JUPYTER_CONFIG_DIR": str(jupyter / "config"),
        "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"),
        "JUPYTER_DATA_DIR": str(jupyter / "data"),
        "IPYTHONDIR": str(jupyter / "ipython"),
    })
    log = (base / "servidor.log").open("w")
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "jupyter-server"), "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={home}",
         "--ServerApp.open_browser=False", "--ServerApp.allow_root=True",
         f"--MappingKernelManager.default_kernel_name={KERNEL}"],
        cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{url}/api/status", params={"token": TOKEN}, timeout=2).ok:
                break
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("El servidor de Jupyter no arrancó:\n" + (base / "servidor.log").read_text())
        time.sleep(0.5)
    yield {"url": url, "home": home, "log": base / "servidor.log"}
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
    subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "uninstall", "-y", "-q", "companion"],
                   check=False, capture_output=True)


@pytest.fixture(scope="module")
def browser():
    driver = start_chromium()
    yield driver
    driver.quit()


def student_link(setting, server) -> str:
    """El enlace del botón, con el servidor de la prueba en lugar de ``HUB/hub/user-redirect``."""
    link = hub.hub_launch_url("https://hub.example.org", f"file://{setting['remote']}", setting["branch"], CHAPTER)
    parts = urlsplit(link)
    assert parts.path == "/hub/user-redirect/git-pull"
    return f"{server['url']}/git-pull?{parts.query}&token={TOKEN}"


def open_link(browser, setting, server) -> str:
    from selenium.webdriver.support.ui import WebDriverWait

    urlpath = f"tree/{setting['repo_name']}/{CHAPTER}.ipynb"
    browser.get(student_link(setting, server))
    from selenium.common.exceptions import TimeoutException

    try:
        WebDriverWait(browser, 120).until(lambda driver: urlsplit(driver.current_url).path == f"/{urlpath}")
    except TimeoutException:
        pytest.fail(f"nbgitpuller no llegó a {urlpath}; página: {browser.current_url}\n"
                    f"{browser.find_element('tag name', 'body').text[:2000]}\n{server['log'].read_text()[-3000:]}")
    return browser.current_url


def test_link_clones_the_colab_edition(browser, setting, server):
    final = open_link(browser, setting, server)
    assert final.startswith(server["url"] + "/tree/")
    clone = server["home"] / setting["repo_name"]
    pulled = sorted(p.relative_to(clone).as_posix() for p in clone.glob("book/*.ipynb"))
    published = sorted(p.relative_to(COLAB).as_posix() for p in COLAB.glob("book/*.ipynb"))
    assert pulled == published
    assert git("rev-parse", "--abbrev-ref", "HEAD", cwd=clone).strip() == setting["branch"]
    notebook = json.loads((clone / f"{CHAPTER}.ipynb").read_text(encoding="utf-8"))
    assert any(cell.get("outputs") for cell in notebook["cells"] if cell["cell_type"] == "code"), \
        "el cuaderno clonado debe traer las salidas de la construcción"


def execute(server, path: str, cells: list[str], timeout: float = 300) -> list[dict]:
    """Ejecuta ``cells`` en un núcleo del servidor (una sesión sobre ``path``); devuelve las respuestas."""
    import websocket

    params = {"token": TOKEN}
    session = requests.post(f"{server['url']}/api/sessions", params=params, timeout=30, json={
        "path": path, "type": "notebook", "name": Path(path).name, "kernel": {"name": KERNEL}}).json()
    kernel = session["kernel"]["id"]
    ws_url = server["url"].replace("http://", "ws://") + f"/api/kernels/{kernel}/channels?token={TOKEN}"
    connection = websocket.create_connection(ws_url, timeout=timeout)
    replies = []
    try:
        for code in cells:
            msg_id = uuid.uuid4().hex
            connection.send(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "alumno",
                           "session": uuid.uuid4().hex, "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": True},
            }))
            outputs, reply = [], None
            deadline = time.monotonic() + timeout
            while reply is None or not any(o.get("execution_state") == "idle" for o in outputs):
                if time.monotonic() > deadline:
                    pytest.fail(f"La celda no terminó en {timeout} s:\n{code}")
                message = json.loads(connection.recv())
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if message["msg_type"] == "execute_reply":
                    reply = message["content"]
                elif message["msg_type"] == "status":
                    outputs.append(message["content"])
                elif message["msg_type"] in ("stream", "error", "execute_result", "display_data"):
                    outputs.append({"type": message["msg_type"], **message["content"]})
            replies.append({"reply": reply, "outputs": outputs})
            if reply["status"] != "ok":
                break
    finally:
        connection.close()
        requests.delete(f"{server['url']}/api/sessions/{session['id']}", params=params, timeout=30)
    return replies


def test_chapter_runs_in_the_hub_kernel_with_the_package_from_the_setup_cell(browser, setting, server):
    clone = server["home"] / setting["repo_name"]
    if not (clone / f"{CHAPTER}.ipynb").is_file():
        open_link(browser, setting, server)
    notebook = json.loads((clone / f"{CHAPTER}.ipynb").read_text(encoding="utf-8"))
    code = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code[0].startswith(SETUP_MARKER) and "JUPYTERHUB_USER" in code[0]
    check = (
        "import os, sys, companion\n"
        "print('ENTORNO', sys.prefix)\n"
        "print('PAQUETE', companion.__file__)\n"
        "print('DATOS', os.environ['COMPANION_DATA_DIR'])\n"
    )
    replies = execute(server, f"{setting['repo_name']}/{CHAPTER}.ipynb", [code[0], code[1], check])
    for reply in replies:
        errors = [o for o in reply["outputs"] if o.get("type") == "error"]
        assert reply["reply"]["status"] == "ok", errors or reply
    text = "".join(o.get("text", "") for o in replies[-1]["outputs"] if o.get("type") == "stream")
    lines = dict(line.split(" ", 1) for line in text.splitlines() if " " in line)
    assert Path(lines["ENTORNO"]).resolve() == VENV.resolve()
    # companion viene de la instalación que hizo la celda (site-packages del entorno), no del repositorio.
    assert Path(lines["PAQUETE"]).resolve().is_relative_to(VENV.resolve())
    assert Path(lines["DATOS"]).resolve() == (clone / "book" / "datos").resolve()


def test_second_click_updates_and_keeps_the_students_files(browser, setting, server):
    clone = server["home"] / setting["repo_name"]
    if not clone.is_dir():
        open_link(browser, setting, server)
    mine = clone / "book" / "mis_notas.txt"
    mine.write_text("Notas del estudiante\n", encoding="utf-8")
    readme = setting["edition"] / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nSegunda publicación.\n", encoding="utf-8")
    publish(setting["edition"], setting["source"])
    open_link(browser, setting, server)
    assert "Segunda publicación." in (clone / "README.md").read_text(encoding="utf-8")
    assert mine.read_text(encoding="utf-8") == "Notas del estudiante\n"
