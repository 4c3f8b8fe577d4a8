"""Pruebas de companion.data: descarga, limpieza, vocabulario, partición y lotes."""
import hashlib
import http.server
import json
import os
import stat
import threading
import urllib.request

import pytest
import torch

from companion import data
from companion.data import (
    FILENAME,
    DownloadError,
    Vocab,
    clean,
    data_dir_path,
    extract_novel,
    load_corpus,
    load_quijote,
    random_batches,
    sequential_batches,
    split,
)

SPANISH_LETTERS = set("abcdefghijklmnopqrstuvwxyzáéíóúñü")


# --------------------------------------------------------------------------- servidor HTTP local


class _Handler(http.server.BaseHTTPRequestHandler):
    payload = b""

    def send(self, body, announced):
        """Responde 200 con ``body``, anunciando ``announced`` bytes en ``Content-Length``."""
        self.send_response(200)
        self.send_header("Content-Length", str(announced))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        body = self.server.payload
        if self.path == "/pg2000.txt":
            self.send(body, len(body))
        elif self.path == "/truncado.txt":
            # Anuncia más bytes de los que envía y cierra la conexión: transferencia interrumpida.
            self.send(body[: len(body) // 2], len(body) + 1000)
            self.wfile.flush()
            self.close_connection = True
        elif self.path == "/otro.txt":
            other = b"*** START OF THE PROJECT GUTENBERG EBOOK HAMLET ***\nTo be, or not to be\n*** END OF X ***\n"
            self.send(other, len(other))
        else:
            self.send_error(404, "No encontrado")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(quijote_path):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.payload = quijote_path.read_bytes()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_download_success(server, tmp_path):
    cache = tmp_path / "cache"
    text = load_quijote(cache, url=f"{server}/pg2000.txt")
    assert text == load_quijote()
    assert sorted(p.name for p in cache.iterdir()) == [FILENAME]
    # Ya está en la caché: la segunda llamada no descarga (la URL ya no sirve).
    assert load_quijote(cache, url=f"{server}/no-existe") == text


@pytest.mark.parametrize(
    "path, message",
    [("/no-existe", "404"), ("/truncado.txt", "incompleta"), ("/otro.txt", "no el Quijote")],
)
def test_download_failure_leaves_no_file(server, tmp_path, path, message):
    with pytest.raises(DownloadError, match=message) as info:
        load_quijote(tmp_path, url=server + path)
    assert "a mano" in str(info.value) and str(tmp_path / FILENAME) in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_unreachable_server(tmp_path):
    with pytest.raises(DownloadError, match="COMPANION_DATA_DIR"):
        data.download("http://127.0.0.1:9/pg2000.txt", tmp_path / FILENAME, timeout=5)
    assert list(tmp_path.iterdir()) == []


def test_present_file_in_read_only_dir_writes_nothing(quijote_path, tmp_path, monkeypatch):
    folder = tmp_path / "solo_lectura"
    folder.mkdir()
    (folder / FILENAME).write_bytes(quijote_path.read_bytes())
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}

    def no_network(*args, **kwargs):
        raise AssertionError("no debe descargarse nada")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setenv("COMPANION_DATA_DIR", str(folder))
    try:
        assert load_quijote().startswith("El ingenioso hidalgo")
        assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before
    finally:
        folder.chmod(stat.S_IRWXU)


def test_data_dir_priority(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(data.sys, "platform", "linux")
    cache = tmp_path / "xdg" / "companion"
    env = tmp_path / "env"
    monkeypatch.setenv("COMPANION_DATA_DIR", str(env))
    assert data_dir_path(tmp_path / "arg") == tmp_path / "arg"  # el argumento manda siempre
    assert data_dir_path() == cache  # la carpeta de la variable no existe: se descargaría en la caché
    env.mkdir()
    assert data_dir_path() == env  # existe (aunque vacía): la descarga iría allí
    cache.mkdir(parents=True)
    (cache / FILENAME).write_text("x")
    assert data_dir_path() == cache  # el archivo está en la caché y no en la variable: se usa el de la caché
    (env / FILENAME).write_text("x")
    assert data.quijote_path() == env / FILENAME  # en las dos: primero la variable
    monkeypatch.delenv("COMPANION_DATA_DIR")
    assert data_dir_path() == cache
    assert not (tmp_path / "arg").exists()  # consultar no crea nada


def test_env_var_never_creates_folders(quijote_path, tmp_path, monkeypatch):
    """COMPANION_DATA_DIR con una carpeta que no existe: se descarga en la caché y la carpeta no se crea."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(data.sys, "platform", "linux")
    missing = tmp_path / "no" / "existe"
    monkeypatch.setenv("COMPANION_DATA_DIR", str(missing))
    targets = []

    def fake_download(url, path, timeout=60.0):
        targets.append(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(quijote_path.read_bytes())
        return path

    monkeypatch.setattr(data, "download", fake_download)
    assert load_quijote().startswith("El ingenioso hidalgo")
    assert targets == [tmp_path / "xdg" / "companion" / FILENAME]
    assert not (tmp_path / "no").exists()
    # Con la carpeta creada por el usuario, la descarga va allí.
    (tmp_path / "xdg" / "companion" / FILENAME).unlink()
    missing.mkdir(parents=True)
    load_quijote()
    assert targets[-1] == missing / FILENAME


def test_missing_env_folder_is_named_in_download_error(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(data.sys, "platform", "linux")
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path / "typo"))
    with pytest.raises(DownloadError, match="no existe: créela o corrija la variable"):
        load_quijote(url="http://127.0.0.1:9/pg2000.txt")
    assert not (tmp_path / "typo").exists()


def test_clean_changes_reports_what_clean_does():
    assert data.clean_changes("en un lugar") == []
    assert data.clean_changes("Wamba, 5 € À") == [("W", "w"), (",", " "), ("5", " "), ("€", " "), ("À", " ")]
    text = "¡Válame Dios, Sancho!"
    replaced = "".join(dict(data.clean_changes(text)).get(char, char) for char in text)
    assert replaced == " válame dios  sancho " and clean(text) == " válame dios sancho "
    with pytest.raises(TypeError, match="cadena"):
        data.clean_changes(5)


def test_extract_novel_cuts_at_markers():
    raw = (
        "\ufeffThe Project Gutenberg eBook of Don Quijote\r\n\r\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK DON QUIJOTE ***\r\n\r\n"
        "En un lugar de la Mancha,\r\nde cuyo nombre\r\n\r\n"
        "*** END OF THE PROJECT GUTENBERG EBOOK DON QUIJOTE ***\r\nLicence text\r\n"
    )
    assert extract_novel(raw) == "En un lugar de la Mancha,\nde cuyo nombre"
    with pytest.raises(ValueError, match="START OF"):
        extract_novel("En un lugar de la Mancha")
    with pytest.raises(ValueError, match="no el Quijote"):
        extract_novel(raw.replace("Quijote", "Hamlet").replace("QUIJOTE", "HAMLET"))


def test_local_file_that_is_not_the_quijote(tmp_path):
    (tmp_path / FILENAME).write_text("Hola, mundo", encoding="utf-8")
    with pytest.raises(ValueError, match="Project Gutenberg"):
        load_quijote(tmp_path)
    (tmp_path / FILENAME).write_bytes(b"\xff\xfe\x00basura")
    with pytest.raises(ValueError, match="UTF-8"):
        load_quijote(tmp_path)


def test_whole_novel_text():
    text = load_quijote()
    assert text.startswith("El ingenioso hidalgo don Quijote de la Mancha")
    assert "\r" not in text and "\ufeff" not in text
    assert "gutenberg" not in text.lower() and "license" not in text.lower()


# --------------------------------------------------------------------------- limpieza


def test_clean_examples():
    assert clean("¡Válame Dios!, dijo Sancho.") == " válame dios dijo sancho "
    assert clean("ÑANDÚ, pingüino\r\n\r\n—¿Qué?") == "ñandú pingüino qué "
    assert clean("año 1605...") == "año "
    with pytest.raises(TypeError):
        clean(b"bytes")


def test_clean_whole_novel(corpus):
    text = corpus.text
    assert 2_000_000 < len(text) < 2_060_000
    assert set(text) == SPANISH_LETTERS - {"k"} | {" "}
    assert len(set(text)) == 33
    assert "  " not in text


# --------------------------------------------------------------------------- vocabulario


def test_vocab_order_and_round_trip():
    v = Vocab("ccbbaad")
    assert v.itos == ["a", "b", "c", "d"]  # empates (2, 2, 2) por punto de código
    v = Vocab("abracadabra")
    assert v.itos == ["a", "b", "r", "c", "d"] and len(v) == 5
    assert v.stoi == {s: i for i, s in enumerate(v.itos)}
    ids = v.encode("cabra")
    assert ids.dtype == torch.long and ids.tolist() == [3, 0, 1, 2, 0]
    assert v.decode(ids) == "cabra" and v.decode([3, 0]) == "ca" and v.decode([]) == ""


def test_vocab_serialisation():
    v = Vocab("el ingenioso hidalgo")
    restored = Vocab.from_dict(json.loads(json.dumps(v.to_dict())))
    assert restored == v and restored.encode("hidalgo").equal(v.encode("hidalgo"))
    assert Vocab("ab") != Vocab("ba b")
    with pytest.raises(ValueError):
        Vocab.from_dict({"itos": ["a", "a"]})
    with pytest.raises(ValueError):
        Vocab.from_dict({"itos": "ab"})


def test_vocab_errors_name_the_characters():
    v = Vocab("sancho panza")
    with pytest.raises(ValueError, match=r"\['!', 'S'\]"):
        v.encode("Sancho!")
    with pytest.raises(ValueError):
        v.decode([0, 99])
    with pytest.raises(ValueError):
        Vocab("")


# --------------------------------------------------------------------------- partición


def test_split_contiguous_disjoint():
    text = "".join(chr(97 + i % 26) for i in range(1003))
    train, val, test = split(text)
    assert train + val + test == text
    assert (len(train), len(val), len(test)) == (902, 50, 51)
    ids = torch.arange(1000)
    parts = split(ids, (0.5, 0.5))
    assert torch.equal(torch.cat(parts), ids) and len(parts[0]) == 500
    for bad in [(0.9, 0.2), (1.0,), (1.2, -0.1, -0.1)]:
        with pytest.raises(ValueError, match="Fracciones"):
            split(text, bad)


def test_corpus(corpus):
    assert load_corpus() is corpus
    assert len(corpus.vocab) == 33
    assert corpus.train_text + corpus.val_text + corpus.test_text == corpus.text
    assert [len(corpus.train), len(corpus.val), len(corpus.test)] == [
        len(corpus.train_text),
        len(corpus.val_text),
        len(corpus.test_text),
    ]
    assert corpus.vocab.decode(corpus.val) == corpus.val_text
    assert corpus.vocab.decode(corpus.train[-1000:]) == corpus.train_text[-1000:]
    assert corpus.checksum == hashlib.sha256(corpus.text.encode()).hexdigest()
    assert 0.89 < len(corpus.train) / len(corpus.text) < 0.91


# --------------------------------------------------------------------------- lotes


@pytest.mark.parametrize("sampler", [random_batches, sequential_batches])
def test_targets_are_next_chars_and_stay_inside(sampler):
    ids = torch.arange(1000)
    batches = list(sampler(ids, 4, 7, seed=3))
    assert batches
    for X, Y in batches:
        assert X.shape == Y.shape == (4, 7) and X.dtype == Y.dtype == torch.int64
        assert torch.equal(Y, X + 1)  # ids[i] = i: el objetivo es el carácter siguiente
        assert int(Y.max()) < len(ids)


def test_random_batches_partition():
    ids = torch.arange(1000)
    X = torch.cat([x for x, _ in random_batches(ids, 4, 7, seed=1)])
    offset = int(X[0, 0]) % 7
    starts = X[:, 0]
    assert torch.all(starts % 7 == offset)  # subsecuencias sin solapamiento tras un desplazamiento
    assert len(set(starts.tolist())) == len(starts)
    assert len(starts) == (1000 - offset - 1) // 7 // 4 * 4
    assert not torch.equal(starts, starts.sort().values)  # barajadas
    again = torch.cat([x for x, _ in random_batches(ids, 4, 7, seed=1)])
    assert torch.equal(X, again)


def test_random_offsets_cover_all_values():
    ids = torch.arange(500)
    offsets = {int(next(random_batches(ids, 2, 5, seed=s))[0].min()) % 5 for s in range(60)}
    assert offsets == set(range(5))


def test_sequential_rows_are_contiguous():
    ids = torch.arange(1000)
    batches = list(sequential_batches(ids, 3, 10, offset=4))
    assert int(batches[0][0][0, 0]) == 4
    for (X0, _), (X1, _) in zip(batches, batches[1:]):
        assert torch.equal(X1[:, 0], X0[:, -1] + 1)
    stream = torch.cat([x for x, _ in batches], dim=1)
    assert torch.all(stream.diff(dim=1) == 1)


def test_sequential_offsets_cover_all_values():
    ids = torch.arange(500)
    offsets = {int(next(sequential_batches(ids, 2, 5, seed=s))[0][0, 0]) for s in range(60)}
    assert offsets == set(range(5))


@pytest.mark.parametrize("sampler", [random_batches, sequential_batches])
def test_batching_bad_input(sampler):
    with pytest.raises(ValueError, match="batch_size"):
        sampler(torch.arange(100), 0, 5)
    with pytest.raises(ValueError, match="num_steps"):
        sampler(torch.arange(100), 2, 2.5)
    with pytest.raises(ValueError, match="pocos"):
        sampler(torch.arange(10), 2, 5)
    with pytest.raises(ValueError, match="1-D"):
        sampler(torch.zeros(10, 10, dtype=torch.long), 2, 2)


def test_load_text_corpus_builds_a_corpus_from_any_text(tmp_path, corpus):
    from companion.data import load_text_corpus

    path = tmp_path / "novela.txt"
    path.write_text("Érase una vez, en la Mancha, un hidalgo.\n" * 40, encoding="utf-8")
    other = load_text_corpus(path)
    assert other.text == clean(path.read_text(encoding="utf-8"))
    assert other.vocab == Vocab(other.text) and len(other.train) + len(other.val) + len(other.test) == len(other.text)
    assert other.vocab.decode(other.train) == other.train_text
    # Con el vocabulario de un modelo (el del Quijote, que tiene más letras), se codifica con ese.
    with_model_vocab = load_text_corpus(path, vocab=corpus.vocab)
    assert with_model_vocab.vocab == corpus.vocab and corpus.vocab.decode(with_model_vocab.test) == other.test_text
    assert load_text_corpus(None) is load_corpus()
    path.write_text("Kiwi y karaoke en Tokio. " * 20, encoding="utf-8")
    with pytest.raises(ValueError, match="no conoce: \\['k'\\]"):
        load_text_corpus(path, vocab=Vocab(clean("iwy araoe en Tio " * 3)))
    with pytest.raises(ValueError, match="No existe"):
        load_text_corpus(tmp_path / "falta.txt")
