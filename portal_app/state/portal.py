"""The client's portal: branding by address, invitation and registration, sign-in, the pages (CP-4, CP-5)."""

import asyncio
import json
from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from portal_app import routes
from portal_app.db import session_scope
from portal_app.i18n import format_date, format_hours, format_money
from portal_app.mail.sender import deliver_due
from portal_app.services import client_portal, identity, password_reset
from portal_app.services.errors import FieldErrors, ServiceError
from portal_app.services.identity import PortalIdentity
from portal_app.services.portal_settings import PortalBrand, brand_for_address, switched_off_brand
from portal_app.services.sharing import resolve_invitation
from portal_app.state.base import AppState

SESSION_COOKIE = "portal_client_session"


@dataclass(frozen=True)
class CardOption:
    """One entry of the client/matter switcher."""

    value: str
    label: str
    kind: str


def _is_form(form_data) -> bool:
    """Browser forms send a dict; anything else (a forged call) is ignored quietly."""
    return isinstance(form_data, dict)


class PortalState(AppState):
    """Branding of the portal at `address` and the signed-in client, if any."""

    portal_token: str = rx.Cookie("", name=SESSION_COOKIE, same_site="lax", max_age=12 * 3600)
    portal_found: bool = True
    portal_closed: bool = False
    brand_loaded: bool = False
    company_name: str = ""
    contact_email: str = ""
    logo_url: str = ""
    portal_address: str = ""
    signed_in: bool = False
    user_name: str = ""
    card_filter: str = "all"
    card_options: list[CardOption] = []

    def _brand(self) -> PortalBrand | None:
        with session_scope() as session:
            return brand_for_address(session, self.address)

    def _show_brand(self, brand: PortalBrand | None) -> None:
        self.brand_loaded = True
        self.portal_found = brand is not None
        if brand is None:
            with session_scope() as session:
                closed = switched_off_brand(session, self.address)
            self.portal_closed = closed is not None
            self.company_name = closed.company_name if closed else ""
            self.contact_email = closed.contact_email if closed else ""
            self.logo_url = self.portal_address = ""
            return
        self.portal_closed = False
        self.company_name = brand.company_name
        self.contact_email = brand.contact_email
        self.logo_url = routes.logo_upload_name(brand.logo_file) if brand.logo_file else ""
        self.portal_address = brand.address

    def _client(self) -> tuple[PortalBrand, PortalIdentity] | None:
        """The signed-in client of *this* portal, re-checked for every event."""
        brand = self._brand()
        if brand is None:
            return None
        with session_scope() as session:
            user = identity.portal_user_for_token(session, self.portal_token)
        if user is None or user.firm_id != brand.firm_id:
            return None
        return brand, user

    def _to_login(self):
        self.signed_in = False
        return rx.redirect(routes.portal_url(self.address or ""))

    def _scope(self, session, user: PortalIdentity) -> client_portal.Scope:
        """The switcher's choice, re-validated: a card no longer shared falls back to everything."""
        try:
            return client_portal.scope_for(session, user, self.card_filter)
        except ServiceError:
            self.card_filter = "all"
            return client_portal.EVERYTHING

    @rx.event
    def require_client(self):
        """on_load guard of the signed-in portal pages."""
        brand = self._brand()
        self._show_brand(brand)
        found = self._client() if brand else None
        if found is None:
            return self._to_login()
        _brand, user = found
        self.signed_in = True
        self.lang = user.language
        self.user_name = f"{user.first_name} {user.last_name}"
        with session_scope() as session:
            choices = client_portal.card_choices(session, user)
        self.card_options = [CardOption(c.value, c.label, c.kind) for c in choices]
        if self.card_filter not in {c.value for c in choices}:
            self.card_filter = "all"

    @rx.event
    def narrow(self, value: str):
        """The switcher: narrow every page to one shared client or matter ("all" for everything)."""
        found = self._client()
        if found is None:
            return self._to_login()
        _brand, user = found
        value = value if isinstance(value, str) and value else "all"
        with session_scope() as session:
            try:
                client_portal.scope_for(session, user, value)
            except ServiceError:
                return None
        self.card_filter = value
        page = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        refresh = _PAGE_REFRESH.get(page)
        return refresh() if refresh else None

    @rx.event
    async def log_out(self):
        """End the session on the server, forget every client datum, and reload as a stranger."""
        with session_scope() as session:
            identity.end_session(session, self.portal_token)
        address = self.portal_address or self.address
        for page_state in (DashboardState, InvoicesState, TimeEntriesState, AgreementsState, AccountState):
            (await self.get_state(page_state)).reset()
        self.reset()
        self.portal_token = ""
        yield rx.remove_cookie(SESSION_COOKIE)
        yield rx.clear_local_storage()
        yield rx.clear_session_storage()
        yield rx.call_script(f"window.location.replace({json.dumps(routes.portal_url(address))})")


