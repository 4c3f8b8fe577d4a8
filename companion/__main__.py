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
import contextlib
import datetime
import hashlib
import shlex
import sys
from pathlib import Path

# Traducción de los textos propios de argparse (uso, opciones, errores) que aparecen en la ayuda.
_ARGPARSE_ES = {
    "usage: ": "uso: ",
    "options": "opciones",
    "positional arguments": "argumentos posicionales",
    "show this help message and exit": "muestra este mensaje de ayuda y termina",
    "the following arguments are required: %s": "faltan los argumentos obligatorios: %s",
    "unrecognized arguments: %s": "argumentos no reconocidos: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "opción no válida: %(value)r (elija entre %(choices)s)",
    "invalid %(type)s value: %(value)r": "valor de tipo %(type)s no válido: %(value)r",
    "expected one argument": "se esperaba un valor",
    "argument %(argument_name)s: %(message)s": "argumento %(argument_name)s: %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: error: %(message)s\n",
    "ambiguous option: %(option)s could match %(matches)s": "opción ambigua: %(option)s puede ser %(matches)s",
}


def _grouped(number: int) -> str:
    """Entero con los miles separados por espacios, como se escribe en español (2 034 949)."""
    return f"{number:,}".replace(",", " ")


@contextlib.contextmanager
def _spanish_argparse():
    original = argparse._
    argparse._ = lambda message: _ARGPARSE_ES.get(message, original(message))
    try:
        yield
    finally:
        argparse._ = original


class _HelpFormatter(argparse.HelpFormatter):
    """Añade a cada ayuda el valor por omisión (cuando lo hay), en español."""

    def _get_help_string(self, action):
        text = action.help or ""
        if action.option_strings and not (action.default is None or action.default is False
                                          or action.default == argparse.SUPPRESS):
            text += " (por omisión: %(default)s)"
        return text


def _positive(kind, name):
    """Convertidor de argparse que acepta solo valores positivos del tipo ``kind`` (``int`` o ``float``)."""
    def convert(text):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not value > 0:
            raise argparse.ArgumentTypeError(f"se esperaba {name} y se recibió {text!r}")
        return value
    return convert


_positive_int = _positive(int, "un entero positivo")
_positive_float = _positive(float, "un número positivo")


