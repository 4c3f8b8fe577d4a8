"""Pruebas de companion.markov: n-gramas con MLE, add-k y Kneser-Ney interpolado."""
import functools
import itertools
import math
import warnings
from collections import Counter

import numpy as np
import pytest

from companion.markov import NGramLM

TEXT = "el perro de san roque no tiene rabo porque ramón ramírez se lo ha cortado y el perro llora"
HELD_OUT = "el rabo de ramón no tiene perro"
SMOOTHINGS = ["kneser-ney", "mle", "add-k"]


# --------------------------------------------------------------------------- referencia directa


class Reference:
    """Las fórmulas del docstring de NGramLM, escritas con diccionarios y sin ninguna optimización."""

    def __init__(self, text, order, smoothing, k=1.0):
        self.order, self.smoothing, self.k = order, smoothing, k
        self.vocab = sorted(set(text))
        self.counts = [Counter()] + [
            Counter(text[i : i + m] for i in range(len(text) - m + 1)) for m in range(1, order + 1)
        ]
        self.a = {order: self.counts[order]}
        for m in range(1, order):
            self.a[m] = Counter(g[1:] for g in self.counts[m + 1])  # N₁₊(• g)
        self.discount = {}
        for m, a in self.a.items():
            n1 = sum(v == 1 for v in a.values())
            n2 = sum(v == 2 for v in a.values())
            self.discount[m] = n1 / (n1 + 2 * n2) if n1 and n2 else 0.75

    @functools.cache
    def context_stats(self, h, m, raw=False):
        """``a(h)`` y ``N₁₊(h •)`` en el orden m (con ``raw``, el recuento ``c`` en lugar de ``a``)."""
        a = self.counts[m] if raw else self.a[m]
        return sum(a[h + v] for v in self.vocab), sum(a[h + v] > 0 for v in self.vocab)

    def kn(self, w, h, m):
        if m == 0:
            return 1 / len(self.vocab)
        total, types = self.context_stats(h, m)
        if total == 0:
            return self.kn(w, h[1:], m - 1)
        a, d = self.a[m], self.discount[m]
        return max(a[h + w] - d, 0) / total + d * types / total * self.kn(w, h[1:], m - 1)

    def prob(self, w, context):
        h = context[max(len(context) - self.order + 1, 0) :] if self.order > 1 else ""
        if self.smoothing == "kneser-ney":
            return self.kn(w, h, len(h) + 1)
        if self.smoothing == "add-k":
            total, _ = self.context_stats(h, len(h) + 1, raw=True)
            return (self.counts[len(h) + 1][h + w] + self.k) / (total + self.k * len(self.vocab))
        for start in range(len(h) + 1):  # MLE: el sufijo visto más largo
            m = len(h) - start + 1
            total, _ = self.context_stats(h[start:], m, raw=True)
            if total:
                return self.counts[m][h[start:] + w] / total
        raise AssertionError("inalcanzable")


def contexts_to_check(order):
    seen = {TEXT[i : i + j] for j in range(order) for i in range(0, len(TEXT) - j + 1, 2)}
    unseen = {"".join(t) for t in itertools.product("zyq ", repeat=min(order - 1, 3))}
    return sorted(seen | unseen | {"", "í" * 10, TEXT})


@pytest.mark.parametrize("smoothing", SMOOTHINGS)
@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_matches_reference_and_sums_to_one(order, smoothing):
    lm = NGramLM(order, smoothing, k=0.5).fit(TEXT)
    ref = Reference(TEXT, order, smoothing, k=0.5)
    assert lm.vocab == ref.vocab
    if smoothing == "kneser-ney":
        assert lm.discounts == pytest.approx(ref.discount)
    for context in contexts_to_check(order):
        dist = lm.distribution(context)
        assert list(dist) == lm.vocab
        p = np.array(list(dist.values()))
        assert abs(p.sum() - 1.0) < 1e-12
        np.testing.assert_allclose(p, [ref.prob(w, context) for w in lm.vocab], rtol=0, atol=1e-12)
        assert smoothing == "mle" or p.min() > 0


