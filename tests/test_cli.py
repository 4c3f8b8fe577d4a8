"""Pruebas de la línea de órdenes ``python -m companion`` sobre un texto pequeño."""
import os
import random
import subprocess
import sys

import pytest
import torch

from companion.__main__ import _reproducible, main
from companion.checkpoint import load_checkpoint




WORDS = ("el caballero la dama sancho rocinante molino gigante venta castillo aventura escudero ínsula "
         "dulcinea camino noche armas libro señor").split()


@pytest.fixture(scope="module")
def text_file(tmp_path_factory):
    rng = random.Random(0)
    sentences = (" ".join(rng.choice(WORDS) for _ in range(8)).capitalize() + "." for _ in range(300))
    path = tmp_path_factory.mktemp("cli") / "texto.txt"
    path.write_text("\n".join(sentences), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def checkpoint(text_file):
    out = text_file.parent / "modelo.pt"
    main(["train", "--text", str(text_file), "--cell", "gru", "--hidden", "16", "--embedding", "8",
          "--batch-size", "4", "--steps", "20", "--max-steps", "10", "--epochs", "2", "--out", str(out),
          "--quiet", "--seed", "1"])
    return out


def test_train_writes_checkpoint_with_metadata(checkpoint, text_file):
    model, vocab, metadata = load_checkpoint(checkpoint)
    assert model.config["cell"] == "gru" and model.config["hidden_size"] == 16
    assert metadata["epochs"] == 2 and metadata["steps"] == 20
    assert metadata["corpus"] == "texto.txt"
    assert metadata["command"].startswith("python -m companion train --text")
    assert metadata["test_perplexity"] < len(vocab)
    assert 2 ** metadata["test_bpc"] == pytest.approx(metadata["test_perplexity"])


def test_evaluate_reports_test_perplexity(checkpoint, text_file, capsys):
    main(["evaluate", str(checkpoint), "--text", str(text_file)])
    out = capsys.readouterr().out
    assert "Perplejidad de prueba" in out and "bits por carácter" in out
    expected = load_checkpoint(checkpoint).metadata["test_perplexity"]
    assert f"{expected:.3f}" in out


def test_generate_is_seeded(checkpoint, capsys):
    args = ["generate", str(checkpoint), "--prompt", "El caballero", "--length", "30", "--seed", "3"]
    main(args)
    first = capsys.readouterr().out
    main(args)
    assert capsys.readouterr().out == first
    assert first.startswith("el caballero") and len(first.strip()) >= 30
    main(["generate", str(checkpoint), "--prompt", "la", "--greedy", "--length", "10"])
    assert capsys.readouterr().out.startswith("la")


def test_errors_are_spanish(checkpoint, text_file, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["evaluate", str(tmp_path / "falta.pt"), "--text", str(text_file)])
    assert info.value.code == 2 and "No existe" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["generate", str(checkpoint), "--temperature", "0"])
    assert "temperatura" in capsys.readouterr().err
    other = tmp_path / "otro.txt"
    other.write_text("zapato xilófono kiwi wéstern " * 20, encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["evaluate", str(checkpoint), "--text", str(other)])
    assert "no coincide" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--hidden", "cero"])
    assert "entero positivo" in capsys.readouterr().err


def test_time_limit_records_equivalent_command(text_file, tmp_path, capsys):
    assert _reproducible(["train", "--time-limit", "60", "--hidden", "8", "--total-steps", "9"], 4) == [
        "train", "--hidden", "8", "--total-steps", "4"]
    out = tmp_path / "limite.pt"
    main(["train", "--text", str(text_file), "--hidden", "8", "--batch-size", "4", "--steps", "10",
          "--epochs", "2", "--time-limit", "1e-9", "--out", str(out), "--quiet"])
    metadata = load_checkpoint(out).metadata
    assert metadata["steps"] == 1 and metadata["command"].endswith("--total-steps 1")
    with pytest.raises(SystemExit):
        main(["train", "--text", str(text_file), "--lr-schedule", "cosine", "--time-limit", "5", "--out", str(out)])
    assert "--time-limit solo se admite" in capsys.readouterr().err


def test_help_is_spanish(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0
    assert "uso:" in out and "opciones" in out and "muestra este mensaje de ayuda" in out
    assert "usage" not in out and "show this help" not in out
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = capsys.readouterr().out
    assert "por omisión" in out and "tasa de aprendizaje" in out and "default" not in out


def test_module_entry_point():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    result = subprocess.run([sys.executable, "-m", "companion", "generate", "--help"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0 and "uso:" in result.stdout and "temperatura" in result.stdout
