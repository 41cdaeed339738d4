"""The root of every page state: the reader's language and the translated messages."""

import reflex as rx

from portal_app.i18n import LANGUAGES, catalog, translate


class AppState(rx.State):
    lang: str = "pl"

    @rx.var(initial_value={})
    def t(self) -> dict[str, str]:
        """Messages of the current language, sent with the first hydrate and on a language switch.

        Empty in the bundle: baked in, the Polish catalog cost every page 7 KiB of gzipped JS.
        """
        return catalog(self.lang if self.lang in LANGUAGES else "pl")

    def _assign(self, **values) -> None:
        """Set only the vars whose value changes: Reflex sends every assigned var, equal or not.

        A navigation that re-assigned the language re-sent the whole catalog (`t`, 20 KB).
        """
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    def _msg(self, key: str, **params) -> str:
        return translate(self.lang, key, **params)

    def _field_errors(self, fields: dict[str, tuple[str, dict]]) -> dict[str, str]:
        return {name: self._msg(key, **params) for name, (key, params) in fields.items()}

    @rx.event
    def set_lang(self, lang: str | list[str]):
        if isinstance(lang, str) and lang in LANGUAGES:
            self.lang = lang
