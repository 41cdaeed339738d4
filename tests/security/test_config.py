"""Configuration: exact CORS origins, telemetry off, no stack traces for browsers."""

import os
import subprocess
import sys
import time

import pytest
import requests
import socketio

from tests.conftest import PROJECT_ROOT
from tests.security.conftest import log_offset, log_since
from tests.security.reflex_client import APP, STAFF, ReflexClient

pytestmark = pytest.mark.e2e

EVIL = "https://evil.example.com"


@pytest.mark.parametrize("method,path", [("GET", "/ping"), ("OPTIONS", "/_upload"), ("GET", "/_event/?EIO=4&transport=polling")])
def test_foreign_origin_gets_no_cors_grant(method, path, app_server):
    headers = {"Origin": EVIL, "Access-Control-Request-Method": "POST"}
    r = requests.request(method, app_server["url"] + path, headers=headers, timeout=10)
    granted = r.headers.get("access-control-allow-origin")
    assert granted in (None, app_server["url"]), f"{path} granted {granted!r} to a foreign origin"


def test_own_origin_is_granted(app_server):
    r = requests.options(app_server["url"] + "/_upload", timeout=10,
                         headers={"Origin": app_server["url"], "Access-Control-Request-Method": "POST"})
    assert r.headers.get("access-control-allow-origin") == app_server["url"]


def test_foreign_origin_cannot_open_the_socket(app_server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        ReflexClient(app_server["url"], origin=EVIL)


def test_telemetry_off_by_configuration():
    """Off in rxconfig itself, not only through the variable the test run sets."""
    env = {k: v for k, v in os.environ.items() if k != "REFLEX_TELEMETRY_ENABLED"}
    out = subprocess.run([sys.executable, "-c", "import rxconfig; print(rxconfig.config.telemetry_enabled)"],
                         cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_failures_show_no_stack_trace(connect, app_server):
    tab = connect(path="/")
    updates = tab.call(APP + ".setvar", {"var_name": "no_such_var", "value": 1}, quiet=1.0)
    shown = repr(updates)
    assert "backend_error" in shown, "no error message reached the browser"
    for detail in ("Traceback", "AttributeError", ".py", "no_such_var", "site-packages"):
        assert detail not in shown
    r = requests.get(app_server["url"] + "/_upload/../../etc/passwd", timeout=10)
    assert "root:" not in r.text and "Traceback" not in r.text


def test_huge_wrong_typed_argument_stays_out_of_the_log(connect, app_server):
    """Reflex's warning for a refused argument quotes it; near a megabyte per event would fill the disk.

    `resend(recipient_id: int)` given a string makes Reflex log "Error transforming event argument
    ... with value '<the value>'"; the app keeps that record to a couple of thousand characters.
    """
    offset = log_offset(app_server)
    tab = connect(path="/")
    for _ in range(3):
        tab.emit(STAFF + ".portal_app___state___cards____share_state.resend", {"recipient_id": "Z" * 900_000})
    tab.ping()
    deadline = time.time() + 15
    while log_since(app_server, offset).count("Error transforming") < 3 and time.time() < deadline:
        time.sleep(0.2)
    logged = log_since(app_server, offset)
    echoed = logged.count("Z")  # the console wraps long lines, so count characters, not runs
    assert logged.count("Error transforming") == 3, "this test no longer reaches Reflex's warning"
    assert 100 < echoed <= 3 * 2_000, f"{echoed} characters of the client's payload went into the log"
    assert len(logged) < 40_000, f"three refused events wrote {len(logged)} characters to the log"


@pytest.mark.parametrize("name", ["submit", "no_such_handler", "_say_again", "__init__"])
def test_an_unknown_event_name_is_one_quiet_line(connect, app_server, name):
    """Anyone may send any event name; a handler that does not exist must not write tracebacks."""
    from portal_app.state.portal import ForgotPasswordState

    offset = log_offset(app_server)
    tab = connect(path="/")
    for _ in range(3):
        tab.emit(f"{ForgotPasswordState.get_full_name()}.{name}", {"form_data": {"email": "x@example.com"}})
    tab.ping()
    time.sleep(1.0)
    logged = log_since(app_server, offset)
    assert "Traceback" not in logged, logged[-3000:]
    assert len(logged) < 3 * 600, f"three unknown events wrote {len(logged)} characters to the log"
