"""Pruebas de companion.tasks que fijan lo que tests/test_seq2seq.py dejaba libre: decenas exactas, tamaños
del reparto, los bordes de los fragmentos de la tarea de invertir, la distancia de edición y los mensajes
(ver benchmarks/results/mutation.md)."""
import math

import pytest

from companion.tasks import edit_distance, number_split, reversal_pairs, score, spanish_cardinal

QUIJOTE = ("en un lugar de la mancha  de cuyo nombre no quiero  acordarme no ha mucho tiempo que vivía un hidalgo "
           "de los de lanza en astillero adarga antigua rocín flaco y galgo corredor")  # con dos espacios dobles
NUMBERED = " ".join(f"p{i:02d}" for i in range(100))  # palabras distintas de 3 letras: p00 p01 … p99


def test_exact_tens_are_read_without_y():
    assert [spanish_cardinal(n) for n in (30, 40, 90, 1940, 3070)] == [
        "treinta", "cuarenta", "noventa", "mil novecientos cuarenta", "tres mil setenta"]
    assert spanish_cardinal(31) == "treinta y uno"


def test_split_sizes_follow_the_fractions_in_order():
    split = number_split(100, fractions=(0.6, 0.3, 0.1))
    assert [len(split[k]) for k in ("train", "val", "test")] == [60, 30, 10]
    for bad in ((0.5, 0.5), (0.25, 0.25, 0.25, 0.25), (0.0, 0.5, 0.5), (-0.5, 0.75, 0.75)):
        with pytest.raises(ValueError, match="^fractions deben ser tres proporciones positivas que sumen 1"):
            number_split(100, fractions=bad)


def test_reversal_defaults_are_the_documented_ones():
    assert reversal_pairs(QUIJOTE, 30) == reversal_pairs(QUIJOTE, 30, min_length=4, max_length=40, seed=0)
    assert reversal_pairs(QUIJOTE, 30) != reversal_pairs(QUIJOTE, 30, seed=1)


def test_reversal_pieces_cover_every_length_between_the_limits_and_are_whole_words():
    pairs = reversal_pairs(QUIJOTE, 3000, min_length=4, max_length=20, seed=1)
    assert sorted({len(source) for source, _ in pairs}) == list(range(4, 21))  # ambos extremos incluidos
    for source, target in pairs:
        assert source.strip() == source, f"el fragmento {source!r} empieza o acaba en un espacio"
        assert f" {source} " in f" {QUIJOTE} " and target == source[::-1]
    assert sum(" " in source for source, _ in pairs) > len(pairs) / 2  # la mayoría, de varias palabras
    assert len({source.split()[0] for source, _ in pairs}) > 10  # empiezan en palabras distintas


@pytest.mark.parametrize("max_length, last_start", [(10, 388), (11, 384)])
def test_reversal_pieces_start_at_least_max_length_characters_before_the_end(max_length, last_start):
    # Un fragmento solo empieza donde quedan más de max_length caracteres: con 399 caracteres y
    # max_length = 10, la última palabra válida empieza en 388 (< 389); con 11, en 384 (388 ya no cabe).
    pairs = reversal_pairs(NUMBERED, 2000, min_length=3, max_length=max_length, seed=0)
    starts = {NUMBERED.index(source) for source, _ in pairs}
    assert max(starts) == last_start and min(starts) == 0


def test_reversal_length_limits_may_be_equal_and_start_at_one():
    assert {len(s) for s, _ in reversal_pairs(NUMBERED, 20, min_length=3, max_length=3)} == {3}
    assert {len(s) for s, _ in reversal_pairs(QUIJOTE, 200, min_length=1, max_length=2)} == {1, 2}
    for low, high in ((0, 5), (6, 5)):
        with pytest.raises(ValueError, match=f"^Se necesita 1 ≤ min_length ≤ max_length; se recibieron {low} y {high}"):
            reversal_pairs(QUIJOTE, 1, min_length=low, max_length=high)


def test_edit_distance_against_the_empty_string_and_single_edits():
    assert [edit_distance("abc", ""), edit_distance("", "ab"), edit_distance("a", "b")] == [3, 2, 1]
    assert edit_distance("ab", "b") == 1 and edit_distance("abc", "acb") == 2 and edit_distance("uno", "unos") == 1


def test_score_keeps_the_predictions_and_rejects_unequal_lengths():
    scores = score(iter(["uno", "dos"]), ["uno", "tres"])
    assert scores.predictions == ["uno", "dos"] and scores.accuracy == 0.5
    assert math.isclose(scores.cer, edit_distance("dos", "tres") / 7)
    with pytest.raises(ValueError, match="^Hay 2 predicciones para 1 referencias"):
        score(["uno", "dos"], ["uno"])
