"""Generación de texto con un modelo de lenguaje de caracteres.

Tras leer el texto inicial (*prompt*), el modelo da en cada paso una distribución P(x_{t+1} | x_{≤t}) y se
elige el siguiente carácter:

- voraz (*greedy*): el más probable, argmax. Es determinista y tiende a caer en bucles ("de de de…"),
  porque el mismo contexto lleva siempre a la misma elección;
- muestreo con temperatura τ: se muestrea de softmax(logits / τ); τ < 1 concentra la probabilidad en los
  caracteres más probables, τ > 1 la reparte;
- top-k: antes de muestrear se conservan solo los k caracteres más probables (y se renormaliza);
- búsqueda en haz (*beam search*, :func:`beam_search`): en lugar de un carácter cada vez, se siguen las k
  continuaciones más probables en conjunto; sirve también para el decodificador de :mod:`companion.seq2seq`.
"""
from __future__ import annotations

from contextlib import contextmanager

import torch

from companion.data import clean
from companion.records import documented_namedtuple
from companion.validation import check_positive_int

STRATEGIES = ("sample", "greedy")


def _prompt_ids(vocab, prompt) -> list[int]:
    """Índices del texto inicial ``prompt`` limpiado; error claro si no es una cadena, queda vacío o tiene
    caracteres que el vocabulario no conoce."""
    if not isinstance(prompt, str):
        raise TypeError(f"El texto inicial debe ser una cadena y se recibió {type(prompt).__name__}.")
    text = clean(prompt)
    if not text:
        raise ValueError("El texto inicial está vacío tras limpiarlo: escriba al menos una letra, por ejemplo "
                         "'en un lugar'.")
    unknown = sorted(set(text) - set(vocab.itos))
    if unknown:
        raise ValueError(f"El texto inicial contiene caracteres que el vocabulario del modelo no tiene: {unknown}. "
                         "Quítelos o sustitúyalos por otros del vocabulario.")
    return vocab.encode(text).tolist()


