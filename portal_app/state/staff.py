"""Who is calling on the staff side: a random session secret in a cookie, checked on every event."""

import reflex as rx

from portal_app import routes
from portal_app.db import session_scope
from portal_app.services import identity, staff_signin
from portal_app.services.errors import ServiceError
from portal_app.services.identity import StaffIdentity
from portal_app.state.base import AppState, password_work

SESSION_COOKIE = "portal_staff_session"

class StaffState(AppState):
    staff_token: str = rx.Cookie("", name=SESSION_COOKIE, same_site="strict", max_age=12 * 3600)
    signed_in: bool = False
    staff_name: str = ""
    staff_firm: str = ""
    is_portal_admin: bool = False
    is_admin: bool = False
    login_error: str = ""
    login_busy: bool = False

    def _staff(self) -> StaffIdentity | None:
        """The caller, re-read from the database for this very event (None when signed out)."""
        with session_scope() as session:
            return identity.staff_for_token(session, self.staff_token)

    def _signed_out(self):
        self.signed_in = False
        self.staff_name = ""
        return rx.redirect(routes.LOGIN)

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
    def redirect_if_signed_in(self):
        if self._staff() is not None:
            return rx.redirect(routes.CONTACTS)

    @rx.event(background=True)
    async def log_in(self, form_data: dict):
        async with self:
            if self.login_busy:
                return
            self.login_busy = True
            self.login_error = ""
            client_ip = self.router.session.client_ip
        if not isinstance(form_data, dict):
            form_data = {}
        email = str(form_data.get("email", ""))[:320]
        password = str(form_data.get("password", ""))[:1000]

        def work() -> str:
            with session_scope() as session:
                return staff_signin.sign_in(session, email, password, client_ip=client_ip)

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
        return rx.redirect(routes.CONTACTS)

    @rx.event
    def log_out(self):
        with session_scope() as session:
            identity.end_session(session, self.staff_token)
        self.staff_token = ""
        yield rx.remove_cookie(SESSION_COOKIE)
        self.reset()
        yield rx.redirect(routes.LOGIN)
