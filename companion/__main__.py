"""Línea de órdenes del curso: ``python -m companion train | evaluate | generate``.

Ejemplos::

    python -m companion train --cell lstm --hidden 256 --epochs 1 --max-steps 200 --out lstm.pt
    python -m companion evaluate lstm.pt
    python -m companion generate lstm.pt --prompt "en un lugar de la mancha" --temperature 0.7 --seed 0

``train`` entrena con el 90 % inicial del texto (el Quijote, o cualquier archivo UTF-8 dado con ``--text``,
limpiado con :func:`companion.data.clean`), mide la perplejidad en el 5 % de validación y en el 5 % final de
prueba, y guarda el modelo con su vocabulario y sus metadatos (incluida la orden que lo reproduce).

Todo lo que puede fallar por la orden se comprueba antes del primer lote: la ruta de ``--out`` (no puede ser
una carpeta ni estar en ``companion/pretrained/`` sin ``--overwrite-pretrained``; su carpeta se crea si falta),
el tamaño del modelo (parámetros y memoria estimados) y que el texto llene al menos un lote. Un error se
escribe en una sola línea, en español, y la orden termina con el código 2; Ctrl-C termina con el 130.
"""
from __future__ import annotations

import argparse
import datetime
import math
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

from companion.argparse_es import SpanishArgumentParser, number_type, path_type
from companion.display import fmt_int

SEED_LIMIT = 2**32  # las semillas van de 0 a 2³² − 1, como en NumPy
MIN_TEMPERATURE = 0.01  # por debajo el muestreo ya es voraz en la práctica: para eso está --greedy
MAX_LAYERS = 32
MAX_SIZE = 10**8  # tope de --hidden y --embedding antes de estimar (el límite real lo pone MAX_PARAMETERS)
MAX_LR = 10.0
MAX_THREADS = 4 * (os.cpu_count() or 1)
MAX_LENGTH = 10_000  # --length mayor pide --long (y se escribe a medida que se genera)
PROGRESS_LENGTH = 2_000  # desde esta longitud, barra de progreso (si la salida no es la terminal)
MAX_PARAMETERS = 100_000_000  # 30 veces el mayor modelo del curso (lstm_large, unos 3.3 millones)
FEW_CHARACTERS = 5_000  # una perplejidad medida sobre menos caracteres varía mucho de un fragmento a otro

_positive_int = number_type(int, 1, description="un entero positivo")
_natural_int = number_type(int, 0, description="un entero mayor o igual que 0")
_seed = number_type(int, 0, below=SEED_LIMIT, description=f"un entero entre 0 y {fmt_int(SEED_LIMIT - 1)}")
_size = number_type(int, 1, below=MAX_SIZE + 1, description=f"un entero entre 1 y {fmt_int(MAX_SIZE)}")
_threads = number_type(int, 1, below=MAX_THREADS + 1, description=f"un entero entre 1 y {MAX_THREADS}")
_lr = number_type(float, 0, strict=True, below=math.nextafter(MAX_LR, math.inf),
                  description=f"un número positivo y finito, como mucho {MAX_LR:g}")
_layers = number_type(int, 1, below=MAX_LAYERS + 1, description=f"un entero entre 1 y {MAX_LAYERS}")
_positive_float = number_type(float, 0, strict=True, description="un número positivo y finito")
_temperature = number_type(float, MIN_TEMPERATURE,
                           description=f"un número finito mayor o igual que {MIN_TEMPERATURE} (para elegir siempre "
                                       "el carácter más probable, use --greedy)")
_non_negative_float = number_type(float, 0, description="un número mayor o igual que 0 y finito")
_probability = number_type(float, 0, below=1, description="una probabilidad entre 0 (incluido) y 1 (excluido)")
_finite_float = number_type(float, description="un número finito")


def _recipe_names() -> str:
    from companion.recipes import RECIPES

    return ", ".join(RECIPES)


def build_parser(train_defaults: dict | None = None, recipe_name: str | None = None) -> argparse.ArgumentParser:
    """Analizador de argumentos de ``python -m companion`` (ayuda y errores en español).

    ``train_defaults`` sustituye valores por omisión de ``train`` (así se aplica ``--recipe``; con
    ``recipe_name``, la ayuda lo dice y muestra los valores de esa receta).
    """
    parser = SpanishArgumentParser(
        prog="python -m companion",
        description="Entrena, evalúa y usa modelos de lenguaje de caracteres (RNN, GRU, LSTM) sobre el Quijote.")
    commands = parser.add_subparsers(dest="command", title="órdenes", metavar="{train,evaluate,generate}",
                                     parser_class=SpanishArgumentParser)
    commands.required = True
    _add_train_command(commands, train_defaults, recipe_name)
    _add_evaluate_command(commands)
    _add_generate_command(commands)
    return parser


