"""The adversarial suite's world: the running app, a real session for each role, firm A's ids.

Roles: the Premium Administrator and a staff User of firm A (Kancelaria Nowak), the Administrator
of firm B (Kowalczyk Legal, Standard plan), a registered portal client of firm A, and no one.
Sessions come from real logins in Chromium; the tests then speak the websocket protocol directly.
"""

import hashlib
import re
from dataclasses import dataclass, field

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session, create_engine, select

from tests.e2e.conftest import running_app
from tests.security.reflex_client import ReflexClient

PASSWORD = "Demo-Portal-2026"
CLIENT_EMAIL = "klient.bezpieczny@budmax.example.com"
CLIENT_PASSWORD = "granatowy-latawiec-nad-Odrą-7"
ADDRESS_A = "nowak-sec"
ADMIN_A, USER_A, ADMIN_B = "admin@nowak.example.com", "asystent@nowak.example.com", "admin@kowalczyk.example.com"
SHARED_MATTER = "2026/014"

# Passwords and secrets the tests use: none may ever be written to the app log.
SECRETS: list[str] = [PASSWORD, CLIENT_PASSWORD]

# Rows a legitimate login or a refused login attempt writes; never firm data.
VOLATILE_TABLES = {"auth_session", "login_throttle", "alembic_version"}
# The mail worker's delivery bookkeeping, which changes on its own schedule.
VOLATILE_COLUMNS = {"outbox_message": "id, firm_id, recipient_id, to_email, subject, html, text, created_at"}


def unexpected_errors(log_text: str) -> list[str]:
    """Error blocks (tracebacks, ERROR lines) of the app log."""
    blocks = re.split(r"(?=Traceback \(most recent call last\))", log_text)
    out = []
    for block in blocks:
        if "Traceback" not in block and "[ERROR]" not in block:
            continue
        out.append(block[:3000])
    return out


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """A production build on free ports with demo data, like tests/e2e, judged by this suite's rules.

    At the end the log may hold no traceback at all.
    """
    with running_app(tmp_path_factory.mktemp("secapp")) as app:
        yield app
    logged = app["log"].read_text(errors="replace")
    errors = unexpected_errors(logged)
    assert not errors, "the app logged errors:\n" + "\n".join(errors[:5])
    leaked = [s[:6] + "…" for s in SECRETS if s and s in logged]
    assert not leaked, f"the app log holds passwords or secrets: {leaked}"


@dataclass
class Role:
    name: str
    staff_token: str = ""
    portal_token: str = ""
    home: str = "/"
    secrets: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def db(app_server):
    engine = create_engine(app_server["db"], connect_args={"timeout": 30})
    yield engine
    engine.dispose()


def browser_login(browser, url: str, email: str, password: str = PASSWORD, portal: str = "") -> str:
    """Log in through the real form and return the session cookie the browser received."""
    from playwright.sync_api import expect

    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        if portal:
            page.goto(f"{url}/portal/{portal}")
        else:
            page.goto(f"{url}/login")
        page.fill("#email", email)
        page.fill("#password", password)
        page.locator("#login-submit, #portal-login-submit").first.click()
        name = "portal_client_session" if portal else "portal_staff_session"
        expect(page).to_have_url(re.compile(r"/(contacts|dashboard)$"))
        cookies = {c["name"]: c["value"] for c in ctx.cookies()}
        return cookies[name]
    finally:
        ctx.close()


def outbox_token(session: Session, to: str) -> str:
    """The invitation token in the newest e-mail to this address (the link's last segment)."""
    from portal_app.models import OutboxMessage

    msg = session.exec(
        select(OutboxMessage).where(OutboxMessage.to_email == to).order_by(OutboxMessage.id.desc())
    ).first()
    return re.search(r"/invite/([A-Za-z0-9_\-]+)", msg.text).group(1)


def staff_identity(session: Session, email: str):
    from portal_app.models import Firm, StaffUser
    from portal_app.services.identity import StaffIdentity

    u = session.exec(select(StaffUser).where(StaffUser.email == email)).one()
    f = session.get(Firm, u.firm_id)
    return StaffIdentity(user_id=u.id, firm_id=f.id, name=u.name, email=u.email, role=u.role,
                         plan=f.plan, language=u.language, timezone=u.timezone)


def enable_portal(session: Session) -> None:
    from portal_app.services import portal_settings

    admin = staff_identity(session, ADMIN_A)
    view = portal_settings.load_settings(session, admin)
    portal_settings.save_settings(
        session, admin,
        portal_settings.SettingsForm(enabled=True, company_name="Kancelaria Nowak i Wspólnicy",
                                     address=ADDRESS_A, contact_email="biuro@nowak.example.com"),
        expected_version=view.version,
    )


def matter_id(session: Session, number: str) -> int:
    from portal_app.models import Matter

    return session.exec(select(Matter.id).where(Matter.number == number)).one()


