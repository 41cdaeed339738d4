"""General Settings → Client Portal in headless Chromium (issue 3): every answer beside its field.

The tests use a firm of their own (created in the app's database) whose administrator works in
English, so nothing here depends on, or disturbs, the demo firms other test files use.
"""

import http.client
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, create_engine, select

from portal_app.i18n import translate
from portal_app.models import Firm, PortalSettings, PortalUser, StaffUser
from portal_app.services.errors import ServiceError
from portal_app.services.logo import MAX_LOGO_BYTES, normalise_logo
from portal_app.services.passwords import hash_password
from tests.conftest import LOGOS
from tests.e2e.conftest import portal_login, shot, staff_login

pytestmark = pytest.mark.e2e

PASSWORD = "Demo-Portal-2026"
CLIENT_PASSWORD = "zielony-parasol-nad-Wisłą"
ADDRESS = "ustawienia-test"
COMPANY = "Ustawienia Test sp.k."
CONTACT = "biuro@ustawienia.example.com"
ADMINS = ("admin@ustawienia.example.com", "admin2@ustawienia.example.com")
CLIENT = "klient@ustawienia.example.com"
UPLOAD_WIDGET = "#logo-upload input[type=file]"


def msg(key: str, **params) -> str:
    return translate("en", key, **params)


def either(key: str) -> re.Pattern:
    """A page without a firm's language (no such portal) may speak either language."""
    return re.compile("|".join(re.escape(translate(lang, key)) for lang in ("en", "pl")))


@pytest.fixture(scope="module")
def firm(app_server):
    """A Premium firm with two English-speaking administrators and one client account."""
    engine = create_engine(app_server["db"])
    password_hash = hash_password(PASSWORD)
    with Session(engine, expire_on_commit=False) as session:
        row = Firm(name=COMPANY, plan="premium", default_language="en")
        session.add(row)
        session.flush()
        for email in ADMINS:
            session.add(StaffUser(firm_id=row.id, email=email, name="Ewa Test", role="administrator",
                                  password_hash=password_hash, language="en"))
        session.add(PortalUser(firm_id=row.id, email=CLIENT, first_name="Jan", last_name="Klient",
                               password_hash=hash_password(CLIENT_PASSWORD), language="en", timezone="Europe/Warsaw"))
        session.commit()
    yield {"id": row.id, "engine": engine}
    engine.dispose()


@pytest.fixture(scope="module")
def logo_dir(app_server) -> Path:
    return Path(app_server["env"]["REFLEX_UPLOADED_FILES_DIR"]) / "logos"


def saved_settings(firm) -> PortalSettings:
    with Session(firm["engine"]) as session:
        return session.exec(select(PortalSettings).where(PortalSettings.firm_id == firm["id"])).one()


def open_settings(browser, url: str, email: str = ADMINS[0], **context_kw):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, **context_kw)
    page = context.new_page()
    staff_login(page, url, email, PASSWORD)
    page.goto(url + "/settings/client-portal")
    expect(page.locator("#address")).to_be_visible()
    return page


def enable(page, address: str = ADDRESS) -> None:
    """Switch the portal on through the form, with this firm's own address."""
    if page.locator("#portal-enabled").get_attribute("data-state") != "checked":
        page.click("#portal-enabled")
    expect(page.locator("#portal-enabled")).to_have_attribute("data-state", "checked")
    page.fill("#company_name", COMPANY)
    page.fill("#address", address)
    page.fill("#contact_email", CONTACT)
    save(page)


def save(page) -> None:
    page.click("#settings-save")
    expect(page.locator("#settings-saved")).to_be_visible()


def upload(page, path: Path) -> None:
    """Choose a file in the widget and wait until its upload is over (Reflex ignores a second
    upload while one is still running, as a quick user would find out too)."""
    with page.expect_request_finished(lambda request: "/_upload" in request.url):
        page.set_input_files(UPLOAD_WIDGET, str(path))


def served(page, src: str) -> tuple[int, bytes]:
    """Fetch an image the page shows, outside the browser (no cookies: logos are public)."""
    url = urllib.parse.urljoin(page.url, src)
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def expected_refusal(path: Path) -> str:
    """The message the service gives for this file: the unit tests pin the reasons themselves."""
    with pytest.raises(ServiceError) as info:
        normalise_logo(path.read_bytes())
    return msg(info.value.key, **info.value.params)


