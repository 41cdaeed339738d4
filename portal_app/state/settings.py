"""General Settings → Client Portal (CP-1)."""

import asyncio

import reflex as rx

from portal_app import routes
from portal_app.config import base_url
from portal_app.db import session_scope
from portal_app.services import logo, portal_settings
from portal_app.services.errors import FieldErrors, NotAllowed, ServiceError
from portal_app.state.staff import StaffState

MAX_UPLOAD_BYTES = logo.MAX_LOGO_BYTES


def logo_dir():
    return rx.get_upload_dir() / "logos"


class PortalSettingsState(StaffState):
    refused: str = ""
    loaded: bool = False
    enabled: bool = False
    company_name: str = ""
    address: str = ""
    contact_email: str = ""
    logo_url: str = ""
    logo_note: str = ""
    in_use: bool = False
    saved_address: str = ""
    errors: dict[str, str] = {}
    address_hint: str = ""
    form_message: str = ""
    saved_message: str = ""
    logo_busy: bool = False
    _version: int = 0
    _logo_file: str | None = None
    _pending_logo: str | None = None
    _remove_logo: bool = False

    @rx.var
    def link_preview(self) -> str:
        slug = self.address.strip().lower() or "…"
        return f"{base_url()}/portal/{slug}"

    @rx.var
    def link_preview_ok(self) -> bool:
        """Whether the address typed so far makes a real link: an invalid one is not shown as one."""
        if "address" in self.errors:
            return False
        try:
            portal_settings.validate_address(self.address)
        except ServiceError:
            return False
        return True

    @rx.var
    def address_changing(self) -> bool:
        return self.in_use and self.address.strip().lower() != self.saved_address

    def _show(self, view: portal_settings.SettingsView) -> None:
        self.enabled = view.enabled
        self.company_name = view.company_name
        self.address = view.address
        self.saved_address = view.address
        self.contact_email = view.contact_email
        self.in_use = view.in_use
        self._version = view.version
        self._logo_file = view.logo_file
        self._pending_logo = None
        self._remove_logo = False
        self.logo_url = routes.logo_upload_name(view.logo_file) if view.logo_file else ""
        self.logo_note = ""
        self.loaded = True

    @rx.event
    async def load(self):
        me = self._staff()
        if me is None:
            return self._signed_out()
        self.errors, self.form_message, self.saved_message, self.address_hint = {}, "", "", ""
        reason = portal_settings.refusal_reason(me)
        self.refused = self._msg(reason) if reason else ""
        if reason:
            return
        if self._pending_logo:
            await asyncio.to_thread(logo.remove_logo_file, logo_dir(), self._pending_logo)
        with session_scope() as session:
            self._show(portal_settings.load_settings(session, me))
            keep = portal_settings.referenced_logo_files(session)
        await asyncio.to_thread(logo.sweep_orphan_logos, logo_dir(), keep)

    @rx.event
    def set_enabled(self, value: bool):
        self.enabled = bool(value)

    @rx.event
    def set_company_name(self, value: str):
        self.company_name = str(value)[:300]

    @rx.event
    def set_contact_email(self, value: str):
        self.contact_email = str(value)[:400]

    @rx.event
    def set_address(self, value: str):
        """Live feedback while typing; the authoritative check happens again on save."""
        self.address = str(value)[:100]
        errors = dict(self.errors)
        errors.pop("address", None)
        self.address_hint = ""
        if self.address.strip():
            try:
                portal_settings.validate_address(self.address)
            except ServiceError as exc:
                errors["address"] = self._msg(exc.key, **exc.params)
                if exc.params.get("suggestion"):
                    self.address_hint = exc.params["suggestion"]
        self.errors = errors

    @rx.event
    def use_suggestion(self):
        if self.address_hint:
            self.set_address(self.address_hint)

    @rx.event
    async def upload_logo(self, files: list[rx.UploadFile]):
        me = self._staff()
        if me is None:
            return self._signed_out()
        try:
            with session_scope() as session:
                portal_settings.require_portal_admin(session, me)
        except NotAllowed:
            return
        if not files:
            return  # the widget refused the file itself; logo_rejected says why
        errors = dict(self.errors)
        errors.pop("logo", None)
        if len(files) != 1:
            errors["logo"] = self._msg("logo.one_file")
            self.errors = errors
            return
        data = await files[0].read(MAX_UPLOAD_BYTES + 1)
        self.logo_busy = True
        try:
            image, ext = await asyncio.to_thread(logo.normalise_logo, data)
            name = await asyncio.to_thread(logo.store_logo, logo_dir(), image, ext)
        except ServiceError as exc:
            errors["logo"] = self._msg(exc.key, **exc.params)
            self.errors = errors
            self.logo_busy = False
            return
        if self._pending_logo:
            await asyncio.to_thread(logo.remove_logo_file, logo_dir(), self._pending_logo)
        self._pending_logo = name
        self._remove_logo = False
        self.logo_url = routes.logo_upload_name(name)
        self.logo_note = self._msg("settings.logo_ready")
        self.errors = errors
        self.logo_busy = False

    @rx.event
    def logo_rejected(self, codes: list):
        """The browser widget refused the file before sending it (too large, several files).

        `codes` holds react-dropzone's reasons, comma-joined per refused file.
        """
        reasons = set()
        for item in codes[:10] if isinstance(codes, list) else []:
            reasons.update(str(item)[:200].split(","))
        if "file-too-large" in reasons:
            message = self._msg("logo.too_large_bytes", limit_mb=MAX_UPLOAD_BYTES // (1024 * 1024))
        else:
            message = self._msg("logo.one_file")
        self.errors = {**self.errors, "logo": message}

    @rx.event
    def remove_logo(self):
        if self._pending_logo:
            logo.remove_logo_file(logo_dir(), self._pending_logo)
            self._pending_logo = None
        self._remove_logo = True
        self.logo_url = ""
        self.logo_note = self._msg("settings.logo_will_remove") if self._logo_file else ""

    @rx.event
    def save(self):
        me = self._staff()
        if me is None:
            return self._signed_out()
        self.saved_message, self.form_message = "", ""
        if self._pending_logo and not (logo_dir() / self._pending_logo).is_file():
            self._pending_logo = None
            self.logo_url = routes.logo_upload_name(self._logo_file) if self._logo_file else ""
            self.logo_note = ""
            self.errors = {**self.errors, "logo": self._msg("logo.upload_expired")}
            self.form_message = self._msg("errors.form_invalid")
            return
        form = portal_settings.SettingsForm(
            enabled=self.enabled, company_name=self.company_name,
            address=self.address, contact_email=self.contact_email,
        )
        try:
            with session_scope() as session:
                view, unused = portal_settings.save_settings(
                    session, me, form, expected_version=self._version,
                    new_logo_file=self._pending_logo, remove_logo=self._remove_logo,
                )
        except FieldErrors as exc:
            self.errors = self._field_errors(exc.fields)
            self.form_message = self._msg(exc.key)
            return
        except (NotAllowed, ServiceError) as exc:
            self.form_message = self._msg(exc.key)
            return
        if unused:
            logo.remove_logo_file(logo_dir(), unused)
        self._show(view)
        self.errors = {}
        self.address_hint = ""
        self.saved_message = self._msg("common.saved")
