"""Valores hostiles en cada opción de ``python -m companion``: cada uno debe dar un error de una sola línea, en
español, con el código de salida 2, sin traza de Python y sin escribir nada (ni un punto de control, ni una
carpeta, ni un archivo de progreso), antes de entrenar o generar.

La tabla ``CASES`` recorre cada orden y cada opción con valores que no valen para ella: cero, negativos,
enormes, NaN, infinito, vacíos, de otro tipo, rutas que son carpetas, que no existen o en las que no se puede
escribir. Se ejecutan con el punto de entrada real, ``companion.__main__.main``, dentro del proceso (rápido);
unos pocos se repiten en un proceso aparte, y otro comprueba que Ctrl-C para la generación y deja lo escrito.
Las propiedades del final (con Hypothesis) prueban los convertidores de números con cadenas cualesquiera.
"""
import argparse
import math
import os
import random
import signal
import subprocess
import sys
import time
from contextlib import redirect_stderr
from io import StringIO
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion import __main__ as cli
from companion.checkpoint import PRETRAINED_DIR
from companion.data import clean
from companion.recipes import RECIPES

ROOT = Path(__file__).resolve().parents[1]
WORDS = "el caballero la dama sancho rocinante molino gigante venta castillo aventura escudero noche".split()
FLAGS = ("--resume", "--scratch", "--random-truncation", "--half", "--quiet", "--overwrite-pretrained")
COUNTS = ("--epochs", "--batch-size", "--steps", "--max-steps", "--total-steps", "--patience", "--threads")
PROBABILITIES = ("--dropout", "--embedding-dropout", "--output-dropout")
NOT_A_NUMBER = ("", " ", "abc", "nan", "NaN", "inf", "-inf", "1,5", "0x10", "1e", "--")
HUGE_INT = str(10**30)

# Cada caso: (orden, opciones añadidas a la orden base, un texto que debe aparecer en el error).
# En las rutas, {dir} es una carpeta que existe, {missing} un archivo que no existe, {readonly} una ruta en
# la que no se puede escribir, {file} un archivo de texto normal y {model} el punto de control de prueba.
CASES = []


def case(command, options, expected=""):
    CASES.append((command, list(options), expected))


# train: números enteros
for option in COUNTS + ("--hidden", "--layers", "--embedding"):
    for value in ("0", "-1", "1.5", *NOT_A_NUMBER):
        case("train", [option, value], f"argumento {option}: se esperaba")
for option in ("--hidden", "--embedding", "--layers"):
    case("train", [option, HUGE_INT], f"argumento {option}: se esperaba un entero entre")
case("train", ["--layers", "33"], "argumento --layers: se esperaba un entero entre 1 y 32")
case("train", ["--threads", "100000"], "argumento --threads: se esperaba un entero entre 1 y")
# train: tamaños que el analizador admite pero que no caben (se estiman antes de construir el modelo)
case("train", ["--hidden", "2000000"], "parámetros y el entrenamiento")
case("train", ["--hidden", "100000000"], "el límite es 100")
case("train", ["--embedding", "50000000"], "el límite es 100")
case("train", ["--layers", "32", "--hidden", "3000"], "el límite es 100")
case("train", ["--batch-size", "1000000000000"], "de esta máquina")
case("train", ["--steps", "1000000000000"], "de esta máquina")
# train: el texto no llena un lote (el mensaje nombra las opciones como se escriben)
case("train", ["--batch-size", "64", "--steps", "1000"], "--batch-size 64 × --steps 1000")
case("train", ["--batch-size", "100000"], "reduzca --batch-size o --steps")
# train: números reales
for option in PROBABILITIES:
    for value in ("-0.1", "1", "2", "1e309", *NOT_A_NUMBER):
        case("train", [option, value], f"argumento {option}: se esperaba")
for value in ("0", "-1", "1e-400", "11", "1e308", *NOT_A_NUMBER):
    case("train", ["--lr", value], "argumento --lr: se esperaba")
for value in ("-1", "-1e-9", *NOT_A_NUMBER):
    case("train", ["--clip", value], "argumento --clip: se esperaba")
