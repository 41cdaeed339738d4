"""Durability (issue 6, part 8): crashes and relay outages against the real production build.

A SIGKILL in the middle of a stream of saves, then a restart on the same SQLite database and
files: every save the app acknowledged is still there and nothing is half-saved. An SMTP relay
that is down while invitations are sent: they wait in the outbox, retrying in the background,
and each is delivered exactly once when the relay returns.
"""

import io
import queue
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from PIL import Image
from sqlalchemy import text
from sqlmodel import Session, create_engine, select

from portal_app import routes
from portal_app.models import Contact, Matter, StaffUser
from tests.e2e.conftest import _free_port, crash, running_app
from tests.security.conftest import ADMIN_A, PASSWORD, enable_portal, unexpected_errors
from tests.security.reflex_client import STAFF, ReflexClient
from tests.smtp_relay import start_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SETTINGS = STAFF + ".portal_app___state___settings____portal_settings_state"
SHARE = STAFF + ".portal_app___state___cards____share_state"
CRASHES = 3


def admin_token_in(session: Session) -> str:
    """A real staff sign-in (the service behind the login form); the session secret it issues."""
    from portal_app.services import staff_signin

    return staff_signin.sign_in(session, ADMIN_A, PASSWORD)


def query(db_url: str, sql: str, **params) -> list:
    engine = create_engine(db_url, connect_args={"timeout": 30})
    try:
        with engine.connect() as c:
            return c.execute(text(sql), params).fetchall()
    finally:
        engine.dispose()


def colour(i: int) -> tuple[int, int, int]:
    return (i * 37 % 256, 255 - i * 11 % 256, (i * 101 + 50) % 256)


def logo_png(i: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 48), colour(i)).save(out, "PNG")
    return out.getvalue()


def wait_var(tab: ReflexClient, state: str, var: str, error_var: str, timeout: float = 20):
    """The first non-empty value of `var` in `state`; fails on a non-empty `error_var`."""
    deadline = time.time() + timeout
    while time.time() < deadline and tab.sio.connected:
        try:
            update = tab.updates.get(timeout=0.1)
        except queue.Empty:
            continue
        delta = (update.get("delta") or {}).get(state) or {}
        if delta.get(error_var + "_rx_state_"):
            raise AssertionError(f"{state}: {delta[error_var + '_rx_state_']}")
        if delta.get(var + "_rx_state_"):
            return delta[var + "_rx_state_"]
    raise TimeoutError(var)


@dataclass
class Ledger:
    """What one writer sent and what the app acknowledged, by index."""

    next: int = 0
    sent: int | None = None
    acked: list[int] = field(default_factory=list)
    failure: str = ""


def settings_save(url: str, tab: ReflexClient, i: int, ledger: Ledger) -> None:
    """One full settings save: a new logo, company name, address and contact e-mail, all numbered i."""
    r = requests.post(url + "/_upload", files=[("files", (f"logo{i}.png", logo_png(i), "image/png"))], timeout=20,
                      headers={"reflex-client-token": tab.token, "reflex-event-handler": SETTINGS + ".upload_logo"})
    r.raise_for_status()
    for var, value in (("company_name", f"Kancelaria Trwała {i}"), ("address", f"trwala-{i}"),
                       ("contact_email", f"biuro{i}@nowak.example.com"), ("enabled", True)):
        tab.emit(f"{SETTINGS}.set_{var}", {"value": value})
    ledger.sent = i
    tab.emit(SETTINGS + ".save")
    wait_var(tab, SETTINGS, "saved_message", "form_message")
    ledger.acked.append(i)


def share_save(tab: ReflexClient, cards: list[tuple[str, int]], i: int, ledger: Ledger) -> None:
    """One share save adding the address numbered i (an invitation is queued with it).

    The saves go round the firm's contacts and matters: a card takes at most 50 addresses.
    """
    kind, card = cards[i % len(cards)]
    tab.emit(SHARE + ".open_dialog", {"kind": kind, "card_id": card})
    tab.emit(SHARE + ".set_addresses", {"value": f"trwaly{i}@klient.example.com"})
    ledger.sent = i
    tab.emit(SHARE + ".save")
    wait_var(tab, SHARE, "message", "error")
    ledger.acked.append(i)


def write_until_stopped(step, ledger: Ledger, stop: threading.Event) -> None:
    """Repeat a save until told to stop or until the app is gone (the crash ends it)."""
    try:
        while not stop.is_set():
            step(ledger.next)
            ledger.next += 1
    except (OSError, TimeoutError, requests.RequestException) as exc:
        if not stop.is_set():
            ledger.failure = f"{type(exc).__name__}: {exc}"
    except AssertionError as exc:
        ledger.failure = str(exc)


