"""Pruebas de la escritura atómica que comparten el paquete y los bancos de pruebas."""
import pytest

from companion.files import write_atomic


def test_text_and_binary_writes(tmp_path):
    assert write_atomic(tmp_path / "a.txt", lambda f: f.write("año"), text=True).read_text("utf-8") == "año"
    assert write_atomic(tmp_path / "b.bin", lambda f: f.write(b"\x00\x01")).read_bytes() == b"\x00\x01"
    assert oct((tmp_path / "b.bin").stat().st_mode & 0o777) == "0o644"


@pytest.mark.parametrize("error", [OSError("disco lleno"), KeyboardInterrupt()])
def test_failure_keeps_the_old_file_and_leaves_no_temporary(tmp_path, error):
    path = write_atomic(tmp_path / "r.txt", lambda f: f.write("antes"), text=True)

    def broken(handle):
        handle.write("a medias")
        raise error

    with pytest.raises(type(error)):
        write_atomic(path, broken, text=True)
    assert path.read_text("utf-8") == "antes" and [p.name for p in tmp_path.iterdir()] == ["r.txt"]
