"""Línea de órdenes del curso: ``python -m companion train | evaluate | generate``.

Ejemplos::

    python -m companion train --cell lstm --hidden 256 --epochs 1 --max-steps 200 --out lstm.pt
    python -m companion evaluate lstm.pt
    python -m companion generate lstm.pt --prompt "en un lugar de la mancha" --temperature 0.7 --seed 0

``train`` entrena con el 90 % inicial del texto (el Quijote, o cualquier archivo UTF-8 dado con ``--text``,
limpiado con :func:`companion.data.clean`), mide la perplejidad en el 5 % de validación y en el 5 % final de
prueba, y guarda el modelo con su vocabulario y sus metadatos (incluida la orden que lo reproduce).
"""
from __future__ import annotations

import argparse
import datetime
import math
import re
import shlex
import sys
from pathlib import Path

from companion.display import fmt_int

# argparse escribe en inglés sus propios textos (uso, títulos, errores). Se traducen por sus vías públicas:
# la ayuda (-h) y los grupos de opciones se crean aquí con títulos en español, el prefijo «usage:» se cambia
# en format_usage/format_help y los errores, en error() (documentado para redefinirse). Los valores se
# comprueban con convertidores propios, así que los mensajes de tipo («invalid int value») no aparecen.
_ERRORS_ES = [
    (r"^the following arguments are required: (.*)$", r"faltan los argumentos obligatorios: \1"),
    (r"^unrecognized arguments: (.*)$", r"argumentos no reconocidos: \1"),
    (r"^ambiguous option: (\S+) could match (.*)$", r"opción ambigua: \1 puede ser \2"),
    (r"^argument (\S+): ", r"argumento \1: "),
    (r"invalid choice: (.*) \(choose from (.*)\)$", r"opción no válida: \1 (elija entre \2)"),
    (r"expected one argument$", "se esperaba un valor"),
    (r"expected at most one argument$", "se esperaba como mucho un valor"),
    (r"not allowed with argument (.*)$", r"no se admite junto con \1"),
    (r"ignored explicit argument (.*)$", r"sobra el valor \1"),
    (r"invalid (\S+) value: (.*)$", r"valor no válido: \2"),
]


def _spanish_error(message: str) -> str:
    """Traduce al español un mensaje de error de argparse (los propios ya están en español)."""
    for pattern, replacement in _ERRORS_ES:
        message = re.sub(pattern, replacement, message)
    return message


class _HelpFormatter(argparse.HelpFormatter):
    """Añade a cada ayuda el valor por omisión (cuando lo hay), en español."""

    def _get_help_string(self, action):
        text = action.help or ""
        if action.option_strings and not (action.default is None or action.default is False
                                          or action.default == argparse.SUPPRESS):
            text += " (por omisión: %(default)s)"
        return text


class SpanishArgumentParser(argparse.ArgumentParser):
    """``ArgumentParser`` con la ayuda, los títulos y los errores en español.

    Las opciones se añaden a ``self.options`` y los argumentos posicionales a ``self.positionals`` (grupos
    con título en español); ``-h``/``--help`` se crea aquí con su texto traducido.
    """

    def __init__(self, *args, **kwargs):
        kwargs["add_help"] = False
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)
        self.positionals = self.add_argument_group("argumentos posicionales")
        self.options = self.add_argument_group("opciones")
        self.options.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                                  help="muestra este mensaje de ayuda y termina")

    @staticmethod
    def _spanish_usage(text: str) -> str:
        return "uso: " + text[len("usage: "):] if text.startswith("usage: ") else text

    def format_usage(self) -> str:
        return self._spanish_usage(super().format_usage())

    def format_help(self) -> str:
        return self._spanish_usage(super().format_help())

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {_spanish_error(str(message))}\n")


def _number(kind, minimum=None, *, strict=False, below=None, description):
    """Convertidor de argparse: un ``kind`` (``int`` o ``float``) finito, ``> minimum`` si ``strict`` (si no,
    ``>= minimum``) y ``< below``. El error dice qué se esperaba (argparse le antepone el nombre de la opción)."""
    def convert(text):
        try:
            value = kind(text)
        except ValueError:
            value = None
        ok = value is not None and math.isfinite(value)
        if ok and minimum is not None:
            ok = value > minimum if strict else value >= minimum
        if ok and below is not None:
            ok = value < below
        if not ok:
            raise argparse.ArgumentTypeError(f"se esperaba {description} y se recibió {text!r}")
        return value
    convert.__name__ = description
    return convert