def _add_train_command(commands, train_defaults, recipe_name) -> None:
    description = ("Entrena un modelo con el 90\u00a0% inicial del texto, mide la perplejidad de validación y de "
                   "prueba y lo guarda (pesos, vocabulario y metadatos, con la orden que lo reproduce).")
    if recipe_name is not None:
        description += (f" Los valores por omisión que se muestran son los de la receta {recipe_name!r}; "
                        "cualquier opción escrita los sustituye.")
    train = commands.add_parser("train", help="entrena un modelo y lo guarda en un punto de control",
                                description=description)
    _add_model_options(train.options.add_argument)
    _add_training_options(train.options.add_argument)
    _add_file_options(train.options.add_argument)
    if train_defaults:
        train.set_defaults(**train_defaults)


def _add_model_options(option) -> None:
    """Opciones de ``train`` que eligen el modelo: celda, tamaños, *dropout*."""
    from companion.model import CELLS

    option("--cell", choices=tuple(CELLS), default="lstm", help="tipo de celda recurrente")
    option("--hidden", metavar="H", type=_size, default=256,
           help="tamaño h del estado oculto (se rechaza un modelo de más de "
                f"{fmt_int(MAX_PARAMETERS)} parámetros o que no quepa en la memoria)")
    option("--layers", metavar="N", type=_layers, default=1, help="número de capas apiladas")
    option("--embedding", metavar="D", type=_size, default=None,
           help="dimensión de la incrustación de entrada (sin indicar: codificación one-hot)")
    option("--dropout", metavar="P", type=_probability, default=0.0, help="probabilidad de dropout entre capas")
    option("--embedding-dropout", metavar="P", type=_probability, default=0.0,
           help="probabilidad de dropout sobre las entradas de la capa recurrente")
    option("--output-dropout", metavar="P", type=_probability, default=0.0,
           help="probabilidad de dropout sobre las salidas de la capa recurrente (antes de W_hq)")
    option("--weight-drop", metavar="P", type=_probability, default=0.0,
           help="probabilidad de anular cada peso de las matrices recurrentes, con una máscara por segmento "
                "(como AWD-LSTM)")
    option("--forget-bias", metavar="B", type=_finite_float, default=None,
           help="solo LSTM: sesgo inicial de la compuerta de olvido (por ejemplo 1.0)")
    option("--scratch", action="store_true",
           help="usa las capas programadas desde cero en lugar de las de torch.nn (más lento)")


def _add_training_options(option) -> None:
    """Opciones de ``train`` que eligen cómo se entrena: receta, épocas, lotes, optimizador, paradas."""
    option("--recipe", metavar="NOMBRE", nargs="?", const="", default=None,
           help=f"parte de la receta de un modelo preentrenado ({_recipe_names()}); las opciones escritas la "
                "sustituyen. Sin nombre, muestra las recetas y sus valores; con --help, los valores de la receta")
    option("--epochs", metavar="N", type=_positive_int, default=1, help="número de épocas")
    option("--batch-size", metavar="B", type=_positive_int, default=64, help="secuencias por lote")
    option("--steps", metavar="T", type=_positive_int, default=100,
           help="longitud T de cada segmento (truncamiento de la retropropagación)")
    option("--lr", metavar="ETA", type=_lr, default=None,
           help="tasa de aprendizaje (sin indicar: 2e-3 con Adam, 1.0 con SGD y Adadelta)")
    option("--lr-schedule", choices=("constant", "cosine"), default="constant",
           help="tasa de aprendizaje constante o con decaimiento coseno hasta 0")
    option("--clip", metavar="NORMA", type=_non_negative_float, default=1.0,
           help="norma máxima del gradiente; 0 desactiva el recorte")
    option("--optimizer", choices=("adam", "sgd", "adadelta"), default="adam", help="optimizador")
    option("--sampling", choices=("sequential", "random"), default="sequential",
           help="partición secuencial (el estado pasa entre lotes) o muestreo aleatorio")
    option("--random-truncation", action="store_true", help="sortea la longitud de cada segmento entre T/2 y 3T/2")
    option("--seed", metavar="SEMILLA", type=_seed, default=0, help="semilla aleatoria")
    option("--max-steps", metavar="N", type=_positive_int, default=None, help="máximo de pasos por época")
    option("--total-steps", metavar="N", type=_positive_int, default=None,
           help="máximo de pasos sumando todas las épocas")
    option("--time-limit", metavar="SEGUNDOS", type=_positive_float, default=None,
           help="para al cabo de estos segundos (solo con tasa constante); los metadatos guardan la orden "
                "equivalente, con el número de pasos dados en lugar del tiempo, que lo reproduce")
    option("--patience", metavar="N", type=_positive_int, default=None,
           help="épocas sin mejora en validación antes de parar (sin indicar: sin parada temprana)")


