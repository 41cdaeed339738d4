"""The root of every page state: the reader's language and the translated messages."""

import asyncio
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import reflex as rx

from portal_app.i18n import LANGUAGES, catalog, translate


def _yield_to_the_event_loop() -> None:
    """Run this worker thread at a lower CPU priority (Linux: nice applies per thread)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


# bcrypt (0.28 s of CPU per check here) releases the GIL, so a burst of sign-ins could take every
# core from the event loop that answers everyone else. These threads may use every idle core, but
# at nice 10 the scheduler gives the event loop's thread the CPU first whenever both want it.
_PASSWORD_WORK = ThreadPoolExecutor(
    max_workers=os.cpu_count() or 2, thread_name_prefix="password", initializer=_yield_to_the_event_loop
)


async def password_work(fn):
    """Await fn() (sign-in, registration, password change: bcrypt-bound) on the password threads."""
    return await asyncio.get_running_loop().run_in_executor(_PASSWORD_WORK, fn)


SPOKEN_MAX = 40  # messages remembered per tab for a language switch (a page shows a handful)
# The vars that hold messages (by name): only they are said again, never a name or a typed text
# that happens to read like a message.
MESSAGE_VARS = ("error", "errors", "message", "refused", "note")


class AppState(rx.State):
    lang: str = "pl"
    _lang_chosen: bool = False  # picked in this tab before any sign-in: a browser's default must not undo it
    _spoken: dict[str, tuple[str, dict]] = {}  # a message as shown → (key, params): said again on a switch

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
        text = translate(self.lang, key, **params)
        spoken = self._spoken
        if spoken.get(text) != (key, params):
            kept = dict(list(spoken.items())[-(SPOKEN_MAX - 1):])
            kept[text] = (key, params)
            self._spoken = kept
        return text

    def _say_again(self, old_lang: str) -> None:
        """After a language switch, every message still on screen (errors beside fields, notices) in
        the new language: the labels switch with the catalog, the messages were stored as text.
        Only vars named as messages (MESSAGE_VARS endings) are touched."""
        spoken = self._spoken
        if not spoken or old_lang == self.lang:
            return
        again = {text: translate(self.lang, key, **params) for text, (key, params) in spoken.items()}
        root = self
        while root.parent_state is not None:
            root = root.parent_state
        states = [root]
        while states:
            state = states.pop()
            states.extend(state.substates.values())
            for name in type(state).base_vars:
                if not name.endswith(MESSAGE_VARS):
                    continue
                value = getattr(state, name)
                if isinstance(value, str):
                    if value in again and again[value] != value:
                        setattr(state, name, again[value])
                elif isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
                    if any(v in again and again[v] != v for v in value.values()):
                        setattr(state, name, {k: again.get(v, v) for k, v in value.items()})
        self._spoken = {again[text]: said for text, said in spoken.items()}

    def _field_errors(self, fields: dict[str, tuple[str, dict]]) -> dict[str, str]:
        return {name: self._msg(key, **params) for name, (key, params) in fields.items()}

    @rx.event
    def set_lang(self, lang: str | list[str]):
        if isinstance(lang, str) and lang in LANGUAGES:
            old, self.lang, self._lang_chosen = self.lang, lang, True
            self._say_again(old)
