"""The log bound: oversized records are cut to a head and a tail, everything else passes untouched."""

import logging
import sys

import pytest

from portal_app import log_bound
from portal_app.log_bound import LINE_MAX, RECORD_MAX, bound_record


def record(msg: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("reflex.test", logging.WARNING, __file__, 1, msg, args, exc_info)


def test_short_records_are_left_alone():
    r = record("outbox message %s attempt %s failed", 7, 2)
    assert bound_record(r).getMessage() == "outbox message 7 attempt 2 failed"
    assert r.args == (7, 2)


def test_one_huge_line_keeps_head_and_tail_only():
    r = bound_record(record("value '%s' and type hint int", "Z" * 900_000))
    text = r.getMessage()
    assert len(text) <= LINE_MAX
    assert text.startswith("value 'ZZ") and text.endswith("' and type hint int")
    assert "characters left out" in text


def test_many_lines_are_bounded_as_a_whole():
    text = bound_record(record("\n".join(["y" * 1_500] * 1_000))).getMessage()
    assert len(text) <= RECORD_MAX and max(len(line) for line in text.split("\n")) <= LINE_MAX


def test_a_huge_exception_is_folded_into_the_bounded_text():
    try:
        raise ValueError(f"Received a string value ({'7' * 500_000}) but expected an int")
    except ValueError as exc:
        r = bound_record(record("event failed", exc_info=(type(exc), exc, exc.__traceback__)))
    assert r.exc_info is None and r.exc_text is None
    text = r.getMessage()
    assert text.startswith("event failed\nTraceback") and len(text) <= RECORD_MAX
    assert "7" * (LINE_MAX + 1) not in text


def test_a_normal_traceback_is_kept_whole():
    try:
        raise KeyError("missing")
    except KeyError as exc:
        r = bound_record(record("event failed", exc_info=(type(exc), exc, exc.__traceback__)))
    assert r.exc_info is not None  # within the bound: handlers format it as usual


@pytest.fixture
def installed():
    original = logging.getLogRecordFactory()
    log_bound._installed = False
    log_bound.install()
    log_bound.install()  # idempotent: one wrapper, not two
    yield
    logging.setLogRecordFactory(original)
    log_bound._installed = False


def test_install_bounds_every_logger(installed):
    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append
    logger = logging.getLogger("reflex_base.event.processor.test")
    logger.addHandler(handler)
    try:
        logger.warning("Error transforming event argument with value '%s'", "Z" * 1_000_000)
    finally:
        logger.removeHandler(handler)
    assert len(seen) == 1 and len(seen[0].getMessage()) <= LINE_MAX


def test_an_event_for_no_handler_is_one_warning_without_its_payload():
    """Reflex's record: two chained tracebacks and the event with its payload (which may hold a password)."""
    from portal_app.log_bound import quiet_unknown_event

    try:
        try:
            {}["State.forgot.submit"]
        except KeyError as ke:
            raise KeyError("No registered handler found for event: State.forgot.submit") from ke
    except KeyError:
        record = logging.getLogger("reflex").makeRecord(
            "reflex", logging.ERROR, __file__, 1, "Error processing event queue entry for %s",
            ("Event(payload={'password': 'sekret-hasło-123'})",), sys.exc_info())
    quiet = quiet_unknown_event(record)
    assert quiet.levelno == logging.WARNING and quiet.exc_info is None
    assert quiet.getMessage() == "refused an event for a handler that does not exist: State.forgot.submit"
    other = logging.getLogger("reflex").makeRecord("reflex", logging.ERROR, __file__, 1, "kept", (), None)
    assert quiet_unknown_event(other).getMessage() == "kept"