@pytest.mark.parametrize("smoothing", SMOOTHINGS)
def test_token_log_probs_agree_with_prob(smoothing):
    lm = NGramLM(4, smoothing).fit(TEXT)
    logp = lm.token_log_probs(HELD_OUT)
    assert logp.shape == (len(HELD_OUT) - 1,)
    expected = [math.log(lm.prob(HELD_OUT[t], HELD_OUT[:t])) if lm.prob(HELD_OUT[t], HELD_OUT[:t]) > 0 else -math.inf
                for t in range(1, len(HELD_OUT))]
    np.testing.assert_allclose(logp, expected, atol=1e-12)
    assert lm.log_likelihood(HELD_OUT) == pytest.approx(logp.sum())
    if smoothing != "mle":
        assert lm.perplexity(HELD_OUT) == pytest.approx(math.exp(-logp.sum() / (len(HELD_OUT) - 1)))


def test_mle_unseen_ngram_gives_infinite_perplexity():
    lm = NGramLM(3, "mle").fit(TEXT)
    assert lm.prob("z", "pe") == 0.0
    assert lm.prob("r", "pe") == 1.0
    assert lm.log_likelihood("pez") == -math.inf
    assert lm.perplexity("pez") == math.inf  # infinito, no NaN
    assert not math.isnan(lm.perplexity("pez"))
    assert NGramLM(3, "kneser-ney").fit(TEXT).perplexity("pez") < math.inf


def test_add_k_unseen_context_is_uniform():
    lm = NGramLM(3, "add-k", k=1.0).fit(TEXT)
    assert all(p == pytest.approx(1 / len(lm.vocab)) for p in lm.distribution("zz").values())
    c_pe, c_per = TEXT.count("pe"), TEXT.count("per")
    assert lm.prob("r", "pe") == pytest.approx((c_per + 1) / (c_pe + len(lm.vocab)))


def test_higher_order_fits_training_text_better():
    ppl = [NGramLM(n).fit(TEXT).perplexity(TEXT) for n in (1, 2, 3, 4)]
    assert ppl == sorted(ppl, reverse=True)


def test_tiny_texts_and_order_longer_than_text():
    lm = NGramLM(5).fit("ab")
    assert sum(lm.distribution("ba").values()) == pytest.approx(1.0)
    assert NGramLM(1).fit("a").distribution() == {"a": 1.0}


def test_sample():
    lm = NGramLM(4).fit(TEXT)
    out = lm.sample("el ", 50, seed=0)
    assert out.startswith("el ") and len(out) == 53 and set(out) <= set(lm.vocab)
    assert lm.sample("el ", 50, seed=0) == out
    assert lm.sample("", 5, seed=1) != "" and lm.sample("el", 0) == "el"
    # Con temperatura muy baja se elige siempre el carácter más probable.
    greedy = lm.sample("el pe", 20, temperature=1e-3, seed=2)
    for t in range(5, len(greedy)):
        dist = lm.distribution(greedy[:t])
        assert greedy[t] == max(dist, key=dist.get)
    mle = NGramLM(3, "mle").fit("abcabcabc")
    assert mle.sample("ab", 7, seed=3) == "abcabcabc"
    # Prefijo más corto que n − 1: se usa entero («ab» → c), no solo su último carácter («b» → c o d).
    short = NGramLM(4, "mle").fit("abcxbd")
    assert {short.sample("ab", 1, seed=s) for s in range(20)} == {"abc"}


