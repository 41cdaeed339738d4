"""Configuration: exact CORS origins, telemetry off, no stack traces for browsers."""

import os
import subprocess
import sys

import pytest
import requests
import socketio

from tests.conftest import PROJECT_ROOT
from tests.security.reflex_client import APP, ReflexClient

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
