"""Pruebas de ``companion.novelty``: las medidas de copia y de repetición del texto generado."""
import random

import pytest

from companion.novelty import distinct_fraction, longest_copy, unseen_word_fraction


def brute_longest_copy(generated: str, reference: str) -> str:
    """La definición, sin atajos: de todos los fragmentos que están en ``reference``, el primero más largo."""
    best = ""
    for i in range(len(generated)):
        for j in range(i + 1, len(generated) + 1):
            if generated[i:j] in reference and j - i > len(best):
                best = generated[i:j]
    return best


def test_longest_copy_finds_the_longest_and_first_fragment():
    reference = "en un lugar de la mancha de cuyo nombre"
    assert longest_copy("xx lugar de yy mancha de cuyo zz", reference) == " mancha de cuyo "
    assert longest_copy("abab", "ab ba") == "ab"  # «ab» y «ba» miden lo mismo: el primero
    assert longest_copy("qqq", reference) == ""
    assert longest_copy("", reference) == ""
    assert longest_copy(reference, reference) == reference


@pytest.mark.parametrize("seed", range(30))
def test_longest_copy_equals_the_definition(seed):
    rng = random.Random(seed)
    reference = "".join(rng.choice("abc ") for _ in range(60))
    generated = "".join(rng.choice("abcd ") for _ in range(rng.randrange(0, 40)))
    assert longest_copy(generated, reference) == brute_longest_copy(generated, reference)


def test_distinct_fraction_counts_repeated_fragments():
    assert distinct_fraction("abcdefghij", width=3) == 1.0  # 8 fragmentos, todos distintos
    assert distinct_fraction("abababab", width=2) == pytest.approx(2 / 7)  # «ab» y «ba» entre 7
    assert distinct_fraction("aaaa", width=4) == 1.0  # un solo fragmento
    assert distinct_fraction("la " * 50) < distinct_fraction("en un lugar de la mancha de cuyo nombre no quiero")
    assert distinct_fraction("x" * 20, width=10) == pytest.approx(1 / 11)  # por omisión, width = 10


def test_unseen_word_fraction_ignores_the_last_word():
    known = {"en", "un", "lugar"}
    assert unseen_word_fraction("en un lugar de la manc", known) == pytest.approx(2 / 5)  # «de» y «la»
    assert unseen_word_fraction("en un luga", known) == 0.0
    assert unseen_word_fraction("palabra", known) == 0.0  # ninguna palabra completa
    assert unseen_word_fraction("", known) == 0.0
    assert unseen_word_fraction("xx yy zz", frozenset()) == 1.0


@pytest.mark.parametrize("call, message", [
    (lambda: longest_copy(["a"], "a"), "generated debe ser un texto"),
    (lambda: longest_copy("a", None), "reference debe ser un texto"),
    (lambda: distinct_fraction(b"abc", 2), "text debe ser un texto"),
    (lambda: distinct_fraction("abc", 0), "width"),
    (lambda: distinct_fraction("abc", 2.0), "width"),
    (lambda: distinct_fraction("abc", True), "width"),
    (lambda: distinct_fraction("ab", 3), "menos que width = 3"),
    (lambda: unseen_word_fraction("a b", "a b"), "known_words debe ser una colección"),
    (lambda: unseen_word_fraction("a b", None), "known_words debe ser una colección"),
])
def test_bad_arguments_name_the_argument(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()
