"""The app and its route table: every page, its title and its on_load chain, in one place."""

import asyncio
import logging

import reflex as rx

from portal_app import log_bound, routes, tab_reconnect
from portal_app.components.document import titled
from portal_app.config import mail_poll_seconds
from portal_app.downloads import serve_documents
from portal_app.event_errors import handle_backend_exception
from portal_app.http import limit_upload_size
from portal_app.mail.sender import deliver_soon
from portal_app.pages import audit_log, dev_mail, home, portal, settings, staff, workspace_invoice, workspace_preview
from portal_app.staff_documents import serve_staff_documents
from portal_app.static_cache import cache_static_files
from portal_app.state.audit_log import AuditLogState
from portal_app.state.cards import CardState, ContactsState, MattersState, ShareState
from portal_app.state.dev_mail import DevMailState
from portal_app.state.portal import (
    AccountState,
    AgreementsState,
    DashboardState,
    ForgotPasswordState,
    InviteState,
    InvoicesState,
    PortalLoginState,
    PortalState,
    ResetPasswordState,
    TimeEntriesState,
)
from portal_app.state.settings import PortalSettingsState
from portal_app.state.staff import EndedSessionCheck, StaffState
from portal_app.state.workspace import TimeState
from portal_app.state.workspace_agreements import AgreementsCardState
from portal_app.state.workspace_billing import CardInvoicesState, InvoicePageState
from portal_app.state.workspace_preview import PreviewState

log_bound.install()  # before anything can log a stranger's payload
log = logging.getLogger("portal_app.mail")


async def mail_worker():
    """Deliver queued and retried e-mails in the background, off the event loop."""
    while True:
        try:
            await deliver_soon()
        except Exception:  # noqa: BLE001 - the worker must outlive a bad database moment
            log.exception("mail delivery round failed")
        await asyncio.sleep(mail_poll_seconds())


app = rx.App(
    api_transformer=[limit_upload_size, serve_documents, serve_staff_documents, cache_static_files],
    head_components=[rx.el.link(rel="icon", href="/favicon.ico")],
    backend_exception_handler=handle_backend_exception,
)
app.register_lifespan_task(mail_worker)
tab_reconnect.install(app)
app.add_middleware(EndedSessionCheck(StaffState, PortalState))  # an ended session's data is not re-sent on reconnect

guard = StaffState.require_staff
portal_guard = PortalState.require_client

app.add_page(home.home_page, route=routes.HOME, title="Lexportal — Client Portal")
app.add_page(titled(staff.login_page, "login.submit"), route=routes.LOGIN, title="Log in · Lexportal", on_load=StaffState.redirect_if_signed_in)
app.add_page(titled(staff.contacts_page, "contacts.title"), route=routes.CONTACTS, title="Contacts · Lexportal", on_load=[guard, ContactsState.load])
app.add_page(titled(staff.contact_page, "card.contact"), route=routes.CONTACT, title="Contact · Lexportal", on_load=[guard, ShareState.close_dialog, CardState.load_contact, CardInvoicesState.load_contact, AgreementsCardState.load_contact])
app.add_page(titled(staff.matters_page, "matters.title"), route=routes.MATTERS, title="Matters · Lexportal", on_load=[guard, MattersState.load])
app.add_page(titled(staff.matter_page, "card.matter"), route=routes.MATTER, title="Matter · Lexportal", on_load=[guard, ShareState.close_dialog, CardState.load_matter, TimeState.load, CardInvoicesState.load_matter, AgreementsCardState.load_matter])
app.add_page(titled(workspace_invoice.invoice_page, "title.invoice"), route=routes.INVOICE, title="Invoice · Lexportal", on_load=[guard, InvoicePageState.load])
app.add_page(titled(workspace_preview.preview_page, "ws.preview.open"), route=routes.PREVIEW, title="View as client · Lexportal", on_load=[guard, PreviewState.load])
app.add_page(titled(settings.client_portal_settings_page, "title.portal_settings"), route=routes.SETTINGS_PORTAL, title="Client Portal settings · Lexportal", on_load=[guard, PortalSettingsState.load])
app.add_page(titled(audit_log.audit_log_page, "audit.title"), route=routes.SETTINGS_AUDIT_LOG, title="Audit log · Lexportal", on_load=[guard, AuditLogState.open_page])
app.add_page(titled(dev_mail.dev_mail_page, "devmail.title"), route=routes.DEV_MAIL, title="Development mail · Lexportal", on_load=[guard, DevMailState.load_list])
app.add_page(titled(dev_mail.dev_mail_message_page, "title.email"), route=routes.DEV_MAIL_MESSAGE, title="E-mail · Lexportal", on_load=[guard, DevMailState.load_message])

app.add_page(titled(portal.login_page, "title.portal", suffix=""), route=routes.PORTAL_LOGIN, title="Client Portal", on_load=PortalLoginState.load)
app.add_page(titled(portal.invite_page, "title.portal", suffix=""), route=routes.PORTAL_INVITE, title="Client Portal", on_load=InviteState.load)
app.add_page(titled(portal.forgot_password_page, "forgot.title", "title.portal"), route=routes.PORTAL_FORGOT, title="Reset password · Client Portal", on_load=ForgotPasswordState.load)
app.add_page(titled(portal.reset_password_page, "reset.title", "title.portal"), route=routes.PORTAL_RESET, title="Set a new password · Client Portal", on_load=ResetPasswordState.load)
app.add_page(titled(portal.dashboard_page, "portal.menu.dashboard", "title.portal"), route=routes.PORTAL_DASHBOARD, title="Dashboard · Client Portal", on_load=DashboardState.load)
app.add_page(titled(portal.invoices_page, "portal.menu.invoices", "title.portal"), route=routes.PORTAL_INVOICES, title="Invoices · Client Portal", on_load=InvoicesState.load)
app.add_page(titled(portal.time_entries_page, "portal.menu.time", "title.portal"), route=routes.PORTAL_TIME, title="Time entries · Client Portal", on_load=TimeEntriesState.load)
app.add_page(titled(portal.agreements_page, "portal.menu.agreements", "title.portal"), route=routes.PORTAL_AGREEMENTS, title="Agreements · Client Portal", on_load=AgreementsState.load)
app.add_page(titled(portal.account_page, "account.title", "title.portal"), route=routes.PORTAL_ACCOUNT, title="Account · Client Portal", on_load=[portal_guard, AccountState.load])
app.add_page(titled(portal.not_found_page, "not_found.title"), route=rx.constants.Page404.SLUG, title="Page not found · Lexportal", on_load=portal.NotFoundState.load)
