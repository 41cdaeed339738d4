"""E-mails the portal sends, in Polish and English, as HTML plus a plain-text part.

Every value that comes from a firm or a client (names, addresses, links) is escaped here, and
header text is squeezed onto one line, so callers can pass raw database values.
"""

import re
from dataclasses import dataclass
from html import escape

from portal_app import config

SUBJECT_MAX = 200

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")

_STRINGS = {
    "en": {
        "subject": {
            "matter": "{company} shared a matter with you in the Client Portal",
            "contact": "{company} shared a contact with you in the Client Portal",
        },
        "intro_new": {
            "matter": "{company} shared a matter with you in the Client Portal: {name}.",
            "contact": "{company} shared a contact with you in the Client Portal: {name}.",
        },
        "next_new": {
            "matter": "Open the link below to create your portal account and view it.",
            "contact": "Open the link below to create your portal account and view it.",
        },
        "intro_registered": {
            "matter": "A new matter is available in your {company} Client Portal: {name}.",
            "contact": "A new contact is available in your {company} Client Portal: {name}.",
        },
        "next_registered": {
            "matter": "Sign in to the portal to view it.",
            "contact": "Sign in to the portal to view it.",
        },
        "button": {"matter": "View matter", "contact": "View contact"},
        "quote": "\u201c{}\u201d",
        "fallback": "If the button does not work, copy this link into your browser:",
        "questions": "Questions? Write to {email}",
        "reset_subject": "Reset your {company} Client Portal password",
        "reset_intro": "We received a request to reset your Client Portal password.",
        "reset_validity": "The link below is valid for one hour.",
        "reset_ignore": "If you did not ask for this, ignore this e-mail: your password stays unchanged.",
        "reset_button": "Reset password",
    },
    "pl": {
        "subject": {
            "matter": "{company} udostępnia Ci sprawę w Portalu Klienta",
            "contact": "{company} udostępnia Ci kontakt w Portalu Klienta",
        },
        "intro_new": {
            "matter": "{company} udostępnia Ci sprawę w Portalu Klienta: {name}.",
            "contact": "{company} udostępnia Ci kontakt w Portalu Klienta: {name}.",
        },
        "next_new": {
            "matter": "Otwórz link poniżej, aby założyć konto w portalu i ją wyświetlić.",
            "contact": "Otwórz link poniżej, aby założyć konto w portalu i go wyświetlić.",
        },
        "intro_registered": {
            "matter": "W Twoim Portalu Klienta ({company}) jest dostępna nowa sprawa: {name}.",
            "contact": "W Twoim Portalu Klienta ({company}) jest dostępny nowy kontakt: {name}.",
        },
        "next_registered": {
            "matter": "Zaloguj się do portalu, aby ją wyświetlić.",
            "contact": "Zaloguj się do portalu, aby go wyświetlić.",
        },
        "button": {"matter": "Wyświetl sprawę", "contact": "Wyświetl kontakt"},
        "quote": "\u201e{}\u201d",
        "fallback": "Jeśli przycisk nie działa, skopiuj ten link do przeglądarki:",
        "questions": "Pytania? Napisz do {email}",
        "reset_subject": "Ustaw nowe hasło do Portalu Klienta {company}",
        "reset_intro": "Otrzymaliśmy prośbę o zmianę hasła do Portalu Klienta.",
        "reset_validity": "Link poniżej jest ważny przez godzinę.",
        "reset_ignore": "Jeśli to nie Ty, zignoruj tę wiadomość: Twoje hasło pozostanie bez zmian.",
        "reset_button": "Ustaw nowe hasło",
    },
}


@dataclass(frozen=True)
class Rendered:
    """A ready e-mail: the subject is already one line, the HTML already escaped."""

    subject: str
    html: str
    text: str


def single_line(value: str, max_len: int | None = None) -> str:
    """Collapse control characters and whitespace runs to single spaces (safe in a mail header)."""
    value = " ".join(_CONTROL.sub(" ", value or "").split())
    if max_len is not None and len(value) > max_len:
        value = value[:max_len].rstrip()
    return value


def invitation_email(
    *,
    lang: str,
    company_name: str,
    contact_email: str,
    logo_url: str | None,
    card_kind: str,
    card_name: str,
    link: str,
    already_registered: bool,
) -> Rendered:
    """The mail telling a client that a matter or contact card was shared with them."""
    lang, s = _strings(lang)
    if card_kind not in ("matter", "contact"):
        raise ValueError(f"unknown card kind: {card_kind!r}")
    company = single_line(company_name)
    name = s["quote"].format(single_line(card_name))
    state = "registered" if already_registered else "new"
    return _compose(
        lang=lang,
        subject=s["subject"][card_kind].format(company=company),
        company=company,
        contact_email=contact_email,
        logo_url=logo_url,
        paragraphs=[
            s[f"intro_{state}"][card_kind].format(company=company, name=name),
            s[f"next_{state}"][card_kind],
        ],
        button=s["button"][card_kind],
        link=link,
    )


