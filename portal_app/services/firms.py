"""The operator's side of a firm in production: onboarding, plan changes, staff and their passwords.

The demo loader is for trials only; a real firm is created here, from the command line of the
server (there is no sign-up page: a firm is a customer the operator takes on):

    python -m portal_app.services.firms create-firm --name "Kancelaria X" --plan premium \\
        --admin-email anna@kancelaria-x.pl --admin-name "Anna X"
    python -m portal_app.services.firms add-staff --firm-id 3 --email piotr@kancelaria-x.pl --name "Piotr Y"
    python -m portal_app.services.firms set-plan --firm-id 3 --plan standard
    python -m portal_app.services.firms set-password --email anna@kancelaria-x.pl
    python -m portal_app.services.firms list-firms

Passwords are asked twice at a terminal, or read from the first line of standard input when that
is not a terminal (provisioning scripts); never an argument, so they stay out of the shell history
and the process list. Every other field is checked before the password is asked for.
"""

import argparse
import getpass
import sys
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal_app.i18n.catalog import LANGUAGES, translate
from portal_app.models import Firm, Plan, PortalSettings, Role, StaffUser
from portal_app.services import identity, login_throttle, passwords, portal_settings, staff_signin
from portal_app.services.errors import FieldErrors, ServiceError
from portal_app.services.workspace import row_id, visible_text

NAME_MAX = 200
PLANS = tuple(p.value for p in Plan)
ROLES = tuple(r.value for r in Role)
Errors = dict[str, tuple[str, dict]]


def _name(value, field: str, errors: Errors) -> str:
    text = " ".join(visible_text(value).split())
    if not text:
        errors[field] = ("ws.required", {})
    elif len(text) > NAME_MAX:
        errors[field] = ("errors.too_long", {"max": NAME_MAX})
    return text


def _new_address(session: Session, value, field: str, errors: Errors) -> str:
    """A canonical e-mail no staff account has yet (in any case or compatibility form)."""
    try:
        address = identity.canonical_email(value)
    except ServiceError as exc:
        errors[field] = (exc.key, exc.params)
        return ""
    if session.exec(select(StaffUser.id).where(StaffUser.email == address)).first():
        errors[field] = ("staff.email_taken", {})
    return address


def _firm(session: Session, firm_id, errors: Errors) -> Firm | None:
    number = row_id(firm_id)
    firm = session.get(Firm, number) if number is not None else None
    if firm is None:
        errors["firm_id"] = ("errors.not_found", {})
    return firm


def _password(password: str | None, errors: Errors, *about: str) -> None:
    """Checks a new password (skipped while it is not asked yet) against the firm's and person's names."""
    if password is None:
        return
    words = {word for text in about for word in (text, *text.replace("@", " ").replace(".", " ").split())}
    problem = passwords.password_problem(password, avoid=tuple(sorted(words)))
    if problem:
        errors["password"] = problem


@dataclass(frozen=True)
class NewFirm:
    name: str
    plan: str
    language: str
    admin_email: str
    admin_name: str


def check_new_firm(session: Session, *, name, plan, language, admin_email, admin_name, password: str | None = None) -> NewFirm:
    """The cleaned fields of a firm to create; FieldErrors names every wrong one (`password` only if given)."""
    errors: Errors = {}
    firm_name = _name(name, "firm_name", errors)
    if plan not in PLANS:
        errors["plan"] = ("errors.invalid", {})
    if language not in LANGUAGES:
        errors["language"] = ("errors.invalid", {})
    address = _new_address(session, admin_email, "admin_email", errors)
    person = _name(admin_name, "admin_name", errors)
    _password(password, errors, firm_name, person, address.partition("@")[0])
    if errors:
        raise FieldErrors(errors)
    return NewFirm(firm_name, plan, language, address, person)


def _add_staff_row(session: Session, *, firm_id: int, email: str, name: str, role: str, password: str, language: str,
                   email_field: str) -> int:
    user = StaffUser(firm_id=firm_id, email=email, name=name, role=role, language=language,
                     password_hash=passwords.hash_password(password))
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        # Someone took the address between the check and the insert: nothing of this call stays.
        session.rollback()
        raise FieldErrors({email_field: ("staff.email_taken", {})}) from None
    return user.id