def test_whole_novel_kneser_ney(corpus):
    lm = NGramLM(3).fit(corpus.train_text)
    assert len(lm.vocab) == 33
    assert 5.9 < lm.perplexity(corpus.test_text) < 6.5
    for context in ["", "don quijo", "sancho y ", "xqzw"]:
        assert sum(lm.distribution(context).values()) == pytest.approx(1.0, abs=1e-12)
    assert lm.prob("u", "la q") > 0.99


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda: NGramLM(0), "order"),
        (lambda: NGramLM(-2), "order"),
        (lambda: NGramLM(2.5), "order"),
        (lambda: NGramLM(True), "order"),
        (lambda: NGramLM(3, "laplace"), "Suavizado"),
        (lambda: NGramLM(3, "add-k", k=0), "k debe"),
        (lambda: NGramLM(3, "add-k", k=-1.0), "k debe"),
        (lambda: NGramLM(3).fit(""), "vacío"),
        (lambda: NGramLM(3).fit(TEXT).sample("el", 10, temperature=0), "temperature"),
        (lambda: NGramLM(3).fit(TEXT).sample("el", 10, temperature=-1.0), "temperature"),
        (lambda: NGramLM(3).fit(TEXT).sample("El!", 10), r"\['!', 'E'\]"),
        (lambda: NGramLM(3).fit(TEXT).sample("el", -1), "length"),
        (lambda: NGramLM(3).fit(TEXT).distribution("xé"), r"\['x', 'é'\]"),
        (lambda: NGramLM(3).fit(TEXT).prob("ab", "el"), "único carácter"),
        (lambda: NGramLM(3).fit(TEXT).perplexity("e"), "dos caracteres"),
        (lambda: NGramLM(3).fit(TEXT).log_likelihood("¡hola!"), "vocabulario"),
    ],
)
def test_ngram_bad_input(make, error):
    with pytest.raises(ValueError, match=error):
        make()


def test_not_fitted():
    with pytest.raises(RuntimeError, match="fit"):
        NGramLM(2).distribution("a")


def test_num_ngrams_counts_distinct_ngrams_of_every_order():
    lm = NGramLM(2).fit("abab")
    # unigramas {a, b} y bigramas {ab, ba}
    assert lm.num_ngrams == 4
    with pytest.raises(RuntimeError):
        NGramLM(2).num_ngrams


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_readable_kneser_ney_counts_give_the_vectorised_fit(order):
    """La referencia con ``Counter`` y el ajuste vectorizado dan las mismas probabilidades, en contextos
    vistos, no vistos y más cortos que ``order − 1``."""
    from companion.markov import ReadableKneserNey

    text = "en un lugar de la mancha, de cuyo nombre no quiero acordarme, no ha mucho tiempo que vivía " * 3
    readable, fast = ReadableKneserNey(text, order), NGramLM(order).fit(text)
    assert readable.vocab == fast.vocab
    assert all(readable.discount[m] == pytest.approx(fast.discounts[m], abs=1e-15) for m in range(1, order + 1))
    seen = {text[i - 3:i] for i in range(3, 200)}
    contexts = seen | {u[::-1] for u in seen} | {"", "a", "qv"}  # al revés: muchos contextos no vistos
    contexts |= {u[-k:] for u in seen for k in (1, 2)}  # más cortos que order − 1, vistos
    if order > 2:  # de un carácter, todos los contextos se vieron
        assert any(readable.total[order][u[-(order - 1):]] == 0 for u in contexts if len(u) >= order - 1)
    for u in contexts:
        for w, p in fast.distribution(u).items():
            assert readable.prob(w, u) == pytest.approx(p, rel=1e-12, abs=1e-15)


# --------------------------------------------------------------------------- casos límite (pruebas de mutación)


def random_texts():
    """Textos cortos sobre alfabetos de 2 y 3 letras: muchos n-gramas no vistos y contextos que solo aparecen al
    final del texto de entrenamiento."""
    rng = np.random.default_rng(0)
    for alphabet, length in [("ab", 12), ("abc", 25), ("abcz", 40)]:
        for _ in range(3):
            yield "".join(rng.choice(list(alphabet), size=length)), alphabet


