"""E-mail templates, the outbox and the SMTP sender, against a real local SMTP server (aiosmtpd)."""

import socket
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from portal_app.mail import (
    deliver_due,
    deliver_soon,
    delivery_state,
    enqueue,
    invitation_email,
    password_reset_email,
)
from portal_app.models import Contact, Firm, OutboxMessage, Share, ShareRecipient
from portal_app.models.base import utcnow
from tests.smtp_relay import Recorder, free_port, start_server

LINK = "https://portal.example.com/i/abc123?x=1&y=2"


@pytest.fixture
def smtp_port(monkeypatch):
    """A port the sender is configured for; nothing listens on it until a test starts a server."""
    port = free_port()
    monkeypatch.setenv("PORTAL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PORTAL_SMTP_PORT", str(port))
    monkeypatch.setenv("PORTAL_MAIL_FROM", "Client Portal <portal@kancelaria.example>")
    for name in ("PORTAL_SMTP_USER", "PORTAL_SMTP_PASSWORD", "PORTAL_SMTP_TLS", "PORTAL_SMTP_SSL"):
        monkeypatch.delenv(name, raising=False)
    return port


@pytest.fixture
def smtp(smtp_port):
    controller, recorder = start_server(smtp_port)
    yield recorder
    controller.stop()


def render(**overrides):
    args = dict(
        lang="en",
        company_name="Nowak & Partners",
        contact_email="office@nowak.example",
        logo_url=None,
        card_kind="matter",
        card_name="Kowalski v. Bank",
        link=LINK,
        already_registered=False,
    )
    args.update(overrides)
    return invitation_email(**args)


def queue(session, n=1, to="client@example.com", **overrides):
    messages = [enqueue(session, to=to, rendered=render(**overrides), firm_id=None) for _ in range(n)]
    session.commit()
    return messages


def reload(session, message):
    session.expire_all()
    return session.get(OutboxMessage, message.id)


def parts(msg):
    return {part.get_content_type(): part.get_content() for part in msg.walk() if not part.is_multipart()}


def test_delivers_multipart_message_once(session, smtp):
    (message,) = queue(session)

    assert deliver_due() == 1

    assert len(smtp.envelopes) == 1
    envelope = smtp.envelopes[0]
    assert envelope.mail_from == "portal@kancelaria.example"
    assert envelope.rcpt_tos == ["client@example.com"]
    msg = smtp.messages()[0]
    assert msg["Subject"] == "Nowak & Partners shared a matter with you in the Client Portal"
    assert msg["From"].addresses[0].addr_spec == "portal@kancelaria.example"
    assert msg["To"] == "client@example.com"
    assert msg["Message-ID"].startswith(f"<outbox.{message.id}.")
    assert msg["Message-ID"].endswith("@kancelaria.example>")
    assert msg["Date"]
    body = parts(msg)
    assert set(body) == {"text/plain", "text/html"}
    assert LINK in body["text/plain"]
    assert 'href="https://portal.example.com/i/abc123?x=1&amp;y=2"' in body["text/html"]
    assert "View matter" in body["text/html"]
    row = reload(session, message)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None
    assert deliver_due() == 0
    assert len(smtp.envelopes) == 1


def test_escapes_html_and_keeps_subject_on_one_line(session, smtp):
    queue(session, company_name="<b>Nowak & Syn</b>", card_name="<script>alert(1)</script>")
    queue(session, company_name="Evil\r\nBcc: x@y.z", card_name="Card\nBcc: a@b.c")

    assert deliver_due() == 2

    first, second = smtp.messages()
    html = parts(first)["text/html"]
    assert "&lt;b&gt;Nowak &amp; Syn&lt;/b&gt;" in html
    assert "<b>Nowak" not in html
    assert "<script>" not in html
    assert first["Subject"] == "<b>Nowak & Syn</b> shared a matter with you in the Client Portal"
    assert second["Bcc"] is None
    assert second["Subject"] == "Evil Bcc: x@y.z shared a matter with you in the Client Portal"
    assert [e.rcpt_tos for e in smtp.envelopes] == [["client@example.com"]] * 2