def create_firm(session: Session, *, name, plan, language, admin_email, admin_name, password) -> tuple[int, int]:
    """Creates the firm, its (switched off) portal settings and its Administrator; all or nothing.

    Returns (firm id, staff user id). Raises FieldErrors naming every wrong field. Slow (bcrypt).
    """
    new = check_new_firm(session, name=name, plan=plan, language=language, admin_email=admin_email,
                         admin_name=admin_name, password=password or "")
    firm = Firm(name=new.name, plan=new.plan, default_language=new.language)
    session.add(firm)
    session.flush()
    session.add(PortalSettings(firm_id=firm.id, company_name=new.name))
    user_id = _add_staff_row(session, firm_id=firm.id, email=new.admin_email, name=new.admin_name,
                             role=Role.ADMINISTRATOR.value, password=password, language=new.language,
                             email_field="admin_email")
    session.commit()
    return firm.id, user_id


def check_new_staff(session: Session, *, firm_id, email, name, role, password: str | None = None) -> tuple[Firm, str, str]:
    """The firm, canonical e-mail and name of a staff member to add; FieldErrors otherwise."""
    errors: Errors = {}
    firm = _firm(session, firm_id, errors)
    if role not in ROLES:
        errors["role"] = ("errors.invalid", {})
    address = _new_address(session, email, "email", errors)
    person = _name(name, "name", errors)
    _password(password, errors, firm.name if firm else "", person, address.partition("@")[0])
    if errors:
        raise FieldErrors(errors)
    return firm, address, person


def add_staff(session: Session, *, firm_id, email, name, role, password) -> int:
    """Adds an Administrator or User to an existing firm. Raises FieldErrors. Slow (bcrypt)."""
    firm, address, person = check_new_staff(session, firm_id=firm_id, email=email, name=name, role=role,
                                            password=password or "")
    user_id = _add_staff_row(session, firm_id=firm.id, email=address, name=person, role=role, password=password,
                             language=firm.default_language, email_field="email")
    session.commit()
    return user_id


def set_plan(session: Session, *, firm_id, plan) -> None:
    """Moves a firm to another plan; leaving Premium switches its portal off (shares are kept)."""
    errors: Errors = {}
    firm = _firm(session, firm_id, errors)
    if plan not in PLANS:
        errors["plan"] = ("errors.invalid", {})
    if errors:
        raise FieldErrors(errors)
    portal_settings.change_plan(session, firm.id, plan)


def staff_member(session: Session, email) -> StaffUser:
    """The staff account with this address (any case or compatibility form); FieldErrors otherwise."""
    try:
        address = identity.canonical_email(email)
    except ServiceError as exc:
        raise FieldErrors({"email": (exc.key, exc.params)}) from None
    user = session.exec(select(StaffUser).where(StaffUser.email == address)).first()
    if user is None:
        raise FieldErrors({"email": ("errors.not_found", {})})
    return user


def set_password(session: Session, *, email, password) -> int:
    """A forgotten or compromised staff password replaced by the operator: every session of that
    person ends and a sign-in lock on the account is lifted. Returns the staff user id. Slow (bcrypt)."""
    user = staff_member(session, email)
    firm = session.get(Firm, user.firm_id)
    errors: Errors = {}
    _password(password or "", errors, firm.name, user.name, user.email.partition("@")[0])
    if errors:
        raise FieldErrors(errors)
    user.password_hash = passwords.hash_password(password)
    session.add(user)
    session.commit()
    identity.end_other_sessions(session, staff_user_id=user.id)
    login_throttle.clear(session, staff_signin.account_key(user.email))
    return user.id


@dataclass(frozen=True)
class FirmRow:
    id: int
    name: str
    plan: str
    portal_enabled: bool
    staff: int


def list_firms(session: Session) -> list[FirmRow]:
    staff = select(StaffUser.firm_id, func.count().label("n")).group_by(StaffUser.firm_id).subquery()
    rows = session.exec(
        select(Firm.id, Firm.name, Firm.plan, PortalSettings.enabled, func.coalesce(staff.c.n, 0))
        .outerjoin(PortalSettings, PortalSettings.firm_id == Firm.id)
        .outerjoin(staff, staff.c.firm_id == Firm.id)
        .order_by(Firm.id)
    )
    return [FirmRow(id, name, plan, bool(enabled), count) for id, name, plan, enabled, count in rows]