def password_reset_email(
    *, lang: str, company_name: str, contact_email: str, logo_url: str | None, link: str
) -> Rendered:
    """The mail with a one-hour link to set a new portal password."""
    lang, s = _strings(lang)
    company = single_line(company_name)
    return _compose(
        lang=lang,
        subject=s["reset_subject"].format(company=company),
        company=company,
        contact_email=contact_email,
        logo_url=logo_url,
        paragraphs=[s["reset_intro"], s["reset_validity"]],
        button=s["reset_button"],
        link=link,
        after=[s["reset_ignore"]],
    )


def _strings(lang: str) -> tuple[str, dict]:
    lang = lang if lang in _STRINGS else "pl"
    return lang, _STRINGS[lang]


def _compose(
    *,
    lang: str,
    subject: str,
    company: str,
    contact_email: str,
    logo_url: str | None,
    paragraphs: list[str],
    button: str,
    link: str,
    after: list[str] | None = None,
) -> Rendered:
    """Build subject, HTML and text from the same pieces so the two parts never drift apart."""
    if not re.match(r"https?://", link or "", re.IGNORECASE) or _CONTROL.search(link):
        raise ValueError("e-mail links must be absolute http(s) URLs")
    s = _STRINGS[lang]
    contact = single_line(contact_email)
    footer = s["questions"] if contact else ""
    after = after or []
    blocks = [company, "\n".join(paragraphs), f"{button}:\n{link}", *after]
    if footer:
        blocks.append(footer.format(email=contact))
    html = _layout(
        lang=lang,
        title=subject,
        company=company,
        logo_url=_absolute_logo(logo_url),
        paragraphs=paragraphs,
        button=button,
        link=link,
        fallback=s["fallback"],
        after=after,
        footer=footer,
        contact_email=contact,
    )
    text = "\n\n".join(blocks) + "\n"
    return Rendered(subject=single_line(subject, SUBJECT_MAX), html=html, text=text)


def _absolute_logo(logo_url: str | None) -> str | None:
    """Mail clients need absolute image URLs; anything but http(s) or a local path is dropped."""
    if not logo_url or _CONTROL.search(logo_url):
        return None
    if re.match(r"https?://", logo_url, re.IGNORECASE):
        return logo_url
    if logo_url.startswith("/") and not logo_url.startswith("//"):
        return config.base_url() + logo_url
    return None


def _layout(
    *,
    lang: str,
    title: str,
    company: str,
    logo_url: str | None,
    paragraphs: list[str],
    button: str,
    link: str,
    fallback: str,
    after: list[str],
    footer: str,
    contact_email: str,
) -> str:
    """The one HTML skeleton: a white card on light grey, table-based with inline styles."""
    e = escape
    font = "font-family:Arial,Helvetica,sans-serif;"
    if logo_url:
        header = (
            f'<img src="{e(logo_url)}" alt="{e(company)}" height="48" '
            f'style="display:block;height:48px;width:auto;border:0;outline:none;">'
        )
    else:
        header = (
            f'<h1 style="margin:0;{font}font-size:22px;line-height:28px;color:#1f2937;">'
            f"{e(company)}</h1>"
        )
    body = "".join(
        f'<p style="margin:0 0 16px 0;{font}font-size:16px;line-height:24px;color:#1f2937;">'
        f"{e(p)}</p>"
        for p in paragraphs
    )
    tail = "".join(
        f'<p style="margin:16px 0 0 0;{font}font-size:14px;line-height:20px;color:#4b5563;">'
        f"{e(p)}</p>"
        for p in after
    )
    footer_html = ""
    if footer:
        mailto = f'<a href="mailto:{e(contact_email)}" style="color:#1d4ed8;">{e(contact_email)}</a>'
        footer_html = (
            f'<tr><td style="padding:16px 40px 24px 40px;border-top:1px solid #e5e7eb;{font}'
            f'font-size:13px;line-height:20px;color:#6b7280;">'
            f"{e(footer).format(email=mailto)}</td></tr>"
        )
    return f"""<!DOCTYPE html>
<html lang="{e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
</head>
<body style="margin:0;padding:0;background-color:#f3f4f6;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f3f4f6;">
<tr><td align="center" style="padding:32px 16px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background-color:#ffffff;border:1px solid #e5e7eb;border-radius:8px;">
<tr><td style="padding:32px 40px 8px 40px;">{header}</td></tr>
<tr><td style="padding:16px 40px 8px 40px;">{body}</td></tr>
<tr><td align="left" style="padding:8px 40px 24px 40px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>
<td align="center" bgcolor="#1d4ed8" style="border-radius:6px;background-color:#1d4ed8;">
<a href="{e(link)}" target="_blank" style="display:inline-block;padding:14px 28px;{font}font-size:16px;font-weight:bold;line-height:20px;color:#ffffff;text-decoration:none;border-radius:6px;">{e(button)}</a>
</td></tr></table>
</td></tr>
<tr><td style="padding:0 40px 24px 40px;{font}font-size:13px;line-height:20px;color:#6b7280;">
{e(fallback)}<br>
<a href="{e(link)}" style="color:#1d4ed8;word-break:break-all;">{e(link)}</a>{tail}
</td></tr>
{footer_html}
</table>
</td></tr>
</table>
</body>
</html>
"""
