"""Cada página del sitio en un navegador real (Chromium del sistema, sin conexión, desde ``file://``).

Para cada página: carga sin errores de JavaScript en la consola; si tiene matemáticas, MathJax las ha
compuesto (hay salida ``mjx-container`` y no queda ``$$`` ni ``\\(`` en el texto); todas las imágenes
cargan (``naturalWidth > 0``); la interfaz (textos visibles y atributos, también los que crea el
JavaScript) está en español. En cada capítulo, el botón de Colab apunta a su cuaderno y se guarda una
captura en ``_build/screenshots/``.

Usa Selenium con ``/usr/bin/chromedriver`` (paquete ``chromium-driver`` de Debian): nunca descarga un
navegador ni un driver.
"""
from __future__ import annotations

import re

import pytest

from site_helpers import BUILD, SITE, chapters, colab_url, english_ui_strings, page_id, start_chromium

SCREENSHOTS = BUILD / "screenshots"


@pytest.fixture(scope="module")
def browser():
    driver = start_chromium("--disable-component-update", "--disable-sync", "--window-size=1366,1600", "--lang=es",
                            "--hide-scrollbars", logs=("browser",))
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


WAIT_FOR_PAGE = """
const done = arguments[arguments.length - 1];
(async () => {
  if (document.readyState !== "complete") {
    await new Promise((r) => window.addEventListener("load", r, { once: true }));
  }
  const images = Array.from(document.images);
  for (const img of images) { img.loading = "eager"; }
  await Promise.all(images.map((img) => img.complete ? null :
      new Promise((r) => { img.addEventListener("load", r); img.addEventListener("error", r); })));
  let mathjax = null;
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
    mathjax = true;
  }
  await new Promise((r) => setTimeout(r, 100));
  done({ mathjax });
})().catch((e) => done({ error: String(e) }));
"""

PAGE_FACTS = """
const withoutCode = (root) => {
  const clone = root.cloneNode(true);
  clone.querySelectorAll("pre, code, .highlight, script, style, mjx-container, mjx-assistive-mml")
       .forEach((el) => el.remove());
  return clone;
};
const clone = withoutCode(document.querySelector("main") || document.body);
const attrs = [];
for (const el of document.querySelectorAll("[title], [aria-label], [placeholder], [alt], [data-tooltip]")) {
  if (el.closest("pre, code, .highlight")) continue;
  for (const a of ["title", "aria-label", "placeholder", "alt", "data-tooltip"]) {
    if (el.getAttribute(a)) attrs.push(el.getAttribute(a));
  }
}
return {
  text: withoutCode(document.body).textContent,
  prose: clone.textContent,
  attrs: attrs,
  mathSources: document.querySelectorAll(".math, span.math, div.math").length,
  mathRendered: document.querySelectorAll("mjx-container").length,
  mathErrors: document.querySelectorAll("mjx-merror, [data-mjx-error]").length,
  brokenImages: Array.from(document.images).filter((i) => !(i.complete && i.naturalWidth > 0))
                   .map((i) => i.getAttribute("src")),
  colab: Array.from(document.querySelectorAll("a[href*='colab.research.google.com']")).map((a) => a.href),
};
"""


def load(browser, path):
    browser.get_log("browser")  # descarta lo anterior
    browser.get(path.as_uri())
    state = browser.execute_async_script(WAIT_FOR_PAGE)
    assert "error" not in state, f"{page_id(path)}: {state}"
    facts = browser.execute_script(PAGE_FACTS)
    logs = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    return facts, logs


def test_page_in_browser(browser, page_path):
    facts, logs = load(browser, page_path)
    name = page_id(page_path)
    assert not logs, f"{name}: errores en la consola de JavaScript:\n" + "\n".join(e["message"] for e in logs)
    assert not facts["brokenImages"], f"{name}: imágenes que no cargan: {facts['brokenImages']}"
    if facts["mathSources"]:
        assert facts["mathRendered"] >= facts["mathSources"], (
            f"{name}: MathJax compuso {facts['mathRendered']} de {facts['mathSources']} fórmulas")
        assert not facts["mathErrors"], f"{name}: MathJax señala {facts['mathErrors']} errores de TeX"
    raw = [token for token in ("$$", "\\(", "\\)", "\\[", "\\begin{") if token in facts["prose"]]
    assert not raw, f"{name}: queda TeX sin componer en el texto: {raw}"
    english = sorted({s for s in english_ui_strings() for h in [facts["text"], *facts["attrs"]]
                      if re.search(rf"\b{re.escape(s)}\b", h)})
    assert not english, f"{name}: textos de interfaz en inglés tras ejecutar el JavaScript: {english}"


@pytest.mark.parametrize("name", chapters())
def test_chapter_colab_and_screenshot(browser, site, name):
    path = SITE / f"{name}.html"
    assert path.is_file(), f"No se construyó {name}.html"
    facts, _ = load(browser, path)
    assert facts["colab"] == [colab_url(name)], f"{name}: el botón de Colab apunta a {facts['colab']}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = name.split("/")[-1]
    assert browser.save_screenshot(str(SCREENSHOTS / f"{stem}.png"))
    # Segunda captura en la primera ecuación destacada, si la hay, para ver las matemáticas.
    if browser.execute_script(
        "const m = document.querySelector('mjx-container[display=\"true\"]');"
        "if (m) { m.scrollIntoView({block: 'center'}); return true; } return false;"
    ):
        assert browser.save_screenshot(str(SCREENSHOTS / f"{stem}-ecuacion.png"))