# ---- command line ---------------------------------------------------------------------------------

# What each service field is called on the command line, so a refusal names the flag to correct.
_FLAGS = {"firm_name": "--name", "admin_email": "--admin-email", "admin_name": "--admin-name", "firm_id": "--firm-id",
          "email": "--email", "name": "--name", "plan": "--plan", "language": "--language", "role": "--role",
          "password": "password"}


class Cancelled(Exception):
    """The operator gave no password (Ctrl-D, Ctrl-C, mismatch)."""


def _read_password() -> str:
    try:
        if not sys.stdin.isatty():
            print("Reading the password from the first line of standard input.", file=sys.stderr)
            line = sys.stdin.buffer.readline()
            return line.decode("utf-8", "surrogateescape").rstrip("\r\n")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            raise Cancelled("The two passwords differ.")
        return first
    except (EOFError, KeyboardInterrupt):
        raise Cancelled("No password given.") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m portal_app.services.firms", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-firm", help="a new firm with its first Administrator (asks for her password)")
    create.add_argument("--name", required=True, help="the firm's name")
    create.add_argument("--plan", default=Plan.PREMIUM.value, choices=PLANS, help="default: premium (the Client Portal needs it)")
    create.add_argument("--language", default="pl", choices=LANGUAGES, help="the firm's default language (default: pl)")
    create.add_argument("--admin-email", required=True)
    create.add_argument("--admin-name", required=True)
    staff = commands.add_parser("add-staff", help="another Administrator or User of a firm (asks for a password)")
    staff.add_argument("--firm-id", required=True, help="as printed by create-firm or list-firms")
    staff.add_argument("--email", required=True)
    staff.add_argument("--name", required=True)
    staff.add_argument("--role", default=Role.USER.value, choices=ROLES, help="default: user")
    plan = commands.add_parser("set-plan", help="move a firm to another plan (leaving premium switches its portal off)")
    plan.add_argument("--firm-id", required=True)
    plan.add_argument("--plan", required=True, choices=PLANS)
    reset = commands.add_parser("set-password", help="a new password for a staff member; ends their sessions")
    reset.add_argument("--email", required=True)
    commands.add_parser("list-firms", help="every firm with its plan, portal switch and staff count")
    return parser


def _run(session: Session, args: argparse.Namespace) -> str:
    """Checks the fields, then asks for a password where one is needed, then acts; returns what to print."""
    if args.command == "list-firms":
        rows = list_firms(session)
        lines = [f"{r.id:>5}  {r.plan:<8}  portal {'on ' if r.portal_enabled else 'off'}  {r.staff:>3} staff  {r.name}" for r in rows]
        return "\n".join(lines) or "No firms yet."
    if args.command == "set-plan":
        set_plan(session, firm_id=args.firm_id, plan=args.plan)
        return f"Firm {args.firm_id} is now on the {args.plan} plan."
    if args.command == "create-firm":
        fields = dict(name=args.name, plan=args.plan, language=args.language, admin_email=args.admin_email,
                      admin_name=args.admin_name)
        check_new_firm(session, **fields)
        firm_id, user_id = create_firm(session, **fields, password=_read_password())
        return f"Firm {firm_id} created; its Administrator (staff user {user_id}) can now log in at /login."
    if args.command == "add-staff":
        fields = dict(firm_id=args.firm_id, email=args.email, name=args.name, role=args.role)
        check_new_staff(session, **fields)
        user_id = add_staff(session, **fields, password=_read_password())
        return f"Staff user {user_id} added to firm {args.firm_id} as {args.role}."
    staff_member(session, args.email)
    user_id = set_password(session, email=args.email, password=_read_password())
    return f"New password set for staff user {user_id}; their sessions have ended."


def main(argv: list[str] | None = None) -> int:
    """Exit status: 0 done, 2 a field refused (each named with its reason), 1 no password given."""
    from portal_app.db import session_scope

    args = _parser().parse_args(argv)
    try:
        with session_scope() as session:
            print(_run(session, args))
    except FieldErrors as exc:
        for field, (key, params) in exc.fields.items():
            print(f"{_FLAGS.get(field, field)}: {translate('en', key, **params)}", file=sys.stderr)
        print("Nothing was saved.", file=sys.stderr)
        return 2
    except Cancelled as exc:
        print(f"{exc} Nothing was saved.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
