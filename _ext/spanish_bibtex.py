"""Referencias bibliográficas en español para sphinxcontrib-bibtex.

Registra tres estilos y los deja activos en la configuración:

* ``unsrt_es`` (lista de referencias, pybtex): como ``unsrt``, pero con «y» entre autores, «En» ante
  las actas y los libros colectivos, y «editor/editores», «edición» en español.
* ``foot_es`` (``{footcite}``) y ``author_year_es`` (``{cite}``): «Hochreiter y Schmidhuber».
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pybtex.plugin import register_plugin as register_pybtex_plugin
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.unsrt import Style as UnsrtStyle, date, pages
from pybtex.style.template import field as bib_field, join, names, optional, optional_field, sentence, words
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.referencing.foot import FootReferenceStyle


def spanish_person() -> PersonStyle:
    return PersonStyle(sep2=" y ", last_sep=" y ")


class SpanishStyle(UnsrtStyle):
    """Estilo ``unsrt`` con las palabras en español."""

    def format_names(self, role, as_sentence=True):
        formatted = names(role, sep=", ", sep2=" y ", last_sep=" y ")
        return sentence[formatted] if as_sentence else formatted

    def format_editor(self, e, as_sentence=True):
        editors = self.format_names("editor", as_sentence=False)
        if "editor" not in e.persons:
            return editors
        word = "editores" if len(e.persons["editor"]) > 1 else "editor"
        result = join(sep=", ")[editors, word]
        return sentence[result] if as_sentence else result

    def format_edition(self, e):
        return optional[words[bib_field("edition"), "edición"]]

    def format_in_book(self, e, pages_part):
        """«En» + editores, título del libro, volumen y serie, y las páginas (actas y libros colectivos)."""
        return words[
            "En",
            sentence[
                optional[self.format_editor(e, as_sentence=False)],
                self.format_btitle(e, "booktitle", as_sentence=False),
                self.format_volume_and_series(e, as_sentence=False),
                pages_part,
            ],
        ]

    def get_inproceedings_template(self, e):
        return toplevel[
            sentence[self.format_names("author")],
            self.format_title(e, "title"),
            words[self.format_in_book(e, optional[pages]), self.format_address_organization_publisher_date(e)],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def get_incollection_template(self, e):
        return toplevel[
            sentence[self.format_names("author")],
            self.format_title(e, "title"),
            self.format_in_book(e, self.format_chapter_and_pages(e)),
            sentence[optional_field("publisher"), optional_field("address"), self.format_edition(e), date],
            self.format_web_refs(e),
        ]


@dataclass
class SpanishFootReferenceStyle(FootReferenceStyle):
    person: PersonStyle = field(default_factory=spanish_person)


@dataclass
class SpanishAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    person: PersonStyle = field(default_factory=spanish_person)


def _activate(app, config) -> None:
    config.bibtex_default_style = "unsrt_es"
    config.bibtex_reference_style = "author_year_es"
    config.bibtex_foot_reference_style = "foot_es"


def setup(app):
    register_pybtex_plugin("pybtex.style.formatting", "unsrt_es", SpanishStyle)
    group = "sphinxcontrib.bibtex.style.referencing"
    register_plugin(group, "foot_es", SpanishFootReferenceStyle)
    register_plugin(group, "author_year_es", SpanishAuthorYearReferenceStyle)
    app.connect("config-inited", _activate)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
