"""Keep every log record short, whoever logs it: a stranger's payload must not fill the disk.

Reflex logs some refused events with the client's argument in the text (for instance "Error
transforming event argument 'x' with value '<the whole value>'" when a handler typed `int` gets a
string), and a socket message may carry about a megabyte. Repeated, that is a log-filling attack.
The bound is applied where records are made (the log record factory), so it covers Reflex's
loggers, ours, and any handler attached later, in every backend worker. Records within the bound
are left exactly as they were; only oversized ones are rewritten, keeping the head and the tail.
"""

import logging

LINE_MAX = 2_000
RECORD_MAX = 8_000
_MARK = " … [{} characters left out] … "

_installed = False


def clip(text: str, limit: int) -> str:
    """`text` unchanged if it fits in `limit` characters, else its head and tail around a marker."""
    if len(text) <= limit:
        return text
    keep = limit - len(_MARK.format(len(text)))
    head = max(keep * 2 // 3, 0)
    tail = max(keep - head, 0)
    return text[:head] + _MARK.format(len(text) - head - tail) + (text[-tail:] if tail else "")


def bound_text(text: str) -> str:
    """Cut every line to LINE_MAX characters, then the whole text to RECORD_MAX."""
    if len(text) <= LINE_MAX:
        return text
    lines = text.split("\n")
    if len(text) <= RECORD_MAX and all(len(line) <= LINE_MAX for line in lines):
        return text
    return clip("\n".join(clip(line, LINE_MAX) for line in lines), RECORD_MAX)


def bound_record(record: logging.LogRecord) -> logging.LogRecord:
    """Rewrite an oversized record in place: message, traceback and stack folded into one bounded text.

    Folding the traceback into the message is what bounds it for every handler: Reflex's console
    handler formats `exc_info` itself and would otherwise print an exception's text unabridged.
    """
    try:
        text = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format string is logging's own error to report
        return record
    extra = []
    if record.exc_info and record.exc_info[0] is not None:
        extra.append(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        extra.append(record.exc_text)
    if record.stack_info:
        extra.append(record.stack_info)
    full = "\n".join([text, *extra])
    bounded = bound_text(full)
    if bounded is full:
        return record
    record.msg, record.args = bounded, ()
    record.exc_info, record.exc_text, record.stack_info = None, None, None
    return record


_NO_HANDLER = "No registered handler found for event: "


def quiet_unknown_event(record: logging.LogRecord) -> logging.LogRecord:
    """Reflex logs an event naming no handler with two chained tracebacks and the whole event
    (payload included: it may hold a password). Anyone can send one, so it is a stranger's noise:
    one warning line naming the event, at most 200 characters of it, and nothing it carried."""
    exc = record.exc_info[1] if record.exc_info else None
    if isinstance(exc, KeyError) and exc.args and str(exc.args[0]).startswith(_NO_HANDLER):
        name = clip(str(exc.args[0])[len(_NO_HANDLER):], 200)
        record.msg, record.args = "refused an event for a handler that does not exist: %s", (name,)
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text, record.stack_info = None, None, None
    return record


def install() -> None:
    """Bound every record made from now on in this process (idempotent)."""
    global _installed
    if _installed:
        return
    make = logging.getLogRecordFactory()

    def bounded_factory(*args, **kwargs) -> logging.LogRecord:
        return bound_record(quiet_unknown_event(make(*args, **kwargs)))

    logging.setLogRecordFactory(bounded_factory)
    _installed = True