class PortalLoginState(PortalState):
    error: str = ""
    busy: bool = False
    prefill_email: str = ""

    @rx.event
    def load(self):
        brand = self._brand()
        self._show_brand(brand)
        self.error = ""
        if brand is not None:
            self.lang = self.lang if self.signed_in else brand.language
            if self._client() is not None:
                return rx.redirect(routes.portal_url(brand.address, "dashboard"))

    @rx.event(background=True)
    async def log_in(self, form_data: dict):
        if not _is_form(form_data):
            return
        async with self:
            if self.busy:
                return
            self.busy, self.error = True, ""
            address = self.address
            client_ip = self.router.session.client_ip
        email = str(form_data.get("email", ""))[:320]
        password = str(form_data.get("password", ""))[:1000]

        def work():
            with session_scope() as session:
                brand = brand_for_address(session, address)
                if brand is None:
                    raise ServiceError("portal.not_found")
                user_id = client_portal.login(session, brand, email, password, client_ip=client_ip)
                return brand, identity.start_session(session, portal_user_id=user_id)

        try:
            brand, token = await asyncio.to_thread(work)
        except ServiceError as exc:
            async with self:
                self.busy = False
                self.error = self._msg(exc.key, **exc.params)
            if exc.key == "login.locked":
                await asyncio.to_thread(deliver_due)  # the unlock link, without waiting for the worker
            return
        async with self:
            self.busy = False
            self.portal_token = token
        return rx.redirect(routes.portal_url(brand.address, "dashboard"))


class InviteState(PortalState):
    """The e-mail button's landing page: registration, login, or a clear dead-end page."""

    invite_state: str = ""
    email: str = ""
    card_label: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""
    busy: bool = False
    timezone: str = "UTC"

    @rx.event
    def load(self):
        brand = self._brand()
        self._show_brand(brand)
        self.errors, self.form_error = {}, ""
        if brand is None:
            self.invite_state = "invalid"
            return
        self.lang = brand.language
        with session_scope() as session:
            view = resolve_invitation(session, brand.firm_id, self.token)
        self.invite_state = view.state
        self.email = view.email if view.state in ("register", "login") else ""
        if view.state == "login":
            found = self._client()
            if found is not None and found[1].email == view.email:
                return rx.redirect(routes.portal_url(brand.address, "dashboard"))
        if view.state == "register":
            return rx.call_script(
                "Intl.DateTimeFormat().resolvedOptions().timeZone", callback=InviteState.set_browser_timezone
            )

    @rx.event
    def set_browser_timezone(self, value: str):
        if isinstance(value, str) and value in client_portal.TIMEZONES:
            self.timezone = value

    @rx.event(background=True)
    async def register(self, form_data: dict):
        if not _is_form(form_data):
            return
        async with self:
            if self.busy:
                return
            self.busy, self.form_error = True, ""
            address, token, lang = self.address, self.token, self.lang

        def text(name: str, limit: int = 1000) -> str:
            return str(form_data.get(name, ""))[:limit]

        def work():
            with session_scope() as session:
                brand = brand_for_address(session, address)
                if brand is None:
                    raise ServiceError("portal.not_found")
                user_id = client_portal.register(
                    session, brand, token, first_name=text("first_name"), last_name=text("last_name"),
                    password=text("password"), password_repeat=text("password_repeat"),
                    timezone=text("timezone", 64), language=lang,
                )
                return brand, identity.start_session(session, portal_user_id=user_id)

        try:
            brand, session_token = await asyncio.to_thread(work)
        except FieldErrors as exc:
            async with self:
                self.busy = False
                self.errors = self._field_errors(exc.fields)
                self.form_error = self._msg(exc.key)
            return
        except ServiceError as exc:
            async with self:
                self.busy = False
                self.errors = {}
                state = exc.key.removeprefix("invite.")
                if state in ("login", "expired", "revoked", "invalid"):
                    # The link was used (or ended) meanwhile, e.g. in another browser: show its page.
                    self.invite_state, self.form_error = state, ""
                else:
                    self.form_error = self._msg(exc.key)
            return
        async with self:
            self.busy = False
            self.portal_token = session_token
        return rx.redirect(routes.portal_url(brand.address, "dashboard"))


