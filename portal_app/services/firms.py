"""Onboarding a firm in production: the firm, its portal settings and its first Administrator.

The demo loader is for trials only; a real firm is created here, from the command line of the
server (there is no sign-up page: a firm is a customer the operator takes on):

    python -m portal_app.services.firms create-firm --name "Kancelaria X" --plan premium \\
        --admin-email anna@kancelaria-x.pl --admin-name "Anna X"
    python -m portal_app.services.firms add-staff --firm-id 3 --email piotr@kancelaria-x.pl \\
        --name "Piotr Y" --role user

The password is asked twice at the terminal, or read from the first line of standard input when
that is not a terminal (for provisioning scripts); it is never an argument, so it stays out of
the shell history and the process list.
"""

import argparse
import getpass
import sys

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal_app.i18n.catalog import LANGUAGES, translate
from portal_app.models import Firm, Plan, PortalSettings, Role, StaffUser
from portal_app.services import passwords
from portal_app.services.errors import FieldErrors, ServiceError
from portal_app.services.identity import canonical_email

NAME_MAX = 200


def _text(value, field: str, errors: dict) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        errors[field] = ("ws.required", {})
    elif len(text) > NAME_MAX:
        errors[field] = ("errors.too_long", {"max": NAME_MAX})
    return text


def _staff_fields(session: Session, errors: dict, *, email, name, password, avoid: tuple[str, ...]) -> tuple[str, str]:
    """Checks the person's fields into `errors`; returns the canonical e-mail and the name."""
    clean_name = _text(name, "name", errors)
    address = ""
    try:
        address = canonical_email(email)
    except ServiceError as exc:
        errors["email"] = (exc.key, exc.params)
    if address and session.exec(select(StaffUser.id).where(StaffUser.email == address)).first():
        errors["email"] = ("staff.email_taken", {})
    problem = passwords.password_problem(password or "", avoid=(*avoid, address.partition("@")[0]))
    if problem:
        errors["password"] = problem
    return address, clean_name


def _add_staff_row(session: Session, *, firm_id: int, email: str, name: str, role: str, password: str, language: str) -> int:
    user = StaffUser(firm_id=firm_id, email=email, name=name, role=role, language=language,
                     password_hash=passwords.hash_password(password))
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        # Someone took the address between the check and the insert.
        session.rollback()
        raise FieldErrors({"email": ("staff.email_taken", {})}) from None
    return user.id


def create_firm(session: Session, *, name, plan, language, admin_email, admin_name, password) -> tuple[int, int]:
    """Creates the firm, its (switched off) portal settings and its Administrator; all or nothing.

    Returns (firm id, staff user id). Raises FieldErrors naming every wrong field. Slow (bcrypt).
    """
    errors: dict[str, tuple[str, dict]] = {}
    firm_name = _text(name, "firm_name", errors)
    if plan not in {p.value for p in Plan}:
        errors["plan"] = ("errors.invalid", {})
    if language not in LANGUAGES:
        errors["language"] = ("errors.invalid", {})
    email, person = _staff_fields(session, errors, email=admin_email, name=admin_name, password=password, avoid=(firm_name,))
    if errors:
        raise FieldErrors(errors)
    firm = Firm(name=firm_name, plan=plan, default_language=language)
    session.add(firm)
    session.flush()
    session.add(PortalSettings(firm_id=firm.id, company_name=firm_name))
    user_id = _add_staff_row(session, firm_id=firm.id, email=email, name=person, role=Role.ADMINISTRATOR.value,
                             password=password, language=language)
    session.commit()
    return firm.id, user_id


def add_staff(session: Session, *, firm_id, email, name, role, password) -> int:
    """Adds an Administrator or User to an existing firm. Raises FieldErrors. Slow (bcrypt)."""
    errors: dict[str, tuple[str, dict]] = {}
    firm = session.get(Firm, firm_id) if isinstance(firm_id, int) else None
    if firm is None:
        errors["firm_id"] = ("errors.not_found", {})
    if role not in {r.value for r in Role}:
        errors["role"] = ("errors.invalid", {})
    address, person = _staff_fields(session, errors, email=email, name=name, password=password,
                                    avoid=(firm.name,) if firm else ())
    if errors:
        raise FieldErrors(errors)
    user_id = _add_staff_row(session, firm_id=firm.id, email=address, name=person, role=role, password=password,
                             language=firm.default_language)
    session.commit()
    return user_id


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise SystemExit("The two passwords differ; nothing was saved.")
    return first


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m portal_app.services.firms", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-firm", help="a new firm with its first Administrator")
    create.add_argument("--name", required=True, help="the firm's name")
    create.add_argument("--plan", default=Plan.PREMIUM.value, choices=[p.value for p in Plan])
    create.add_argument("--language", default="pl", choices=LANGUAGES, help="the firm's default language")
    create.add_argument("--admin-email", required=True)
    create.add_argument("--admin-name", required=True)
    staff = commands.add_parser("add-staff", help="another Administrator or User of an existing firm")
    staff.add_argument("--firm-id", required=True, type=int)
    staff.add_argument("--email", required=True)
    staff.add_argument("--name", required=True)
    staff.add_argument("--role", default=Role.USER.value, choices=[r.value for r in Role])
    return parser


def main(argv: list[str] | None = None) -> int:
    from portal_app.db import session_scope

    args = _parser().parse_args(argv)
    password = _read_password()
    try:
        with session_scope() as session:
            if args.command == "create-firm":
                firm_id, user_id = create_firm(session, name=args.name, plan=args.plan, language=args.language,
                                               admin_email=args.admin_email, admin_name=args.admin_name, password=password)
                print(f"Firm {firm_id} created; its Administrator (staff user {user_id}) can now log in at /login.")
            else:
                user_id = add_staff(session, firm_id=args.firm_id, email=args.email, name=args.name,
                                    role=args.role, password=password)
                print(f"Staff user {user_id} added to firm {args.firm_id}.")
    except FieldErrors as exc:
        for field, (key, params) in exc.fields.items():
            print(f"{field}: {translate('en', key, **params)}", file=sys.stderr)
        print("Nothing was saved.", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