def build_parser() -> argparse.ArgumentParser:
    """Analizador de argumentos (con la ayuda en español)."""
    fmt = _HelpFormatter
    parser = argparse.ArgumentParser(
        prog="python -m companion", formatter_class=fmt,
        description="Entrena, evalúa y usa modelos de lenguaje de caracteres (RNN, GRU, LSTM) sobre el Quijote.")
    commands = parser.add_subparsers(dest="command", title="órdenes", metavar="{train,evaluate,generate}")
    commands.required = True

    train = commands.add_parser(
        "train", formatter_class=fmt, help="entrena un modelo y lo guarda en un punto de control",
        description="Entrena un modelo con el 90 % inicial del texto, mide la perplejidad de validación y de "
                    "prueba y lo guarda (pesos, vocabulario y metadatos, con la orden que lo reproduce).")
    train.add_argument("--cell", choices=("rnn", "gru", "lstm"), default="lstm", help="tipo de celda recurrente")
    train.add_argument("--hidden", metavar="H", type=_positive_int, default=256, help="tamaño h del estado oculto")
    train.add_argument("--layers", metavar="N", type=_positive_int, default=1, help="número de capas apiladas")
    train.add_argument("--dropout", metavar="P", type=float, default=0.0, help="probabilidad de dropout entre capas")
    train.add_argument("--embedding-dropout", metavar="P", type=float, default=0.0,
                       help="probabilidad de dropout sobre las entradas de la capa recurrente")
    train.add_argument("--output-dropout", metavar="P", type=float, default=0.0,
                       help="probabilidad de dropout sobre las salidas de la capa recurrente (antes de W_hq)")
    train.add_argument("--forget-bias", metavar="B", type=float, default=None,
                       help="solo LSTM: sesgo inicial de la compuerta de olvido (por ejemplo 1.0)")
    train.add_argument("--recipe", metavar="NOMBRE", default=None,
                       help="parte de la receta de un modelo preentrenado (companion.recipes: rnn, gru, lstm, "
                            "lstm2, lstm_fb1, lstm_large); las opciones escritas la sustituyen")
    train.add_argument("--resume", action="store_true",
                       help="reanuda desde RUTA.progreso.pt (se guarda al final de cada época) si existe")
    train.add_argument("--embedding", metavar="D", type=_positive_int, default=None,
                       help="dimensión del embedding de entrada (sin indicar: codificación one-hot)")
    train.add_argument("--scratch", action="store_true",
                       help="usa las capas programadas desde cero en lugar de las de torch.nn (más lento)")
    train.add_argument("--epochs", metavar="N", type=_positive_int, default=1, help="número de épocas")
    train.add_argument("--batch-size", metavar="B", type=_positive_int, default=64, help="secuencias por lote")
    train.add_argument("--steps", metavar="T", type=_positive_int, default=100,
                       help="longitud T de cada segmento (truncamiento de la retropropagación)")
    train.add_argument("--lr", metavar="ETA", type=_positive_float, default=None,
                       help="tasa de aprendizaje (sin indicar: 2e-3 con Adam, 1.0 con SGD y Adadelta)")
    train.add_argument("--lr-schedule", choices=("constant", "cosine"), default="constant",
                       help="tasa de aprendizaje constante o con decaimiento coseno hasta 0")
    train.add_argument("--clip", metavar="NORMA", type=float, default=1.0,
                       help="norma máxima del gradiente (0 desactiva el recorte)")
    train.add_argument("--optimizer", choices=("adam", "sgd", "adadelta"), default="adam", help="optimizador")
    train.add_argument("--sampling", choices=("sequential", "random"), default="sequential",
                       help="partición secuencial (el estado pasa entre lotes) o muestreo aleatorio")
    train.add_argument("--random-truncation", action="store_true",
                       help="sortea la longitud de cada segmento entre T/2 y 3T/2")
    train.add_argument("--text", metavar="RUTA", type=Path, default=None,
                       help="archivo de texto UTF-8 con el que entrenar (sin indicar: el Quijote)")
    train.add_argument("--out", metavar="RUTA", type=Path, default=Path("modelo.pt"), help="ruta del punto de control")
    train.add_argument("--seed", metavar="SEMILLA", type=int, default=0, help="semilla aleatoria")
    train.add_argument("--max-steps", metavar="N", type=_positive_int, default=None, help="máximo de pasos por época")
    train.add_argument("--total-steps", metavar="N", type=_positive_int, default=None,
                       help="máximo de pasos sumando todas las épocas")
    train.add_argument("--time-limit", metavar="SEGUNDOS", type=_positive_float, default=None,
                       help="para al cabo de estos segundos (solo con tasa constante); los metadatos guardan "
                            "la orden equivalente con --total-steps, que lo reproduce")
    train.add_argument("--patience", metavar="N", type=_positive_int, default=None,
                       help="épocas sin mejora en validación antes de parar (sin indicar: sin parada temprana)")
    train.add_argument("--half", action="store_true",
                       help="guarda los pesos en float16 (la mitad de espacio; las perplejidades se miden "
                            "con esos pesos)")
    train.add_argument("--threads", metavar="N", type=_positive_int, default=None,
                       help="hilos de CPU para PyTorch (sin indicar: los que elija PyTorch)")
    train.add_argument("--quiet", action="store_true", help="sin barra de progreso")

    evaluate = commands.add_parser(
        "evaluate", formatter_class=fmt, help="mide la perplejidad de un punto de control",
        description="Mide la perplejidad y los bits por carácter de un modelo en la parte de prueba (5 % "
                    "final) o de validación del texto.")
    evaluate.add_argument("checkpoint", type=Path, metavar="MODELO", help="punto de control (.pt)")
    evaluate.add_argument("--text", metavar="RUTA", type=Path, default=None,
                          help="archivo de texto UTF-8 (sin indicar: el Quijote)")
    evaluate.add_argument("--split", choices=("test", "val"), default="test",
                          help="parte del texto: prueba (test) o validación (val)")

    generate = commands.add_parser(
        "generate", formatter_class=fmt, help="genera texto a partir de un comienzo",
        description="Genera texto con un modelo, por muestreo con temperatura (y top-k) o de forma voraz.")
    generate.add_argument("checkpoint", type=Path, metavar="MODELO", help="punto de control (.pt)")
    generate.add_argument("--prompt", metavar="TEXTO", default="en un lugar de la mancha", help="texto inicial")
    generate.add_argument("--length", metavar="N", type=int, default=200, help="caracteres que se generan")
    generate.add_argument("--temperature", metavar="TAU", type=float, default=1.0,
                          help="temperatura del muestreo (> 0)")
    generate.add_argument("--top-k", metavar="K", type=int, default=None,
                          help="muestrea solo entre los k más probables")
    generate.add_argument("--seed", metavar="SEMILLA", type=int, default=None, help="semilla del muestreo")
    generate.add_argument("--greedy", action="store_true", help="elige siempre el carácter más probable")
    return parser


