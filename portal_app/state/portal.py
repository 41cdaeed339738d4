"""The client's portal: branding by address, invitation and registration, sign-in, the pages (CP-4, CP-5)."""

import asyncio
import json
import re
from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from portal_app import routes
from portal_app.config import secure_cookies
from portal_app.db import session_scope
from portal_app.i18n import LANGUAGES, format_date, format_hours, format_money
from portal_app.mail.sender import deliver_soon
from portal_app.services import client_portal, identity, password_reset
from portal_app.services.errors import FieldErrors, ServiceError
from portal_app.services.identity import PortalIdentity
from portal_app.services.portal_settings import PortalBrand, brand_for_address, switched_off_brand
from portal_app.services.sharing import InvitationView, resolve_invitation
from portal_app.state.base import AppState, password_work
from portal_app.state.staff import StaffState

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

    portal_token: str = rx.Cookie(
        "", name=SESSION_COOKIE, same_site="lax", max_age=12 * 3600, secure=secure_cookies()
    )
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
    _brand_language_for: str = ""
    _browser_language_pending: bool = False
    _invited_email: str = ""
    _invited_card: str = ""

    def _show_brand(self, brand: PortalBrand | None, closed: PortalBrand | None = None) -> None:
        """Show the portal's branding; `closed` is the switched-off portal at this address, if any."""
        if brand is None:
            self._assign(
                brand_loaded=True, portal_found=False, portal_closed=closed is not None,
                company_name=closed.company_name if closed else "", contact_email=closed.contact_email if closed else "",
                logo_url="", portal_address="",
            )
            return
        self._assign(
            brand_loaded=True, portal_found=True, portal_closed=False, company_name=brand.company_name,
            contact_email=brand.contact_email, portal_address=brand.address,
            logo_url=routes.logo_upload_name(brand.logo_file) if brand.logo_file else "",
        )

    def _brand_language_once(self, brand: PortalBrand):
        """The browser's language (else the portal's) on a tab's first page of it; then the visitor's choice stands.

        Pages load again whenever the websocket reconnects (a network blip, a worker restart):
        resetting the language there turned an English registration into a Polish account.
        Returns the event that asks the browser, as the time zone is asked for; None after the first page.
        """
        if self._brand_language_for != brand.address:
            self._brand_language_for = brand.address
            self._assign(lang=brand.language)
            return self._ask_browser_language()
        return None

    def _ask_browser_language(self):
        self._browser_language_pending = True
        return rx.call_script("navigator.language", callback=PortalState.set_browser_language)

    @rx.event
    def set_browser_language(self, value: str):
        """The browser's answer (navigator.language), unless the visitor has picked a language meanwhile."""
        if not self._browser_language_pending:
            return
        self._browser_language_pending = False
        primary = value.split("-", 1)[0].lower() if isinstance(value, str) else ""
        if primary in LANGUAGES and not self.signed_in and primary != self.lang:
            old, self.lang = self.lang, primary
            self._say_again(old)

    @rx.event
    def choose_lang(self, lang: str | list[str]):
        """The language switch: the visitor's choice, which a late browser answer must not undo."""
        self._browser_language_pending = False
        if isinstance(lang, str) and lang in LANGUAGES:
            old, self.lang, self._lang_chosen = self.lang, lang, True
            self._say_again(old)

    async def _login_for_invitation(self, address: str, view: InvitationView):
        """A registered person's e-mail button: the login form, then their card.

        The address is not filled in: whoever holds a forwarded or leaked link must not learn who
        has the account. Only this tab's server side keeps which card to open; signed in as that
        person already, the card opens at once.
        """
        card = f"{view.card_kind}:{view.card_id}"
        found = self._client()
        if found is not None and found[1].email == view.email:
            self.card_filter = card
            return rx.redirect(routes.portal_url(address, "dashboard"), replace=True)
        self._invited_email, self._invited_card = view.email, card
        (await self.get_state(PortalLoginState)).from_invitation = True
        return rx.redirect(routes.portal_url(address), replace=True)

    def _open_invited_card(self, email: str) -> None:
        """After a sign-in: narrow to the card of the invitation that led here, if it was this person's."""
        try:
            signed_in_as = identity.canonical_email(email)
        except ServiceError:
            signed_in_as = ""
        if self._invited_card and signed_in_as == self._invited_email:
            self.card_filter = self._invited_card  # re-validated against what is shared by every page load
        self._invited_email = self._invited_card = ""

    def _load_brand(self) -> PortalBrand | None:
        """Look up and show the branding (pages before sign-in; rare, so on the loop)."""
        with session_scope() as session:
            brand = brand_for_address(session, self.address)
            closed = None if brand else switched_off_brand(session, self.address)
        self._show_brand(brand, closed)
        return brand

    def _client(self) -> tuple[PortalBrand, PortalIdentity] | None:
        """The signed-in client of *this* portal, re-checked for every event."""
        with session_scope() as session:
            brand, user = client_portal.visit(session, self.address, self.portal_token)
        return (brand, user) if user is not None else None

    async def _open_page(self, query=None):
        """A signed-in page's whole server side, in one database session off the event loop.

        The portal's branding, the signed-in client, the switcher's cards, the switcher's choice
        re-validated and `query(session, user, scope)`: one event per navigation instead of a
        guard event and a load event, and one client's queries never hold up anyone else's
        events. Returns (user, result), or None when nobody is signed in to this portal.
        """
        address, token, card = self.address, self.portal_token, self.card_filter

        def work():
            with session_scope() as session:
                brand, user = client_portal.visit(session, address, token)
                if user is None:
                    return brand, None if brand else switched_off_brand(session, address), None, [], True, None
                choices = client_portal.card_choices(session, user)
                try:
                    scope, card_ok = client_portal.scope_for(session, user, card, choices), True
                except ServiceError:
                    scope, card_ok = client_portal.EVERYTHING, False
                return brand, None, user, choices, card_ok, query(session, user, scope) if query else None

        brand, closed, user, choices, card_ok, result = await asyncio.to_thread(work)
        self._show_brand(brand, closed)
        if user is None:
            return None
        self._assign(
            signed_in=True, lang=user.language, user_name=f"{user.first_name} {user.last_name}",
            card_options=[CardOption(c.value, c.label, c.kind) for c in choices],
        )
        if not card_ok:
            self.card_filter = "all"  # the card is no longer shared: back to everything
        return user, result

    def _to_login(self):
        """No valid session (or the portal closed): forget what the tab was shown, then the login page."""
        self._forget_client()
        return rx.redirect(routes.portal_url(self.address or ""))

    def _forget_client(self) -> None:
        """Forget the signed-in client and the client pages loaded in this tab, as log_out does.

        The branding and the language stay for the login page. The cookie var stays untouched:
        writing it from a stale tab would overwrite the newer session another tab of the same
        browser may hold. Pages not loaded for this event (Redis) are forgotten by the check at
        the tab's next (re)connect.
        """
        portal = self
        while portal.__class__ is not PortalState:  # __class__: also through a background proxy
            portal = portal.parent_state
        if not (portal.signed_in or portal.portal_token):
            return  # a stranger's tab has held no client's data
        portal._assign(signed_in=False, user_name="", card_filter="all", card_options=[])
        for page_state in CLIENT_PAGES:
            if (page := portal.substates.get(page_state.get_name())) is not None:
                page.reset()

    async def _forget_if_session_ended(self) -> None:
        """At a tab's (re)connect (staff.EndedSessionCheck): drop what an ended session had loaded.

        Ended also means the firm's portal is no longer open (switched off, left Premium).
        """
        if not (self.signed_in or self.portal_token):
            return
        token = self.portal_token

        def ended() -> bool:
            with session_scope() as session:
                return client_portal.signed_in_client(session, token) is None

        if await asyncio.to_thread(ended):
            self._forget_client()

    @rx.event
    async def require_client(self):
        """on_load guard of the signed-in portal pages that load nothing else (the account page)."""
        if await self._open_page() is None:
            return self._to_login()

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
        for page_state in CLIENT_PAGES:
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
    from_invitation: bool = False

    @rx.event
    def load(self):
        brand = self._load_brand()
        self.error = ""
        if brand is not None:
            ask_language = None if self.signed_in else self._brand_language_once(brand)
            if self._client() is not None:
                return rx.redirect(routes.portal_url(brand.address, "dashboard"))
            return ask_language

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
            brand, token = await password_work(work)
        except ServiceError as exc:
            async with self:
                self.busy = False
                self.error = self._msg(exc.key, **exc.params)
            if exc.key == "login.locked":
                await deliver_soon()  # the unlock link, without waiting for the worker
            return
        async with self:
            self.busy = False
            self.portal_token = token
            self._open_invited_card(email)
            self.from_invitation = False
        return rx.redirect(routes.portal_url(brand.address, "dashboard"))