def share_matter(session: Session, number: str, emails: list[str]) -> None:
    from portal_app.services import sharing

    admin = staff_identity(session, ADMIN_A)
    current = [r.email for r in sharing.load_share(session, admin, "matter", matter_id(session, number)).recipients]
    sharing.save_share(
        session, admin, "matter", matter_id(session, number), emails=current + emails,
        invoice_types=["invoice", "advance", "credit_note"], invoice_statuses=["approved", "partially_paid", "paid"],
        time_entries=True, agreements=True,
    )


def register_client(session: Session, token: str, *, password: str = CLIENT_PASSWORD, first: str = "Klara", last: str = "Bezpieczna") -> int:
    from portal_app.services import client_portal
    from portal_app.services.portal_settings import brand_for_address

    brand = brand_for_address(session, ADDRESS_A)
    return client_portal.register(session, brand, token, first_name=first, last_name=last, password=password,
                                  password_repeat=password, timezone="Europe/Warsaw", language="pl")


@pytest.fixture(scope="session")
def firm_a(db):
    """Firm A's portal on, one matter shared with a registered client."""
    with Session(db, expire_on_commit=False) as s:
        enable_portal(s)
        share_matter(s, SHARED_MATTER, [CLIENT_EMAIL])
        token = outbox_token(s, CLIENT_EMAIL)
        register_client(s, token)
    SECRETS.append(token)
    return {"address": ADDRESS_A, "used_invitation": token}


@pytest.fixture(scope="session")
def roles(app_server, browser, firm_a):
    url = app_server["url"]
    admin_a = browser_login(browser, url, ADMIN_A)
    user_a = browser_login(browser, url, USER_A)
    admin_b = browser_login(browser, url, ADMIN_B)
    client_a = browser_login(browser, url, CLIENT_EMAIL, CLIENT_PASSWORD, portal=ADDRESS_A)
    SECRETS.extend([admin_a, user_a, admin_b, client_a])
    return {
        "admin_a": Role("admin_a", staff_token=admin_a, home="/contacts"),
        "nobody": Role("nobody"),
        "client_a": Role("client_a", portal_token=client_a, home=f"/portal/{ADDRESS_A}/dashboard"),
        "user_a": Role("user_a", staff_token=user_a, home="/contacts"),
        "admin_b": Role("admin_b", staff_token=admin_b, home="/contacts"),
    }


@pytest.fixture(autouse=True)
def fresh_brake(request):
    """Each test starts with no failed-login counters: strangers' garbage logins count too."""
    if "connect" in request.fixturenames or "browser" in request.fixturenames:
        db = request.getfixturevalue("db")
        with db.begin() as c:
            c.execute(text("delete from login_throttle"))
    yield


@pytest.fixture
def connect(app_server):
    """Open hostile tabs; all are closed after the test."""
    opened: list[ReflexClient] = []

    def _open(role: Role | None = None, path: str | None = None, **kw) -> ReflexClient:
        role = role or Role("nobody")
        c = ReflexClient(app_server["url"], staff_token=role.staff_token, portal_token=role.portal_token,
                         path=path or role.home, **kw)
        opened.append(c)
        return c

    yield _open
    for c in opened:
        c.close()


@dataclass(frozen=True)
class FirmIds:
    firm: int
    contacts: list[int]
    matters: list[int]
    invoices: list[int]
    shares: list[int]
    recipients: list[int]
    staff: list[int]
    portal_users: list[int]
    outbox: list[int]

    def all(self) -> list[int]:
        return sorted(set(self.contacts + self.matters + self.invoices + self.shares + self.recipients
                          + self.staff + self.portal_users + self.outbox))


def firm_a_ids(db) -> FirmIds:
    with db.connect() as c:
        firm = c.execute(text("select id from firm where plan='premium' order by id limit 1")).scalar_one()

        def ids(sql: str) -> list[int]:
            return [r[0] for r in c.execute(text(sql), {"f": firm})]

        return FirmIds(
            firm=firm,
            contacts=ids("select id from contact where firm_id=:f"),
            matters=ids("select id from matter where firm_id=:f"),
            invoices=ids("select id from invoice where firm_id=:f"),
            shares=ids("select id from share where firm_id=:f"),
            recipients=ids("select id from share_recipient where firm_id=:f"),
            staff=ids("select id from staff_user where firm_id=:f"),
            portal_users=ids("select id from portal_user where firm_id=:f"),
            outbox=ids("select id from outbox_message where firm_id=:f"),
        )


def snapshot(db, skip: set[str] = frozenset()) -> dict[str, tuple[int, str]]:
    """Row count and content hash of every table but the volatile ones."""
    out = {}
    with db.connect() as c:
        for table in inspect(c).get_table_names():
            if table in VOLATILE_TABLES or table in skip:
                continue
            columns = VOLATILE_COLUMNS.get(table, "*")
            rows = c.execute(text(f'select {columns} from "{table}" order by 1')).fetchall()
            out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


def changed(before: dict, after: dict) -> list[str]:
    return sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))


def log_offset(app_server) -> int:
    return app_server["log"].stat().st_size


def log_since(app_server, offset: int) -> str:
    with open(app_server["log"], "rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", "replace")