@dataclass(frozen=True)
class MoneyLine:
    currency: str
    amount: str


class DashboardState(PortalState):
    hours_total: str = ""
    hours_month: str = ""
    pending: list[MoneyLine] = []
    overdue: list[MoneyLine] = []
    loaded: bool = False

    @rx.event
    def load(self):
        found = self._client()
        if found is None:
            return self._to_login()
        _brand, user = found
        with session_scope() as session:
            d = client_portal.dashboard(session, user, scope=self._scope(session, user))
        lang = user.language
        self.hours_total = format_hours(d.minutes_total, lang)
        self.hours_month = format_hours(d.minutes_this_month, lang)
        self.pending = [MoneyLine(c, format_money(v, c, lang)) for c, v in d.pending.items()]
        self.overdue = [MoneyLine(c, format_money(v, c, lang)) for c, v in d.overdue.items()]
        self.loaded = True

    @rx.event
    def refresh(self):
        return DashboardState.load


@dataclass(frozen=True)
class InvoiceItem:
    id: int
    number: str
    type: str
    status: str
    client: str
    matter: str
    issued: str
    due: str
    total: str
    outstanding: str
    overdue: bool


@dataclass(frozen=True)
class TimeItem:
    id: int
    date: str
    client: str
    matter: str
    description: str
    hours: str


@dataclass(frozen=True)
class AgreementItem:
    id: int
    title: str
    client: str
    matter: str
    fee: str
    signed: str
    valid_until: str
    document_url: str


