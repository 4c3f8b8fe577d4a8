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
    err = capsys.readouterr().err
    assert info.value.code == 2 and "no existe el punto de control" in err and "lstm_large" in err
    with pytest.raises(SystemExit):
        main(["generate", str(checkpoint), "--temperature", "0"])
    assert "argumento --temperature: se esperaba un número finito mayor o igual que 0.01" in capsys.readouterr().err
    other = tmp_path / "otro.txt"
    other.write_text("zapato xilófono kiwi wéstern " * 20, encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["evaluate", str(checkpoint), "--text", str(other)])
    err = capsys.readouterr().err
    assert "caracteres que el modelo no conoce" in err and "'k'" in err and "'x'" in err
    with pytest.raises(SystemExit):
        main(["train", "--hidden", "cero"])
    assert "argumento --hidden: se esperaba un entero entre 1 y" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["train", "--clip", "-1"], "argumento --clip: se esperaba un número mayor o igual que 0"),
    (["train", "--clip", "nan"], "argumento --clip: se esperaba un número mayor o igual que 0"),
    (["train", "--dropout", "1"], "argumento --dropout: se esperaba una probabilidad"),
    (["train", "--lr", "inf"], "argumento --lr: se esperaba un número positivo y finito"),
    (["train", "--forget-bias", "nan"], "argumento --forget-bias: se esperaba un número finito"),
    (["train", "--cell", "lstn"], "argumento --cell: opción no válida: 'lstn' (elija entre"),
    (["generate", "m.pt", "--temperature", "inf"], "argumento --temperature: se esperaba un número finito mayor"),
    (["generate", "m.pt", "--length", "abc"], "argumento --length: se esperaba un entero mayor o igual que 0 y se "
                                              "recibió 'abc'"),
    (["generate", "m.pt", "--top-k", "0"], "argumento --top-k: se esperaba un entero positivo"),
    (["generate", "m.pt", "--seed", "-3"], "argumento --seed: se esperaba un entero entre 0 y"),
    (["generate", "m.pt", "--length"], "argumento --length: se esperaba un valor"),
    (["generate"], "faltan los argumentos obligatorios: MODELO"),
    (["evaluate", "m.pt", "--sobra"], "argumentos no reconocidos: --sobra"),
    (["entrena"], "opción no válida: 'entrena'"),
    (["train", "--recipe", "gpt"], "Receta desconocida 'gpt'"),
])
def test_bad_options_are_refused_naming_the_option(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    err = capsys.readouterr().err
    assert info.value.code == 2 and message in err
    assert "invalid" not in err and "usage" not in err and "error: argument " not in err


def test_clip_zero_disables_clipping(text_file, tmp_path):
    out = tmp_path / "sin_recorte.pt"
    main(["train", "--text", str(text_file), "--hidden", "8", "--batch-size", "4", "--steps", "10",
          "--max-steps", "2", "--clip", "0", "--out", str(out), "--quiet"])
    assert load_checkpoint(out).metadata["settings"]["clip"] == 0.0


def test_prompt_changes_are_reported(checkpoint, capsys):
    main(["generate", str(checkpoint), "--prompt", "Dama 5 € À la venta", "--length", "5", "--seed", "0"])
    captured = capsys.readouterr()
    assert captured.out.startswith("dama la venta")
    for change in ("«D» → «d»", "«5» → espacio", "«€» → espacio", "«À» → espacio"):
        assert change in captured.err
    main(["generate", str(checkpoint), "--prompt", "la dama", "--length", "5", "--seed", "0"])
    assert capsys.readouterr().err == ""  # nada que avisar


def test_evaluate_accepts_text_with_fewer_characters(checkpoint, text_file, tmp_path, capsys):
    """Un texto cuyos caracteres son un subconjunto de los del modelo se evalúa (antes: «sobran [...]»)."""
    model_vocab = load_checkpoint(checkpoint).vocab
    fragment = tmp_path / "fragmento.txt"
    fragment.write_text("la dama del castillo " * 30, encoding="utf-8")
    assert set("la dama del castillo ") < set(model_vocab.itos)
    main(["evaluate", str(checkpoint), "--text", str(fragment)])
    out = capsys.readouterr().out
    # No es el texto del entrenamiento: se mide entero, y se avisa de que son pocos caracteres.
    assert "Perplejidad de todo el texto (630 caracteres)" in out and "629 caracteres predichos" in out
    assert "no es el mismo con el que se entrenó" in out and "solo se midieron 629 caracteres" in out


def test_recipe_defaults_can_be_overridden(text_file, tmp_path, capsys):
    from companion.recipes import recipe

    out = tmp_path / "receta.pt"
    main(["train", "--recipe", "lstm_fb1", "--text", str(text_file), "--hidden", "8", "--embedding", "4",
          "--epochs", "1", "--batch-size", "4", "--steps", "10", "--max-steps", "2", "--out", str(out), "--quiet"])
    model, _, metadata = load_checkpoint(out)
    settings, defaults = metadata["settings"], recipe("lstm_fb1")
    assert model.config["hidden_size"] == 8 and settings["hidden"] == 8  # escrito en la orden
    assert model.config["embedding_dim"] == 4 and settings["epochs"] == 1
    for key in ("lr_schedule", "dropout", "embedding_dropout", "output_dropout", "forget_bias", "half", "patience"):
        assert settings[key] == defaults[key]  # de la receta
    assert model.config["forget_bias"] == 1.0 and model.config["output_dropout"] == defaults["output_dropout"]
    assert metadata["float16"] is True


def test_resume_continues_after_an_interrupted_run(text_file, tmp_path, monkeypatch, capsys):
    import companion.train as train_module

    args = ["train", "--text", str(text_file), "--hidden", "8", "--embedding", "4", "--batch-size", "4",
            "--steps", "10", "--max-steps", "3", "--epochs", "3", "--seed", "2", "--quiet"]
    main(args + ["--out", str(tmp_path / "seguido.pt")])
    reference = load_checkpoint(tmp_path / "seguido.pt")

    out = tmp_path / "reanudado.pt"
    progress = tmp_path / "reanudado.pt.progreso.pt"
    real_train = train_module.train

    def interrupted(*a, callback, **k):
        save_progress = callback.on_epoch_end

        def stop_after_first_epoch(state):
            save_progress(state)
            raise KeyboardInterrupt  # como un Ctrl-C o una máquina que se apaga

        callback.on_epoch_end = stop_after_first_epoch
        return real_train(*a, callback=callback, **k)

    monkeypatch.setattr(train_module, "train", interrupted)
    with pytest.raises(SystemExit) as info:
        main(args + ["--out", str(out), "--resume"])
    monkeypatch.undo()
    assert info.value.code == 130 and progress.is_file() and not out.exists()
    assert "repita la misma orden con --resume" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # otra orden no puede reanudar ese progreso
        main(args[:-1] + ["--out", str(out), "--resume", "--seed", "3"])
    assert "se guardó con otra orden" in capsys.readouterr().err
    main(args + ["--out", str(out), "--resume"])
    assert "Se reanuda tras la época 1" in capsys.readouterr().out
    assert not progress.exists()
    resumed = load_checkpoint(out)
    assert resumed.metadata["epochs"] == 3 and resumed.metadata["steps"] == reference.metadata["steps"] == 9
    assert "--resume" not in resumed.metadata["command"]
    assert resumed.metadata["epoch_train_perplexity"][0] == reference.metadata["epoch_train_perplexity"][0]


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