@pytest.mark.parametrize("smoothing", SMOOTHINGS)
def test_small_alphabets_match_reference_on_unseen_ngrams(smoothing):
    """Contra la referencia de diccionarios, en textos donde casi todo n-grama largo es nuevo."""
    rng = np.random.default_rng(1)
    for text, alphabet in random_texts():
        for order in (1, 2, 3, 4, 5):
            lm, ref = NGramLM(order, smoothing, k=0.5).fit(text), Reference(text, order, smoothing, k=0.5)
            if smoothing == "kneser-ney":
                assert lm.discounts == pytest.approx(ref.discount)
            held_out = "".join(rng.choice(list(alphabet), size=15))
            expected = [ref.prob(held_out[t], held_out[:t]) for t in range(1, len(held_out))]
            with np.errstate(divide="ignore"):
                np.testing.assert_allclose(lm.token_log_probs(held_out), np.log(expected), rtol=0, atol=1e-12)
            for context in ["", text[-1], text[-3:], held_out[:4]]:  # text[-1]: quizá solo al final
                p = [ref.prob(w, context) for w in lm.vocab]
                np.testing.assert_allclose(list(lm.distribution(context).values()), p, rtol=0, atol=1e-12)


def test_unseen_context_with_a_seen_suffix_is_not_confused_with_another_context():
    """«bb» no aparece en el entrenamiento: el contexto «bba» no existe y no debe tomarse por otro («aab»)."""
    text, order = "aababaab", 4
    for smoothing in SMOOTHINGS:
        lm, ref = NGramLM(order, smoothing).fit(text), Reference(text, order, smoothing)
        expected = [ref.prob("bbab"[t], "bbab"[:t]) for t in range(1, 4)]
        with np.errstate(divide="ignore"):
            np.testing.assert_allclose(lm.token_log_probs("bbab"), np.log(expected), rtol=0, atol=1e-12)


def test_context_seen_only_at_the_end_of_training():
    """«z» solo aparece al final: como contexto no tiene continuación y se usa el orden inferior."""
    for smoothing in SMOOTHINGS:
        for order in (2, 3):
            lm, ref = NGramLM(order, smoothing).fit("abcabz"), Reference("abcabz", order, smoothing)
            for context in ("z", "bz"):
                dist = lm.distribution(context)
                assert sum(dist.values()) == pytest.approx(1.0)
                assert list(dist.values()) == pytest.approx([ref.prob(w, context) for w in lm.vocab], abs=1e-12)


def test_ney_discount_and_its_default_for_tiny_texts():
    """D = n₁ / (n₁ + 2 n₂); 0.75 si n₁ o n₂ es 0."""
    assert NGramLM(1).fit("aab").discounts == {1: pytest.approx(1 / 3)}  # n₁ = 1, n₂ = 1
    assert NGramLM(1).fit("abc").discounts == {1: 0.75}  # n₂ = 0
    assert NGramLM(1).fit("aabb").discounts == {1: 0.75}  # n₁ = 0
    assert NGramLM(1).fit("aabbc").discounts == {1: pytest.approx(1 / 5)}  # n₁ = 1, n₂ = 2


def test_defaults():
    """Contexto vacío, 100 caracteres, temperatura 1 y k = 1 (Laplace), como dicen las firmas."""
    lm = NGramLM(3).fit(TEXT)
    assert lm.prob("e") == lm.distribution("")["e"] == lm.prob("e", "")
    out = lm.sample(seed=4)
    assert len(out) == 100 and out == lm.sample("", 100, temperature=1.0, seed=4)
    laplace = NGramLM(2, "add-k").fit(TEXT)
    assert laplace.prob("r", "e") == pytest.approx((TEXT.count("er") + 1) / (TEXT[:-1].count("e") + len(laplace.vocab)))


