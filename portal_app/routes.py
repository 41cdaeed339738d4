"""Route constants and URL builders; pages, e-mails and tests all build links here."""

from portal_app.config import api_url, base_url

HOME = "/"
LOGIN = "/login"
CONTACTS = "/contacts"
CONTACT = "/contacts/[contact_id]"
MATTERS = "/matters"
MATTER = "/matters/[matter_id]"
INVOICE = "/invoices/[invoice_id]"
PREVIEW = "/preview/[recipient_id]"
SETTINGS_PORTAL = "/settings/client-portal"
SETTINGS_AUDIT_LOG = "/settings/audit-log"
DEV_MAIL = "/dev/mail"
DEV_MAIL_MESSAGE = "/dev/mail/[message_id]"

PORTAL_LOGIN = "/portal/[address]"
PORTAL_INVITE = "/portal/[address]/invite/[token]"
PORTAL_DASHBOARD = "/portal/[address]/dashboard"
PORTAL_INVOICES = "/portal/[address]/invoices"
PORTAL_TIME = "/portal/[address]/time-entries"
PORTAL_AGREEMENTS = "/portal/[address]/agreements"
PORTAL_ACCOUNT = "/portal/[address]/account"
PORTAL_FORGOT = "/portal/[address]/forgot-password"
PORTAL_RESET = "/portal/[address]/reset/[token]"
# Agreement documents, served by portal_app.downloads to the signed-in client only.
DOCUMENTS_PREFIX = "/_documents/agreements/"
# The same documents for staff of the agreement's firm (portal_app.staff_documents).
STAFF_DOCUMENTS_PREFIX = "/_documents/staff-agreements/"

# First path segments the app (its route table, its assets) or Reflex use, plus names that would
# mislead clients. A client space address may not be one of these, in any letter case;
# tests/unit/test_portal_settings.py fails when a top-level route is added without landing here.
RESERVED_ADDRESSES = frozenset(
    {
        # the app's pages (portal_app.py) and files (assets/, favicon)
        "index", "login", "logout", "contacts", "matters", "settings", "dev", "mail", "portal",
        "invite", "dashboard", "invoices", "preview", "agreements", "time-entries", "favicon",
        "assets", "static", "404", "_documents",
        # Reflex's own endpoints (reflex.constants.Endpoint) and build output
        "_event", "_upload", "_health", "_all_routes", "auth-codespace", "ping", "_next", "build",
        # names a later feature or an impostor would want
        "admin", "api", "app", "auth", "backend", "health", "help", "register", "reset", "signup",
        "support", "upload", "robots", "sitemap", "null", "undefined", "root", "system", "www",
        "amberlo", "lexportal",
    }
)


def contact_url(contact_id: int) -> str:
    return f"/contacts/{contact_id}"


def matter_url(matter_id: int) -> str:
    return f"/matters/{matter_id}"


def dev_mail_url(message_id: int) -> str:
    return f"/dev/mail/{message_id}"


def portal_url(address: str, page: str = "") -> str:
    """Path of a portal page: portal_url("nowak") → /portal/nowak, ("nowak", "invoices")."""
    return f"/portal/{address}" + (f"/{page}" if page else "")


def portal_link(address: str) -> str:
    """Absolute link shown to the admin and sent to clients."""
    return base_url() + portal_url(address)


def invite_link(address: str, token: str) -> str:
    return base_url() + portal_url(address, f"invite/{token}")


def agreement_document_url(agreement_id: int) -> str:
    """Backend address of an agreement's document (the portal session cookie travels with it)."""
    return api_url() + DOCUMENTS_PREFIX + str(agreement_id)


def logo_link(logo_file: str) -> str:
    """Absolute address of a stored logo (e-mails need absolute links)."""
    return api_url() + logo_path(logo_file)


def logo_path(logo_file: str) -> str:
    return "/_upload/" + logo_upload_name(logo_file)


def logo_upload_name(logo_file: str) -> str:
    """Path of a logo inside the public upload folder (what rx.get_upload_url takes)."""
    return f"logos/{logo_file}"


def invoice_url(invoice_id: int) -> str:
    return f"/invoices/{invoice_id}"


def preview_url(recipient_id: int) -> str:
    return f"/preview/{recipient_id}"


def staff_document_url(agreement_id: int) -> str:
    return api_url() + STAFF_DOCUMENTS_PREFIX + str(agreement_id)