def _add_file_options(option) -> None:
    """Opciones de ``train`` sobre los archivos (texto, punto de control, progreso) y la ejecución."""
    option("--text", metavar="RUTA", type=path_type, default=None,
           help="archivo de texto UTF-8 con el que entrenar (sin indicar: el Quijote)")
    option("--out", metavar="RUTA", type=path_type, default=Path("modelo.pt"),
           help="ruta del punto de control; si su carpeta no existe, se crea antes de entrenar")
    option("--overwrite-pretrained", action="store_true",
           help="permite escribir en companion/pretrained/, la carpeta de los modelos que usan los capítulos")
    option("--resume", action="store_true",
           help="reanuda desde RUTA.progreso.pt (se guarda al final de cada época) si existe")
    option("--half", action="store_true",
           help="guarda los pesos en float16 (la mitad de espacio; las perplejidades se miden con esos pesos)")
    option("--int8", action="store_true",
           help="guarda las matrices en int8 con una escala por fila y los sesgos en float16 (un cuarto del "
                "espacio de float32; las perplejidades se miden con esos pesos; sustituye a --half)")
    option("--threads", metavar="N", type=_threads, default=None,
           help="hilos de CPU para PyTorch (sin indicar: los que elija PyTorch)")
    option("--quiet", action="store_true", help="sin barra de progreso")


def _add_model_command(commands, name: str, **texts) -> argparse.ArgumentParser:
    """Una orden que recibe un modelo (``evaluate``, ``generate``): su analizador, con el argumento ``MODELO``."""
    from companion.checkpoint import PRETRAINED_NAMES

    command = commands.add_parser(name, **texts)
    command.positionals.add_argument(
        "checkpoint", type=path_type, metavar="MODELO",
        help=f"punto de control (.pt) o nombre de un modelo preentrenado ({', '.join(PRETRAINED_NAMES)})")
    return command


def _add_evaluate_command(commands) -> None:
    evaluate = _add_model_command(
        commands, "evaluate", help="mide la perplejidad de un punto de control",
        description="Mide la perplejidad y los bits por carácter de un modelo. Sin --text, en la parte de "
                    "prueba del Quijote (5\u00a0% final). Con --text, en todo el texto si no es el del "
                    "entrenamiento, y si lo es, en su parte de prueba; --split elige otra parte. La salida dice "
                    "qué parte y cuántos caracteres se midieron, y avisa si son pocos. El texto puede usar solo "
                    "una parte de los caracteres del modelo; un carácter que el modelo no conoce es un error.")
    evaluate.options.add_argument("--text", metavar="RUTA", type=path_type, default=None,
                                  help="archivo de texto UTF-8 (sin indicar: el Quijote)")
    evaluate.options.add_argument("--split", choices=("test", "val", "all"), default=None,
                                  help="parte del texto: la de prueba, al final (test), la de validación (val) o "
                                       "todo el texto (all); sin indicar, como se explica arriba")


def _add_generate_command(commands) -> None:
    generate = _add_model_command(
        commands, "generate", help="genera texto a partir de un comienzo",
        description="Genera texto con un modelo, por muestreo con temperatura (y top-k) o de forma voraz, y "
                    "lo escribe a medida que se genera (Ctrl-C lo para y deja lo escrito). "
                    "El texto inicial se limpia como el corpus (minúsculas; lo que no es una letra del "
                    "español pasa a ser un espacio) y se avisa de cada carácter cambiado.")
    option = generate.options.add_argument
    option("--prompt", metavar="TEXTO", default="en un lugar de la mancha", help="texto inicial")
    option("--length", metavar="N", type=_natural_int, default=200,
           help=f"caracteres que se generan (más de {fmt_int(MAX_LENGTH)}, solo con --long)")
    option("--long", action="store_true",
           help=f"permite --length mayor que {fmt_int(MAX_LENGTH)}; el texto se escribe a medida que se genera")
    option("--temperature", metavar="TAU", type=_temperature, default=1.0,
           help=f"temperatura del muestreo (un número finito, como mínimo {MIN_TEMPERATURE})")
    option("--top-k", metavar="K", type=_positive_int, default=None, help="muestrea solo entre los k más probables")
    option("--seed", metavar="SEMILLA", type=_seed, default=None, help="semilla del muestreo")
    option("--greedy", action="store_true", help="elige siempre el carácter más probable")
    option("--quiet", action="store_true", help="sin barra de progreso")