def saves_then_crash(app: dict, token: str, cards: list[tuple[str, int]], settings: Ledger, shares: Ledger) -> tuple[int, int]:
    """Two tabs save as fast as the app answers; SIGKILL lands at a random moment among them.

    Returns how many saves of each kind were acknowledged in this round.
    """
    url = app["url"]
    settings_tab = ReflexClient(url, staff_token=token, path=routes.SETTINGS_PORTAL)
    share_tab = ReflexClient(url, staff_token=token, path=routes.MATTERS)
    before = len(settings.acked), len(shares.acked)
    stop = threading.Event()
    writers = [
        threading.Thread(target=write_until_stopped, args=(lambda i: settings_save(url, settings_tab, i, settings), settings, stop)),
        threading.Thread(target=write_until_stopped, args=(lambda i: share_save(share_tab, cards, i, shares), shares, stop)),
    ]
    for w in writers:
        w.start()
    time.sleep(random.uniform(3, 6))
    stop.set()  # errors from here on are the crash's, not the app's
    crash(app)
    for w in writers:
        w.join(30)
    for tab in (settings_tab, share_tab):
        tab.close()
    assert not settings.failure and not shares.failure, (settings.failure, shares.failure)
    return len(settings.acked) - before[0], len(shares.acked) - before[1]


def assert_settings_whole(app: dict, ledger: Ledger) -> int:
    """The saved settings are one save, all fields and the logo together, and not older than the last ack."""
    ((company, address, contact, logo, enabled),) = query(
        app["db"], "select company_name, address, contact_email, logo_file, enabled from portal_settings "
        "where firm_id = (select firm_id from staff_user where email = :e)", e=ADMIN_A)
    assert company.startswith("Kancelaria Trwała "), f"no settings save survived: {company!r}"
    j = int(company.rsplit(" ", 1)[1])
    assert (address, contact, bool(enabled)) == (f"trwala-{j}", f"biuro{j}@nowak.example.com", True), "half-saved settings"
    assert j in {*ledger.acked[-1:], ledger.sent}, f"save {j} survived, but {ledger.acked[-1:]} was acknowledged"
    path = Path(app["env"]["REFLEX_UPLOADED_FILES_DIR"]) / "logos" / logo
    assert path.is_file(), f"the settings point at a logo that is not on disk: {logo}"
    with Image.open(path) as img:
        assert img.convert("RGB").getpixel((0, 0)) == colour(j), "the logo is not the one saved with these fields"
    return j


def assert_shares_kept(app: dict, ledger: Ledger) -> None:
    """Every acknowledged share address is still shared; a share and its invitation exist only together."""
    shared = {r[0] for r in query(app["db"], "select email from share_recipient where email like 'trwaly%'")}
    invited = {r[0] for r in query(app["db"], "select to_email from outbox_message where to_email like 'trwaly%'")}
    acked = {f"trwaly{i}@klient.example.com" for i in ledger.acked}
    assert acked <= shared, f"acknowledged shares lost: {sorted(acked - shared)[:5]}"
    assert shared == invited, f"a share without its invitation or the reverse: {sorted(shared ^ invited)[:5]}"
    assert len(shared - acked) <= 1, "more unacknowledged shares survived than were in flight"


SPARE_MATTERS = 40


def prepare(db_url: str) -> tuple[str, list[tuple[str, int]]]:
    """Portal on (sharing needs it), the admin signed in; the session secret and firm A's cards.

    A card takes at most 50 addresses and a quiet machine makes hundreds of share saves before
    the last crash, so firm A gets spare matters to spread them over.
    """
    engine = create_engine(db_url, connect_args={"timeout": 30})
    try:
        with Session(engine, expire_on_commit=False) as s:
            enable_portal(s)
            token = admin_token_in(s)
            admin = s.exec(select(StaffUser).where(StaffUser.email == ADMIN_A)).one()
            contact = s.exec(select(Contact).where(Contact.firm_id == admin.firm_id)).first()
            s.add_all(Matter(firm_id=admin.firm_id, contact_id=contact.id, number=f"TRW/{n}", title=f"Sprawa zapasowa {n}")
                      for n in range(SPARE_MATTERS))
            s.commit()
        with engine.connect() as c:
            firm = "(select firm_id from staff_user where email = :e)"
            cards = [("matter", r[0]) for r in c.execute(text(f"select id from matter where firm_id = {firm}"), {"e": ADMIN_A})]
            cards += [("contact", r[0]) for r in c.execute(text(f"select id from contact where firm_id = {firm}"), {"e": ADMIN_A})]
        return token, cards
    finally:
        engine.dispose()


def shown_company(app: dict, token: str) -> str:
    """The company name a freshly opened settings page shows."""
    tab = ReflexClient(app["url"], staff_token=token, path=routes.SETTINGS_PORTAL)
    try:
        shown = tab.state(tab.initial).get(SETTINGS, {}).get("company_name_rx_state_")
        return shown or wait_var(tab, SETTINGS, "company_name", "refused")
    finally:
        tab.close()