class InviteState(PortalState):
    """The e-mail button's landing page: registration, the login form, or a clear dead-end page."""

    invite_state: str = ""
    email: str = ""
    card_label: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""
    busy: bool = False
    timezone: str = "UTC"

    @rx.event
    async def load(self):
        brand = self._load_brand()
        self.errors, self.form_error = {}, ""
        if brand is None:
            self.invite_state = "invalid"
            return
        ask_language = self._brand_language_once(brand)
        with session_scope() as session:
            view = resolve_invitation(session, brand.firm_id, self.token)
        self.invite_state = view.state
        self.email = view.email if view.state == "register" else ""
        if view.state == "login":
            return [e for e in (ask_language, await self._login_for_invitation(brand.address, view)) if e]
        if view.state == "register":
            return [e for e in (ask_language, rx.call_script(
                "Intl.DateTimeFormat().resolvedOptions().timeZone", callback=InviteState.set_browser_timezone
            )) if e]
        return ask_language

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
            brand, session_token = await password_work(work)
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
            if state == "login":
                return InviteState.load  # the account exists now: on to its login form
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
    async def load(self):
        found = await self._open_page(lambda session, user, scope: client_portal.dashboard(session, user, scope=scope))
        if found is None:
            return self._to_login()
        user, d = found
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


