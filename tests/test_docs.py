"""Piezas de la construcción del libro que se prueban sin construirlo entero (eso lleva minutos).

- La referencia de la API (``book/api.md``) se construye sola con las extensiones del libro: sale en español,
  sin textos de autodoc ni de sphinx-argparse en inglés, y documenta la línea de órdenes desde su analizador.
- La edición para estudiantes (``STUDENT_EDITION=1``, ``_ext/student_edition.py``) quita las soluciones.
"""
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def english_ui() -> list[str]:
    lines = (ROOT / "tests" / "site" / "english_ui.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def sphinx_build(source: Path, env=None) -> str:
    out = source / "_out"
    result = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E", str(source), str(out)],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


def body_text(page: Path) -> str:
    """Texto visible del cuerpo de la página (sin la plantilla del tema mínimo de Sphinx)."""
    raw = page.read_text(encoding="utf-8")
    raw = raw[raw.index('<div class="body"'):raw.index('<div class="sphinxsidebar"')]
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw)))


def _requirement_names(text: str) -> set[str]:
    names = set()
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[<>=!~\[ ;]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def test_configured_extensions_load_and_are_installed_by_requirements():
    """Cada extensión de ``_config.yml`` se importa y tiene ``setup``; las de terceros las instala
    ``requirements.txt`` (directamente o como dependencia de Jupyter Book), y ningún archivo de ``_ext/``
    con ``setup`` se queda sin registrar."""
    import importlib
    import importlib.metadata as metadata

    sphinx = CONFIG["sphinx"]
    local = sphinx["local_extensions"]
    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        for name, folder in local.items():
            assert (ROOT / folder / f"{name}.py").is_file(), f"{name}: no está en {folder}"
            assert callable(getattr(importlib.import_module(name), "setup", None)), name
    finally:
        sys.path.remove(str(ROOT / "_ext"))
    unregistered = [path.stem for path in sorted((ROOT / "_ext").glob("*.py"))
                    if re.search(r"^def setup\(", path.read_text(encoding="utf-8"), re.M) and path.stem not in local]
    assert not unregistered, f"extensiones de _ext/ que _config.yml no registra: {unregistered}"

    pinned = _requirement_names((ROOT / "requirements.txt").read_text(encoding="utf-8"))
    installed = set(pinned)
    for name in pinned:
        try:
            installed |= _requirement_names("\n".join(r for r in metadata.requires(name) or []
                                                         if "extra ==" not in r))
        except metadata.PackageNotFoundError:
            pass  # el propio paquete (-e .) o uno que falta: lo dice la comprobación de abajo
    providers = metadata.packages_distributions()
    for extension in sphinx["extra_extensions"]:
        assert callable(getattr(importlib.import_module(extension), "setup", None)), extension
        top = extension.split(".")[0]
        dists = {d.lower().replace("_", "-") for d in providers.get(top, [])}
        assert dists & installed, f"{extension} ({sorted(dists)}) no lo instala requirements.txt"


def test_readme_names_files_that_exist():
    """Las rutas que el README cita (entre comillas invertidas, imágenes y enlaces) existen en el repositorio:
    un archivo renombrado sin actualizar el README hace fallar esta prueba. Los flujos de GitHub Actions
    que hay en ``.github/workflows`` están todos nombrados."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tracked = set()
    if shutil.which("git") and (ROOT / ".git").exists():
        tracked = set(subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split())
    tracked = tracked or {str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()}
    names = {Path(p).name for p in tracked}
    cited = set(re.findall(r"`([\w./-]+\.(?:py|sh|yml|yaml|md|txt|toml|cfg|png|svg|js|cjs|css|bib))`", readme))
    for link, image in re.findall(r"\]\(([\w./-]+)\)|<img src=\"([\w./-]+)\"", readme):
        cited.add(link or image)
    generated = ("_build/", "_train/", ".venv/", ".tools/", "../")
    external = {"pg2000.txt"}  # el corpus: se descarga, no se distribuye
    missing = sorted(path for path in cited - external if not path.startswith(generated)
                     and not (path in tracked or any(t.startswith(path.rstrip("/") + "/") for t in tracked)
                              or ("/" not in path and path in names)))
    assert not missing, f"el README cita rutas que no existen: {missing}"
    workflows = sorted(p.name for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows and all(f"`{name}`" in readme for name in workflows), workflows


@pytest.fixture(scope="module")
def api_page(tmp_path_factory):
    source = tmp_path_factory.mktemp("api")
    shutil.copy(ROOT / "book" / "api.md", source / "index.md")
    settings = {key: value for key, value in CONFIG["sphinx"]["config"].items()
                if key.startswith(("autodoc_", "napoleon_"))}
    (source / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_parser', 'sphinx.ext.autodoc', 'sphinx.ext.napoleon', 'sphinxarg.ext',"
        " 'spanish_argparse']\n"
        "language = 'es'\n"
        f"myst_enable_extensions = {CONFIG['parse']['myst_enable_extensions']!r}\n"
        + "".join(f"{key} = {value!r}\n" for key, value in settings.items()),
        encoding="utf-8")
    sphinx_build(source)
    return body_text(source / "_out" / "index.html")


def test_api_reference_has_no_english_boilerplate(api_page):
    found = [text for text in english_ui() if text in api_page]
    assert not found, f"textos en inglés en la referencia de la API: {found}"
    assert "Alias for field" not in api_page and "Bases:" not in api_page
    # Docstrings heredados de torch.nn.Module (forward, extra_repr…) o campos que napoleon lee como «Type:»
    for english in ("Define the computation", "Should be overridden", "extra representation", "Type:"):
        assert english not in api_page, f"texto en inglés en la referencia de la API: {english!r}"


def test_every_public_method_has_its_own_spanish_docstring():
    """Un método público sin docstring hereda en la API el de su clase base: en inglés si la base es de torch."""
    import importlib
    import inspect
    import pkgutil

    import companion

    missing = []
    for info in pkgutil.iter_modules(companion.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"companion.{info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for attr, value in vars(cls).items():
                if attr.startswith("_") or not inspect.isfunction(value) or value.__doc__:
                    continue
                inherited = inspect.getdoc(getattr(cls, attr))
                if inherited and not any(base.__module__.startswith("companion") and attr in vars(base)
                                         for base in cls.__mro__[1:]):
                    missing.append(f"{module.__name__}.{name}.{attr}")
    assert not missing, f"métodos que heredarían un docstring ajeno (escriba uno en español): {missing}"


def _cli_actions():
    """Las órdenes de ``python -m companion`` y sus opciones, leídas del propio analizador."""
    import argparse

    from companion.__main__ import build_parser

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, parser in commands.choices.items():
        yield name, parser, [a for a in parser._actions
                             if a.help is not argparse.SUPPRESS and not isinstance(a, argparse._HelpAction)]


def _flat(text: str) -> str:
    """El texto como lo lee el lector: sin los roles de Sphinx (``:class:`X``` → ``X``) ni espacios de más."""
    text = re.sub(r":\w+:`~?([^`]+)`", r"\1", text.replace("\u00a0", " "))
    return re.sub(r"\s+", " ", text).strip()


def test_api_reference_documents_the_command_line_from_its_parser(api_page):
    """Cada orden del analizador sale con su descripción, y cada opción con su nombre, su ayuda y, si los
    tiene, sus valores posibles (en español): una opción nueva o una ayuda cambiada aparecen solas."""
    page = _flat(api_page)
    missing = []
    for name, parser, actions in _cli_actions():
        if _flat(parser.description) not in page:
            missing.append(f"{name}: descripción")
        for action in actions:
            label = action.option_strings[-1] if action.option_strings else action.metavar
            if label not in page:
                missing.append(f"{name} {label}: nombre")
            if action.help and _flat(action.help % vars(action)) not in page:
                missing.append(f"{name} {label}: ayuda")
            if action.choices and "Valores posibles: " + ", ".join(map(str, action.choices)) not in page:
                missing.append(f"{name} {label}: valores posibles")
    assert not missing, f"la referencia de la API no documenta lo que dice el analizador: {missing}"
    assert "Por omisión:" in page


def test_api_reference_documents_the_fields_of_pretrained(api_page):
    """Los campos de ``Pretrained`` salen con sus descripciones en español, no con las de ``namedtuple``."""
    from companion.checkpoint import Pretrained

    def squeeze(text):  # la página separa con espacios lo que va entre etiquetas: «( companion.model.CharLM )»
        return re.sub(r"\s+", "", _flat(text))

    page = squeeze(api_page)
    for field in Pretrained._fields:
        assert squeeze(getattr(Pretrained, field).__doc__) in page, field


def _exercise_project(tmp_path: Path) -> Path:
    (tmp_path / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['student_edition']\nlanguage = 'es'\n", encoding="utf-8")
    (tmp_path / "index.rst").write_text(
        "Capítulo\n========\n\n.. exercise::\n   :label: ej-prueba\n\n   Calcule la perplejidad.\n\n"
        ".. solution:: ej-prueba\n\n   LA-SOLUCION-SECRETA\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("value, hidden", [("1", True), (None, False)])
def test_student_edition_removes_solutions(tmp_path, monkeypatch, value, hidden):
    import os

    env = {k: v for k, v in os.environ.items() if k != "STUDENT_EDITION"}
    if value is not None:
        env["STUDENT_EDITION"] = value
    source = _exercise_project(tmp_path)
    sphinx_build(source, env=env)
    text = body_text(source / "_out" / "index.html")
    assert "Calcule la perplejidad" in text
    assert ("LA-SOLUCION-SECRETA" in text) is not hidden


def test_student_edition_switch_values(monkeypatch):
    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        import student_edition
    finally:
        sys.path.remove(str(ROOT / "_ext"))
    for value, expected in (("1", True), ("si", True), ("Sí", True), ("true", True), ("0", False), ("", False),
                            ("no", False)):
        monkeypatch.setenv("STUDENT_EDITION", value)
        assert student_edition.student_edition() is expected
    monkeypatch.delenv("STUDENT_EDITION")
    assert student_edition.student_edition() is False


def test_jupyterlab_kernel_sees_the_companion():
    """Lo que dice el README: `.venv/bin/jupyter lab book/` abre los capítulos con un núcleo que ve companion."""
    import jupyterlab  # noqa: F401  (instalado por requirements.txt)
    from jupyter_client.manager import KernelManager

    import companion

    manager = KernelManager(kernel_name="python3")  # el núcleo por omisión de JupyterLab
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        outputs = []
        client.execute_interactive("import companion; print(companion.__file__)", timeout=120,
                                   output_hook=lambda msg: outputs.append(msg["content"].get("text", "")))
        assert "".join(outputs).strip() == companion.__file__
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_the_api_walkthrough_runs_and_does_what_its_comments_say(monkeypatch, capsys):
    """El recorrido de la referencia (``book/api.md``) se ejecuta tal cual, con menos pasos y un modelo pequeño."""
    page = (ROOT / "book" / "api.md").read_text(encoding="utf-8")
    section = page.split("## Un recorrido en pocas líneas", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert "max_steps=200" in code and "hidden_size=128" in code, "el recorrido cambió: actualice esta prueba"
    code = code.replace("max_steps=200", "max_steps=3").replace("hidden_size=128", "hidden_size=16")
    code = code.replace("corpus.val)", "corpus.val[:2_000])")
    namespace: dict = {}
    exec(compile(code, "book/api.md", "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    perplexity = float(printed[0])
    assert 1 < perplexity < len(namespace["corpus"].vocab) * 2  # una perplejidad de validación plausible
    assert printed[1].startswith("en un lugar de la mancha") and len(printed[1]) > len("en un lugar de la mancha")
    assert len(namespace["history"].step_loss) == 3
    model, vocab, metadata = namespace["lstm"][:3]
    assert vocab.itos == namespace["corpus"].vocab.itos and metadata


def _chapters_importing(module: str) -> set[int]:
    """Los capítulos cuyo código importa ``companion.MÓDULO`` (o lo toma de ``from companion import``)."""
    import json

    found = set()
    for path in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        names = set(re.findall(r"(?:from|import)\s+companion\.(\w+)", code))
        for group in re.findall(r"from\s+companion\s+import\s+\(?([\w ,\n]+)\)?", code):
            names.update(re.split(r"[,\s]+", group.strip()))
        if module in names:
            found.add(int(path.name[:2]))
    return found


def _chapter_set(cell: str) -> set[int] | None:
    """«3–7, 10» → {3, 4, 5, 6, 7, 10}; «todos» → todos los capítulos; otra cosa → None."""
    if cell == "todos":
        return {int(p.name[:2]) for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb")}
    if not re.fullmatch(r"[\d–, ]+", cell):
        return None
    chapters = set()
    for part in cell.split(","):
        low, _, high = part.strip().partition("–")
        chapters.update(range(int(low), int(high or low) + 1))
    return chapters


def test_api_overview_names_the_chapters_that_import_each_module():
    """La columna «Capítulos» de la tabla de módulos de book/api.md es la de los cuadernos."""
    text = (ROOT / "book" / "api.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (`companion\.[^|]+)\| [^|]+ \| ([^|]+) \|$", text, flags=re.M)
    assert len(rows) >= 10
    for modules, cell in rows:
        stated = _chapter_set(cell.strip())
        if stated is None:
            continue
        real = set().union(*(_chapters_importing(m) for m in re.findall(r"companion\.(\w+)", modules)))
        assert stated == real, f"book/api.md, fila {modules.strip()}: dice {sorted(stated)}; importan {sorted(real)}"
