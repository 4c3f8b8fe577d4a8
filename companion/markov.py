"""Modelos de n-gramas de caracteres (cadenas de Markov de orden n − 1).

Un modelo de orden ``n`` predice cada carácter a partir de los ``n − 1`` anteriores (el *contexto* u):
``P(x_t | x_{<t}) ≈ P(x_t | x_{t−n+1}, …, x_{t−1})``. Las probabilidades salen de contar n-gramas
en el texto de entrenamiento; el suavizado decide qué hacer con lo que no se vio. La notación es la del
capítulo 1: ``w`` es un carácter del vocabulario ``𝒱``, ``u`` su contexto, ``u'`` el contexto sin su primer
carácter y ``N(uw)`` el número de veces que aparece ``u`` seguido de ``w``.

Dos implementaciones de Kneser-Ney que dan los mismos números (las pruebas lo comprueban):
:class:`ReadableKneserNey`, escrita como la ecuación con diccionarios de cuentas (``Counter``), y
:class:`NGramLM`, la rápida. En esta cada n-grama se identifica por un entero,
``rango(prefijo) · |𝒱| + carácter``, donde ``rango(prefijo)`` es la posición del (n−1)-grama prefijo en la
tabla ordenada del orden anterior. Así el recuento de todos los órdenes se hace con ``np.unique`` y
``np.bincount``, y la búsqueda de un n-grama es un ``np.searchsorted``: ajustar y evaluar son operaciones
vectorizadas de NumPy.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from companion.data import char_positions
from companion.metrics import perplexity_from_nll
from companion.validation import check_positive

SMOOTHINGS = ("kneser-ney", "mle", "add-k")


def _lookup(keys: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Posición de cada consulta en la tabla ordenada ``keys``; −1 si no está (o si la consulta es < 0)."""
    if len(keys) == 0:
        return np.full(queries.shape, -1, dtype=np.int64)
    pos = np.searchsorted(keys, queries).clip(max=len(keys) - 1)
    return np.where((keys[pos] == queries) & (queries >= 0), pos, -1)