_positive_int = _number(int, 1, description="un entero positivo")
_natural_int = _number(int, 0, description="un entero mayor o igual que 0")
_positive_float = _number(float, 0, strict=True, description="un número positivo y finito")
_non_negative_float = _number(float, 0, description="un número mayor o igual que 0 y finito")
_probability = _number(float, 0, below=1, description="una probabilidad entre 0 (incluido) y 1 (excluido)")
_finite_float = _number(float, description="un número finito")


def build_parser(train_defaults: dict | None = None) -> argparse.ArgumentParser:
    """Analizador de argumentos de ``python -m companion`` (ayuda y errores en español).

    ``train_defaults`` sustituye valores por omisión de ``train`` (así se aplica ``--recipe``).
    """
    parser = SpanishArgumentParser(
        prog="python -m companion",
        description="Entrena, evalúa y usa modelos de lenguaje de caracteres (RNN, GRU, LSTM) sobre el Quijote.")
    commands = parser.add_subparsers(dest="command", title="órdenes", metavar="{train,evaluate,generate}",
                                     parser_class=SpanishArgumentParser)
    commands.required = True

    train = commands.add_parser(
        "train", help="entrena un modelo y lo guarda en un punto de control",
        description="Entrena un modelo con el 90\u00a0% inicial del texto, mide la perplejidad de validación y de "
                    "prueba y lo guarda (pesos, vocabulario y metadatos, con la orden que lo reproduce).")
    option = train.options.add_argument
    option("--cell", choices=("rnn", "gru", "lstm"), default="lstm", help="tipo de celda recurrente")
    option("--hidden", metavar="H", type=_positive_int, default=256, help="tamaño h del estado oculto")
    option("--layers", metavar="N", type=_positive_int, default=1, help="número de capas apiladas")
    option("--dropout", metavar="P", type=_probability, default=0.0, help="probabilidad de dropout entre capas")
    option("--embedding-dropout", metavar="P", type=_probability, default=0.0,
           help="probabilidad de dropout sobre las entradas de la capa recurrente")
    option("--output-dropout", metavar="P", type=_probability, default=0.0,
           help="probabilidad de dropout sobre las salidas de la capa recurrente (antes de W_hq)")
    option("--forget-bias", metavar="B", type=_finite_float, default=None,
           help="solo LSTM: sesgo inicial de la compuerta de olvido (por ejemplo 1.0)")
    option("--recipe", metavar="NOMBRE", default=None,
           help="parte de la receta de un modelo preentrenado (companion.recipes: rnn, gru, lstm, lstm2, "
                "lstm_fb1, lstm_large); las opciones escritas la sustituyen")
    option("--resume", action="store_true",
           help="reanuda desde RUTA.progreso.pt (se guarda al final de cada época) si existe")
    option("--embedding", metavar="D", type=_positive_int, default=None,
           help="dimensión de la incrustación de entrada (sin indicar: codificación one-hot)")
    option("--scratch", action="store_true",
           help="usa las capas programadas desde cero en lugar de las de torch.nn (más lento)")
    option("--epochs", metavar="N", type=_positive_int, default=1, help="número de épocas")
    option("--batch-size", metavar="B", type=_positive_int, default=64, help="secuencias por lote")
    option("--steps", metavar="T", type=_positive_int, default=100,
           help="longitud T de cada segmento (truncamiento de la retropropagación)")
    option("--lr", metavar="ETA", type=_positive_float, default=None,
           help="tasa de aprendizaje (sin indicar: 2e-3 con Adam, 1.0 con SGD y Adadelta)")
    option("--lr-schedule", choices=("constant", "cosine"), default="constant",
           help="tasa de aprendizaje constante o con decaimiento coseno hasta 0")
    option("--clip", metavar="NORMA", type=_non_negative_float, default=1.0,
           help="norma máxima del gradiente; 0 desactiva el recorte")
    option("--optimizer", choices=("adam", "sgd", "adadelta"), default="adam", help="optimizador")
    option("--sampling", choices=("sequential", "random"), default="sequential",
           help="partición secuencial (el estado pasa entre lotes) o muestreo aleatorio")
    option("--random-truncation", action="store_true", help="sortea la longitud de cada segmento entre T/2 y 3T/2")
    option("--text", metavar="RUTA", type=Path, default=None,
           help="archivo de texto UTF-8 con el que entrenar (sin indicar: el Quijote)")
    option("--out", metavar="RUTA", type=Path, default=Path("modelo.pt"), help="ruta del punto de control")
    option("--seed", metavar="SEMILLA", type=_natural_int, default=0, help="semilla aleatoria")
    option("--max-steps", metavar="N", type=_positive_int, default=None, help="máximo de pasos por época")
    option("--total-steps", metavar="N", type=_positive_int, default=None,
           help="máximo de pasos sumando todas las épocas")
    option("--time-limit", metavar="SEGUNDOS", type=_positive_float, default=None,
           help="para al cabo de estos segundos (solo con tasa constante); los metadatos guardan la orden "
                "equivalente, con el número de pasos dados en lugar del tiempo, que lo reproduce")
    option("--patience", metavar="N", type=_positive_int, default=None,
           help="épocas sin mejora en validación antes de parar (sin indicar: sin parada temprana)")
    option("--half", action="store_true",
           help="guarda los pesos en float16 (la mitad de espacio; las perplejidades se miden con esos pesos)")
    option("--threads", metavar="N", type=_positive_int, default=None,
           help="hilos de CPU para PyTorch (sin indicar: los que elija PyTorch)")
    option("--quiet", action="store_true", help="sin barra de progreso")
    if train_defaults:
        train.set_defaults(**train_defaults)

    evaluate = commands.add_parser(
        "evaluate", help="mide la perplejidad de un punto de control",
        description="Mide la perplejidad y los bits por carácter de un modelo en la parte de prueba (5\u00a0% "
                    "final) o de validación del texto. El texto puede usar solo una parte de los caracteres "
                    "del modelo; un carácter que el modelo no conoce es un error.")
    evaluate.positionals.add_argument("checkpoint", type=Path, metavar="MODELO", help="punto de control (.pt)")
    evaluate.options.add_argument("--text", metavar="RUTA", type=Path, default=None,
                                  help="archivo de texto UTF-8 (sin indicar: el Quijote)")
    evaluate.options.add_argument("--split", choices=("test", "val"), default="test",
                                  help="parte del texto: prueba (test) o validación (val)")

    generate = commands.add_parser(
        "generate", help="genera texto a partir de un comienzo",
        description="Genera texto con un modelo, por muestreo con temperatura (y top-k) o de forma voraz. "
                    "El texto inicial se limpia como el corpus (minúsculas; lo que no es una letra del "
                    "español pasa a ser un espacio) y se avisa de cada carácter cambiado.")
    generate.positionals.add_argument("checkpoint", type=Path, metavar="MODELO", help="punto de control (.pt)")
    option = generate.options.add_argument
    option("--prompt", metavar="TEXTO", default="en un lugar de la mancha", help="texto inicial")
    option("--length", metavar="N", type=_natural_int, default=200, help="caracteres que se generan")
    option("--temperature", metavar="TAU", type=_positive_float, default=1.0,
           help="temperatura del muestreo (un número positivo y finito)")
    option("--top-k", metavar="K", type=_positive_int, default=None, help="muestrea solo entre los k más probables")
    option("--seed", metavar="SEMILLA", type=_natural_int, default=None, help="semilla del muestreo")
    option("--greedy", action="store_true", help="elige siempre el carácter más probable")
    return parser


