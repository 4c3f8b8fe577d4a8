"""Fijaciones de las pruebas del sitio: ``site`` (exige ``_build/html``) y la parametrización por página.

Si ``_build/html`` no existe, las pruebas de esta carpeta se OMITEN con un motivo que dice cómo construirlo,
para que ``python -m pytest tests`` funcione en una copia recién clonada. Con ``COMPANION_REQUIRE_SITE=1``
(lo pone ``scripts/test.sh``, que construye el sitio antes) la falta del sitio es un FALLO: una construcción
que no dejó el sitio no pasa inadvertida.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from site_helpers import SITE, chapters, page_id, site_pages


MISSING_SITE = (
    f"No existe el sitio construido en {SITE}: ejecute antes "
    "'jupyter-book build . -W -n --keep-going' (o todas las pruebas con 'bash scripts/test.sh')."
)


def site_required() -> bool:
    """``True`` si la falta del sitio debe ser un fallo (``COMPANION_REQUIRE_SITE=1``) y no una omisión."""
    return os.environ.get("COMPANION_REQUIRE_SITE", "") not in ("", "0")


def pytest_collection_modifyitems(config, items):
    """Sin sitio construido (y sin ``COMPANION_REQUIRE_SITE``), omite las pruebas de esta carpeta."""
    if (SITE / "index.html").is_file() or site_required():
        return
    here = Path(__file__).resolve().parent
    skip = pytest.mark.skip(reason=MISSING_SITE)
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(MISSING_SITE)
    return SITE


def pytest_generate_tests(metafunc):
    """Parametriza ``page`` con cada página del sitio; sin sitio, un único caso (omitido o, con ``COMPANION_REQUIRE_SITE``, fallido)."""
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
