"""Accesibilidad de cada página con axe-core (paquete npm ``axe-core``, versión fijada en
``scripts/install.sh``), inyectado en Chromium con Selenium: ninguna infracción grave («serious») ni
crítica («critical») de las reglas WCAG 2.x A y AA.

Si falla, el mensaje da la regla, su impacto, cuántos elementos y el primero de ellos.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from site_helpers import ROOT, page_id
from test_browser import browser, load  # noqa: F401  (fijación compartida)

AXE = Path(os.environ.get("AXE_JS", ROOT / ".tools/axe/node_modules/axe-core/axe.min.js"))
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                   resultTypes: ["violations"]})
  .then((r) => done(r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                                              count: v.nodes.length, first: v.nodes[0].target.join(" ")}))))
  .catch((e) => done([{id: "error", impact: "critical", help: String(e), count: 0, first: ""}]));
"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"No se encuentra {AXE}: instale axe-core con scripts/install.sh.")
    return AXE.read_text(encoding="utf-8")


def test_no_serious_accessibility_violations(browser, axe_source, page_path):  # noqa: F811
    load(browser, page_path)
    browser.execute_script(axe_source)
    violations = browser.execute_async_script(RUN_AXE)
    grave = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not grave, f"{page_id(page_path)}: infracciones de accesibilidad:\n" + "\n".join(
        f"  {v['impact']}: {v['id']} ({v['help']}), {v['count']} elementos; p. ej. {v['first']}" for v in grave
    )