class PortalListState(PortalState):
    """Paging, sorting and the status filter shared by the three lists; SORTS lists the allowed orders."""

    SORTS: ClassVar[tuple[str, ...]] = ()
    page: int = 0
    pages: int = 1
    total: int = 0
    sort: str = "date_desc"
    status: str = "all"
    loaded: bool = False

    def _paged(self, total: int) -> None:
        self.total = total
        self.pages = max(1, -(-total // client_portal.PAGE_SIZE))
        self.page = min(self.page, self.pages - 1)
        self.loaded = True

    # Reflex runs an event handler on the state class that defines it, so each list declares its
    # own load/refresh/go/sort_by handlers, which call these helpers on the list's own instance.
    def _load(self):
        raise NotImplementedError

    def _refresh(self):
        self.page = 0
        return self._load()

    def _go(self, delta: int):
        self.page = min(max(0, self.page + (1 if delta == 1 else -1)), self.pages - 1)
        return self._load()

    def _sort_by(self, value: str):
        if isinstance(value, str) and value in self.SORTS:
            self.sort, self.page = value, 0
        return self._load()


class InvoicesState(PortalListState):
    SORTS: ClassVar[tuple[str, ...]] = tuple(client_portal.INVOICE_SORTS)
    rows: list[InvoiceItem] = []

    @rx.event
    def load(self):
        return self._load()

    @rx.event
    def refresh(self):
        """After the switcher changed: back to the first page."""
        return self._refresh()

    @rx.event
    def go(self, delta: int):
        return self._go(delta)

    @rx.event
    def sort_by(self, value: str):
        return self._sort_by(value)

    def _load(self):
        found = self._client()
        if found is None:
            return self._to_login()
        _brand, user = found
        lang = user.language
        with session_scope() as session:
            rows, total = client_portal.invoices(
                session, user, self.page, scope=self._scope(session, user), sort=self.sort,
                status="" if self.status == "all" else self.status,
            )
        self.rows = [
            InvoiceItem(
                id=r.id, number=r.number, type=self._msg(f"invoice.type.{r.type}"),
                status=self._msg(f"invoice.status.{r.status}"), client=r.client, matter=r.matter,
                issued=format_date(r.issue_date, lang), due=format_date(r.due_date, lang),
                total=format_money(r.total_minor, r.currency, lang),
                outstanding=format_money(r.outstanding_minor, r.currency, lang), overdue=r.overdue,
            )
            for r in rows
        ]
        self._paged(total)

    @rx.event
    def filter_status(self, value: str):
        if isinstance(value, str) and (value == "all" or value in client_portal.INVOICE_STATUS_FILTERS):
            self.status, self.page = value, 0
        return self._load()


class TimeEntriesState(PortalListState):
    SORTS: ClassVar[tuple[str, ...]] = tuple(client_portal.TIME_SORTS)
    rows: list[TimeItem] = []

    @rx.event
    def load(self):
        return self._load()

    @rx.event
    def refresh(self):
        """After the switcher changed: back to the first page."""
        return self._refresh()

    @rx.event
    def go(self, delta: int):
        return self._go(delta)

    @rx.event
    def sort_by(self, value: str):
        return self._sort_by(value)

    def _load(self):
        found = self._client()
        if found is None:
            return self._to_login()
        _brand, user = found
        with session_scope() as session:
            rows, total = client_portal.time_entries(
                session, user, self.page, scope=self._scope(session, user), sort=self.sort
            )
        self.rows = [
            TimeItem(id=r.id, date=format_date(r.work_date, user.language), client=r.client, matter=r.matter,
                     description=r.description, hours=format_hours(r.minutes, user.language))
            for r in rows
        ]
        self._paged(total)


class AgreementsState(PortalListState):
    SORTS: ClassVar[tuple[str, ...]] = tuple(client_portal.AGREEMENT_SORTS)
    rows: list[AgreementItem] = []

    @rx.event
    def load(self):
        return self._load()

    @rx.event
    def refresh(self):
        """After the switcher changed: back to the first page."""
        return self._refresh()

    @rx.event
    def go(self, delta: int):
        return self._go(delta)

    @rx.event
    def sort_by(self, value: str):
        return self._sort_by(value)

    def _load(self):
        found = self._client()
        if found is None:
            return self._to_login()
        _brand, user = found
        lang = user.language
        with session_scope() as session:
            rows, total = client_portal.agreements(
                session, user, self.page, scope=self._scope(session, user), sort=self.sort
            )
        self.rows = [
            AgreementItem(id=r.id, title=r.title, client=r.client, matter=r.matter,
                          fee=self._msg(f"fee.{r.fee_arrangement}"), signed=format_date(r.signed_on, lang),
                          valid_until=format_date(r.valid_until, lang),
                          document_url=routes.agreement_document_url(r.id) if r.has_document else "")
            for r in rows
        ]
        self._paged(total)


_PAGE_REFRESH = {
    "dashboard": DashboardState.refresh,
    "invoices": InvoicesState.refresh,
    "time-entries": TimeEntriesState.refresh,
    "agreements": AgreementsState.refresh,
}


class AccountState(PortalState):
    first_name: str = ""
    last_name: str = ""
    language: str = "pl"
    timezone: str = "UTC"
    errors: dict[str, str] = {}
    profile_message: str = ""
    password_message: str = ""
    busy: bool = False

    @rx.event
    def load(self):
        found = self._client()
        if found is None:
            return self._to_login()
        _brand, user = found
        self.first_name, self.last_name = user.first_name, user.last_name
        self.language, self.timezone = user.language, user.timezone
        self.errors, self.profile_message, self.password_message = {}, "", ""

    @rx.event
    def save_profile(self, form_data: dict):
        if not _is_form(form_data):
            return
        found = self._client()
        if found is None:
            return self._to_login()
        _brand, user = found
        first = str(form_data.get("first_name", ""))[:1000]
        last = str(form_data.get("last_name", ""))[:1000]
        language = str(form_data.get("language", ""))[:5]
        tz = str(form_data.get("timezone", ""))[:64]
        try:
            with session_scope() as session:
                client_portal.update_profile(session, user, first_name=first, last_name=last, language=language, timezone=tz)
        except FieldErrors as exc:
            self.errors = self._field_errors(exc.fields)
            return
        self.errors = {}
        self.first_name, self.last_name, self.language, self.timezone = first.strip(), last.strip(), language, tz
        self.lang = language
        self.user_name = f"{first.strip()} {last.strip()}"
        self.profile_message = self._msg("common.saved")

    @rx.event(background=True)
    async def change_password(self, form_data: dict):
        if not _is_form(form_data):
            return
        async with self:
            found = self._client()
            if found is None or self.busy:
                return
            self.busy, self.password_message = True, ""
            token = self.portal_token
        brand, user = found

        def text(name: str) -> str:
            return str(form_data.get(name, ""))[:1000]

        def work():
            with session_scope() as session:
                client_portal.change_password(
                    session, user, (brand.company_name, brand.address), current=text("current_password"),
                    new=text("new_password"), repeat=text("new_password_repeat"),
                )
                identity.end_other_sessions(session, portal_user_id=user.user_id, keep_token=token)

        try:
            await asyncio.to_thread(work)
        except FieldErrors as exc:
            async with self:
                self.busy = False
                self.errors = self._field_errors(exc.fields)
            return
        async with self:
            self.busy = False
            self.errors = {}
            self.password_message = self._msg("account.password_changed")
        return rx.set_value("current_password", "")


class ForgotPasswordState(PortalState):
    """Ask for a reset link: the same answer whether or not the address has an account."""

    sent: bool = False
    busy: bool = False

    @rx.event
    def load(self):
        brand = self._brand()
        self._show_brand(brand)
        self.sent = self.busy = False
        if brand is not None and not self.signed_in:
            self.lang = brand.language

    @rx.event(background=True)
    async def request_link(self, form_data: dict):
        if not _is_form(form_data):
            return
        async with self:
            if self.busy:
                return
            self.busy = True
            address = self.address
        email = str(form_data.get("email", ""))[:320]

        def work():
            with session_scope() as session:
                brand = brand_for_address(session, address)
                if brand is not None:
                    password_reset.request_reset(session, brand, email)
            deliver_due()

        await asyncio.to_thread(work)
        async with self:
            self.busy, self.sent = False, True


class ResetPasswordState(PortalState):
    """The e-mailed link: set a new password, sign out every session, and sign in here."""

    link_ok: bool = False
    reset_email: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""
    busy: bool = False

    @rx.event
    def load(self):
        brand = self._brand()
        self._show_brand(brand)
        self.errors, self.form_error, self.busy = {}, "", False
        if brand is None:
            self.link_ok, self.reset_email = False, ""
            return
        with session_scope() as session:
            email = password_reset.link_email(session, brand, self.token)
        self.link_ok, self.reset_email = email is not None, email or ""

    @rx.event(background=True)
    async def set_new_password(self, form_data: dict):
        if not _is_form(form_data):
            return
        async with self:
            if self.busy:
                return
            self.busy, self.form_error = True, ""
            address, token = self.address, self.token

        def work():
            with session_scope() as session:
                brand = brand_for_address(session, address)
                if brand is None:
                    raise ServiceError("portal.not_found")
                user_id = password_reset.reset_password(
                    session, brand, token, new=str(form_data.get("new_password", ""))[:1000],
                    repeat=str(form_data.get("new_password_repeat", ""))[:1000],
                )
                return brand, identity.start_session(session, portal_user_id=user_id)

        try:
            brand, session_token = await asyncio.to_thread(work)
        except FieldErrors as exc:
            async with self:
                self.busy = False
                self.errors = self._field_errors(exc.fields)
            return
        except ServiceError as exc:
            async with self:
                self.busy, self.errors, self.link_ok = False, {}, exc.key != "reset.invalid" and self.link_ok
                self.form_error = self._msg(exc.key)
            return
        async with self:
            self.busy = False
            self.portal_token = session_token
        return rx.redirect(routes.portal_url(brand.address, "dashboard"))