class PortalList(rx.State, mixin=True):
    """Paging, sorting and the status filter of the three lists; SORTS lists the allowed orders.

    A mixin, so that each list gets its own copy of these vars and handlers (Reflex runs an
    inherited handler on the state class that declares it). Each list supplies `_query` and `_item`.
    """

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

    def _query(self):
        """This page's `query(session, user, scope)`, with the tab's paging read now: it runs on a thread."""
        raise NotImplementedError

    def _item(self, row, lang: str):
        """One row as the page shows it."""
        raise NotImplementedError

    async def _load(self):
        found = await self._open_page(self._query())
        if found is None:
            return self._to_login()
        user, (rows, total) = found
        self.rows = [self._item(r, user.language) for r in rows]
        self._paged(total)

    @rx.event
    async def load(self):
        return await self._load()

    @rx.event
    async def refresh(self):
        """After the switcher changed: back to the first page."""
        self.page = 0
        return await self._load()

    @rx.event
    async def go(self, delta: int):
        self.page = min(max(0, self.page + (1 if delta == 1 else -1)), self.pages - 1)
        return await self._load()

    @rx.event
    async def sort_by(self, value: str):
        if isinstance(value, str) and value in self.SORTS:
            self.sort, self.page = value, 0
        return await self._load()


class InvoicesState(PortalList, PortalState):
    SORTS: ClassVar[tuple[str, ...]] = tuple(client_portal.INVOICE_SORTS)
    rows: list[InvoiceItem] = []

    def _query(self):
        page, sort, status = self.page, self.sort, "" if self.status == "all" else self.status
        return lambda session, user, scope: client_portal.invoices(session, user, page, scope=scope, sort=sort, status=status)

    def _item(self, r, lang: str) -> InvoiceItem:
        return InvoiceItem(
            id=r.id, number=r.number, type=self._msg(f"invoice.type.{r.type}"),
            status=self._msg(f"invoice.status.{r.status}"), client=r.client, matter=r.matter,
            issued=format_date(r.issue_date, lang), due=format_date(r.due_date, lang),
            total=format_money(r.total_minor, r.currency, lang),
            outstanding=format_money(r.outstanding_minor, r.currency, lang), overdue=r.overdue,
        )

    @rx.event
    async def filter_status(self, value: str):
        if isinstance(value, str) and (value == "all" or value in client_portal.INVOICE_STATUS_FILTERS):
            self.status, self.page = value, 0
        return await self._load()