class UsageError(ValueError):
    """Un error de la orden que se detecta después de leer los argumentos (una ruta, un tamaño…)."""


def _check_output(path: Path, overwrite_pretrained: bool) -> Path | None:
    """Comprueba la ruta de ``--out`` sin escribir nada y devuelve la carpeta que habrá que crear (o ``None``).

    Se rechaza una carpeta, una ruta dentro de ``companion/pretrained/`` (sin ``overwrite_pretrained``), una
    ruta cuya carpeta no se puede crear (un tramo es un archivo) y una carpeta en la que no se puede escribir.
    """
    from companion.checkpoint import PRETRAINED_DIR

    if path.is_dir():
        raise UsageError(f"--out: {str(path)!r} es una carpeta: indique la ruta de un archivo dentro de ella, por "
                         f"ejemplo {str(path / 'modelo.pt')!r}.")
    progress = _progress_path(path)
    if progress.is_dir():
        raise UsageError(f"--out: {str(progress)!r}, donde se guarda el progreso de cada época, es una carpeta: "
                         "bórrela o elija otra ruta.")
    resolved = path.resolve()
    if not overwrite_pretrained and resolved.is_relative_to(PRETRAINED_DIR):
        raise UsageError(f"--out: {str(path)!r} está en {str(PRETRAINED_DIR)!r}, la carpeta de los modelos que "
                         "usan los capítulos: escriba en otra (por ejemplo _train/) y copie el modelo a mano tras "
                         "revisar sus cifras, o añada --overwrite-pretrained si de verdad quiere sustituirlo.")
    parent = resolved.parent
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"--out: no se puede crear la carpeta {str(parent)!r}: {str(existing)!r} es un archivo, "
                         "no una carpeta.")
    try:  # la única forma fiable de saber si se puede escribir (os.access no sirve para root)
        handle, probe = tempfile.mkstemp(dir=existing, prefix=".companion-", suffix=".tmp")
    except OSError as error:
        raise UsageError(f"--out: no se puede escribir en la carpeta {str(existing)!r} (no admite crear archivos): "
                         "elija otra ruta.") from error
    os.close(handle)
    os.remove(probe)
    return parent if existing != parent else None


def _size_problem(args, vocab_size: int) -> str | None:
    """Estima los parámetros y la memoria del entrenamiento pedido; devuelve por qué no se admite, o ``None``.

    El modelo se construye en el dispositivo ``meta`` de PyTorch (formas sin memoria), así que el número de
    parámetros es exacto para cualquier celda. La memoria es una estimación por lo alto: 16 bytes por
    parámetro (pesos, gradientes y los dos momentos de Adam, en float32) y, por cada carácter del lote, unos
    8 valores por unidad oculta y capa y 3 por símbolo de salida (activaciones guardadas para la
    retropropagación y sus gradientes).
    """
    import torch

    with torch.device("meta"):
        model = _model_from_args(args, vocab_size)
    parameters = model.num_parameters()
    steps = math.ceil(args.steps * 1.5) if args.random_truncation else args.steps
    activations = args.batch_size * steps * (8 * args.hidden * args.layers + (args.embedding or 0) + 3 * vocab_size)
    memory = 16 * parameters + 4 * activations
    available = _memory_available()
    sizes = f"--hidden {args.hidden}, --layers {args.layers}" + (
        f", --embedding {args.embedding}" if args.embedding else "")
    estimate = (f"El modelo pedido ({sizes}) tendría {fmt_int(parameters)} parámetros y el entrenamiento "
                f"(--batch-size {args.batch_size}, --steps {args.steps}) necesitaría unos {_bytes(memory)} de memoria")
    if parameters > MAX_PARAMETERS:
        return (f"{estimate}: el límite es {fmt_int(MAX_PARAMETERS)} parámetros (el mayor modelo del curso tiene "
                "unos 3.3 millones). Reduzca --hidden, --embedding o --layers.")
    if available is not None and memory > 0.8 * available:
        return (f"{estimate}, más del 80\u00a0% de los {_bytes(available)} de esta máquina. Reduzca --hidden, "
                "--layers, --batch-size o --steps.")
    return None