for value in ("0", "-5", *NOT_A_NUMBER):
    case("train", ["--time-limit", value], "argumento --time-limit: se esperaba")
for value in NOT_A_NUMBER:
    case("train", ["--forget-bias", value], "argumento --forget-bias: se esperaba")
case("train", ["--cell", "gru", "--forget-bias", "1"], "--forget-bias solo se admite con --cell lstm")
case("train", ["--lr-schedule", "cosine", "--time-limit", "5"], "--time-limit solo se admite")
# train: semilla
for value in ("-1", str(2**32), "1e23", "100000000000000000000000", "1.5", *NOT_A_NUMBER):
    case("train", ["--seed", value], "argumento --seed: se esperaba")
# train: opciones con valores fijos
for option in ("--cell", "--lr-schedule", "--optimizer", "--sampling"):
    for value in ("", "abc", "LSTM", "0"):
        case("train", [option, value], f"argumento {option}: opción no válida")
case("train", ["--recipe", ""], "argumento --recipe: Receta desconocida ''")
case("train", ["--recipe", "gpt"], "argumento --recipe: Receta desconocida 'gpt'")
case("train", ["--seed=-1"], "argumento --seed: se esperaba un entero entre 0 y")
# train: indicadores sin valor a los que se da uno, y opciones con valor sin él
for flag in FLAGS:
    case("train", [f"{flag}=1"], f"argumento {flag}: sobra el valor '1'")
for option in ("--hidden", "--out", "--text", "--seed", "--cell"):
    case("train", [option], f"argumento {option}: se esperaba un valor")
case("train", ["--hid", "8"], "argumentos no reconocidos: --hid")  # sin abreviaturas
# train: rutas
case("train", ["--out", ""], "argumento --out: se esperaba una ruta")
case("train", ["--out", "{dir}"], "es una carpeta")
case("train", ["--out", "{dir}/"], "es una carpeta")
case("train", ["--out", "."], "es una carpeta")
case("train", ["--out", "{readonly}"], "no se puede escribir en la carpeta")
case("train", ["--out", "{file}/modelo.pt"], "es un archivo, no una carpeta")
case("train", ["--out", str(PRETRAINED_DIR / "lstm.pt")], "--overwrite-pretrained")
case("train", ["--out", str(PRETRAINED_DIR / "nuevo" / "x.pt")], "--overwrite-pretrained")
case("train", ["--out", "{pretrained_link}/lstm.pt"], "--overwrite-pretrained")  # por un enlace simbólico
case("train", ["--text", ""], "argumento --text: se esperaba una ruta")
case("train", ["--text", "{dir}"], "--text: '")
case("train", ["--text", "{missing}"], "--text: no existe el archivo")
case("train", ["--text", "{latin1}"], "no está en UTF-8")
case("train", ["--text", "{short}"], "muy poco texto")
case("train", ["--text", "{dir}", "--out", "{dir}"], "es una carpeta")

# evaluate
for model in ("", "{dir}", "{missing}", "{file}", "{truncated}", "LSTM", "lstm.pt", "{readonly}"):
    case("evaluate", ["MODEL=" + model], "")
for value in ("", "{dir}", "{missing}", "{latin1}", "{short}", "{unknown_chars}"):
    case("evaluate", ["--text", value], "")
for value in ("", "train", "todo", "ALL"):
    case("evaluate", ["--split", value], "argumento --split: opción no válida")
case("evaluate", ["--sobra"], "argumentos no reconocidos: --sobra")

# generate
for model in ("", "{dir}", "{missing}", "{file}", "{truncated}", "LSTM", "lstm.pt"):
    case("generate", ["MODEL=" + model], "")
for value in ("-1", "1.5", *NOT_A_NUMBER):
    case("generate", ["--length", value], "argumento --length: se esperaba")
for value in ("10001", "100000", "1000000000000", HUGE_INT):
    case("generate", ["--length", value], "añada --long")
for value in ("0", "-1", "1e-320", "0.001", "0.0099", "1e309", *NOT_A_NUMBER):
    case("generate", ["--temperature", value], "argumento --temperature: se esperaba")
