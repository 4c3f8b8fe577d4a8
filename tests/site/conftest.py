"""Fijaciones de las pruebas del sitio: ``site`` (exige ``_build/html``) y la parametrización por página.

Si ``_build/html`` no existe, las pruebas FALLAN (no se omiten): constrúyalo antes con
``jupyter-book build . -W -n --keep-going`` (lo hace ``scripts/test.sh``).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from site_helpers import SITE, chapters, page_id, site_pages


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(
            f"No existe el sitio construido en {SITE}: ejecute antes "
            "'jupyter-book build . -W -n --keep-going' (lo hace scripts/test.sh)."
        )
    return SITE


def pytest_generate_tests(metafunc):
    """Parametriza ``page`` con cada página del sitio; sin sitio, un único caso que fallará."""
    if "page" in metafunc.fixturenames:
        pages = site_pages()
        if not pages:
            metafunc.parametrize("page", [None], ids=["sitio-no-construido"])
        else:
            metafunc.parametrize("page", pages, ids=[page_id(p) for p in pages])
    if "chapter" in metafunc.fixturenames:
        metafunc.parametrize("chapter", chapters())


@pytest.fixture
def page_path(page, site) -> Path:
    """La página parametrizada (exige que el sitio exista)."""
    assert page is not None
    return page