def _memory_available() -> int | None:
    """Memoria del dispositivo de entrenamiento en bytes: la de la GPU si la hay, si no la RAM (o ``None``)."""
    import torch

    if torch.cuda.is_available():
        return torch.cuda.get_device_properties(0).total_memory
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _bytes(count: float) -> str:
    """``count`` bytes en la unidad adecuada (kB, MB, GB, TB…), con una cifra decimal."""
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if count < 1000 or unit == "PB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} PB"


def _check_data_size(corpus, args) -> None:
    """El texto de entrenamiento debe llenar al menos un lote: error con los nombres de las opciones."""
    needed = args.batch_size * args.steps + 1
    available = len(corpus.train)
    if available < needed:
        largest = (available - 1) // args.steps
        hint = f"--batch-size {largest}" if largest >= 1 else f"--batch-size 1 --steps {max(1, available - 1)}"
        raise UsageError(f"El texto de entrenamiento (el 90\u00a0% de {fmt_int(len(corpus.text))} caracteres: "
                         f"{fmt_int(available)}) no llena ni un lote de --batch-size {args.batch_size} × --steps "
                         f"{args.steps} = {fmt_int(needed - 1)} caracteres: reduzca --batch-size o --steps (por "
                         f"ejemplo {hint}) o use un texto más largo.")


def _train(args, argv):
    """La orden ``train``: comprueba la orden, entrena, mide validación y prueba y guarda el punto de control."""
    import torch

    from companion.checkpoint import round_to_half, round_to_int8, save_checkpoint
    from companion.data import load_text_corpus
    from companion.train import evaluate, get_device, train

    missing_folder = _check_train_options(args)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    corpus = load_text_corpus(args.text)
    problem = _size_problem(args, len(corpus.vocab))
    if problem:
        raise UsageError(problem)
    _check_data_size(corpus, args)
    progress = _ProgressFile(_progress_path(args.out), _without_resume(argv), args.time_limit)
    if args.resume:
        progress.load()
    if missing_folder is not None:
        missing_folder.mkdir(parents=True, exist_ok=True)
        print(f"Se creó la carpeta {args.out.parent} para el punto de control.")
    torch.manual_seed(args.seed)
    model = _model_from_args(args, len(corpus.vocab))
    print(f"Modelo {args.cell.upper()} con {fmt_int(model.num_parameters())} parámetros; entrenamiento con "
          f"{fmt_int(len(corpus.train))} caracteres en {get_device()}.")
    # Con una sola época y sin parada temprana la validación se mide una vez, al final (ahorra una pasada).
    val_ids = corpus.val if args.epochs > 1 or args.patience else None
    try:
        history = train(model, corpus.train, val_ids, epochs=args.epochs, batch_size=args.batch_size,
                        num_steps=args.steps, lr=args.lr, optimizer=args.optimizer, lr_schedule=args.lr_schedule,
                        clip=args.clip if args.clip > 0 else None, sampling=args.sampling,
                        random_truncation=args.random_truncation, max_steps=args.max_steps,
                        total_steps=args.total_steps, patience=args.patience, seed=args.seed,
                        progress=not args.quiet, callback=progress)
    except KeyboardInterrupt:
        saved = (f"el progreso de la última época completa está en {progress.path}: repita la misma orden con "
                 "--resume para continuar" if progress.path.is_file() else "no se completó ninguna época")
        raise Interrupted(f"Entrenamiento interrumpido; {saved}.") from None
    model.cpu()
    if args.int8:
        round_to_int8(model)
    elif args.half:
        round_to_half(model)
    val, test = evaluate(model, corpus.val), evaluate(model, corpus.test)
    metadata = _training_metadata(args, argv, corpus, model, history, val, test)
    save_checkpoint(args.out, model, corpus.vocab, metadata, half=args.half, int8=args.int8)
    progress.path.unlink(missing_ok=True)
    print(f"Validación: perplejidad {val.perplexity:.3f}, {val.bpc:.3f} bits por carácter.")
    print(f"Prueba: perplejidad {test.perplexity:.3f}, {test.bpc:.3f} bits por carácter.")
    print(f"Tiempo de entrenamiento: {history.total_time:.0f} s. Guardado en {args.out}.")


def _check_train_options(args) -> Path | None:
    """Lo que se comprueba de la orden ``train`` antes de leer el texto; devuelve la carpeta de ``--out`` que
    habrá que crear (o ``None``)."""
    from companion.data import check_text_file

    if args.time_limit is not None and args.lr_schedule != "constant":
        raise UsageError("--time-limit solo se admite con --lr-schedule constant: así la orden equivalente con "
                         "--total-steps reproduce exactamente el entrenamiento.")
    if args.forget_bias is not None and args.cell != "lstm":
        raise UsageError(f"--forget-bias solo se admite con --cell lstm, no con --cell {args.cell}.")
    if args.text is not None:
        check_text_file(args.text, "--text")
    return _check_output(args.out, args.overwrite_pretrained)