for value in ("0", "-1", "1.5", *NOT_A_NUMBER):
    case("generate", ["--top-k", value], "argumento --top-k: se esperaba")
for value in ("-1", str(2**32), "1e23", "1.5", *NOT_A_NUMBER):
    case("generate", ["--seed", value], "argumento --seed: se esperaba")
case("generate", ["--prompt", ""], "El texto inicial está vacío")
case("generate", ["--prompt", "kiwi"], "caracteres que el vocabulario del modelo no tiene")
for flag in ("--greedy", "--long", "--quiet"):
    case("generate", [f"{flag}=sí"], f"argumento {flag}: sobra el valor")

# sin orden o con una que no existe
case(None, [], "faltan los argumentos obligatorios")
case(None, ["entrena"], "opción no válida: 'entrena'")
case(None, ["--version"], "faltan los argumentos obligatorios")
case(None, ["--version", "train"], "argumentos no reconocidos: --version")

ENGLISH = ("invalid", "usage", "expected", "required", "argument ", "must be", "No such file", "Errno",
           "Overflow", "unrecognized", "Traceback", "Error:", "exception", "could not", "allowed")


def _snapshot(*folders):
    """Archivos y carpetas bajo ``folders`` con su tamaño y fecha: para comprobar que no se escribió nada."""
    found = {}
    for folder in folders:
        for path in Path(folder).rglob("*"):
            stat = path.lstat()
            found[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return found


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Una carpeta de entrada con un texto, un modelo diminuto y archivos hostiles; otra, vacía, de trabajo."""
    inputs = tmp_path_factory.mktemp("entradas")
    rng = random.Random(0)
    text = inputs / "texto.txt"
    text.write_text("\n".join(" ".join(rng.choice(WORDS) for _ in range(8)) for _ in range(200)), encoding="utf-8")
    model = inputs / "modelo.pt"
    cli.main(["train", "--text", str(text), "--hidden", "8", "--embedding", "4", "--batch-size", "4", "--steps",
              "10", "--max-steps", "1", "--quiet", "--out", str(model)])
    (inputs / "carpeta").mkdir()
    (inputs / "latin1.txt").write_bytes("el caballero de la triste figura, señor ".encode("latin-1") * 10)
    (inputs / "corto.txt").write_text("el caballero", encoding="utf-8")
    (inputs / "otras.txt").write_text("zapato xilófono kiwi wéstern " * 10, encoding="utf-8")
    (inputs / "truncado.pt").write_bytes(model.read_bytes()[:200])
    (inputs / "pretrained").symlink_to(PRETRAINED_DIR)
    paths = {"dir": inputs / "carpeta", "missing": inputs / "no_existe.txt", "file": text, "model": model,
             "readonly": Path("/proc/companion/modelo.pt"), "latin1": inputs / "latin1.txt",
             "short": inputs / "corto.txt", "unknown_chars": inputs / "otras.txt",
             "truncated": inputs / "truncado.pt", "pretrained_link": inputs / "pretrained"}
    return inputs, {key: str(value) for key, value in paths.items()}


def _argv(command, options, paths):
    """La orden completa: una base válida y diminuta, y después las opciones del caso (la última gana)."""
    options = [option.format(**paths) for option in options]
    model = paths["model"]
    if options and options[0].startswith("MODEL="):
        model, options = options[0][len("MODEL="):], options[1:]
    if command == "train":
        base = ["train", "--text", paths["file"], "--hidden", "8", "--batch-size", "4", "--steps", "10",
                "--max-steps", "1", "--quiet", "--out", "salida/modelo.pt"]
    elif command == "evaluate":
        base = ["evaluate", model, "--text", paths["file"]]
    elif command == "generate":
        base = ["generate", model, "--length", "5", "--seed", "0"]
    else:
        base = []
    return base + options


def _check_refused(argv, expected, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    captured = capsys.readouterr()
    err = captured.err
    assert info.value.code == 2, (argv, err)
    assert err.endswith("\n") and err.count("\n") == 1, f"el error no ocupa una línea: {err!r}"
    assert err.startswith("python -m companion") and ": error: " in err, err
    assert expected in err, (expected, err)
    for word in ENGLISH:
        assert word not in err, (word, err)
    assert captured.out == "", captured.out


@pytest.mark.parametrize(("command", "options", "expected"), CASES,
                         ids=[f"{c or '-'} {' '.join(o)}".strip() for c, o, _ in CASES])
def test_hostile_value_is_refused_before_any_work(command, options, expected, world, tmp_path, monkeypatch,
                                                   capsys):
    inputs, paths = world
    monkeypatch.chdir(tmp_path)
    before = _snapshot(tmp_path, inputs, PRETRAINED_DIR)
    _check_refused(_argv(command, options, paths), expected, capsys)
    assert _snapshot(tmp_path, inputs, PRETRAINED_DIR) == before, "se escribió algo"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root puede escribir en cualquier carpeta")
def test_read_only_folder_is_refused(world, tmp_path, monkeypatch, capsys):
    _, paths = world
    locked = tmp_path / "solo_lectura"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        _check_refused(_argv("train", ["--out", str(locked / "m.pt")], paths), "no se puede escribir", capsys)
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_missing_output_folder_is_created_before_training(world, tmp_path, monkeypatch, capsys):
    """La orden del README en un clon nuevo (--out _train/rnn.pt sin la carpeta): se crea y se entrena."""
    _, paths = world
    monkeypatch.chdir(tmp_path)
    cli.main(_argv("train", ["--out", "_train/rnn.pt"], paths))
    assert (tmp_path / "_train" / "rnn.pt").is_file()
    assert "Se creó la carpeta _train" in capsys.readouterr().out
    assert not (tmp_path / "_train" / "rnn.pt.progreso.pt").exists()


def test_pretrained_names_are_accepted_as_models(capsys):
    cli.main(["generate", "rnn", "--length", "3", "--seed", "0", "--prompt", "la"])
    assert capsys.readouterr().out.startswith("la")


def test_evaluate_says_what_it_measured(world, tmp_path, capsys):
    _, paths = world
    fragment = tmp_path / "fragmento.txt"
    fragment.write_text("la dama del castillo de la venta " * 12, encoding="utf-8")
    n = len(clean(fragment.read_text(encoding="utf-8")))
    cli.main(["evaluate", paths["model"], "--text", str(fragment)])
    out = capsys.readouterr().out  # antes: la perplejidad de los 20 caracteres finales, sin aviso
    assert f"Perplejidad de todo el texto ({n} caracteres)" in out and f"({n - 1} caracteres predichos)" in out
    assert f"solo se midieron {n - 1} caracteres" in out
    cli.main(["evaluate", paths["model"], "--text", str(fragment), "--split", "test"])
    out = capsys.readouterr().out
    assert f"Perplejidad de prueba (el 5\u00a0% final de {n} caracteres)" in out and "solo se midieron" in out
    cli.main(["evaluate", paths["model"], "--text", paths["file"]])  # el texto del entrenamiento: su prueba
    assert "Perplejidad de prueba" in capsys.readouterr().out


def test_recipe_alone_lists_recipes_and_help_shows_its_values(capsys):
    assert cli.main(["train", "--recipe"]) == 0
    out = capsys.readouterr().out
    for name in RECIPES:
        assert f"  {name}" in out
    assert "--hidden 464" in out
    with pytest.raises(SystemExit) as info:
        cli.main(["train", "--recipe", "lstm", "--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0 and "receta 'lstm'" in out
    assert f"por omisión: {RECIPES['lstm']['hidden']}" in " ".join(out.split())


@pytest.mark.parametrize("command", [[], ["train"], ["evaluate"], ["generate"], ["train", "--recipe", "lstm"]])
def test_help_of_every_command_is_printed(command, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main([*command, "--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0 and out.startswith("uso: python -m companion") and "%" not in out.replace("\u00a0%", "")


def test_generation_streams_and_ctrl_c_stops_it_cleanly(world, monkeypatch, capsys):
    """Ctrl-C a mitad: queda escrito lo generado, un aviso de una línea y el código 130, sin traza."""
    _, paths = world
    import companion.generate as generate_module

    real = generate_module._characters

    def interrupted(*args):
        for count, character in enumerate(real(*args)):
            if count == 40:
                raise KeyboardInterrupt
            yield character

    monkeypatch.setattr(generate_module, "_characters", interrupted)
    with pytest.raises(SystemExit) as info:
        cli.main(["generate", paths["model"], "--length", "20000", "--long", "--prompt", "la", "--seed", "0"])
    captured = capsys.readouterr()
    assert info.value.code == 130
    assert captured.out.startswith("la") and len(captured.out.strip()) == 2 + 40
    assert "interrumpida con Ctrl-C tras 40 de 20" in captured.err and "Traceback" not in captured.err


# ------------------------------------------------------------------------------ en un proceso aparte

def _run(args, **kwargs):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.run([sys.executable, "-m", "companion", *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False, **kwargs)


@pytest.mark.parametrize("options", [["train", "--text", "{file}", "--hidden", "2000000", "--out", "{dir}/m.pt"]])
def test_refused_in_a_real_process(options, world, tmp_path):
    _, paths = world
    result = _run([option.format(**paths) for option in options], cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="SIGINT de POSIX")
def test_ctrl_c_in_a_real_process(world, tmp_path):
    """Una generación larga (--long) se escribe a medida y SIGINT la para con lo escrito y el código 130."""
    _, paths = world
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = tmp_path / "texto.txt"
    with open(out, "w", encoding="utf-8") as handle:
        process = subprocess.Popen([sys.executable, "-m", "companion", "generate", paths["model"], "--length",
                                    "100000000", "--long", "--prompt", "la"], stdout=handle,
                                   stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.monotonic() + 60
        while out.stat().st_size < 50 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    text = out.read_text(encoding="utf-8")
    assert process.returncode == 130, err
    assert text.startswith("la") and len(text) >= 50
    assert "Traceback" not in err and "Generación interrumpida con Ctrl-C tras" in err
    assert "Generando" in err  # la barra de progreso, porque la salida no es la terminal


# ------------------------------------------------------------------------------ propiedades (Hypothesis)

CONVERTERS = [(cli._seed, 0, cli.SEED_LIMIT - 1), (cli._natural_int, 0, math.inf),
              (cli._positive_int, 1, math.inf), (cli._temperature, cli.MIN_TEMPERATURE, math.inf),
              (cli._probability, 0, 1 - 1e-300), (cli._lr, 0, cli.MAX_LR),
              (cli._layers, 1, cli.MAX_LAYERS), (cli._size, 1, cli.MAX_SIZE)]
NUMBERISH = st.one_of(st.text(max_size=30), st.integers().map(str), st.floats().map(repr),
                      st.floats().map(str), st.integers(min_value=-(2**70), max_value=2**70).map(lambda n: f"{n}.0"))


@settings(max_examples=150, deadline=None)
@given(text=NUMBERISH)
def test_converters_accept_only_values_in_range(text):
    for convert, low, high in CONVERTERS:
        try:
            value = convert(text)
        except argparse.ArgumentTypeError as error:
            assert "se esperaba" in str(error) and "\n" not in str(error)
        else:
            assert math.isfinite(value) and low <= value <= high


@settings(max_examples=60, deadline=None)
@given(option=st.sampled_from(["--seed", "--length", "--temperature", "--top-k"]), text=NUMBERISH)
def test_generate_options_never_raise_anything_but_a_spanish_exit(option, text):
    parser = cli.build_parser()
    err = StringIO()
    try:
        with redirect_stderr(err):
            parser.parse_args(["generate", "m.pt", option, text])
    except SystemExit as exit_:
        assert exit_.code == 2 and err.getvalue().count("\n") == 1 and f"argumento {option}" in err.getvalue()


def test_case_count_is_in_the_readme():
    """El README dice cuántos casos hostiles se prueban (la tabla de arriba, más los de proceso aparte)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{len(CASES)} casos" in readme, f"Escriba en el README: {len(CASES)} casos"
