"""The client's portal: branding by address, invitation and registration, sign-in, the pages (CP-4, CP-5)."""

import asyncio
from dataclasses import dataclass

import reflex as rx

from portal_app import routes
from portal_app.db import session_scope
from portal_app.i18n import format_date, format_hours, format_money
from portal_app.services import client_portal, identity
from portal_app.services.errors import FieldErrors, ServiceError
from portal_app.services.identity import PortalIdentity
from portal_app.services.portal_settings import PortalBrand, brand_for_address
from portal_app.services.sharing import resolve_invitation
from portal_app.state.base import AppState

SESSION_COOKIE = "portal_client_session"


class PortalState(AppState):
    """Branding of the portal at `address` and the signed-in client, if any."""

    portal_token: str = rx.Cookie("", name=SESSION_COOKIE, same_site="lax", max_age=12 * 3600)
    portal_found: bool = True
    brand_loaded: bool = False
    company_name: str = ""
    contact_email: str = ""
    logo_url: str = ""
    portal_address: str = ""
    signed_in: bool = False
    user_name: str = ""

    def _brand(self) -> PortalBrand | None:
        with session_scope() as session:
            return brand_for_address(session, self.address)

    def _show_brand(self, brand: PortalBrand | None) -> None:
        self.brand_loaded = True
        self.portal_found = brand is not None
        if brand is None:
            self.company_name = self.contact_email = self.logo_url = self.portal_address = ""
            return
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

    @rx.event
    def log_out(self):
        with session_scope() as session:
            identity.end_session(session, self.portal_token)
        address = self.portal_address or self.address
        self.portal_token = ""
        yield rx.remove_cookie(SESSION_COOKIE)
        yield rx.clear_local_storage()
        self.reset()
        yield rx.redirect(routes.portal_url(address))


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
        async with self:
            if self.busy:
                return
            self.busy, self.error = True, ""
            address = self.address
        email = str(form_data.get("email", ""))[:320]
        password = str(form_data.get("password", ""))[:1000]

        def work():
            with session_scope() as session:
                brand = brand_for_address(session, address)
                if brand is None:
                    raise ServiceError("portal.not_found")
                user_id = client_portal.login(session, brand, email, password)
                return brand, identity.start_session(session, portal_user_id=user_id)

        try:
            brand, token = await asyncio.to_thread(work)
        except ServiceError as exc:
            async with self:
                self.busy = False
                self.error = self._msg(exc.key)
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
            d = client_portal.dashboard(session, user)
        lang = user.language
        self.hours_total = format_hours(d.minutes_total, lang)
        self.hours_month = format_hours(d.minutes_this_month, lang)
        self.pending = [MoneyLine(c, format_money(v, c, lang)) for c, v in d.pending.items()]
        self.overdue = [MoneyLine(c, format_money(v, c, lang)) for c, v in d.overdue.items()]
        self.loaded = True


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


class PortalListState(PortalState):
    """Paging shared by the three lists."""

    page: int = 0
    pages: int = 1
    loaded: bool = False

    def _paged(self, total: int) -> None:
        self.pages = max(1, -(-total // client_portal.PAGE_SIZE))
        self.loaded = True


class InvoicesState(PortalListState):
    rows: list[InvoiceItem] = []

    @rx.event
    def load(self):
        found = self._client()
        if found is None:
            return self._to_login()
        _brand, user = found
        lang = user.language
        with session_scope() as session:
            rows, total = client_portal.invoices(session, user, self.page)
        self.rows = [
            InvoiceItem(
                id=r.id, number=r.number, type=self._msg(f"invoice.type.{r.type}"),
                status=self._msg(f"invoice.status.{r.status}"), client=r.client, matter=r.matter,
                issued=format_date(r.issue_date, lang), due=format_date(r.due_date, lang),
                total=format_money(r.total_minor, r.currency, lang),
                outstanding=format_money(r.total_minor - r.paid_minor, r.currency, lang), overdue=r.overdue,
            )
            for r in rows
        ]
        self._paged(total)

    @rx.event
    def go(self, delta: int):
        self.page = min(max(0, self.page + (1 if delta == 1 else -1)), self.pages - 1)
        return InvoicesState.load


class TimeEntriesState(PortalListState):
    rows: list[TimeItem] = []

    @rx.event
    def load(self):
        found = self._client()
        if found is None:
            return self._to_login()
        _brand, user = found
        with session_scope() as session:
            rows, total = client_portal.time_entries(session, user, self.page)
        self.rows = [
            TimeItem(id=r.id, date=format_date(r.work_date, user.language), client=r.client, matter=r.matter,
                     description=r.description, hours=format_hours(r.minutes, user.language))
            for r in rows
        ]
        self._paged(total)

    @rx.event
    def go(self, delta: int):
        self.page = min(max(0, self.page + (1 if delta == 1 else -1)), self.pages - 1)
        return TimeEntriesState.load


class AgreementsState(PortalListState):
    rows: list[AgreementItem] = []

    @rx.event
    def load(self):
        found = self._client()
        if found is None:
            return self._to_login()
        _brand, user = found
        lang = user.language
        with session_scope() as session:
            rows, total = client_portal.agreements(session, user, self.page)
        self.rows = [
            AgreementItem(id=r.id, title=r.title, client=r.client, matter=r.matter,
                          fee=self._msg(f"fee.{r.fee_arrangement}"), signed=format_date(r.signed_on, lang),
                          valid_until=format_date(r.valid_until, lang))
            for r in rows
        ]
        self._paged(total)

    @rx.event
    def go(self, delta: int):
        self.page = min(max(0, self.page + (1 if delta == 1 else -1)), self.pages - 1)
        return AgreementsState.load


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
