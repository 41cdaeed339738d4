"""The seed flow on PostgreSQL + Redis with two backend workers, surviving a restart of every worker.

Reflex keeps each browser tab's state under its client token. With Redis the state lives outside
the worker processes, so a tab whose websocket reconnects to another (here: a brand-new) worker
carries on signed in, on the same page, with its data — also when its worker was killed outright
(Granian replaces it; `portal_app/tab_reconnect.py` keeps the tab's token).
"""

import gzip
import os
import re
import signal
import subprocess
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.test_seed_flow import CLIENT_PASSWORD, PASSWORD, last_invitation_link, open_matter, share_card, staff_login

pytestmark = pytest.mark.e2e

ADDRESS = "kancelaria-prod"
CLIENT = "anna.prod@budmax.example.com"
SECOND_CLIENT = "beata.kill@budmax.example.com"


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _granian_workers(root: int) -> tuple[int, set[int]]:
    """The Granian supervisor below the `reflex run` process and its worker processes."""
    todo = [root]
    while todo:
        pid = todo.pop()
        kids = _children(pid)
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read()
        if b"reflex" in cmd and len(kids) >= 2 and all(_is_python(k) for k in kids):
            return pid, set(kids)
        todo.extend(kids)
    raise AssertionError("no Granian supervisor with workers found")


def _is_python(pid: int) -> bool:
    try:
        return os.readlink(f"/proc/{pid}/exe").split("/")[-1].startswith("python")
    except OSError:
        return False


def _restart_all_workers(root: int) -> None:
    """SIGHUP makes Granian replace every worker with a new process, one after another."""
    supervisor, before = _granian_workers(root)
    os.kill(supervisor, signal.SIGHUP)
    deadline = time.time() + 60
    while time.time() < deadline:
        now = set(_children(supervisor))
        if len(now) == len(before) and not now & before:
            return
        time.sleep(0.5)
    raise AssertionError(f"workers were not replaced: {before} → {now}")


def test_two_workers_share_sessions_through_redis(prod_app, browser):
    url = prod_app["url"]
    supervisor, workers = _granian_workers(prod_app["pid"])
    assert len(workers) == 2

    admin_ctx = browser.new_context()
    admin = admin_ctx.new_page()
    staff_login(admin, url, "admin@nowak.example.com", PASSWORD)
    admin.click("#nav-settings")
    admin.click("#portal-enabled")
    expect(admin.locator("#portal-enabled")).to_have_attribute("data-state", "checked")
    admin.fill("#company_name", "Kancelaria Nowak i Wspólnicy")
    admin.fill("#address", ADDRESS)
    admin.fill("#contact_email", "biuro@nowak.example.com")
    admin.click("#settings-save")
    expect(admin.locator("#settings-saved")).to_be_visible()
    open_matter(admin, url, "2026/014")
    share_card(admin, CLIENT)
    expect(admin.locator(".share-recipient")).to_have_count(1)
    link = last_invitation_link(admin, url, CLIENT)

    client_ctx = browser.new_context(timezone_id="Europe/Warsaw", locale="pl-PL")
    client = client_ctx.new_page()
    client.goto(link)
    client.fill("#first_name", "Anna")
    client.fill("#last_name", "Prod")
    client.fill("#password", CLIENT_PASSWORD)
    client.fill("#password_repeat", CLIENT_PASSWORD)

    # Mid-flow, every worker the tab may have talked to is replaced by a new process.
    _restart_all_workers(prod_app["pid"])
    client.click("#register-submit")
    expect(client.locator("#hours-total")).to_have_text("4,75 h")

    _restart_all_workers(prod_app["pid"])
    client.click("#portal-nav-invoices")  # an event over the reconnected socket, no page load
    expect(client.locator(".invoice-row")).to_have_count(3)
    client.click("#portal-nav-dashboard")
    expect(client.locator("#hours-total")).to_have_text("4,75 h")
    expect(client.locator("#portal-login-submit")).to_have_count(0)

    # The staff tab survived too: still signed in after a full reload served by a new worker.
    admin.reload()
    expect(admin.locator("#mail-to")).to_have_text(CLIENT)

    # Every worker is killed outright (SIGKILL: no clean-up): Granian starts new ones, and a tab
    # they served keeps its state. A second client switched her registration to English and typed
    # her details; she registers in English (a blank state would have emptied the form).
    open_matter(admin, url, "2026/014")
    share_card(admin, SECOND_CLIENT)
    expect(admin.locator(".share-recipient")).to_have_count(2)
    second_ctx = browser.new_context(timezone_id="Europe/Warsaw", locale="pl-PL")
    second = second_ctx.new_page()
    second.goto(last_invitation_link(admin, url, SECOND_CLIENT))
    second.get_by_role("radio", name="EN").click()
    expect(second.locator("#register-submit")).to_have_text("Log in")
    second.fill("#first_name", "Beata")
    second.fill("#last_name", "Kill")
    second.fill("#password", CLIENT_PASSWORD)
    second.fill("#password_repeat", CLIENT_PASSWORD)
    prod_app["workers_killed"] += _kill_all_workers(prod_app["pid"])
    expect(second.locator("#register-submit")).to_have_text("Log in")  # still English
    second.click("#register-submit")
    expect(second.locator("#hours-total")).to_have_text("4.75 h")
    for ctx in (admin_ctx, client_ctx, second_ctx):
        ctx.close()


def _kill_all_workers(root: int) -> int:
    """SIGKILL every worker at once; Granian must replace them instead of stopping the app."""
    supervisor, before = _granian_workers(root)
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    deadline = time.time() + 60
    while time.time() < deadline:
        now = {p for p in _children(supervisor) if _is_python(p)}
        if len(now) == len(before) and not now & before:
            return len(before)
        time.sleep(0.5)
    raise AssertionError(f"killed workers were not replaced: {before} → {now}")


def _get(url: str) -> tuple[dict[str, str], bytes]:
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return {k.lower(): v for k, v in r.headers.items()}, r.read()


def test_static_files_compressed_and_cached_by_fingerprint(prod_app):
    page_headers, body = _get(prod_app["url"] + "/")
    assert page_headers.get("content-encoding") == "gzip"
    assert page_headers.get("cache-control") == "no-cache"  # a new build must reach browsers at once
    asset = re.search(rb'/assets/[\w.-]+-[\w-]{8}\.js', gzip.decompress(body)).group(0).decode()
    headers, _ = _get(prod_app["url"] + asset)
    assert headers.get("content-encoding") == "gzip"
    assert headers.get("cache-control") == "public, max-age=31536000, immutable"
