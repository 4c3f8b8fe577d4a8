"""Interfaz del sitio en español cuidado.

La traducción española de fábrica del tema y de algunas extensiones está incompleta o es de
calidad de traductor automático («Descarga esta pagina», «Navegación de palanca»…). Esta extensión
la corrige sin tocar los paquetes instalados:

1. Catálogos ``locales/es/LC_MESSAGES/<dominio>.po`` (``sphinx``, ``booktheme``, ``exercise``,
   ``togglebutton``): se leen al construir (no hace falta compilarlos a ``.mo``) y sus traducciones
   tienen prioridad sobre las de los paquetes. Los mensajes del dominio ``sphinx`` que usa el
   JavaScript de la búsqueda se escriben también en ``_static/translations.js``.
   Las indicaciones de los desplegables de sphinx-togglebutton (soluciones de los ejercicios: «Pulse
   para mostrar») se toman del mismo catálogo ``togglebutton.po``.
2. ``REPLACEMENTS``: textos en inglés escritos directamente en las plantillas o en el HTML que
   generan las extensiones (sin pasar por gettext); se sustituyen en cada página al generarla.

Para añadir una traducción: edite el ``.po`` correspondiente (``msgid`` en inglés, ``msgstr`` en
español) o, si el texto no es traducible, añada una pareja a ``REPLACEMENTS``. La prueba
``tests/site/test_site_html.py`` falla si algún texto de ``tests/site/english_ui.txt`` aparece en una página.
"""
from __future__ import annotations

import gettext
import io
import json
import re
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sphinx.errors import ExtensionError
from sphinx.locale import translators

LOCALES = Path(__file__).resolve().parents[1] / "locales"

# Textos fijos de las plantillas y de las extensiones que no pasan por gettext.
REPLACEMENTS = {
    'title="Toggle primary sidebar"': 'title="Mostrar u ocultar el índice del libro"',
    'title="Toggle secondary sidebar"': 'title="Mostrar u ocultar el índice de la página"',
    'aria-label="Main"': 'aria-label="Principal"',
    'aria-label="Page"': 'aria-label="Página"',
    'aria-label="Toggle hidden content"': 'aria-label="Mostrar u ocultar el contenido"',
    'aria-label="Announcement"': 'aria-label="Anuncio"',
    'aria-label="Version switcher list"': 'aria-label="Lista de versiones"',
    'alt="Abrir en Colab (logotipo)"': 'alt="Logotipo de Colab"',
    # Indicaciones de las celdas plegables de myst-nb ("{type}" = source/output/content).
    "Show code cell source": "Mostrar el código",
    "Hide code cell source": "Ocultar el código",
    "Show code cell outputs": "Mostrar la salida",
    "Hide code cell outputs": "Ocultar la salida",
    "Show code cell output": "Mostrar la salida",
    "Hide code cell output": "Ocultar la salida",
    "Show code cell content": "Mostrar la celda",
    "Hide code cell content": "Ocultar la celda",
    # Accesibilidad (axe-core, tests/site/test_accessibility.py). El campo de búsqueda muestra «Buscar
    # Ctrl+K»: su nombre accesible se toma de ese texto visible (con aria-label="Buscar" no lo contendría).
    'class="btn search-button-field search-button__button pst-js-only" title="Buscar" aria-label="Buscar"':
        'class="btn search-button-field search-button__button pst-js-only" title="Buscar"',
    # docutils escribe la bibliografía como role="list" con entradas role="doc-biblioentry" (papel
    # obsoleto); una lista ARIA debe contener elementos role="listitem".
    'role="doc-biblioentry"': 'role="listitem"',
    # Los iconos del selector de modo de color: Font Awesome convierte su «title» en un nombre accesible
    # que no coincide con el del botón («Modo de color»); son decorativos.
    'data-mode="light" title="Claro"></i>': 'data-mode="light" aria-hidden="true"></i>',
    'data-mode="dark"  title="Oscuro"></i>': 'data-mode="dark" aria-hidden="true"></i>',
    'data-mode="auto"  title="Según el sistema"></i>': 'data-mode="auto" aria-hidden="true"></i>',
    # Celdas plegables de myst-nb: el nombre accesible sale del texto visible («Mostrar el código»).
    '<summary aria-label="Toggle hidden content">': "<summary>",
}
_PATTERN = re.compile("|".join(re.escape(key) for key in sorted(REPLACEMENTS, key=len, reverse=True)))


def replace_english(html: str) -> str:
    """Sustituye en ``html`` los textos en inglés de ``REPLACEMENTS``."""
    return _PATTERN.sub(lambda match: REPLACEMENTS[match.group(0)], html)


def read_catalog(path: Path) -> gettext.GNUTranslations:
    """Lee un ``.po`` y devuelve sus traducciones (sin entradas vacías ni difusas)."""
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="es")
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _install_catalogs(app, config) -> None:
    language = config.language or "en"
    folder = LOCALES / language / "LC_MESSAGES"
    for path in sorted(folder.glob("*.po")):
        ours = read_catalog(path)
        key = ("general", path.stem)
        current = translators.get(key)
        if isinstance(current, gettext.GNUTranslations):
            # Mismo objeto que ya usan las plantillas (app.translator): se actualiza en su sitio.
            current._catalog.update({k: v for k, v in ours._catalog.items() if k})
        else:
            if current is not None:
                ours.add_fallback(current)
            translators[key] = ours


# sphinx-togglebutton traduce sus indicaciones al cargarse (valores por omisión de su configuración) y
# las escribe en las páginas en «config-inited» (prioridad 500): sin esto quedaría su «Haz clic para
# mostrar» (tú). Se toman de nuestro togglebutton.po antes de que las use.
TOGGLE_HINTS = {"togglebutton_hint": "Click to show", "togglebutton_hint_hide": "Click to hide"}


def _toggle_hints(app, config) -> None:
    path = LOCALES / (config.language or "en") / "LC_MESSAGES" / "togglebutton.po"
    if not path.is_file():
        return
    ours = read_catalog(path)
    raw = getattr(config, "_raw_config", {})
    for name, msgid in TOGGLE_HINTS.items():
        if name in config and name not in raw and ours.gettext(msgid) != msgid:
            setattr(config, name, ours.gettext(msgid))


def _js_messages(app) -> dict[str, str]:
    path = LOCALES / (app.config.language or "en") / "LC_MESSAGES" / "sphinx.po"
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="es")
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


def _patch_translations_js(app, exception) -> None:
    if exception or app.builder.format != "html":
        return
    path = Path(app.outdir) / "_static" / "translations.js"
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    match = re.search(r"Documentation\.addTranslations\((.*)\);", text, re.S)
    if not match:
        raise ExtensionError("No se reconoce el formato de _static/translations.js de Sphinx.")
    data = json.loads(match.group(1))
    messages = data["messages"]
    for msgid, msgstr in _js_messages(app).items():
        if msgid in messages:
            messages[msgid] = msgstr
    body = json.dumps(data, ensure_ascii=False, indent=4, sort_keys=True)
    path.write_text(f"Documentation.addTranslations({body});\n", encoding="utf-8")


def _wrap_templates(app) -> None:
    if app.builder.format != "html":
        return
    templates = app.builder.templates
    render = templates.render

    def render_in_spanish(template: str, context: dict) -> str:
        return replace_english(render(template, context))

    templates.render = render_in_spanish


def setup(app):
    app.connect("config-inited", _install_catalogs, priority=900)
    app.connect("config-inited", _toggle_hints, priority=400)
    app.connect("builder-inited", _wrap_templates)
    app.connect("build-finished", _patch_translations_js)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