@contextmanager
def _inference(model):
    """Modo de evaluación y sin gradientes mientras dura el bloque; al salir (también con error) restaura el
    modo en que estaba el modelo."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        model.train(was_training)


def generate(model, vocab, prompt, length=100, strategy="sample", temperature=1.0, top_k=None, seed=None) -> str:
    """Devuelve ``prompt`` (limpiado como el corpus) seguido de ``length`` caracteres generados por ``model``.

    El texto inicial se limpia con :func:`companion.data.clean`, igual que el corpus: las mayúsculas pasan a
    minúsculas y cualquier carácter que no sea una letra del español (cifras, signos, «€», «à»…) se convierte
    en un espacio; el resultado empieza por ese texto limpio, así que el cambio queda a la vista
    (:func:`companion.data.clean_changes` lo detalla, y ``python -m companion generate`` lo avisa). Un carácter
    que, ya limpio, no está en el vocabulario del modelo produce un ``ValueError``.

    ``strategy``: ``"sample"`` (muestreo con ``temperature`` y, si se da, ``top_k``) o ``"greedy"``.
    ``seed`` hace reproducible el muestreo (usa un generador propio: no altera el estado global de torch).
    Cualquier temperatura positiva y finita es válida: con una muy pequeña (por ejemplo 1e-300) el muestreo
    elige siempre el carácter más probable, como el voraz. :func:`generate_stream` da los mismos caracteres
    uno a uno, a medida que se generan.
    """
    text, characters = generate_stream(model, vocab, prompt, length=length, strategy=strategy,
                                       temperature=temperature, top_k=top_k, seed=seed)
    return text + "".join(characters)


def generate_stream(model, vocab, prompt, length=100, strategy="sample", temperature=1.0, top_k=None,
                    seed=None):
    """Como :func:`generate`, pero devuelve ``(texto_inicial_limpio, caracteres)``: ``caracteres`` es un
    iterador que da cada carácter generado en cuanto se elige (para escribir un texto largo a medida que se
    genera, o pararlo a medias). Los argumentos se comprueban al llamar, antes de generar nada; el texto es el
    mismo que devolvería :func:`generate` con los mismos argumentos."""
    if strategy not in STRATEGIES:
        raise ValueError(f"Estrategia desconocida {strategy!r}: use 'sample' o 'greedy'.")
    if not isinstance(length, int) or isinstance(length, bool) or length < 0:
        raise ValueError(f"length debe ser un entero no negativo y se recibió {length!r}.")
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) \
            or not 0 < temperature < float("inf"):
        raise ValueError(f"La temperatura debe ser un número positivo y finito (por ejemplo 0.5 o 1.0) y se recibió "
                         f"{temperature!r}.")
    if top_k is not None and (not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1):
        raise ValueError(f"top_k debe ser None o un entero mayor o igual que 1 y se recibió {top_k!r}.")
    ids = _prompt_ids(vocab, prompt)
    return vocab.decode(ids), _characters(model, vocab, ids, length, strategy, temperature, top_k, seed)


def _characters(model, vocab, ids, length, strategy, temperature, top_k, seed):
    """Generador de los ``length`` caracteres que siguen a ``ids`` (argumentos ya comprobados)."""
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    device = next(model.parameters()).device
    with _inference(model):
        logits, state = model(torch.tensor([ids], device=device), None)
        for _ in range(length):
            scores = logits[0, -1].double().cpu()
            if strategy == "greedy":
                next_id = int(scores.argmax())
            else:
                scaled = scores / temperature
                if not torch.isfinite(scaled).all():
                    # Con una temperatura diminuta el cociente desborda (inf); restando antes el máximo, el
                    # más probable queda en 0 y los demás en −inf: el muestreo se vuelve voraz, sin NaN.
                    scaled = (scores - scores.max()) / temperature
                scores = scaled
                if top_k is not None and top_k < len(scores):
                    values, indices = torch.topk(scores, top_k)
                    scores = torch.full_like(scores, float("-inf")).scatter(0, indices, values)
                probs = torch.softmax(scores, dim=-1)
                next_id = int(torch.multinomial(probs, 1, generator=generator))
            yield vocab.itos[next_id]
            logits, state = model(torch.tensor([[next_id]], device=device), state)


# --- Búsqueda en haz ------------------------------------------------------------------------------------

Hypothesis = documented_namedtuple(
    "Hypothesis",
    "Una secuencia de la búsqueda en haz: ``ids`` generados (con el fin de secuencia si lo escribió), su "
    "log-probabilidad total ``log_prob`` y la puntuación normalizada ``score``.",
    ids="Índices de los símbolos generados (con el de fin de secuencia, si lo escribió).",
    log_prob="Log-probabilidad total de la secuencia, log P(y_1…y_L).",
    score="Puntuación con la que se ordenan las candidatas, log_prob / L^length_alpha.")


def _select(state, index: torch.Tensor):
    """Filas ``index`` de un estado con el lote en la dimensión 1 (convenio de ``torch.nn``), o de un par."""
    if isinstance(state, tuple):
        return tuple(_select(s, index) for s in state)
    return state.index_select(1, index.to(state.device))


def beam_search(step, state, start_id: int, beam_width: int = 4, max_length: int = 100, eos_id=None,
                length_alpha: float = 0.0) -> list:
    """Las ``beam_width`` secuencias más puntuadas que encuentra la búsqueda en haz, de mejor a peor.

    ``step(ids, state) -> (log_probs, state)`` avanza el modelo un paso para ``k`` hipótesis a la vez: ``ids``,
    de forma ``(k,)``, son sus últimos símbolos y ``log_probs``, de forma ``(k, |V|)``, las log-probabilidades del
    siguiente. El estado lleva las hipótesis en la dimensión 1, como ``torch.nn`` (o es un par de tensores así);
    empieza con una sola, tras leer el contexto, y ``start_id`` es el último símbolo leído. En cada paso se amplía cada hipótesis con cada
    símbolo y se conservan las ``beam_width`` de mayor log-probabilidad ``log P(y_1…y_t)``.

    Una hipótesis que escribe ``eos_id`` termina y sale del haz; la búsqueda acaba cuando hay ``beam_width``
    terminadas o al llegar a ``max_length`` símbolos. Las candidatas se ordenan por
    ``score = log P / L^length_alpha`` (``L``, la longitud con el fin de secuencia): con ``length_alpha=0`` se
    compara la probabilidad total, que favorece las secuencias cortas; con 1, la media por símbolo.

    Un haz más ancho no siempre encuentra una secuencia mejor: puede descartar pronto el prefijo que la voraz
    habría seguido. Por eso, con ``beam_width > 1``, la secuencia voraz (``beam_width=1``) entra también entre
    las candidatas: la mejor devuelta nunca puntúa menos que ella.
    """
    check_positive_int("beam_width", beam_width)
    check_positive_int("max_length", max_length)
    if not isinstance(length_alpha, (int, float)) or length_alpha < 0:
        raise ValueError(f"length_alpha debe ser un número no negativo (0 = sin normalizar) y se recibió "
                         f"{length_alpha!r}.")

    def finish(ids, log_prob):
        return Hypothesis(ids, log_prob, log_prob / len(ids) ** length_alpha)

    initial_state = state
    beams, finished = [([], 0.0)], []  # (ids, log P) de las hipótesis vivas y las terminadas
    last = torch.tensor([start_id])
    for _ in range(max_length):
        log_probs, state = step(last, state)
        totals = torch.tensor([lp for _, lp in beams], dtype=torch.float64)[:, None] + log_probs.double().cpu()
        # 2k candidatas: aunque k de ellas terminen, quedan k para seguir.
        values, flat = totals.view(-1).topk(min(2 * beam_width, totals.numel()))
        keep, alive = [], []
        for rank, (value, index) in enumerate(zip(values.tolist(), flat.tolist())):
            row, symbol = divmod(index, totals.shape[1])
            ids = beams[row][0] + [symbol]
            if symbol == eos_id:
                if rank < beam_width:  # solo termina si estaba entre las k mejores
                    finished.append(finish(ids, value))
            elif len(alive) < beam_width:
                keep.append(row)
                alive.append((ids, value))
        if len(finished) >= beam_width or not alive:
            break
        beams = alive
        state = _select(state, torch.tensor(keep))
        last = torch.tensor([ids[-1] for ids, _ in beams])
    else:
        finished += [finish(ids, lp) for ids, lp in beams]  # sin fin de secuencia al llegar a max_length
    if beam_width > 1:
        greedy = beam_search(step, initial_state, start_id, 1, max_length, eos_id, length_alpha)[0]
        if all(h.ids != greedy.ids for h in finished):
            finished.append(greedy)
    return sorted(finished, key=lambda h: -h.score)[:beam_width]


def beam_generate(model, vocab, prompt, length=100, beam_width=4) -> list:
    """Las ``beam_width`` continuaciones de ``length`` caracteres más probables según la búsqueda en haz.

    Devuelve una lista de pares ``(texto, log-probabilidad)``, de mejor a peor, con el texto inicial (limpiado
    como en :func:`generate`) delante de cada continuación. Un modelo de lenguaje de caracteres no tiene fin de
    secuencia: todas las continuaciones miden ``length`` y se comparan por su probabilidad total.
    """
    text = generate(model, vocab, prompt, length=0, strategy="greedy")  # limpia y comprueba el texto inicial
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        raise ValueError(f"length debe ser un entero positivo y se recibió {length!r}.")
    ids = vocab.encode(text).tolist()
    device = next(model.parameters()).device
    with _inference(model):
        # Se leen todos los caracteres menos el último, que es el primer símbolo que recibe `step`
        # (None, el estado de ceros, si el texto inicial tiene un solo carácter).
        state = model(torch.tensor([ids[:-1]], device=device), None)[1] if len(ids) > 1 else None

        def step(last, state):
            logits, state = model(last[:, None].to(device), state)
            return torch.log_softmax(logits[:, -1].double(), dim=-1), state

        hypotheses = beam_search(step, state, ids[-1], beam_width=beam_width, max_length=length)
    return [(text + vocab.decode(h.ids), h.log_prob) for h in hypotheses]
