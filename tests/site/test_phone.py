"""Cada página en la pantalla de un teléfono (390 px de ancho, Chromium sin conexión).

Ninguna página es más ancha que la pantalla: ``document.documentElement.scrollWidth`` no pasa de 390 px.
Lo que no cabe (un bloque de código, una tabla ancha) se desplaza dentro de su propio recuadro, sin
arrastrar la página; el texto de las salidas se parte en líneas (``_static/reading.css``). Si falla, el
mensaje nombra los elementos que se salen. De cada capítulo se guarda una captura en
``_build/screenshots/<capítulo>-movil.png``.
"""
from __future__ import annotations

import pytest

from site_helpers import SITE, chapters, page_id
from test_browser import SCREENSHOTS, browser, load  # noqa: F401  (fijación compartida)

PHONE = 390

OVERFLOW = """
const W = document.documentElement.clientWidth;
// Un elemento no ensancha la página si lo contiene un recuadro con desplazamiento propio o si está
// fijo en la pantalla (los menús laterales plegados del tema).
const contained = (el) => {
  for (let p = el; p && p !== document.body; p = p.parentElement) {
    const s = getComputedStyle(p);
    if (s.position === "fixed" || s.display === "none" || s.visibility === "hidden") return true;
    if (p !== el && ["auto", "scroll", "hidden", "clip"].includes(s.overflowX)
        && p.getBoundingClientRect().right <= W + 1) return true;
  }
  return false;
};
const wide = [];
for (const el of document.body.querySelectorAll("*")) {
  const r = el.getBoundingClientRect();
  if (r.width > 0 && r.right > W + 1 && !contained(el)) {
    wide.push(`${el.tagName.toLowerCase()}.${String(el.className).split(" ").slice(0, 2).join(".")}`
              + ` (${Math.round(r.right)} px)`);
  }
}
return {scroll: document.documentElement.scrollWidth, view: W, wide: wide.slice(0, 6)};
"""


@pytest.fixture(scope="module")
def phone(browser):  # noqa: F811
    browser.set_window_size(PHONE, 900)
    yield browser
    browser.set_window_size(1366, 1600)


def test_page_fits_a_phone(phone, page_path):
    load(phone, page_path)
    facts = phone.execute_script(OVERFLOW)
    assert facts["view"] <= PHONE, f"La ventana mide {facts['view']} px: no se pudo simular un teléfono"
    assert facts["scroll"] <= PHONE, (
        f"{page_id(page_path)} mide {facts['scroll']} px de ancho en una pantalla de {PHONE} px; "
        f"se salen: {facts['wide']}"
    )


@pytest.mark.parametrize("name", chapters())
def test_chapter_phone_screenshot(phone, site, name):
    path = SITE / f"{name}.html"
    load(phone, path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert phone.save_screenshot(str(SCREENSHOTS / f"{name.split('/')[-1]}-movil.png"))
