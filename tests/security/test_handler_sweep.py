"""Every event handler of every state, called by strangers with firm A's ids and with garbage.

Pass: nothing of firm A changes, nothing of firm A (or anyone's secret) comes back, the socket
still answers afterwards and the app logs no traceback.
"""

import inspect
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import reflex as rx
from sqlalchemy import text

from tests.security.conftest import (
    ADDRESS_A, CLIENT_EMAIL, changed, firm_a_ids, log_offset, log_since, snapshot, unexpected_errors,
)
from tests.security.markers import forbidden_for, found

pytestmark = pytest.mark.e2e

# Just under the socket's 1 MB frame limit (a bigger frame is refused: test_abuse).
HUGE = "x" * 900_000
GARBAGE = ["abc", None, [1, 2], {"k": "v"}, 10**20, "<script>alert(1)</script>"]
# log_out ends the caller's own session (tested in test_sessions); everything else is fair game.
SKIP = {"log_out"}


def all_states():
    import portal_app.portal_app  # noqa: F401 - registers every state

    def walk(cls):
        yield cls
        for sub in cls.get_substates():
            yield from walk(sub)

    return list(walk(rx.State))


def handlers() -> list[tuple[type, str, list[str]]]:
    out = []
    for cls in all_states():
        for name, handler in cls.event_handlers.items():
            if name in SKIP:
                continue
            params = list(inspect.signature(handler.fn).parameters)[1:]
            out.append((cls, name, params))
    return out


# Collected once, at import: Reflex keeps its state registry in a context variable that worker
# threads (and Playwright's greenlets) do not see.
HANDLERS = handlers()


def payloads(cls, name: str, params: list[str], ids: list[int]) -> list[dict]:
    """Firm A's ids in every id-like slot, then wrong types, then one huge string."""
    if name == "setvar":
        var_names = sorted(v for v in cls.base_vars if not v.startswith("_"))[:4] + ["staff_token", "portal_token", "signed_in"]
        return [{"var_name": v, "value": x} for v in var_names for x in ("abc", None)] + [
            {"var_name": ["x"], "value": 1}, {"var_name": "__class__", "value": 1}, {"var_name": "y" * 5000, "value": 1},
        ]
    if not params:
        return [{}, {"unexpected": 1}]
    plausible = {"kind": "matter", "form_data": {"email": "stranger@example.com", "password": "not-the-password-1"},
                 "value": True, "checked": True, "lang": "en"}
    base = {p: plausible.get(p, ids[0]) for p in params}
    out = []
    for p in params:
        for v in ids + GARBAGE:
            out.append({**base, p: v})
    if cls.__module__.startswith("portal_app"):  # the framework's own setters echo it into the log
        out.append({**base, params[0]: HUGE})
    if "kind" in params:
        out += [{**base, "kind": k, "card_id": i} for k in ("contact", "matter") for i in ids]
    if "form_data" in params:
        out += [{"form_data": {k: v for k in ("email", "password", "first_name", "last_name", "timezone",
                                               "current_password", "new_password", "new_password_repeat")}}
                for v in GARBAGE]
    return out


def paths(ids, used_token) -> list[str]:
    return [
        f"/matters/{ids.matters[0]}", f"/contacts/{ids.contacts[0]}", f"/dev/mail/{ids.outbox[0]}",
        f"/portal/{ADDRESS_A}/dashboard", f"/portal/{ADDRESS_A}/invite/{used_token}", "/settings/client-portal",
    ]


def sweep(role_name: str, role, ids, where, connect, others: list[str]) -> list[str]:
    """Every handler with every payload as one role; returns what went wrong."""
    sample = sorted({*ids.contacts[:1], *ids.matters[:1], *ids.invoices[:2], *ids.recipients[:1],
                     *ids.outbox[:1], *ids.portal_users[:1]})
    tab = connect(role)
    problems: list[str] = []
    for cls, name, params in HANDLERS:
        full = f"{cls.get_full_name()}.{name}"
        for i, payload in enumerate(payloads(cls, name, params, sample)):
            if not tab.sio.connected:
                problems.append(f"{role_name} {full}: the socket was dropped")
                tab = connect(role)
            tab.emit(full, payload, path=where[i % len(where)])
        tab.wait_idle(quiet=0.15)
        try:
            tab.ping()
        except Exception as exc:  # noqa: BLE001 - any failure to answer is the finding
            problems.append(f"{role_name} {full}: the session stopped answering ({exc!r})")
            tab = connect(role)
    tab.wait_idle(quiet=1.0)
    if leaked := found(tab.text(), forbidden_for(role_name) + others):
        problems.append(f"{role_name} received {leaked}")
    return problems


def client_rows(db, keep_email: str) -> str:
    """Portal accounts other than the sweeping client's own (whose profile it may edit)."""
    with db.connect() as c:
        rows = c.execute(text("select * from portal_user where email != :e order by id"), {"e": keep_email}).fetchall()
    return repr(rows)


@pytest.mark.slow
def test_handler_sweep(roles, firm_a, db, connect, app_server):
    """The four stranger roles at once, each on its own socket."""
    ids = firm_a_ids(db)
    where = paths(ids, firm_a["used_invitation"])
    before, before_clients = snapshot(db, skip={"portal_user"}), client_rows(db, CLIENT_EMAIL)
    start = log_offset(app_server)
    names = ["nobody", "client_a", "user_a", "admin_b"]
    tokens = {n: [t for r in roles.values() if r.name != n for t in (r.staff_token, r.portal_token) if t] for n in names}
    with ThreadPoolExecutor(len(names)) as pool:
        results = pool.map(lambda n: sweep(n, roles[n], ids, where, connect, tokens[n]), names)
        problems = [p for r in results for p in r]
    assert changed(before, snapshot(db, skip={"portal_user"})) == [], "a stranger changed firm data"
    assert client_rows(db, CLIENT_EMAIL) == before_clients
    assert ids == firm_a_ids(db)
    assert not problems, "\n".join(problems[:20])
    errors = unexpected_errors(log_since(app_server, start))
    assert not errors, errors[0][-3000:]


def test_handlers_are_enumerated():
    """The sweep covers the app's states, not just the framework's."""
    names = {f"{cls.__name__}.{n}" for cls, n, _ in HANDLERS}
    for expected in ("StaffState.log_in", "ShareState.revoke", "PortalSettingsState.save", "InviteState.register",
                     "DevMailState.load_message", "AccountState.change_password"):
        assert expected in names
    assert json.dumps(sorted(names))



NON_DICT_FORMS = {  # handlers that once crashed on a form_data that is not a dict
    "ContactsState.search": ("/contacts", {"form_data": 1}),
    "ContactFormState.save": ("/contacts", {"form_data": 1}),
}


@pytest.mark.parametrize("handler", sorted(NON_DICT_FORMS))
def test_non_dict_form_data_is_refused_quietly(handler, connect, app_server, firm_a):
    """A form handler given a number instead of a form fails no deeper than a quiet refusal."""
    cls = next(c for c, _, _ in HANDLERS if c.__name__ == handler.split(".")[0])
    path, payload = NON_DICT_FORMS[handler]
    tab = connect(path=path)
    start = log_offset(app_server)
    tab.call(f"{cls.get_full_name()}.{handler.split('.')[1]}", payload, quiet=1.0)
    assert "Traceback" not in log_since(app_server, start)