def load_text_corpus(path):
    """Corpus (como :func:`companion.data.load_corpus`) a partir de ``path``, o del Quijote si ``path`` es None."""
    from companion.data import Corpus, Vocab, clean, load_corpus, split

    if path is None:
        return load_corpus()
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"No existe el archivo de texto {str(path)!r}: revise la ruta.")
    try:
        text = clean(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ValueError(f"{str(path)!r} no está en UTF-8: conviértalo (por ejemplo con iconv) y repita.") from error
    if len(text.strip()) < 100:
        raise ValueError(f"{str(path)!r} tiene muy poco texto tras limpiarlo ({len(text)} caracteres): "
                         "use un archivo más largo.")
    vocab = Vocab(text)
    train, val, test = split(vocab.encode(text))
    train_text, val_text, test_text = split(text)
    return Corpus(text=text, vocab=vocab, train=train, val=val, test=test, train_text=train_text,
                  val_text=val_text, test_text=test_text,
                  checksum=hashlib.sha256(text.encode("utf-8")).hexdigest())


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
    print(f"Modelo {args.cell.upper()} con {_grouped(model.num_parameters())} parámetros; entrenamiento con "
          f"{_grouped(len(corpus.train))} caracteres en {get_device()}.")
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


def _without_resume(argv):
    return [item for item in argv if item != "--resume"]


def _reproducible(argv, steps):
    """``argv`` con ``--time-limit`` sustituido por ``--total-steps`` con los pasos que se dieron de verdad."""
    out, skip = [], False
    for item in argv:
        if skip:
            skip = False
        elif item in ("--time-limit", "--total-steps"):
            skip = True
        elif not item.startswith(("--time-limit=", "--total-steps=")):
            out.append(item)
    return out + ["--total-steps", str(steps)]


def _evaluate(args):
    from companion.checkpoint import load_checkpoint
    from companion.train import evaluate

    corpus = load_text_corpus(args.text)
    model, _, metadata = load_checkpoint(args.checkpoint, vocab=corpus.vocab)
    ids = corpus.test if args.split == "test" else corpus.val
    result = evaluate(model, ids)
    name = "prueba" if args.split == "test" else "validación"
    print(f"Perplejidad de {name}: {result.perplexity:.3f}; {result.bpc:.3f} bits por carácter "
          f"({_grouped(result.count)} caracteres predichos).")
    if metadata.get("corpus_checksum") not in (None, corpus.checksum):
        print("Aviso: el texto no es el mismo con el que se entrenó el modelo (la suma de comprobación difiere).")


def _generate(args):
    from companion.checkpoint import load_checkpoint
    from companion.generate import generate

    model, vocab, _ = load_checkpoint(args.checkpoint)
    print(generate(model, vocab, args.prompt, length=args.length,
                   strategy="greedy" if args.greedy else "sample", temperature=args.temperature,
                   top_k=args.top_k, seed=args.seed))


def main(argv=None) -> int:
    """Punto de entrada de ``python -m companion``; devuelve el código de salida."""
    from companion.data import DownloadError

    argv = list(sys.argv[1:] if argv is None else argv)
    with _spanish_argparse():
        parser = build_parser()
        args = parser.parse_args(argv)
        if getattr(args, "recipe", None) is not None:
            from companion.recipes import recipe

            try:
                defaults = recipe(args.recipe)
            except ValueError as error:
                parser.exit(2, f"error: {error}\n")
            train_parser = parser._subparsers._group_actions[0].choices["train"]
            train_parser.set_defaults(**defaults)
            args = parser.parse_args(argv)
        try:
            if args.command == "train":
                _train(args, argv)
            elif args.command == "evaluate":
                _evaluate(args)
            else:
                _generate(args)
        except (ValueError, TypeError, FileNotFoundError, DownloadError) as error:
            parser.exit(2, f"error: {error}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