def _train(args, argv):
    import torch

    from companion.checkpoint import round_to_half, save_checkpoint
    from companion.model import build_model
    from companion.train import evaluate, get_device, train

    if args.time_limit is not None and args.lr_schedule != "constant":
        raise ValueError("--time-limit solo se admite con --lr-schedule constant: así la orden equivalente con "
                         "--total-steps reproduce exactamente el entrenamiento.")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    from companion.data import load_text_corpus

    corpus = load_text_corpus(args.text)
    torch.manual_seed(args.seed)
    model = build_model(cell=args.cell, vocab_size=len(corpus.vocab), hidden_size=args.hidden,
                        num_layers=args.layers, dropout=args.dropout, embedding_dim=args.embedding,
                        scratch=args.scratch, embedding_dropout=args.embedding_dropout,
                        output_dropout=args.output_dropout, forget_bias=args.forget_bias)
    progress_path = Path(str(args.out) + ".progreso.pt")
    resume = None
    if args.resume and progress_path.is_file():
        resume = torch.load(progress_path, weights_only=True, map_location="cpu")
        if resume.get("argv") != _without_resume(argv):
            raise ValueError(f"{progress_path} se guardó con otra orden ({shlex.join(resume.get('argv', []))}): "
                             "repita exactamente esa orden con --resume, o borre el archivo para empezar de cero.")
        print(f"Se reanuda tras la época {resume['epoch']} ({progress_path}).")

    def save_progress(state):
        state = dict(state, argv=_without_resume(argv))
        tmp = progress_path.with_name(progress_path.name + ".tmp")
        torch.save(state, tmp)
        tmp.replace(progress_path)
        history = state["history"]
        val = f", validación {history['val_ppl'][-1]:.3f}" if history["val_ppl"] else ""
        print(f"Época {state['epoch']}: entrenamiento {history['train_ppl'][-1]:.3f}{val}, "
              f"{history['epoch_time'][-1]:.0f} s.", flush=True)
    print(f"Modelo {args.cell.upper()} con {fmt_int(model.num_parameters())} parámetros; entrenamiento con "
          f"{fmt_int(len(corpus.train))} caracteres en {get_device()}.")
    # Con una sola época y sin parada temprana la validación se mide una vez, al final (ahorra una pasada).
    val_ids = corpus.val if args.epochs > 1 or args.patience else None
    history = train(model, corpus.train, val_ids, epochs=args.epochs, batch_size=args.batch_size,
                    num_steps=args.steps, lr=args.lr, optimizer=args.optimizer, lr_schedule=args.lr_schedule,
                    clip=args.clip if args.clip > 0 else None, sampling=args.sampling,
                    random_truncation=args.random_truncation, max_steps=args.max_steps,
                    patience=args.patience, seed=args.seed, progress=not args.quiet, time_limit=args.time_limit,
                    total_steps=args.total_steps, on_epoch_end=save_progress, resume=resume)
    model.cpu()
    if args.half:
        round_to_half(model)
    val, test = evaluate(model, corpus.val), evaluate(model, corpus.test)
    metadata = {
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
        "float16": bool(args.half),
        "settings": {key: (str(value) if isinstance(value, Path) else value) for key, value in vars(args).items()
                     if key not in ("command", "quiet", "threads", "resume")},
        "command": "python -m companion " + shlex.join(_reproducible(argv, len(history.step_loss))
                                                       if args.time_limit is not None else _without_resume(argv)),
        "characters_seen": len(history.step_loss) * args.batch_size * args.steps,
        "epoch_train_perplexity": list(history.train_ppl),
        "epoch_val_perplexity": list(history.val_ppl),
        "torch_version": str(torch.__version__),
        "device": str(get_device()),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    save_checkpoint(args.out, model, corpus.vocab, metadata, half=args.half)
    progress_path.unlink(missing_ok=True)
    print(f"Validación: perplejidad {val.perplexity:.3f}, {val.bpc:.3f} bits por carácter.")
    print(f"Prueba: perplejidad {test.perplexity:.3f}, {test.bpc:.3f} bits por carácter.")
    print(f"Tiempo de entrenamiento: {history.total_time:.0f} s. Guardado en {args.out}.")


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


def _evaluate(args):
    from companion.checkpoint import load_checkpoint
    from companion.train import evaluate

    model, vocab, metadata = load_checkpoint(args.checkpoint)
    from companion.data import load_text_corpus

    corpus = load_text_corpus(args.text, vocab=vocab)
    ids = corpus.test if args.split == "test" else corpus.val
    result = evaluate(model, ids)
    name = "prueba" if args.split == "test" else "validación"
    print(f"Perplejidad de {name}: {result.perplexity:.3f}; {result.bpc:.3f} bits por carácter "
          f"({fmt_int(result.count)} caracteres predichos).")
    if metadata.get("corpus_checksum") not in (None, corpus.checksum):
        print("Aviso: el texto no es el mismo con el que se entrenó el modelo (la suma de comprobación difiere).")


def _generate(args):
    from companion.checkpoint import load_checkpoint
    from companion.data import clean_changes
    from companion.generate import generate

    model, vocab, _ = load_checkpoint(args.checkpoint)
    changes = clean_changes(args.prompt)
    if changes:
        shown = ", ".join(f"«{old}» → {'espacio' if new == ' ' else '«' + new + '»'}"
                          for old, new in changes if old not in "\n\t\r")
        if shown:
            print(f"Aviso: el texto inicial se limpió como el corpus (minúsculas; lo que no es una letra del "
                  f"español pasa a ser un espacio): {shown}.", file=sys.stderr)
    print(generate(model, vocab, args.prompt, length=args.length,
                   strategy="greedy" if args.greedy else "sample", temperature=args.temperature,
                   top_k=args.top_k, seed=args.seed))


def main(argv=None) -> int:
    """Punto de entrada de ``python -m companion``; devuelve el código de salida."""
    from companion.data import DownloadError

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "recipe", None) is not None:
        from companion.recipes import recipe

        try:
            defaults = recipe(args.recipe)
        except ValueError as error:
            parser.exit(2, f"{parser.prog}: error: {error}\n")
        parser = build_parser(train_defaults=defaults)
        args = parser.parse_args(argv)
    try:
        if args.command == "train":
            _train(args, argv)
        elif args.command == "evaluate":
            _evaluate(args)
        else:
            _generate(args)
    except (ValueError, TypeError, FileNotFoundError, DownloadError) as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