def test_subject_is_trimmed_and_control_characters_collapse():
    rendered = render(company_name="A\t\x00\x0bB\u2028C " + "x" * 400)
    assert rendered.subject.startswith("A B C xxx")
    assert len(rendered.subject) == 200


def test_rejects_addresses_that_could_add_recipients(session):
    for bad in ("a@b.c, d@e.f", "a@b.c\r\nBcc: d@e.f", "Name <a@b.c>", "nobody"):
        with pytest.raises(ValueError):
            enqueue(session, to=bad, rendered=render(), firm_id=None)


def test_retry_wait_comes_from_the_environment(monkeypatch):
    from portal_app.mail.sender import backoff

    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(seconds=s) for s in (30, 60, 120)]
    assert backoff(50) == timedelta(hours=1)
    monkeypatch.setenv("PORTAL_MAIL_RETRY_SECONDS", "1.5")
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(seconds=s) for s in (1.5, 3, 6)]
    for unusable in ("", "0", "-4", "soon"):
        monkeypatch.setenv("PORTAL_MAIL_RETRY_SECONDS", unusable)
        assert backoff(1) == timedelta(seconds=30)


def test_retries_with_backoff_while_server_is_down(session, smtp_port):
    (message,) = queue(session)
    before = utcnow()

    assert deliver_due() == 0

    row = reload(session, message)
    assert (row.status, row.attempts) == ("retrying", 1)
    assert row.next_attempt_at > before + timedelta(seconds=25)
    assert "SMTPConnectNetworkError" in row.last_error
    assert deliver_due() == 0
    assert reload(session, message).attempts == 1

    controller, recorder = start_server(smtp_port)
    try:
        later = utcnow() + timedelta(minutes=5)
        assert deliver_due(now=later) == 1
        assert deliver_due(now=later + timedelta(hours=2)) == 0
        assert len(recorder.envelopes) == 1
    finally:
        controller.stop()
    row = reload(session, message)
    assert (row.status, row.attempts) == ("sent", 2)


class Rejecting(Recorder):
    async def handle_DATA(self, server, session, envelope):
        return "554 5.7.1 Message rejected"