def test_bad_addresses_are_answered_beside_the_field(app_server, browser, firm):
    page = open_settings(browser, app_server["url"])
    cases = [
        ("-nowak", msg("address.leading_hyphen")),
        ("n", msg("address.too_short", min=2)),
        ("nowak_i_wspolnicy", msg("address.bad_char", char="_", suggestion="nowak-i-wspolnicy")),
        ("login", msg("address.reserved")),
        ("a" * 51, msg("address.too_long", max=50, length=51)),
    ]
    for typed, message in cases:
        page.fill("#address", typed)
        expect(page.locator("#address-error")).to_have_text(message)
    page.fill("#address", "łogin")
    expect(page.locator("#address-suggestion")).to_contain_text("login-2")

    page.fill("#address", "kancelaria łódź")
    expect(page.locator("#address-error")).to_contain_text("ł")
    expect(page.locator("#address-suggestion")).to_contain_text("kancelaria-lodz")
    expect(page.locator("#portal-link-preview")).to_have_count(0)  # no link that could never work
    expect(page.locator("#copy-link")).to_have_count(0)
    expect(page.locator("#portal-link-preview-pending")).to_have_text(msg("settings.link_preview_pending"))
    shot(page, "settings-01-address-error")
    page.click("#address-suggestion")
    expect(page.locator("#address")).to_have_value("kancelaria-lodz")
    expect(page.locator("#address-error")).to_have_count(0)
    expect(page.locator("#address-suggestion")).to_have_count(0)
    expect(page.locator("#portal-link-preview")).to_have_text(re.compile(r"/portal/kancelaria-lodz$"))

    page.fill("#address", "  ")
    page.click("#settings-save")
    expect(page.locator("#address-error")).to_have_text(msg("address.required"))
    expect(page.locator("#settings-form-error")).to_have_text(msg("errors.form_invalid"))
    page.context.close()


def test_link_preview_follows_typing_and_copies(app_server, browser, firm):
    url = app_server["url"]
    page = open_settings(browser, url, permissions=["clipboard-read", "clipboard-write"])
    page.fill("#address", "")
    preview = page.locator("#portal-link-preview")
    page.locator("#address").press_sequentially("Ustaw")
    expect(preview).to_have_text(f"{url}/portal/ustaw")
    page.locator("#address").press_sequentially("-Podglad")
    expect(preview).to_have_text(f"{url}/portal/ustaw-podglad")

    page.click("#copy-link")
    deadline = time.time() + 10
    copied = ""
    while time.time() < deadline and copied != f"{url}/portal/ustaw-podglad":
        copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{url}/portal/ustaw-podglad"
    page.context.close()


def test_refused_logo_keeps_the_saved_one_and_removal_shows_the_name(app_server, browser, firm, logo_dir):
    url = app_server["url"]
    page = open_settings(browser, url)
    upload(page, LOGOS / "valid" / "rgba-transparent.png")
    expect(page.locator("#logo-note")).to_have_text(msg("settings.logo_ready"))
    enable(page)
    saved = saved_settings(firm).logo_file
    assert saved and re.fullmatch(r"logo-[A-Za-z0-9_-]{22}\.png", saved)
    preview = page.locator("#logo-preview")
    expect(preview).to_have_attribute("src", re.compile(re.escape(saved) + "$"))
    logo_url = preview.get_attribute("src")
    assert served(page, logo_url)[0] == 200

    upload(page, LOGOS / "invalid" / "truncated.jpg")
    expect(page.locator("#logo-error")).to_have_text(msg("logo.damaged"))
    expect(preview).to_have_attribute("src", logo_url)
    shot(page, "settings-02-refused-logo")
    save(page)
    assert saved_settings(firm).logo_file == saved
    page.reload()
    expect(page.locator("#logo-preview")).to_have_attribute("src", logo_url)
    status, body = served(page, logo_url)
    assert status == 200 and body.startswith(b"\x89PNG")

    page.click("#logo-remove")
    expect(page.locator("#logo-note")).to_have_text(msg("settings.logo_will_remove"))
    save(page)
    assert saved_settings(firm).logo_file is None
    assert not (logo_dir / saved).exists()  # the old file goes once nothing points at it
    assert served(page, logo_url)[0] == 404

    client = page.context.new_page()
    client.goto(f"{url}/portal/{ADDRESS}")
    expect(client.locator("#portal-company-name")).to_have_text(COMPANY)
    expect(client.locator("#portal-logo")).to_have_count(0)
    page.context.close()