class TimeEntriesState(PortalList, PortalState):
    SORTS: ClassVar[tuple[str, ...]] = tuple(client_portal.TIME_SORTS)
    rows: list[TimeItem] = []

    def _query(self):
        page, sort = self.page, self.sort
        return lambda session, user, scope: client_portal.time_entries(session, user, page, scope=scope, sort=sort)

    def _item(self, r, lang: str) -> TimeItem:
        return TimeItem(id=r.id, date=format_date(r.work_date, lang), client=r.client, matter=r.matter,
                        description=r.description, hours=format_hours(r.minutes, lang))


class AgreementsState(PortalList, PortalState):
    SORTS: ClassVar[tuple[str, ...]] = tuple(client_portal.AGREEMENT_SORTS)
    rows: list[AgreementItem] = []

    def _query(self):
        page, sort = self.page, self.sort
        return lambda session, user, scope: client_portal.agreements(session, user, page, scope=scope, sort=sort)

    def _item(self, r, lang: str) -> AgreementItem:
        return AgreementItem(id=r.id, title=r.title, client=r.client, matter=r.matter,
                             fee=self._msg(f"fee.{r.fee_arrangement}"), signed=format_date(r.signed_on, lang),
                             valid_until=format_date(r.valid_until, lang),
                             document_url=routes.agreement_document_url(r.id) if r.has_document else "")


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
            await password_work(work)
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


# The pages that show a signed-in client's data: forgotten on log-out and when the session is over.
CLIENT_PAGES = (DashboardState, InvoicesState, TimeEntriesState, AgreementsState, AccountState)


class ForgotPasswordState(PortalState):
    """Ask for a reset link: the same answer whether or not the address has an account."""

    sent: bool = False
    busy: bool = False
    email_error: str = ""

    @rx.event
    def load(self):
        brand = self._load_brand()
        self.sent = self.busy = False
        self.email_error = ""
        if brand is not None and not self.signed_in:
            return self._brand_language_once(brand)

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
        try:
            identity.canonical_email(email)  # a mistyped address would wait for a mail that never comes
        except ServiceError as exc:
            async with self:
                self.busy, self.email_error = False, self._msg(exc.key)
            return
        async with self:
            self.email_error = ""

        def work():
            with session_scope() as session:
                brand = brand_for_address(session, address)
                if brand is not None:
                    password_reset.request_reset(session, brand, email)

        await asyncio.to_thread(work)
        async with self:
            self.busy, self.sent = False, True
        await deliver_soon()  # after the answer: its timing must not tell whether the account exists


class ResetPasswordState(PortalState):
    """The e-mailed link: set a new password, sign out every session, and sign in here."""

    link_ok: bool = False
    reset_email: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""
    busy: bool = False

    @rx.event
    def load(self):
        brand = self._load_brand()
        self.errors, self.form_error, self.busy = {}, "", False
        if brand is None:
            self.link_ok, self.reset_email = False, ""
            return
        with session_scope() as session:
            email = password_reset.link_email(session, brand, self.token)
        self.link_ok, self.reset_email = email is not None, email or ""
        if not self.signed_in:
            return self._brand_language_once(brand)

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
            brand, session_token = await password_work(work)
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


class NotFoundState(PortalState):
    """The 404 page: in the language this tab already speaks, else in the browser's.

    Under a portal's address (`/portal/<address>/…`, a mistyped link of a client, perhaps in a new
    tab) it wears that portal's branding and leads back to it, in the signed-in client's language.
    """

    @rx.event
    async def load(self):
        staff = await self.get_state(StaffState)
        found = re.match(r"/portal/([^/?#]+)", self.router.url.path or "")
        if found:
            address = found.group(1)
            with session_scope() as session:
                brand, user = client_portal.visit(session, address, self.portal_token)
            if brand is not None:
                self._show_brand(brand)
                if user is not None:
                    self._assign(lang=user.language)
                    return None
                if not (self._lang_chosen or staff.signed_in):
                    return self._brand_language_once(brand)
        if self.signed_in or self._brand_language_for or staff.signed_in or self._lang_chosen:
            return None  # a client, a portal visitor, a staff member or a visitor's choice: that language stands
        return self._ask_browser_language()
