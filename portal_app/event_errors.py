"""What the backend does when an event fails: refuse a stranger's malformed event quietly, report our bugs.

Any browser can send any event name with any payload. Reflex then fails inside its own dispatch
(an unknown `setvar` name, an unexpected argument, a payload of the wrong type) before our code
runs: that is a stranger's noise, logged as one warning line without the payload (it may hold a
password). A failure inside portal_app code is a bug, logged in full so the tests fail on it.
Either way the browser gets a generic message and never a stack trace.
"""

import logging
import traceback
from pathlib import Path

import reflex as rx
from reflex_base.event import EventSpec

from portal_app.i18n.catalog import MESSAGES

log = logging.getLogger("portal_app.events")
_APP_DIR = str(Path(__file__).resolve().parent)


def raised_in_app_code(exception: BaseException) -> bool:
    """True when any frame of the traceback runs portal_app code."""
    return any(frame.filename.startswith(_APP_DIR) for frame in traceback.extract_tb(exception.__traceback__))


def handle_backend_exception(exception: Exception) -> EventSpec:
    if raised_in_app_code(exception):
        log.error("event handler failed:\n%s", "".join(traceback.format_exception(exception)))
    else:
        log.warning("refused a malformed event (%s)", type(exception).__name__)
    english, polish = MESSAGES["errors.unexpected"]
    return rx.toast.error(f"{polish} / {english}", id="backend_error", position="top-center")