def _model_from_args(args, vocab_size: int):
    """El modelo que piden las opciones de ``train`` (en el dispositivo por omisión de PyTorch)."""
    from companion.model import build_model

    return build_model(cell=args.cell, vocab_size=vocab_size, hidden_size=args.hidden, num_layers=args.layers,
                       dropout=args.dropout, embedding_dim=args.embedding, scratch=args.scratch,
                       embedding_dropout=args.embedding_dropout, output_dropout=args.output_dropout,
                       forget_bias=args.forget_bias, weight_drop=args.weight_drop)


def _progress_path(out: Path) -> Path:
    """Archivo donde ``train`` guarda el progreso de cada época para ``--resume``: ``RUTA.progreso.pt``."""
    return Path(str(out) + ".progreso.pt")


class _ProgressFile:
    """Lo que la orden ``train`` añade a :func:`companion.train.train`, como un :class:`companion.train.Callback`
    (con sus tres métodos; sin heredar de él para no importar PyTorch al escribir la ayuda): reanudar desde el
    archivo de progreso, guardarlo al final de cada época con la orden que lo produjo y parar tras
    ``--time-limit`` segundos, contados desde el comienzo del entrenamiento."""

    def __init__(self, path: Path, argv: list, time_limit: float | None):
        self.path, self.argv, self.time_limit = path, argv, time_limit
        self.saved, self.deadline = None, math.inf

    def load(self) -> None:
        """Lee el progreso guardado, si existe; debe ser de la misma orden (sin ``--resume`` ni ``--threads``)."""
        import torch

        if not self.path.is_file():
            return
        self.saved = torch.load(self.path, weights_only=True, map_location="cpu")
        if self.saved.get("argv") != self.argv:
            raise UsageError(f"{self.path} se guardó con otra orden ({shlex.join(self.saved.get('argv', []))}): "
                             "repita exactamente esa orden con --resume, o borre el archivo para empezar de cero.")
        print(f"Se reanuda tras la época {self.saved['epoch']} ({self.path}).")

    def on_train_begin(self, state) -> None:
        if self.saved is not None:
            state.load_state_dict(self.saved)
        if self.time_limit is not None:
            self.deadline = time.perf_counter() + self.time_limit

    def should_stop(self, state) -> bool:
        return time.perf_counter() > self.deadline

    def on_epoch_end(self, state) -> None:
        import torch

        from companion.files import write_atomic

        write_atomic(self.path, lambda handle: torch.save(dict(state.state_dict(), argv=self.argv), handle))
        history = state.history
        val = f", validación {history.val_ppl[-1]:.3f}" if history.val_ppl else ""
        print(f"Época {state.epoch}: entrenamiento {history.train_ppl[-1]:.3f}{val}, "
              f"{history.epoch_time[-1]:.0f} s.", flush=True)


