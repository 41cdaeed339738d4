"""The running app for browser tests: its own database, upload folder and free ports."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.e2e

# A cold machine answers the first events slowly.
expect.set_options(timeout=15_000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise TimeoutError(url)


def _stop(proc: subprocess.Popen) -> None:
    """End the app and every process it started (frontend dev server, workers)."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def running_app(work: Path, env_overrides: dict[str, str] | None = None):
    """A production build of the app on a free port, with demo data, in `work`.

    A private build folder means runs never share a half-compiled frontend, and a production
    build does not reload when someone edits the code while the tests run. The database, files
    and log live in `work`: a second `running_app(work)` after the first ended (or crashed, see
    `crash`) is a restart on the same data, which is how the durability tests use it. The log
    (`work / "reflex.log"`, appended to across restarts) is for the caller to judge afterwards.
    `env_overrides` adds or overrides variables (an SMTP relay, short mail retries).
    """
    port = _free_port()
    base = f"http://localhost:{port}"
    env = dict(os.environ)
    env.update(
        PORTAL_DATABASE_URL=f"sqlite:///{work / 'app.db'}",
        PORTAL_DATA_DIR=str(work / "data"),
        PORTAL_BASE_URL=base,
        PORTAL_API_URL=base,
        REFLEX_UPLOADED_FILES_DIR=str(work / "uploads"),
        REFLEX_WEB_WORKDIR=str(work / ".web"),
        REFLEX_TELEMETRY_ENABLED="false",
    )
    env.pop("PORTAL_SMTP_HOST", None)
    env.update(env_overrides or {})
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "portal_app.services.demo"], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
    log = open(work / "reflex.log", "a")
    proc = subprocess.Popen(
        [shutil.which("reflex") or "reflex", "run", "--env", "prod", "--single-port", "--backend-port", str(port), "--loglevel", "info"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        _wait(f"{base}/ping", proc, 300)
        _wait(f"{base}/", proc, 60)
        yield {"url": base, "env": env, "log": work / "reflex.log", "db": env["PORTAL_DATABASE_URL"],
               "work": work, "proc": proc, "port": port}
    finally:
        _stop(proc)
        log.close()


def crash(app: dict) -> None:
    """SIGKILL the app and every process it started, as a power cut or the OOM killer would."""
    proc = app["proc"]
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(10)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """The app for the browser tests; any traceback or ERROR it logs fails the run."""
    with running_app(tmp_path_factory.mktemp("app")) as app:
        yield app
    text = app["log"].read_text(errors="replace")
    errors = [line for line in text.splitlines() if "Traceback" in line or "[ERROR]" in line]
    if errors:
        print(text[-8000:])
    assert not errors, "the app logged errors during the browser tests"


def staff_login(page, url: str, email: str, password: str) -> None:
    """Sign in on the staff login page and wait for the contacts list every sign-in lands on."""
    page.goto(url + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")
    expect(page.locator("#contacts-table")).to_be_visible()


def portal_login(page, url: str, address: str, email: str, password: str) -> None:
    """Sign in on a firm's portal login page (`/portal/<address>`) and submit."""
    page.goto(f"{url}/portal/{address}")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#portal-login-submit")


ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