def test_relay_rejection_is_a_failure_not_a_silent_success(session, smtp_port):
    (message,) = queue(session)
    controller = Controller(Rejecting(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        assert deliver_due() == 0
    finally:
        controller.stop()

    row = reload(session, message)
    assert (row.status, row.attempts) == ("retrying", 1)
    assert "SMTPDataError" in row.last_error and "554" in row.last_error


def test_gives_up_after_ten_attempts(session, smtp_port):
    (message,) = queue(session)
    message.attempts = 9
    session.add(message)
    session.commit()

    assert deliver_due() == 0

    row = reload(session, message)
    assert (row.status, row.attempts) == ("failed", 10)
    assert deliver_due(now=utcnow() + timedelta(days=1)) == 0


def test_releases_messages_stuck_in_sending(session, smtp):
    (message,) = queue(session)
    message.status = "sending"
    message.attempts = 1
    message.next_attempt_at = utcnow() - timedelta(minutes=11)
    session.add(message)
    (fresh,) = queue(session)
    fresh.status = "sending"
    fresh.attempts = 1
    session.add(fresh)
    session.commit()

    assert deliver_due() == 1

    assert reload(session, message).status == "sent"
    assert reload(session, fresh).status == "sending"
    assert len(smtp.envelopes) == 1


def test_without_smtp_mail_is_stored(session, monkeypatch):
    monkeypatch.delenv("PORTAL_SMTP_HOST", raising=False)
    (message,) = queue(session)

    assert deliver_due() == 1

    row = reload(session, message)
    assert (row.status, row.attempts) == ("stored", 1)
    assert row.sent_at is not None
    assert deliver_due() == 0


def test_concurrent_workers_send_each_message_once(session, smtp):
    messages = queue(session, n=5)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(deliver_due())
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert errors == []
    assert sum(results) == 5
    assert len(smtp.envelopes) == 5
    ids = sorted(m["Message-ID"] for m in smtp.messages())
    assert len(set(ids)) == 5
    assert {reload(session, m).status for m in messages} == {"sent"}
    assert {reload(session, m).attempts for m in messages} == {1}


def test_delivery_state_reports_latest_message_per_recipient(session, monkeypatch):
    monkeypatch.delenv("PORTAL_SMTP_HOST", raising=False)
    firm = Firm(name="Nowak", plan="premium")
    session.add(firm)
    session.flush()
    contact = Contact(firm_id=firm.id, name="Jan")
    session.add(contact)
    session.flush()
    share = Share(firm_id=firm.id, contact_id=contact.id)
    session.add(share)
    session.flush()
    a, b = (_recipient(session, share, address) for address in ("a@example.com", "b@example.com"))
    enqueue(session, to=a.email, rendered=render(), firm_id=firm.id, recipient_id=a.id)
    session.commit()
    deliver_due()
    enqueue(session, to=a.email, rendered=render(), firm_id=firm.id, recipient_id=a.id)
    enqueue(session, to=b.email, rendered=render(), firm_id=firm.id, recipient_id=b.id)
    session.commit()
    first_b = session.exec(select(OutboxMessage).where(OutboxMessage.recipient_id == b.id)).one()

    assert delivery_state(session, [a.id, b.id, 999]) == {a.id: "queued", b.id: "queued"}
    assert first_b.status == "queued"
    deliver_due()
    session.expire_all()
    assert delivery_state(session, [a.id, b.id]) == {a.id: "stored", b.id: "stored"}
    assert delivery_state(session, []) == {}


def _recipient(session, share, address):
    """Insert only the columns this module relies on, whatever else the sharing table grows."""
    values = dict(share_id=share.id, firm_id=share.firm_id, email=address, added_at=utcnow())
    new_id = session.exec(ShareRecipient.__table__.insert().values(**values)).inserted_primary_key[0]
    return ShareRecipient(id=new_id, **values)


def test_invitation_wording_in_english_and_polish():
    en_matter = render()
    assert en_matter.subject == "Nowak & Partners shared a matter with you in the Client Portal"
    assert "View matter" in en_matter.html and "View matter" in en_matter.text
    assert "create your portal account" in en_matter.text

    en_contact = render(card_kind="contact", card_name="Jan Kowalski")
    assert en_contact.subject == "Nowak & Partners shared a contact with you in the Client Portal"
    assert "View contact" in en_contact.html
    assert "Jan Kowalski" in en_contact.text

    pl_matter = render(lang="pl")
    assert pl_matter.subject == "Nowak & Partners udostępnia Ci sprawę w Portalu Klienta"
    assert "Wyświetl sprawę" in pl_matter.html and "Wyświetl sprawę" in pl_matter.text
    assert "Pytania? Napisz do" in pl_matter.text
    assert 'href="mailto:office@nowak.example"' in pl_matter.html

    pl_contact = render(lang="pl", card_kind="contact")
    assert pl_contact.subject == "Nowak & Partners udostępnia Ci kontakt w Portalu Klienta"
    assert "Wyświetl kontakt" in pl_contact.html

    assert render(lang="de").subject == pl_matter.subject


def test_already_registered_wording_says_new_card_not_register():
    en = render(already_registered=True)
    assert "A new matter is available in your" in en.text
    assert "account" not in en.text.lower() and "register" not in en.text.lower()
    pl = render(lang="pl", card_kind="contact", already_registered=True)
    assert "jest dostępny nowy kontakt" in pl.text
    assert "założyć konto" not in pl.text


def test_logo_or_company_heading():
    with_logo = render(logo_url="https://cdn.example/logo.png?a=1&b=2")
    assert '<img src="https://cdn.example/logo.png?a=1&amp;b=2"' in with_logo.html
    assert "<h1" not in with_logo.html
    without = render(logo_url=None)
    assert "<img" not in without.html
    assert "Nowak &amp; Partners</h1>" in without.html
    assert "<img" not in render(logo_url="javascript:alert(1)").html


def test_links_must_be_http():
    with pytest.raises(ValueError):
        render(link="javascript:alert(1)")


def test_password_reset_email():
    en = password_reset_email(
        lang="en", company_name="Nowak", contact_email="office@nowak.example", logo_url=None, link=LINK
    )
    assert "one hour" in en.text
    assert LINK in en.text
    assert "Reset password" in en.html
    pl = password_reset_email(lang="pl", company_name="Nowak", contact_email="", logo_url=None, link=LINK)
    assert "godzinę" in pl.text
    assert "Pytania" not in pl.text and "mailto:" not in pl.html


def test_a_shared_card_invitation_waits_while_the_relay_is_down_and_arrives_once(session, smtp_port):
    """From Save to the client's inbox: staff see 'retrying' while the relay is down, then one message."""
    from portal_app.models import PortalSettings, StaffUser
    from portal_app.services import identity, sharing

    firm = Firm(name="Nowak", plan="premium", default_language="en")
    session.add(firm)
    session.flush()
    session.add(PortalSettings(firm_id=firm.id, company_name="Nowak & Partners", address="nowak-mail",
                               enabled=True, contact_email="office@nowak.example"))
    admin = StaffUser(firm_id=firm.id, email="admin@nowak-mail.example", name="Anna", role="administrator",
                      password_hash="not-used")
    contact = Contact(firm_id=firm.id, name="Budmax <S.A.>")
    session.add_all([admin, contact])
    session.commit()
    me = identity.staff_for_token(session, identity.start_session(session, staff_user_id=admin.id))

    sharing.add_to_share(session, me, "contact", contact.id, new_emails=["Jan@Example.com"],
                         invoice_types=["invoice"], invoice_statuses=["paid"], time_entries=True, agreements=True)
    assert deliver_due() == 0
    session.expire_all()
    (seen,) = sharing.load_share(session, me, "contact", contact.id).recipients
    assert (seen.email, seen.delivery) == ("jan@example.com", "retrying")

    controller, recorder = start_server(smtp_port)
    try:
        later = utcnow() + timedelta(minutes=5)
        assert deliver_due(now=later) == 1
        assert deliver_due(now=later + timedelta(hours=2)) == 0
    finally:
        controller.stop()
    assert [e.rcpt_tos for e in recorder.envelopes] == [["jan@example.com"]]
    msg = recorder.messages()[0]
    assert msg["Subject"] == "Nowak & Partners shared a contact with you in the Client Portal"
    body = parts(msg)
    assert "View contact" in body["text/plain"] and "View contact" in body["text/html"]
    assert "Budmax &lt;S.A.&gt;" in body["text/html"]
    assert "/portal/nowak-mail/invite/" in body["text/plain"]
    session.expire_all()
    assert sharing.load_share(session, me, "contact", contact.id).recipients[0].delivery == "sent"


def test_a_hung_relay_holds_up_mail_only(session, smtp_port):
    """Deliveries started by many saves queue on the one mail thread, never on the threads pages use."""
    import asyncio
    import time

    hung = socket.socket()
    hung.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    hung.bind(("127.0.0.1", smtp_port))
    hung.listen(50)
    accepted = []

    def accept():
        while True:
            try:
                conn, _addr = hung.accept()
            except OSError:
                return
            accepted.append(conn)  # never greets: the sender waits for its time-out

    threading.Thread(target=accept, daemon=True).start()
    queue(session, n=8)

    async def scenario():
        deliveries = [asyncio.ensure_future(deliver_soon()) for _ in range(8)]
        await asyncio.sleep(0.5)
        start = time.perf_counter()
        await asyncio.gather(*(asyncio.to_thread(time.sleep, 0.01) for _ in range(12)))
        waited = time.perf_counter() - start
        connections = len(accepted)
        hung.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread; later sends are refused at once
        hung.close()
        for conn in accepted:
            conn.close()
        await asyncio.gather(*deliveries)
        return waited, connections

    waited, connections = asyncio.run(scenario())
    assert connections == 1, "one mail thread: one message at a time waits on the relay"
    assert waited < 1, f"page work waited {waited:.1f} s behind mail"
    statuses = {m.status for m in session.exec(select(OutboxMessage)).all()}
    assert statuses == {"retrying"}