def _training_metadata(args, argv, corpus, model, history, val, test) -> dict:
    """Metadatos del punto de control de ``train``: datos, cifras, opciones y la orden que lo reproduce."""
    import torch

    from companion.train import get_device

    command = _reproducible(argv, len(history.step_loss)) if args.time_limit is not None else _without_resume(argv)
    return {
        "corpus": "quijote" if args.text is None else Path(args.text).name,
        "corpus_checksum": corpus.checksum,
        "epochs": len(history.train_ppl),
        "steps": len(history.step_loss),
        "best_epoch": history.best_epoch,
        "training_time_s": round(history.total_time, 1),
        "train_perplexity": history.train_ppl[-1],
        "val_perplexity": val.perplexity, "val_bpc": val.bpc,
        "test_perplexity": test.perplexity, "test_bpc": test.bpc,
        "num_parameters": model.num_parameters(),
        "float16": bool(args.half and not args.int8),
        "int8": bool(args.int8),
        "settings": {key: (str(value) if isinstance(value, Path) else value) for key, value in vars(args).items()
                     if key not in ("command", "quiet", "threads", "resume")},
        "command": "python -m companion " + shlex.join(command),
        "characters_seen": len(history.step_loss) * args.batch_size * args.steps,
        "epoch_train_perplexity": list(history.train_ppl),
        "epoch_val_perplexity": list(history.val_ppl),
        "torch_version": str(torch.__version__),
        "device": str(get_device()),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def _drop_options(argv, *, flags=(), with_value=()):
    """``argv`` sin las opciones ``flags`` (sin valor) ni ``with_value`` (con su valor, ``--op V`` o ``--op=V``)."""
    out, skip = [], False
    for item in argv:
        if skip:
            skip = False
        elif item in with_value:
            skip = True
        elif item not in flags and not item.startswith(tuple(f"{option}=" for option in with_value)):
            out.append(item)
    return out


def _without_resume(argv):
    """``argv`` sin ``--resume`` ni ``--threads N``: opciones que no cambian qué se entrena."""
    return _drop_options(argv, flags=("--resume",), with_value=("--threads",))


def _reproducible(argv, steps):
    """``argv`` con ``--time-limit`` sustituido por ``--total-steps`` con los pasos que se dieron de verdad."""
    return _drop_options(argv, with_value=("--time-limit", "--total-steps")) + ["--total-steps", str(steps)]


def _checkpoint_path(path: Path) -> Path:
    """Ruta del punto de control de ``MODELO``: un archivo, o el nombre de un modelo preentrenado."""
    from companion.checkpoint import PRETRAINED_DIR, PRETRAINED_NAMES

    names = ", ".join(PRETRAINED_NAMES)
    if path.is_dir():
        inside = sorted(p.name for p in path.glob("*.pt"))[:3]
        example = f" (contiene {', '.join(inside)})" if inside else ""
        raise UsageError(f"MODELO: {str(path)!r} es una carpeta, no un punto de control: indique el archivo .pt"
                         f"{example}.")
    if path.is_file():
        return path
    if str(path) in PRETRAINED_NAMES:
        return PRETRAINED_DIR / f"{path}.pt"
    raise UsageError(f"MODELO: no existe el punto de control {str(path)!r}: revise la ruta, o escriba el nombre de "
                     f"un modelo preentrenado ({names}; sus archivos están en {str(PRETRAINED_DIR)!r}).")


def _evaluate(args):
    from companion.checkpoint import load_checkpoint
    from companion.data import check_text_file, load_text_corpus
    from companion.train import evaluate

    path = _checkpoint_path(args.checkpoint)
    if args.text is not None:
        check_text_file(args.text, "--text")
    model, vocab, metadata = load_checkpoint(path)
    corpus = load_text_corpus(args.text, vocab=vocab)
    same_text = metadata.get("corpus_checksum") in (None, corpus.checksum)
    split = args.split or ("test" if args.text is None or same_text else "all")
    total = fmt_int(len(corpus.text))
    if split == "all":
        ids, name = vocab.encode(corpus.text), f"todo el texto ({total} caracteres)"
    elif split == "test":
        ids, name = corpus.test, f"prueba (el 5\u00a0% final de {total} caracteres)"
    else:
        ids, name = corpus.val, f"validación (el 5\u00a0% anterior a la prueba, de {total} caracteres)"
    result = evaluate(model, ids)
    print(f"Perplejidad de {name}: {result.perplexity:.3f}; {result.bpc:.3f} bits por carácter "
          f"({fmt_int(result.count)} caracteres predichos).")
    if not same_text:
        print("Aviso: el texto no es el mismo con el que se entrenó el modelo (la suma de comprobación difiere).")
    if result.count < FEW_CHARACTERS:
        print(f"Aviso: solo se midieron {fmt_int(result.count)} caracteres; con menos de {fmt_int(FEW_CHARACTERS)} "
              "la perplejidad cambia mucho de un fragmento a otro (el intervalo de confianza es ancho): use un "
              "texto más largo.")


def _generate(args):
    from companion.checkpoint import load_checkpoint
    from companion.data import clean_changes
    from companion.generate import generate_stream

    if args.length > MAX_LENGTH and not args.long:
        raise UsageError(f"--length {args.length} pide más de {fmt_int(MAX_LENGTH)} caracteres: añada --long si de "
                         "verdad los quiere (el texto se escribe a medida que se genera y Ctrl-C lo para).")
    path = _checkpoint_path(args.checkpoint)
    model, vocab, _ = load_checkpoint(path)
    text, characters = generate_stream(model, vocab, args.prompt, length=args.length,
                                       strategy="greedy" if args.greedy else "sample",
                                       temperature=args.temperature, top_k=args.top_k, seed=args.seed)
    changes = clean_changes(args.prompt)
    if changes:
        shown = ", ".join(f"«{old}» → {'espacio' if new == ' ' else '«' + new + '»'}"
                          for old, new in changes if old not in "\n\t\r")
        if shown:
            print(f"Aviso: el texto inicial se limpió como el corpus (minúsculas; lo que no es una letra del "
                  f"español pasa a ser un espacio): {shown}.", file=sys.stderr)
    # El texto se escribe a medida que se genera. La barra de progreso va a la salida de errores solo si la
    # salida no es la terminal (redirigida a un archivo): en la terminal, el propio texto que aparece es el
    # progreso, y una barra en las mismas líneas lo desordenaría.
    show_bar = args.length >= PROGRESS_LENGTH and not args.quiet and not sys.stdout.isatty()
    bar = None
    if show_bar:
        from tqdm import tqdm

        bar = tqdm(total=args.length, unit="car", desc="Generando", file=sys.stderr, mininterval=0.5)
    out = sys.stdout
    out.write(text)
    out.flush()
    count, last_flush = 0, time.monotonic()
    try:
        for character in characters:
            out.write(character)
            count += 1
            if bar is not None and count % 100 == 0:
                bar.update(100)
            if time.monotonic() - last_flush > 0.2:
                out.flush()
                last_flush = time.monotonic()
    except KeyboardInterrupt:
        out.write("\n")
        out.flush()
        if bar is not None:
            bar.close()
        raise Interrupted(f"Generación interrumpida con Ctrl-C tras {fmt_int(count)} de {fmt_int(args.length)} "
                          "caracteres: arriba está lo generado hasta entonces.") from None
    out.write("\n")
    out.flush()
    if bar is not None:
        bar.update(count % 100)
        bar.close()


class Interrupted(Exception):
    """Ctrl-C durante una orden: se escribe el mensaje y se termina con el código 130."""


def _recipe_from_argv(argv) -> str | None:
    """Nombre dado a ``--recipe`` en una orden ``train`` (antes de analizarla, para que ``--help`` muestre los
    valores de la receta), ``_LIST`` si ``--recipe`` va sin nombre, o ``None`` si no aparece."""
    if not argv or argv[0] != "train":
        return None
    for i, item in enumerate(argv[1:], 1):
        if item == "--":
            break
        if item.startswith("--recipe="):
            return item.split("=", 1)[1]
        if item == "--recipe":
            following = argv[i + 1] if i + 1 < len(argv) else None
            return _LIST if following is None or following.startswith("-") else following
    return None


_LIST = object()  # --recipe sin nombre: se listan las recetas


def _show_recipes() -> None:
    """Escribe cada receta con los valores que cambia respecto a las opciones por omisión de ``train``."""
    from companion.recipes import RECIPES, SHIPPED

    defaults = vars(build_parser().parse_args(["train"]))
    print("Recetas (python -m companion train --recipe NOMBRE; --recipe NOMBRE --help muestra todas sus "
          "opciones):")
    for name, values in RECIPES.items():
        changed = " ".join(f"--{key.replace('_', '-')}" + ("" if value is True else f" {value}")
                           for key, value in values.items() if defaults.get(key) != value)
        shipped = " (preentrenado)" if name in SHIPPED else ""
        print(f"  {name}{shipped}: {changed}")


def main(argv=None) -> int:
    """Punto de entrada de ``python -m companion``; devuelve el código de salida.

    Un error de la orden se escribe en una sola línea, en español, y termina con el código 2 (``SystemExit``);
    Ctrl-C, con el 130.
    """
    from companion.data import DownloadError

    argv = list(sys.argv[1:] if argv is None else argv)
    recipe_name = _recipe_from_argv(argv)
    parser = build_parser()
    if recipe_name is _LIST and not any(item in ("-h", "--help") for item in argv):
        _show_recipes()
        return 0
    if isinstance(recipe_name, str):
        from companion.recipes import recipe

        try:
            defaults = recipe(recipe_name)
        except ValueError as error:
            parser.exit(2, f"{parser.prog} train: error: argumento --recipe: {error}\n")
        parser = build_parser(train_defaults=defaults, recipe_name=recipe_name)
    args = parser.parse_args(argv)
    prog = f"{parser.prog} {args.command}"
    try:
        if args.command == "train":
            _train(args, argv)
        elif args.command == "evaluate":
            _evaluate(args)
        else:
            _generate(args)
    except Interrupted as error:
        sys.stdout.flush()
        parser.exit(130, f"{prog}: {error}\n")
    except KeyboardInterrupt:
        sys.stdout.flush()
        parser.exit(130, f"{prog}: interrumpido con Ctrl-C.\n")
    except (ValueError, TypeError, FileNotFoundError, IsADirectoryError, PermissionError, DownloadError) as error:
        message = " ".join(str(error).split())  # una sola línea
        parser.exit(2, f"{prog}: error: {message}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
