"""Pruebas del enlace «Abrir en JupyterHub» (``_ext/jupyterhub_launch.py``) y de su configuración.

No arrancan ningún servidor: la prueba de extremo a extremo (un servidor de Jupyter con nbgitpuller en
127.0.0.1 que clona la edición para Colab desde un repositorio local y ejecuta un capítulo en su núcleo)
está en ``tests/site/test_jupyterhub_server.py``, porque necesita la edición construida y el entorno de
``scripts/colab_stage.sh``.
"""
from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
import jupyterhub_launch as hub

REPO = "https://github.com/org/redes-recurrentes"


def query(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_link_opens_the_colab_edition_of_the_chapter():
    url = hub.hub_launch_url("https://hub.universidad.es/", REPO, "colab", "book/03_rnn")
    assert url.startswith("https://hub.universidad.es/hub/user-redirect/git-pull?")
    assert query(url) == {
        "repo": REPO,
        "branch": "colab",
        "targetpath": "redes-recurrentes",
        "urlpath": "tree/redes-recurrentes/book/03_rnn.ipynb",
    }


def test_link_with_jupyterlab_and_a_git_suffix():
    url = hub.hub_launch_url("https://hub.example.org", REPO + ".git/", "colab", "book/05_lstm", "jupyterlab")
    params = query(url)
    assert params["targetpath"] == "redes-recurrentes"
    assert params["urlpath"] == "lab/tree/redes-recurrentes/book/05_lstm.ipynb"


@pytest.mark.parametrize("hub_url", ["hub.universidad.es", "", "ftp://hub"])
def test_bad_hub_url_is_explained_in_spanish(hub_url):
    with pytest.raises(ValueError, match="jupyterhub_url debe ser la dirección del hub"):
        hub.hub_launch_url(hub_url, REPO, "colab", "book/03_rnn")


def test_bad_interface_is_explained_in_spanish():
    with pytest.raises(ValueError, match="notebook_interface debe ser una de"):
        hub.hub_launch_url("https://hub.example.org", REPO, "colab", "book/03_rnn", "vscode")


def test_repository_without_name_is_explained_in_spanish():
    with pytest.raises(ValueError, match="no termina en el nombre del repositorio"):
        hub.repo_name("https://github.com/")


class FakeConfig:
    colab_branch = "colab"

    def __init__(self, hub_url: str):
        self.html_theme_options = {
            "repository_url": REPO,
            "launch_buttons": {"jupyterhub_url": hub_url, "notebook_interface": "classic"},
        }


class FakeApp:
    def __init__(self, hub_url: str):
        self.config = FakeConfig(hub_url)


def theme_context() -> dict:
    """Los botones que pone sphinx-book-theme: el de JupyterHub apunta a la rama principal."""
    theme_url = ("https://hub.universidad.es/hub/user-redirect/git-pull?repo=" + REPO
                 + "&urlpath=tree/redes-recurrentes/book/03_rnn.ipynb&branch=main")
    return {"header_buttons": [{"type": "group", "label": "launch-buttons", "buttons": [
        {"type": "link", "text": "JupyterHub", "url": theme_url},
        {"type": "link", "text": "Colab", "url": "https://colab.research.google.com/github/org/x/blob/colab/a.ipynb"},
    ]}]}


def test_theme_button_is_rewritten_to_the_colab_branch():
    context = theme_context()
    hub._hub_button(FakeApp("https://hub.universidad.es"), "book/03_rnn", "page.html", context, None)
    hub_button, colab_button = context["header_buttons"][0]["buttons"]
    assert query(hub_button["url"])["branch"] == "colab"
    assert query(hub_button["url"])["urlpath"] == "tree/redes-recurrentes/book/03_rnn.ipynb"
    assert hub_button["tooltip"] == "Abrir en JupyterHub"
    assert "colab.research.google.com" in colab_button["url"]  # los demás botones no cambian


def test_no_hub_no_change():
    context = theme_context()
    before = context["header_buttons"][0]["buttons"][0]["url"]
    hub._hub_button(FakeApp(""), "book/03_rnn", "page.html", context, None)
    assert context["header_buttons"][0]["buttons"][0]["url"] == before


def test_config_has_an_empty_hub_url_and_the_extension():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["launch_buttons"]["jupyterhub_url"] == ""  # lo pone el instructor
    assert "jupyterhub_launch" in config["sphinx"]["local_extensions"]
    assert config["sphinx"]["config"].get("colab_branch", "colab")

