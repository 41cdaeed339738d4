"""The browser tab's title and the page's `<html lang>` in the reader's language.

Reflex writes each route's title and `lang="en"` into the HTML once, in English. A Polish reader
then saw English tab titles, and a browser offered to translate Polish pages "from English". This
effect sets both from the tab's state whenever the language or the page changes.
"""

import functools
import json

import reflex as rx
from reflex_base.components.component import field
from reflex_base.utils.imports import ImportVar
from reflex_base.vars.base import Var
from reflex_components_core.base.fragment import Fragment

from portal_app.state.base import AppState


class DocumentLanguage(Fragment):
    """Renders nothing; keeps `document.title` and `<html lang>` in step with the reader's language."""

    doc_lang: Var[str] = field(doc="The reader's language code.")
    doc_title: Var[str] = field(doc="The page's name, translated (empty until the catalog arrives).")
    doc_suffix: Var[str] = field(doc="What follows the name: the product or the portal, translated.")

    def _exclude_props(self) -> list[str]:
        return [*super()._exclude_props(), "doc_lang", "doc_title", "doc_suffix"]

    def add_imports(self) -> dict[str, ImportVar]:
        return {"react": ImportVar(tag="useEffect")}

    def add_hooks(self) -> list[str | Var[str]]:
        lang, title, suffix = self.doc_lang, self.doc_title, self.doc_suffix
        return [Var(
            f"useEffect(() => {{ if ({lang!s}) {{ document.documentElement.lang = {lang!s}; }} "
            f"if ({title!s}) {{ document.title = {suffix!s} ? {title!s} + {json.dumps(' · ')} + {suffix!s} : {title!s}; }} }}, "
            f"[{lang!s}, {title!s}, {suffix!s}])",
            _var_type=str,
        )]


def titled(render, title_key: str, suffix_key: str | None = None, suffix: str = "Lexportal"):
    """The page `render` with its tab title from the catalog (`title_key`), then `suffix_key`'s text or `suffix`."""

    @functools.wraps(render)
    def page() -> rx.Component:
        return rx.fragment(
            DocumentLanguage.create(
                doc_lang=AppState.lang,
                doc_title=AppState.t[title_key].to(str),
                doc_suffix=AppState.t[suffix_key].to(str) if suffix_key else suffix,
            ),
            render(),
        )

    return page
