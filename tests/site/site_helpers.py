"""Utilidades comunes de las pruebas del sitio construido (``_build/html``).

Las usan ``conftest.py`` y los módulos de prueba de esta carpeta (``from site_helpers import ...``).

Estas pruebas no construyen el libro: lo hace ``scripts/test.sh`` antes (``jupyter-book build . -W -n
--keep-going``). Si ``_build/html`` no existe, se omiten (fallan con ``COMPANION_REQUIRE_SITE=1``, como
en ``scripts/test.sh``): véase ``conftest.py``.
"""
from __future__ import annotations

import html
import os
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
# SITE_BUILD_DIR: otra carpeta de construcción (jupyter-book build . --path-output X deja el sitio en
# X/_build/html); por omisión, la del repositorio.
BUILD = Path(os.environ["SITE_BUILD_DIR"]) if os.environ.get("SITE_BUILD_DIR") else ROOT / "_build"
SITE = BUILD / "html"
COLAB = BUILD / "colab"
HERE = Path(__file__).resolve().parent


def site_pages() -> list[Path]:
    """Páginas HTML del sitio (sin los recursos de ``_static`` ni las fuentes ``_sources``)."""
    if not SITE.is_dir():
        return []
    skip = {"_static", "_sources", "_images", "_sphinx_design_static"}
    return sorted(p for p in SITE.rglob("*.html") if not skip & set(p.relative_to(SITE).parts))


def page_id(path: Path) -> str:
    return path.relative_to(SITE).as_posix()


@lru_cache(maxsize=1)
def book_config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def chapters() -> list[str]:
    """Nombres (sin extensión) de los capítulos en cuaderno que lista ``_toc.yml``."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [entry["file"] for entry in part.get("chapters", [])]
    return [f for f in files if (ROOT / f"{f}.ipynb").is_file()]


def colab_url(chapter: str) -> str:
    """Dirección que debe tener el botón de Colab del capítulo: su cuaderno en la edición para Colab.

    La edición (``_build/colab``) se publica en la rama ``colab_branch`` del repositorio de ``_config.yml``,
    con cada capítulo en la misma ruta que en el libro (``book/03_rnn.ipynb``).
    """
    config = book_config()
    owner_name = urlsplit(config["repository"]["url"]).path.strip("/").removesuffix(".git")
    branch = config["sphinx"]["config"]["colab_branch"]
    return f"https://colab.research.google.com/github/{owner_name}/blob/{branch}/{chapter}.ipynb"


def english_ui_strings() -> list[str]:
    """Textos de interfaz en inglés que no deben aparecer (uno por línea en ``english_ui.txt``)."""
    lines = (HERE / "english_ui.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


class PageParser(HTMLParser):
    """Extrae de una página: enlaces y recursos, ids, texto visible (sin código) y atributos de interfaz."""

    UI_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-tooltip", "data-bs-title")
    CODE_TAGS = {"pre", "code", "script", "style", "svg", "math", "textarea"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (etiqueta, atributo, valor)
        self.ids: set[str] = set()
        self.text_parts: list[str] = []
        self.ui_attributes: list[str] = []
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self._code_depth = 0
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in ("br", "img", "input", "link", "meta", "hr", "source", "wbr"):
            self._stack.append(tag)
            if tag in self.CODE_TAGS or "highlight" in (attrs.get("class") or "").split():
                self._code_depth += 1
                self._stack[-1] = "#code#" + tag
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key):
                self.links.append((tag, key, attrs[key]))
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").split():
            self.stylesheets.append(attrs.get("href") or "")
        if self._code_depth == 0:
            self.ui_attributes += [attrs[a] for a in self.UI_ATTRIBUTES if attrs.get(a)]

    def handle_endtag(self, tag):
        while self._stack:
            top = self._stack.pop()
            if top.startswith("#code#"):
                self._code_depth -= 1
                top = top[6:]
            if top == tag:
                break

    def handle_data(self, data):
        if self._code_depth == 0:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", html.unescape(" ".join(self.text_parts)))


@lru_cache(maxsize=None)
def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def start_chromium(*extra_args: str, logs: tuple[str, ...] = ()):
    """Chromium sin ventana (Selenium) con las opciones que necesita esta máquina sin red; el que llama lo cierra.

    ``extra_args``: opciones más de la línea de órdenes (tamaño de ventana, idioma…); ``logs``: registros que
    guarda el navegador para leerlos con ``driver.get_log(nombre)`` (``"browser"``, los mensajes de la consola;
    ``"performance"``, los de la red). Lo usan las pruebas del sitio y ``benchmarks/browser.py``.
    """
    import shutil

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for exe in (CHROMEDRIVER, CHROMIUM):
        if not shutil.which(exe):
            raise RuntimeError(f"No se encuentra {exe}: instale los paquetes chromium y chromium-driver "
                               "(scripts/install.sh).")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--no-first-run", "--disable-extensions", *extra_args):
        options.add_argument(arg)
    if logs:
        options.set_capability("goog:loggingPrefs", {name: "ALL" for name in logs})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    return driver