def test_whole_logo_corpus_through_the_upload_widget(app_server, browser, firm, logo_dir):
    page = open_settings(browser, app_server["url"])
    valid = sorted((LOGOS / "valid").iterdir())
    invalid = sorted((LOGOS / "invalid").iterdir())
    assert len(valid) >= len(invalid) and invalid
    preview, error = page.locator("#logo-preview"), page.locator("#logo-error")
    last_src, seen = None, []
    # Every refusal follows an accepted file, so each message seen is really the new one.
    for good, bad in zip(valid, invalid + [None] * (len(valid) - len(invalid))):
        upload(page, good)
        expect(error).to_have_count(0)
        if last_src:
            expect(preview).not_to_have_attribute("src", last_src)
        expect(preview).to_be_visible()
        last_src = preview.get_attribute("src")
        seen.append(last_src)
        status, body = served(page, last_src)
        assert status == 200 and body.startswith((b"\x89PNG", b"\xff\xd8\xff")), good.name
        if bad is None:
            continue
        upload(page, bad)
        expect(error).to_have_text(expected_refusal(bad))
        expect(preview).to_have_attribute("src", last_src)

    page.set_input_files(UPLOAD_WIDGET, files=[{
        "name": "big.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_LOGO_BYTES,
    }])
    expect(error).to_have_text(msg("logo.too_large_bytes", limit_mb=MAX_LOGO_BYTES // (1024 * 1024)))
    # A new upload replaces this form's previous unsaved one: no pile of pending files.
    left = [src for src in seen if (logo_dir / src.rsplit("/", 1)[1]).exists()]
    assert left == [last_src]
    page.context.close()


def _upload_post(url: str, body_chunks, *, length: int | None) -> int:
    """POST a multipart body to Reflex's upload endpoint the way the widget does; the status."""
    from portal_app.state.settings import PortalSettingsState

    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.putrequest("POST", "/_upload")
    conn.putheader("Content-Type", "multipart/form-data; boundary=XyZ")
    conn.putheader("reflex-client-token", str(uuid.uuid4()))
    conn.putheader("reflex-event-handler", f"{PortalSettingsState.get_full_name()}.upload_logo")
    if length is None:
        conn.putheader("Transfer-Encoding", "chunked")
    else:
        conn.putheader("Content-Length", str(length))
    conn.endheaders()
    try:
        for chunk in body_chunks:
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk) if length is None else chunk)
        if length is None:
            conn.send(b"0\r\n\r\n")
    except OSError:
        pass  # the server answered and stopped reading before the end: that is the point
    try:
        return conn.getresponse().status
    finally:
        conn.close()


def test_oversized_upload_is_refused_on_the_way_in(app_server, firm, logo_dir):
    size = 7 * 1024 * 1024
    head = (b'--XyZ\r\nContent-Disposition: form-data; name="files"; filename="big.png"\r\n'
            b"Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n")

    def body():
        yield head
        for _ in range(size // 65536):
            yield b"\0" * 65536
        yield b"\r\n--XyZ--\r\n"

    before = {p: p.stat().st_size for p in logo_dir.parent.rglob("*") if p.is_file()} if logo_dir.parent.exists() else {}
    assert _upload_post(app_server["url"], [head], length=size + len(head) + 11) == 413  # said up front
    assert _upload_post(app_server["url"], body(), length=None) == 413
    after = {p: p.stat().st_size for p in logo_dir.parent.rglob("*") if p.is_file()} if logo_dir.parent.exists() else {}
    assert set(after) - set(before) == set()
    assert max(after.values(), default=0) < 1024 * 1024


def test_two_administrators_saving_at_once(app_server, browser, firm):
    url = app_server["url"]
    first = open_settings(browser, url, ADMINS[0])
    enable(first)
    second = open_settings(browser, url, ADMINS[1])
    expect(second.locator("#company_name")).to_have_value(COMPANY)

    first.fill("#company_name", COMPANY + " (first)")
    save(first)
    second.fill("#company_name", COMPANY + " (second)")
    second.click("#settings-save")
    expect(second.locator("#settings-form-error")).to_have_text(msg("settings.changed_meanwhile"))
    expect(second.locator("#company_name")).to_have_value(COMPANY + " (second)")  # typing kept
    assert saved_settings(firm).company_name == COMPANY + " (first)"

    first.fill("#company_name", COMPANY)
    save(first)
    first.context.close()
    second.context.close()


def test_switching_the_portal_off_and_on(app_server, browser, firm):
    url = app_server["url"]
    admin = open_settings(browser, url)
    enable(admin)
    expect(admin.locator("#address-change-warning")).to_have_count(0)
    admin.fill("#address", ADDRESS + "-nowy")  # links already sent would stop working: say so
    expect(admin.locator("#address-change-warning")).to_have_text(msg("settings.address_change_warning"))
    admin.fill("#address", ADDRESS.upper())
    expect(admin.locator("#address-change-warning")).to_have_count(0)

    client = browser.new_context().new_page()
    portal_login(client, url, ADDRESS, CLIENT, CLIENT_PASSWORD)
    expect(client.locator("#hours-total")).to_be_visible()

    admin.click("#portal-enabled")
    expect(admin.locator("#portal-enabled")).to_have_attribute("data-state", "unchecked")
    save(admin)

    # The signed-in client loses access on the next click; the page says why and whom to ask.
    client.click("#portal-nav-invoices")
    expect(client.locator("#portal-closed")).to_have_text(either("portal.closed_title"))
    expect(client.locator("#portal-closed-email")).to_have_text(CONTACT)
    shot(client, "settings-03-portal-closed")
    client.goto(f"{url}/portal/{ADDRESS}/invite/{'x' * 43}")
    expect(client.locator("#portal-closed")).to_be_visible()
    client.goto(f"{url}/portal/no-such-portal-here")
    expect(client.locator("#portal-not-found")).to_have_text(either("portal.not_found_title"))

    admin.click("#portal-enabled")
    save(admin)
    client.goto(f"{url}/portal/{ADDRESS}")
    expect(client.locator("#hours-total")).to_be_visible()  # the same account, still signed in
    admin.context.close()
    client.context.close()