def test_sample_uses_the_context_of_each_order():
    """Orden 2: tras «a» siempre «b» y al revés (con MLE); orden 1: solo las frecuencias."""
    assert NGramLM(2, "mle").fit("abababab").sample("a", 9, seed=0) == "ababababab"
    assert NGramLM(1, "mle").fit("aaaa").sample(length=3, seed=0) == "aaa"
    assert set(NGramLM(1).fit(TEXT).sample(length=30, seed=0)) <= set(TEXT)


def test_zero_probabilities_do_not_warn():
    """Un carácter imposible (MLE) da −inf o probabilidad 0 sin avisos de NumPy en la salida del lector."""
    lm = NGramLM(3, "mle").fit(TEXT)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lm.token_log_probs("pez")[-1] == -math.inf
        assert set(lm.sample("el ", 30, seed=0)) <= set(TEXT)


def test_two_characters_are_enough():
    assert NGramLM(2).fit(TEXT).token_log_probs("el").shape == (1,)


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda lm: lm.distribution("xé"), "^El contexto contiene"),
        (lambda lm: lm.prob("x", "el"), "^El carácter contiene"),
        (lambda lm: lm.log_likelihood("¡hola!"), "^El texto contiene"),
        (lambda lm: lm.sample("El!", 10), "^El prefijo contiene"),
        (lambda lm: lm.sample("el", 10, temperature=0), "^temperature debe"),
        (lambda lm: lm.sample("el", True), "^length debe"),
        (lambda lm: lm.perplexity("e"), "^Hacen falta al menos dos caracteres"),
        (lambda lm: lm.fit(""), "^fit necesita un texto"),
        (lambda lm: NGramLM(3, "laplace"), "elija uno de kneser-ney, mle, add-k"),
    ],
)
def test_error_says_which_input_was_wrong(make, error):
    with pytest.raises(ValueError, match=error):
        make(NGramLM(3).fit(TEXT))
    with pytest.raises(RuntimeError, match="^El modelo no está ajustado"):
        NGramLM(2).prob("a")


def test_repr_says_what_model_it_is():
    assert repr(NGramLM(3, "add-k", k=0.5)) == "NGramLM(order=3, smoothing='add-k', k=0.5, sin ajustar)"
    assert repr(NGramLM(2).fit("abc")) == "NGramLM(order=2, smoothing='kneser-ney', |V|=3)"


@pytest.mark.parametrize("order", [1, 2, 3])
def test_readable_without_continuation_counts_is_interpolated_absolute_discounting(order):
    # Con continuation=False (lo compara el capítulo 1) todos los órdenes usan las cuentas N: la referencia
    # es la misma recursión con a = N en cada orden y el descuento de Ney de esas cuentas.
    from companion.markov import ReadableKneserNey

    readable = ReadableKneserNey(TEXT, order, continuation=False)
    reference = Reference(TEXT, order, "kneser-ney")
    reference.a = {m: reference.counts[m] for m in range(1, order + 1)}
    for m, a in reference.a.items():
        n1, n2 = sum(v == 1 for v in a.values()), sum(v == 2 for v in a.values())
        reference.discount[m] = n1 / (n1 + 2 * n2) if n1 and n2 else 0.75
    assert readable.counts[1] == Counter(TEXT)  # el orden 1 cuenta caracteres, no contextos distintos
    for u in ("", "e", "el", "l p", "zq", "ramón "):
        h = u[max(len(u) - order + 1, 0):] if order > 1 else ""
        for w in readable.vocab:
            assert readable.prob(w, u) == pytest.approx(reference.kn(w, h, len(h) + 1), rel=1e-12)
        assert math.isclose(sum(readable.prob(w, u) for w in readable.vocab), 1.0)


def test_readable_default_context_is_empty():
    from companion.markov import ReadableKneserNey

    readable = ReadableKneserNey("XAXBXXABXAXXB", 3)  # la «X» aparece: un contexto «XX» sí cambia la predicción
    assert any(readable.prob(w, "XX") != readable.prob(w, "") for w in readable.vocab)
    assert all(readable.prob(w) == readable.prob(w, "") for w in readable.vocab)