def test_sigkill_during_saves_loses_nothing_acknowledged(tmp_path_factory):
    work = tmp_path_factory.mktemp("durable")
    settings, shares = Ledger(), Ledger()
    token, cards, rounds = "", [], []
    for n in range(CRASHES + 1):
        with running_app(work) as app:
            assert query(app["db"], "pragma integrity_check")[0][0] == "ok"
            if n == 0:
                token, cards = prepare(app["db"])
            else:
                j = assert_settings_whole(app, settings)
                assert_shares_kept(app, shares)
                assert shown_company(app, token) == f"Kancelaria Trwała {j}", "the restarted app shows other settings"
            if n == CRASHES:
                break
            rounds.append(saves_then_crash(app, token, cards, settings, shares))
    assert all(a > 0 and b > 0 for a, b in rounds), f"a crash did not land amid saves: {rounds}"
    errors = unexpected_errors((work / "reflex.log").read_text(errors="replace"))
    assert not errors, "the app logged errors:\n" + "\n".join(errors[:3])


INVITEES = [f"zaproszony{i}@klient.example.com" for i in range(4)]


def outbox(db_url: str) -> dict[str, tuple[str, int, str | None]]:
    """Status, attempts and last error of the invitation to each invitee."""
    rows = query(db_url, "select to_email, status, attempts, last_error from outbox_message where to_email like 'zaproszony%'")
    return {r[0]: tuple(r[1:]) for r in rows}


def wait_outbox(db_url: str, done, timeout: float) -> dict:
    """Poll the outbox until `done(rows)`; the last rows either way (the assertion says what was seen)."""
    deadline = time.time() + timeout
    rows = outbox(db_url)
    while not done(rows) and time.time() < deadline:
        time.sleep(0.5)
        rows = outbox(db_url)
    return rows


def dialog_delivery(tab: ReflexClient, kind: str, card: int) -> dict[str, str]:
    """The delivery badge the share dialog shows per invitee, freshly opened."""
    tab.wait_idle(quiet=0.3)
    tab.emit(SHARE + ".open_dialog", {"kind": kind, "card_id": card})
    recipients = wait_var(tab, SHARE, "recipients", "error")
    return {r["email"]: r["delivery"] for r in recipients if r["email"] in INVITEES}


def test_invitations_wait_out_a_relay_outage_and_arrive_once(tmp_path_factory):
    smtp_port = _free_port()  # nothing listens here until the relay "comes back"
    relay = {"PORTAL_SMTP_HOST": "127.0.0.1", "PORTAL_SMTP_PORT": str(smtp_port),
             "PORTAL_MAIL_POLL_SECONDS": "1", "PORTAL_MAIL_RETRY_SECONDS": "1"}
    work = tmp_path_factory.mktemp("relay")
    with running_app(work, relay) as app:
        token, cards = prepare(app["db"])
        kind, card = cards[0]
        tab = ReflexClient(app["url"], staff_token=token, path=routes.MATTERS)
        tab.emit(SHARE + ".open_dialog", {"kind": kind, "card_id": card})
        tab.emit(SHARE + ".set_addresses", {"value": ", ".join(INVITEES)})
        started = time.time()
        tab.emit(SHARE + ".save")
        wait_var(tab, SHARE, "message", "error")
        assert time.time() - started < 3, "saving a share waited for the relay"
        assert tab.ping() < 1, "the app stalls while the relay is down"

        waiting = wait_outbox(app["db"], lambda rows: len(rows) == len(INVITEES) and all(a >= 2 for _, a, _ in rows.values()), 30)
        assert set(waiting) == set(INVITEES)
        assert all(status == "retrying" and attempts >= 2 and error for status, attempts, error in waiting.values()), waiting
        assert set(dialog_delivery(tab, kind, card).values()) == {"retrying"}

        controller, recorder = start_server(smtp_port)
        try:
            sent = wait_outbox(app["db"], lambda rows: all(s == "sent" for s, _, _ in rows.values()), 90)
            assert all(s == "sent" for s, _, _ in sent.values()), sent
            time.sleep(5)  # several more worker rounds: nothing may go out twice
            received = Counter(rcpt for envelope in recorder.envelopes for rcpt in envelope.rcpt_tos)
            assert {e: received[e] for e in INVITEES} == {e: 1 for e in INVITEES}
            assert outbox(app["db"]) == sent, "the outbox changed after delivery"
        finally:
            controller.stop()
        assert set(dialog_delivery(tab, kind, card).values()) == {"sent"}
        tab.close()
    errors = unexpected_errors((work / "reflex.log").read_text(errors="replace"))
    assert not errors, "the app logged errors:\n" + "\n".join(errors[:3])
