"""Who is calling on the staff side: a random session secret in a cookie, checked on every event."""

import asyncio

import reflex as rx

from portal_app import routes
from portal_app.config import secure_cookies
from portal_app.db import session_scope
from portal_app.i18n import LANGUAGES
from portal_app.services import identity, staff_signin
from portal_app.services import staff as staff_accounts
from portal_app.services.errors import ServiceError
from portal_app.services.identity import StaffIdentity
from portal_app.state.base import AppState, password_work

SESSION_COOKIE = "portal_staff_session"

class StaffState(AppState):
    staff_token: str = rx.Cookie(
        "", name=SESSION_COOKIE, same_site="strict", max_age=12 * 3600, secure=secure_cookies()
    )
    signed_in: bool = False
    staff_name: str = ""
    staff_firm: str = ""
    is_portal_admin: bool = False
    is_admin: bool = False
    login_error: str = ""
    login_busy: bool = False
    demo_hint: bool = False

    def _staff(self) -> StaffIdentity | None:
        """The caller, re-read from the database for this very event (None when signed out)."""
        with session_scope() as session:
            return identity.staff_for_token(session, self.staff_token)

    def _signed_out(self):
        """No valid session: forget what the tab was shown, then off to the login page."""
        self._forget_staff()
        return rx.redirect(routes.LOGIN)

    def _forget_staff(self) -> None:
        """Forget the signed-in staff member and every staff page's data loaded in this tab.

        Like log_out's reset(), but the cookie var stays untouched: writing it from a stale tab
        would overwrite the newer session another tab of the same browser may hold. Pages not
        loaded for this event (Redis) are forgotten by the check at the tab's next (re)connect.
        """
        staff = self
        while staff.__class__ is not StaffState:  # __class__: also through a background proxy
            staff = staff.parent_state
        if not (staff.signed_in or staff.staff_token):
            return  # a stranger's tab has held no staff data
        staff._assign(signed_in=False, staff_name="", staff_firm="", is_portal_admin=False, is_admin=False)
        for page in staff.substates.values():
            page.reset()

    async def _forget_if_session_ended(self) -> None:
        """At a tab's (re)connect (EndedSessionCheck): drop what an ended session had loaded."""
        if not (self.signed_in or self.staff_token):
            return
        token = self.staff_token

        def ended() -> bool:
            with session_scope() as session:
                return identity.staff_for_token(session, token) is None

        if await asyncio.to_thread(ended):
            self._forget_staff()

    @rx.event
    def require_staff(self):
        """on_load guard of every staff page; the content renders only after it passes."""
        me = self._staff()
        if me is None:
            return self._signed_out()
        from portal_app.models import Firm

        with session_scope() as session:
            firm = session.get(Firm, me.firm_id)
            firm_name = firm.name if firm else ""
        self._assign(
            staff_firm=firm_name, signed_in=True, staff_name=me.name, lang=me.language,
            is_portal_admin=me.is_admin and me.plan == "premium", is_admin=me.is_admin,
        )

    @rx.event
    def set_lang(self, lang: str | list[str]):
        """Switch the page; signed in, also keep the choice on the account (require_staff reads it).

        On the login page (nobody signed in) the choice becomes the account's language at the
        sign-in that follows in this tab: who picked English expects English after signing in.
        """
        if not (isinstance(lang, str) and lang in LANGUAGES):
            return
        if lang != self.lang:
            old, self.lang = self.lang, lang
            self._say_again(old)
        with session_scope() as session:
            me = identity.staff_for_token(session, self.staff_token) if self.staff_token else None
            if me is None:
                self._lang_chosen = True
                return
            try:
                staff_accounts.set_language(session, me, lang)
            except ServiceError:
                pass  # the account went between the two reads: the page has switched, nothing to keep

    @rx.event(background=True)
    async def redirect_if_signed_in(self):
        """on_load of the login page: signed in, on to the contacts; else note whether to mention
        the demo logins (only where they exist: a trial database, never production)."""
        async with self:
            token = self.staff_token

        def look() -> tuple[bool, bool]:
            with session_scope() as session:
                if identity.staff_for_token(session, token) is not None:
                    return True, False
                return False, staff_accounts.demo_logins_exist(session)

        signed_in, demo = await asyncio.to_thread(look)
        if signed_in:
            return rx.redirect(routes.CONTACTS)
        async with self:
            self._assign(demo_hint=demo)

    @rx.event(background=True)
    async def log_in(self, form_data: dict):
        async with self:
            if self.login_busy:
                return
            self.login_busy = True
            self.login_error = ""
            client_ip = self.router.session.client_ip
            chosen = self.lang if self._lang_chosen else ""
        if not isinstance(form_data, dict):
            form_data = {}
        email = str(form_data.get("email", ""))[:320]
        password = str(form_data.get("password", ""))[:1000]

        def work() -> str:
            with session_scope() as session:
                token = staff_signin.sign_in(session, email, password, client_ip=client_ip)
                if chosen:  # picked on the login page: from now on the account's language
                    staff_accounts.set_language(session, identity.staff_for_token(session, token), chosen)
                return token

        try:
            token = await password_work(work)
        except ServiceError as exc:
            async with self:
                self.login_busy = False
                self.login_error = self._msg(exc.key, **exc.params)
            return
        async with self:
            self.login_busy = False
            self.staff_token = token
            self._lang_chosen = False  # spent: the next person to sign in on this tab keeps their own
        return rx.redirect(routes.CONTACTS)

    @rx.event
    def log_out(self):
        with session_scope() as session:
            identity.end_session(session, self.staff_token)
        self.staff_token = ""
        yield rx.remove_cookie(SESSION_COOKIE)
        self.reset()
        yield rx.redirect(routes.LOGIN)


class EndedSessionCheck(rx.Middleware):
    """Re-checks a tab's sessions when it (re)connects, before Reflex sends it its whole state.

    A (re)connect answers with a snapshot of every state of the tab before any on_load guard
    runs, so the rows, names and switcher entries an ended session (idle time-out, a password
    reset, the portal switched off) had loaded would reach the browser again. Each given auth
    state forgets them first (`_forget_if_session_ended`). Wired in portal_app.py with
    `app.add_middleware(EndedSessionCheck(StaffState, PortalState))`.
    """

    def __init__(self, *auth_states: type[rx.State]):
        self._auth_states = auth_states

    async def preprocess(self, app, state, event):
        owner, _, handler = event.name.rpartition(".")
        if owner == rx.State.get_full_name() and handler in ("hydrate", "hydrate_and_load"):
            for auth_state in self._auth_states:
                await (await state.get_state(auth_state))._forget_if_session_ended()