class NGramLM:
    """Modelo de lenguaje de n-gramas de caracteres con tres suavizados.

    Con ``N(uw)`` el número de apariciones del contexto ``u`` seguido del carácter ``w`` y
    ``N(u·) = Σ_w N(uw)``:

    * ``"mle"`` (máxima verosimilitud): ``P(w | u) = N(uw) / N(u·)``. Un n-grama no visto recibe
      probabilidad 0 (perplejidad infinita). Si el contexto completo nunca se vio, se usa el sufijo más
      largo de ``u`` que sí aparece, para que la distribución siga sumando 1.
    * ``"add-k"`` (Laplace si ``k = 1``): ``P(w | u) = (N(uw) + k) / (N(u·) + k |𝒱|)``; un contexto no
      visto da la distribución uniforme ``1 / |𝒱|``.
    * ``"kneser-ney"`` (interpolado, con descuento absoluto ``D_m`` por orden ``m``)::

          P_m(w | u) = max(a(uw) − D_m, 0) / a(u·) + D_m · N₁₊(u·) / a(u·) · P_{m−1}(w | u')

      donde ``u'`` es ``u`` sin su primer carácter, ``a(u·) = Σ_w a(uw)`` y ``N₁₊(u·)`` es el número de
      caracteres ``w`` con ``a(uw) > 0``. En el orden más alto ``a`` es la cuenta ``N``; en los
      inferiores es la cuenta de continuación ``N₁₊(·uw)``: cuántos caracteres distintos preceden a
      ``uw``. La recursión termina en la uniforme ``P_0(w) = 1 / |𝒱|``, de modo que todo carácter del
      vocabulario tiene probabilidad positiva. Si ``a(u·) = 0`` (contexto no visto), ``P_m = P_{m−1}``.
      El descuento es el estimador de Ney: ``D_m = n₁ / (n₁ + 2 n₂)``, con ``n_r`` el número de
      m-gramas con ``a = r`` (0.75 si algún ``n_r`` es 0, lo que solo ocurre con textos diminutos).
      :class:`ReadableKneserNey` escribe esta misma ecuación con diccionarios de cuentas.

    Tras ``fit``, ``discounts[m]`` guarda ``D_m`` (solo con Kneser-Ney).

    Al principio de un texto el contexto es más corto que ``n − 1``: se usa el que hay (la recursión
    empieza en el orden ``len(u) + 1``). El vocabulario son los caracteres del texto de entrenamiento.

    >>> lm = NGramLM(3).fit("abracadabra")
    >>> round(sum(lm.distribution("ab").values()), 12)
    1.0
    """

    def __init__(self, order: int, smoothing: str = "kneser-ney", k: float = 1.0):
        if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
            raise ValueError(f"order debe ser un entero ≥ 1 (1 = unigramas, 2 = bigramas, …); recibió {order!r}.")
        if smoothing not in SMOOTHINGS:
            raise ValueError(f"Suavizado desconocido {smoothing!r}: elija uno de {', '.join(SMOOTHINGS)}.")
        check_positive("k", k)  # k = 1 es el suavizado de Laplace
        self.order = int(order)
        self.smoothing = smoothing
        self.k = float(k)
        self.vocab: list[str] | None = None

    def __repr__(self) -> str:
        extra = f", k={self.k:g}" if self.smoothing == "add-k" else ""
        fitted = f", |V|={len(self.vocab)}" if self.vocab is not None else ", sin ajustar"
        return f"NGramLM(order={self.order}, smoothing={self.smoothing!r}{extra}{fitted})"

    # ------------------------------------------------------------------ ajuste

    def fit(self, text: str) -> "NGramLM":
        """Cuenta los n-gramas de ``text`` (órdenes 1 a ``order``) y precalcula las probabilidades."""
        if not isinstance(text, str) or not text:
            raise ValueError("fit necesita un texto de entrenamiento no vacío (una cadena str).")
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        self._codes = np.unique(codes)
        self.vocab = [chr(c) for c in self._codes]
        x = np.searchsorted(self._codes, codes)
        size, n = len(self.vocab), self.order

        # keys[m]: m-gramas distintos, ordenados. rank[i]: rango del m-grama que empieza en la posición i.
        keys, counts, continuation = [np.zeros(1, dtype=np.int64)], [None], [None]
        rank = np.zeros(len(x) + 1, dtype=np.int64)
        for m in range(1, n + 1):
            num = max(len(x) - m + 1, 0)
            gram = rank[:num] * size + x[m - 1 : m - 1 + num]
            uniq, first, inverse = np.unique(gram, return_index=True, return_inverse=True)
            if m > 1:
                # N₁₊(• g) de cada (m−1)-grama g: cuántos m-gramas distintos terminan en g.
                continuation.append(np.bincount(rank[first + 1], minlength=len(keys[m - 1])))
            keys.append(uniq)
            counts.append(np.bincount(inverse, minlength=len(uniq)))
            rank = inverse.reshape(-1)

        self._keys, self._A, self._gamma, self._seen = keys, [None], [None], [None]
        self.discounts: dict[int, float] = {}
        for m in range(1, n + 1):
            a = continuation[m] if self.smoothing == "kneser-ney" and m < n else counts[m]
            A, gamma, seen = self._level(m, a)
            self._A.append(A)
            self._gamma.append(gamma)
            self._seen.append(seen)
        return self

    def _level(self, m: int, a: np.ndarray):
        """Escribe el orden ``m`` como ``P_m(w | u) = A(uw) + γ(u) · P_{m−1}(w | u')``.

        Devuelve ``A`` para cada m-grama, ``γ`` para cada contexto y qué contextos se vieron (en los no
        vistos se usa directamente ``P_{m−1}``).
        """
        context = self._keys[m] // len(self.vocab)
        num_contexts = len(self._keys[m - 1])
        total = np.bincount(context, weights=a, minlength=num_contexts)
        seen = total > 0
        safe = np.where(seen, total, 1.0)
        if self.smoothing == "mle":
            return a / safe[context], np.zeros(num_contexts), seen
        if self.smoothing == "add-k":
            denom = total + self.k * len(self.vocab)
            return a / denom[context], self.k * len(self.vocab) / denom, np.ones(num_contexts, dtype=bool)
        n1, n2 = np.count_nonzero(a == 1), np.count_nonzero(a == 2)
        discount = n1 / (n1 + 2 * n2) if n1 > 0 and n2 > 0 else 0.75  # textos diminutos: valor habitual
        self.discounts[m] = discount
        types = np.bincount(context, weights=a > 0, minlength=num_contexts)
        return np.maximum(a - discount, 0) / safe[context], discount * types / safe, seen

    # ------------------------------------------------------------------ evaluación

    @property
    def num_ngrams(self) -> int:
        """Número de n-gramas distintos que guarda el modelo, de los órdenes 1 a ``order`` (su «tamaño»).

        Cada uno lleva asociados un recuento y las probabilidades precalculadas, así que es la cifra
        comparable con el número de parámetros de una red.
        """
        self._check_fitted()
        return int(sum(len(k) for k in self._keys[1:]))

    def _check_fitted(self) -> None:
        if self.vocab is None:
            raise RuntimeError("El modelo no está ajustado: llame antes a fit(texto).")

    def _encode(self, text: str, what: str) -> np.ndarray:
        return char_positions(text, self._codes, what)

    def _context_ranks(self, x: np.ndarray) -> list[np.ndarray]:
        """``ranks[j][t]``: rango del j-grama ``x[t−j:t]`` (el contexto de longitud j de t); −1 si no existe."""
        size = len(self.vocab)
        ranks = [np.zeros(len(x) + 1, dtype=np.int64)]
        for j in range(1, self.order):
            prev = np.full(len(x) + 1, -1, dtype=np.int64)
            prev[1:] = np.where(ranks[j - 1][:-1] >= 0, ranks[j - 1][:-1] * size + x, -1)
            ranks.append(_lookup(self._keys[j], prev))
        return ranks

    def _probs(self, contexts: list[np.ndarray], targets: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Probabilidad de cada ``targets[i]`` dado su contexto.

        ``contexts[j][i]`` es el rango del contexto de longitud ``j`` del símbolo ``i`` (−1 si no existe) y
        ``lengths[i]`` la longitud del contexto disponible (menor que ``order − 1`` al principio del texto).
        """
        size = len(self.vocab)
        if self.smoothing == "add-k":  # solo el orden más alto disponible, sobre la uniforme
            p = np.full(len(targets), 1.0 / size)
            top = np.minimum(lengths + 1, self.order)
            for m in np.unique(top):
                sel = top == m
                p[sel] = self._mix(m, contexts[m - 1][sel], targets[sel], p[sel])
            return p
        p = np.full(len(targets), 0.0 if self.smoothing == "mle" else 1.0 / size)
        for m in range(1, self.order + 1):
            p = self._mix(m, contexts[m - 1], targets, p)
        return p

    def _mix(self, m: int, context: np.ndarray, targets: np.ndarray, lower: np.ndarray) -> np.ndarray:
        """Un paso de la recursión: ``A(uw) + γ(u) · P_{m−1}`` si el contexto se vio; si no, ``P_{m−1}``."""
        use = context >= 0
        if not use.any():
            return lower
        use[use] = self._seen[m][context[use]]
        gram = _lookup(self._keys[m], np.where(use, context * len(self.vocab) + targets, -1))
        own = np.where(gram >= 0, self._A[m][gram.clip(min=0)], 0.0)
        return np.where(use, own + self._gamma[m][context.clip(min=0)] * lower, lower)

    def _distribution_array(self, context: str) -> np.ndarray:
        self._check_fitted()
        x = self._encode(context, "El contexto")
        x = x[max(len(x) - (self.order - 1), 0) :]
        size = len(self.vocab)
        contexts = [np.full(size, r[-1]) for r in self._context_ranks(x)]
        return self._probs(contexts, np.arange(size), np.full(size, len(x)))

    def distribution(self, context: str = "") -> dict[str, float]:
        """Distribución del carácter siguiente a ``context``: ``{símbolo: probabilidad}`` en todo el vocabulario.

        Suma 1 para cualquier contexto, visto o no. Solo cuentan los últimos ``order − 1`` caracteres.
        """
        return dict(zip(self.vocab, self._distribution_array(context).tolist()))

    def prob(self, char: str, context: str = "") -> float:
        """``P(char | context)`` (solo cuentan los últimos ``order − 1`` caracteres del contexto)."""
        self._check_fitted()
        if not isinstance(char, str) or len(char) != 1:
            raise ValueError(f"char debe ser un único carácter; recibió {char!r}.")
        index = int(self._encode(char, "El carácter")[0])
        return float(self._distribution_array(context)[index])

    def token_log_probs(self, text: str) -> np.ndarray:
        """``ln P(x_t | x_{<t})`` de cada carácter de ``text[1:]`` (arreglo de longitud ``len(text) − 1``).

        El contexto de ``x_t`` son los ``order − 1`` caracteres anteriores (menos al principio del texto).
        Con ``"mle"`` un n-grama no visto da ``−inf``.
        """
        self._check_fitted()
        x = self._encode(text, "El texto")
        if len(x) < 2:
            raise ValueError("Hacen falta al menos dos caracteres: el primero solo sirve de contexto del segundo.")
        contexts = [r[1:-1] for r in self._context_ranks(x)]
        with np.errstate(divide="ignore"):
            return np.log(self._probs(contexts, x[1:], np.arange(1, len(x))))

    def log_likelihood(self, text: str) -> float:
        """Log-verosimilitud total (en nats) de ``text[1:]``: ``Σ_t ln P(x_t | x_{<t})``."""
        return float(self.token_log_probs(text).sum())

    def perplexity(self, text: str) -> float:
        """Perplejidad ``exp(−log_likelihood / (len(text) − 1))``; infinita si un carácter tiene probabilidad 0."""
        return perplexity_from_nll(-self.log_likelihood(text), len(text) - 1)

    # ------------------------------------------------------------------ generación

    def sample(self, prefix: str = "", length: int = 100, temperature: float = 1.0, seed: int | None = None) -> str:
        """Genera ``length`` caracteres tras ``prefix`` y devuelve ``prefix`` + lo generado.

        Cada carácter se sortea de ``P(w | u)^{1/temperature}`` renormalizada: ``temperature < 1`` concentra
        la probabilidad en los símbolos más probables; ``> 1`` la reparte. Con ``seed`` el resultado es
        reproducible.
        """
        self._check_fitted()
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
            raise ValueError(f"length debe ser un entero ≥ 0; recibió {length!r}.")
        check_positive("temperature", temperature)
        self._encode(prefix, "El prefijo")
        rng = np.random.default_rng(seed)
        cache: dict[str, np.ndarray] = {}  # los contextos se repiten mucho: cada uno se calcula una vez
        text = prefix
        for _ in range(length):
            context = text[max(len(text) - self.order + 1, 0) :] if self.order > 1 else ""
            if context not in cache:
                with np.errstate(divide="ignore"):
                    logits = np.log(self._distribution_array(context)) / temperature
                weights = np.exp(logits - logits.max())
                cache[context] = weights / weights.sum()
            text += self.vocab[rng.choice(len(self.vocab), p=cache[context])]
        return text


class ReadableKneserNey:
    """Kneser-Ney interpolado escrito como la ecuación de :class:`NGramLM`, con diccionarios de cuentas.

    Lento, pero se lee línea a línea: ``counts[m]`` guarda las cuentas ``a`` del orden ``m`` (``N(uw)`` en
    el orden más alto, las de continuación ``N₁₊(·uw)`` en los demás), ``total[m][u]`` es ``a(u·)``,
    ``types[m][u]`` es ``N₁₊(u·)`` y ``discount[m]`` el descuento de Ney ``D``. Da las mismas
    probabilidades que ``NGramLM(order, "kneser-ney")``. Con ``continuation=False`` todos los órdenes
    usan las cuentas ``N``: es el descuento absoluto interpolado.
    """

    def __init__(self, text: str, order: int, continuation: bool = True):
        self.order, self.vocab = order, sorted(set(text))
        raw = {m: Counter(text[i:i + m] for i in range(len(text) - m + 1)) for m in range(1, order + 1)}
        self.counts, self.total, self.types, self.discount = {}, {}, {}, {}
        for m in range(1, order + 1):
            if m < order and continuation:
                self.counts[m] = Counter(gram[1:] for gram in raw[m + 1])  # N₁₊(·g): quién precede a g
            else:
                self.counts[m] = raw[m]
            self.total[m], self.types[m] = Counter(), Counter()  # a(u·) y N₁₊(u·) de cada contexto u
            for gram, n in self.counts[m].items():
                self.total[m][gram[:-1]] += n
                self.types[m][gram[:-1]] += 1
            n1 = sum(n == 1 for n in self.counts[m].values())
            n2 = sum(n == 2 for n in self.counts[m].values())
            self.discount[m] = n1 / (n1 + 2 * n2) if n1 and n2 else 0.75  # descuento de Ney

    def prob(self, w: str, u: str = "") -> float:
        """``P(w | u)``; solo cuentan los últimos ``order − 1`` caracteres de ``u``."""
        u = u[max(len(u) - self.order + 1, 0):] if self.order > 1 else ""
        p = 1 / len(self.vocab)  # P_0: la uniforme
        for m in range(1, len(u) + 2):  # del orden 1 al orden len(u) + 1
            v = u[len(u) - m + 1:]  # los m − 1 últimos caracteres de u
            total = self.total[m][v]
            if total > 0:  # contexto no visto: P_m = P_{m−1}
                D = self.discount[m]
                p = max(self.counts[m][v + w] - D, 0) / total + D * self.types[m][v] / total * p
        return p
