"""Botón «Abrir en JupyterHub»: un enlace de nbgitpuller que abre la edición para Colab del capítulo.

Si ``launch_buttons.jupyterhub_url`` de ``_config.yml`` tiene la dirección del JupyterHub de la
universidad (vacía por omisión: sin ella no hay botón), el tema pone en cada capítulo un botón
«JupyterHub» con un enlace de nbgitpuller (https://nbgitpuller.readthedocs.io)::

    HUB/hub/user-redirect/git-pull?repo=REPOSITORIO&branch=RAMA&targetpath=REPO&urlpath=tree/REPO/book/03_rnn.ipynb

Al pulsarlo, el hub abre (o arranca) el servidor del estudiante, clona el repositorio en la carpeta
``REPO`` la primera vez, lo actualiza las siguientes (sin pisar los cambios del estudiante) y abre el
cuaderno. El tema apunta a la rama principal, donde los cuadernos fuente no tienen salidas y usan
sintaxis de MyST; esta extensión cambia la rama por ``colab_branch`` (``colab``): la edición para Colab,
con las salidas de la construcción y Markdown corriente (ver ``_ext/colab_edition.py`` y
``scripts/publish_colab.sh``). Su celda de preparación instala ``companion`` también en un JupyterHub
(``JUPYTERHUB_USER`` definida), de modo que el hub solo necesita las dependencias del paquete.
"""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

INTERFACES = {"classic": "tree", "jupyterlab": "lab/tree"}


def repo_name(repository_url: str) -> str:
    """Nombre de la carpeta donde nbgitpuller clona el repositorio (el último tramo de la dirección)."""
    name = urlsplit(repository_url).path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    if not name:
        raise ValueError(
            f"La dirección del repositorio {repository_url!r} no termina en el nombre del repositorio: "
            "corríjala en repository.url de _config.yml (https://github.com/ORG/REPO)."
        )
    return name


def hub_launch_url(hub_url: str, repository_url: str, branch: str, docname: str,
                   interface: str = "classic") -> str:
    """Enlace de nbgitpuller que clona ``branch`` de ``repository_url`` y abre ``docname.ipynb``."""
    if not hub_url.startswith(("http://", "https://")):
        raise ValueError(
            f"jupyterhub_url debe ser la dirección del hub (https://…), no {hub_url!r}: corríjala en "
            "launch_buttons.jupyterhub_url de _config.yml."
        )
    if interface not in INTERFACES:
        raise ValueError(
            f"launch_buttons.notebook_interface debe ser una de {sorted(INTERFACES)}, no {interface!r}."
        )
    # La carpeta se da explícita (targetpath): nbgitpuller la deduciría de la dirección, de dos maneras
    # distintas según la dirección termine o no en «/» o en «.git».
    target = repo_name(repository_url)
    urlpath = f"{INTERFACES[interface]}/{target}/{docname}.ipynb"
    query = urlencode({"repo": repository_url, "branch": branch, "targetpath": target, "urlpath": urlpath},
                      safe="/")
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def _hub_button(app, pagename, templatename, context, doctree) -> None:
    """El botón «JupyterHub» del tema abre la edición para Colab (rama ``colab_branch``)."""
    options = app.config.html_theme_options or {}
    launch = options.get("launch_buttons") or {}
    hub = (launch.get("jupyterhub_url") or "").strip()
    repository = options.get("repository_url", "")
    if not hub or not repository:
        return
    branch = getattr(app.config, "colab_branch", "colab")
    for group in context.get("header_buttons", []) or []:
        for button in group.get("buttons", []) or []:
            if "/git-pull?" in str(button.get("url", "")):
                button["url"] = hub_launch_url(hub, repository, branch, pagename,
                                               launch.get("notebook_interface", "classic"))
                button["text"] = "JupyterHub"
                button["tooltip"] = "Abrir en JupyterHub"


def setup(app):
    app.connect("html-page-context", _hub_button, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
