"""The public upload endpoint: strangers, forged tab tokens, oversized bodies, hostile files and names."""

import time
from pathlib import Path

import pytest
import requests

from tests.conftest import LOGOS
from tests.security.reflex_client import STAFF

pytestmark = pytest.mark.e2e

SETTINGS = STAFF + ".portal_app___state___settings____portal_settings_state"
UPLOAD = SETTINGS + ".upload_logo"
PNG = (LOGOS / "valid" / "rgb.png").read_bytes()


def upload_dir(app_server) -> Path:
    return Path(app_server["env"]["REFLEX_UPLOADED_FILES_DIR"])


def stored(app_server) -> list[Path]:
    root = upload_dir(app_server)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def post(app_server, files, token: str | None, handler: str | None = UPLOAD, **kw):
    headers = {}
    if token:
        headers["reflex-client-token"] = token
    if handler:
        headers["reflex-event-handler"] = handler
    return requests.post(app_server["url"] + "/_upload", headers=headers, files=files, timeout=60, **kw)


def test_no_headers_refused(app_server):
    before = stored(app_server)
    r = post(app_server, [("files", ("a.png", PNG, "image/png"))], token=None, handler=None)
    assert r.status_code == 400
    assert stored(app_server) == before


@pytest.mark.parametrize("who", ["nobody", "client_a", "user_a", "admin_b"])
def test_upload_without_admin_session_writes_nothing(who, roles, connect, app_server):
    """A forged or real tab token of anyone but firm A's Administrator: the handler refuses."""
    before = stored(app_server)
    tab = connect(roles[who], path="/settings/client-portal")
    for token in (tab.token, "00000000-0000-4000-8000-000000000000"):
        r = post(app_server, [("files", ("logo.png", PNG, "image/png"))], token=token)
        assert r.status_code < 500
    tab.wait_idle()
    assert stored(app_server) == before
    assert "logo_url_rx_state_\": \"logos/" not in tab.text() + r.text


def test_declared_oversize_refused_at_once(app_server):
    started = time.time()
    r = requests.post(app_server["url"] + "/_upload", headers={"content-length": str(50 * 1024 * 1024),
                      "reflex-client-token": "x", "reflex-event-handler": UPLOAD}, data=b"", timeout=30)
    assert r.status_code == 413
    assert time.time() - started < 5


def test_streamed_oversize_stopped_without_storing_it(app_server, roles, connect):
    """A chunked body with no length: reading stops past the limit; no big file appears anywhere."""
    tab = connect(roles["admin_a"], path="/settings/client-portal")
    sent = 0

    def body():
        nonlocal sent
        yield b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.png\"\r\nContent-Type: image/png\r\n\r\n"
        for _ in range(40):
            sent += 1
            yield b"\0" * (1024 * 1024)
        yield b"\r\n--b--\r\n"

    try:
        r = requests.post(app_server["url"] + "/_upload", data=body(), timeout=60, headers={
            "content-type": "multipart/form-data; boundary=b", "reflex-client-token": tab.token,
            "reflex-event-handler": UPLOAD})
        status = r.status_code
    except requests.ConnectionError:
        status = 413  # the server may close the connection mid-body: that is a refusal too
    assert status == 413
    big = [p for p in Path(app_server["work"]).rglob("*") if p.is_file() and p.stat().st_size > 6 * 1024 * 1024
           and "node_modules" not in p.parts and ".web" not in p.parts and p.suffix not in (".db", ".db-wal", ".log")]
    assert big == []
    assert all(p.stat().st_size < 6 * 1024 * 1024 for p in stored(app_server))


HOSTILE = [
    ("decompression-bomb.png", (LOGOS / "invalid" / "decompression-bomb-gif-named.png").read_bytes(), "image/png"),
    ("huge.png", (LOGOS / "invalid" / "huge-dimensions.png").read_bytes(), "image/png"),
    ("script.svg", (LOGOS / "invalid" / "script.svg").read_bytes(), "image/svg+xml"),
    ("document.png", (LOGOS / "invalid" / "document-named.png").read_bytes(), "image/png"),
    ("page.html", b"<html><script>alert(document.cookie)</script></html>", "text/html"),
    ("gif.png", (LOGOS / "invalid" / "gif-named.png").read_bytes(), "image/png"),
]


@pytest.mark.parametrize("name,data,mime", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_files_refused(name, data, mime, roles, connect, app_server):
    tab = connect(roles["admin_a"], path="/settings/client-portal")
    before = stored(app_server)
    r = post(app_server, [("files", (name, data, mime))], token=tab.token)
    assert r.status_code == 200
    tab.wait_idle()
    assert stored(app_server) == before
    assert '"logo"' in r.text + tab.text(), "no error was shown for a refused file"


def test_polyglot_is_reencoded(roles, connect, app_server):
    """A valid PNG with a script appended: what is stored is a fresh image, never the sender's bytes."""
    tab = connect(roles["admin_a"], path="/settings/client-portal")
    before = set(stored(app_server))
    payload = PNG + b"<script>alert(1)</script><?php system($_GET['c']); ?>"
    post(app_server, [("files", ("../../../polyglot.png", payload, "image/png"))], token=tab.token)
    tab.wait_idle()
    new = [p for p in stored(app_server) if p not in before]
    assert len(new) == 1
    content = new[0].read_bytes()
    assert b"<script" not in content and b"<?php" not in content
    assert new[0].name != "polyglot.png" and new[0].resolve().is_relative_to(upload_dir(app_server).resolve())
    assert not list(Path(app_server["work"]).rglob("polyglot.png"))
