"""Direcciones del sitio publicado y de Colab a partir de la dirección del repositorio en GitHub."""
from __future__ import annotations

from urllib.parse import urlsplit

COLAB = "https://colab.research.google.com"


def github_parts(repository_url: str) -> tuple[str, str]:
    """``https://github.com/ORG/REPO`` → ``("ORG", "REPO")``."""
    parts = urlsplit(repository_url).path.strip("/").removesuffix(".git").split("/")
    if len(parts) < 2 or "github.com" not in repository_url:
        raise ValueError(
            f"La dirección del repositorio {repository_url!r} no es de GitHub (https://github.com/ORG/REPO): "
            "corríjala en repository.url de _config.yml."
        )
    return parts[0], parts[1]


def pages_url(repository_url: str) -> str:
    """Dirección del sitio publicado en GitHub Pages: ``https://ORG.github.io/REPO/``."""
    org, repo = github_parts(repository_url)
    return f"https://{org.lower()}.github.io/{repo}/"


def site_url(html_baseurl: str, repository_url: str) -> str:
    """Dirección del sitio, terminada en «/»: ``html_baseurl`` si se fijó; si no, la de GitHub Pages."""
    base = html_baseurl or ""
    if not base and repository_url:
        base = pages_url(repository_url)
    return base if base.endswith("/") or not base else base + "/"


def colab_launch_url(repository_url: str, branch: str, docname: str, colab: str = COLAB) -> str:
    """Dirección que abre en Colab el cuaderno ``docname`` de la rama ``branch`` del repositorio."""
    org, repo = github_parts(repository_url)
    return f"{colab.rstrip('/')}/github/{org}/{repo}/blob/{branch}/{docname}.ipynb"
