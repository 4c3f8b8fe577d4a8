"""Configuración común de las pruebas.

Las máquinas de prueba no tienen internet: si ``COMPANION_DATA_DIR`` no está definida y existe la copia
local ``../shared/data/pg2000.txt`` (relativa a la raíz del repositorio), se usa esa carpeta. Así
``load_corpus()`` y ``load_quijote()`` sin argumentos funcionan igual en las pruebas, en la CI y en
los capítulos.
"""
import os
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
_LOCAL_DATA = ROOT.parent / "shared" / "data"

if not os.environ.get("COMPANION_DATA_DIR") and (_LOCAL_DATA / "pg2000.txt").is_file():
    os.environ["COMPANION_DATA_DIR"] = str(_LOCAL_DATA)


@pytest.fixture(scope="session")
def quijote_path() -> Path:
    """Ruta del pg2000.txt que usan las pruebas (lo descarga a la caché si no hay copia local)."""
    from companion.data import FILENAME, data_dir_path, load_quijote

    load_quijote()
    return data_dir_path() / FILENAME


@pytest.fixture(scope="session")
def corpus():
    """El corpus completo del curso (limpio, con vocabulario y partición), cargado una vez."""
    from companion.data import load_corpus

    return load_corpus()


@pytest.fixture(autouse=True)
def one_thread():
    """Modelos diminutos: un hilo basta y evita esperas de sincronización entre hilos si la CPU está ocupada."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


TINY_TEXT = "el hidalgo lee libros de caballerías y sale con su escudero a buscar aventuras " * 12


@pytest.fixture
def vocab():
    """Vocabulario de ``TINY_TEXT``, un texto diminuto para entrenar en milisegundos."""
    from companion.data import Vocab

    return Vocab(TINY_TEXT)


@pytest.fixture
def ids(vocab):
    """``TINY_TEXT`` codificado con ``vocab``."""
    return vocab.encode(TINY_TEXT)


@pytest.fixture
def tiny_model(vocab):
    """Fábrica de modelos diminutos para ``vocab``: ``tiny_model(cell="lstm", seed=0, **opciones de build_model)``."""
    from companion.model import build_model

    def make(cell="lstm", seed=0, **kwargs):
        torch.manual_seed(seed)
        kwargs.setdefault("hidden_size", 16)
        kwargs.setdefault("embedding_dim", 8)
        return build_model(cell, vocab_size=len(vocab), **kwargs)

    return make


from generation_text import GENERATION_TEXT  # noqa: E402,F401


@pytest.fixture(scope="module")
def gru_lm():
    """Modelo de lenguaje GRU diminuto (sin entrenar) y su vocabulario, para las pruebas de generación."""
    from companion.data import Vocab
    from companion.model import build_model

    vocab = Vocab(GENERATION_TEXT)
    torch.manual_seed(0)
    return build_model("gru", vocab_size=len(vocab), hidden_size=16, embedding_dim=8), vocab
