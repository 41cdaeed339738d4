"""Abuse and load: brute force is braked, a flooding socket starves no one, slow work never blocks the loop."""

import re
import statistics
import threading
import time

import pytest
import socketio

from portal_app.services.login_throttle import CLIENT_IP
from tests.security.conftest import ADDRESS_A, CLIENT_EMAIL, CLIENT_PASSWORD, PASSWORD, USER_A
from tests.security.reflex_client import APP, PORTAL, STAFF

pytestmark = pytest.mark.e2e

PORTAL_LOGIN = PORTAL + ".portal_app___state___portal____portal_login_state.log_in"
BRAKE = ("Zbyt wiele", "Too many")


def error_after(tab, name: str, email: str, password: str, path: str, var: str) -> str:
    """The error a login attempt ends with (waits for the background task to finish)."""
    tab.wait_idle(quiet=0.05)
    tab.emit(name, {"form_data": {"email": email, "password": password}}, path=path)
    busy = "login_busy" if var.startswith("login_") else "busy"
    updates = tab.wait_for(busy, False)
    values = [d[var] for u in updates for d in (u.get("delta") or {}).values() if var in d]
    return values[-1] if values else ""


def locked(message: str) -> bool:
    return "wstrzymano" in message or "paused" in message


def braked(message: str) -> bool:
    return any(word in message for word in BRAKE)


@pytest.mark.parametrize("door", ["staff", "portal"])
def test_brute_force_on_one_account_is_braked(door, connect, firm_a):
    if door == "staff":
        name, email, path, var = STAFF + ".log_in", USER_A, "/login", "login_error_rx_state_"
    else:
        name, email, path, var = PORTAL_LOGIN, CLIENT_EMAIL, f"/portal/{ADDRESS_A}", "error_rx_state_"
    tab = connect(path=path)
    messages = []
    for i in range(12):
        messages.append(error_after(tab, name, email, f"zgadywane-haslo-{i}", path, var))
        if locked(messages[-1]):
            break
        if wait := re.search(r"(\d+) s", messages[-1]):  # slowed down: a patient attacker waits
            time.sleep(int(wait.group(1)))
    assert not any(braked(m) for m in messages[:3]), messages
    assert locked(messages[-1]), messages
    # The lock holds before any password is checked: even the right one is refused now.
    assert locked(error_after(tab, name, email, PASSWORD if door == "staff" else CLIENT_PASSWORD, path, var))


@pytest.mark.slow
def test_brute_force_from_one_address_is_braked(connect):
    """Many accounts, one network: the client-IP counter brakes the guess after its threshold."""
    tab = connect(path="/login")
    messages = []
    for i in range(CLIENT_IP.slow_after + 4):
        messages.append(error_after(tab, STAFF + ".log_in", f"zgadywany{i}@nowak.example.com", "zgadywane-haslo",
                                    "/login", "login_error_rx_state_"))
        if braked(messages[-1]):
            break
    assert braked(messages[-1]) and len(messages) > CLIENT_IP.slow_after, messages


def latencies(victim, seconds: float) -> list[float]:
    out = []
    end = time.time() + seconds
    while time.time() < end:
        out.append(victim.ping())
    return out


@pytest.mark.slow
def test_flood_from_one_socket_starves_no_one(connect):
    flooder, victim = connect(path="/"), connect(path="/")
    baseline = statistics.median(latencies(victim, 0.5))

    def flood():
        for i in range(3000):
            flooder.emit(APP + ".set_lang", {"lang": "en" if i % 2 else "pl"})

    t = threading.Thread(target=flood)
    t.start()
    during = latencies(victim, 3.0)
    t.join()
    assert max(during) < 0.5, f"baseline {baseline:.3f}s, worst during the flood {max(during):.3f}s"


@pytest.mark.slow
def test_ten_logins_do_not_block_the_loop(connect):
    """bcrypt runs off the loop: another client's event answers within 150 ms meanwhile."""
    tabs = [connect(path="/login") for _ in range(10)]
    victim = connect(path="/")
    for tab in tabs:
        tab.emit(STAFF + ".log_in", {"form_data": {"email": USER_A, "password": PASSWORD}})
    during = latencies(victim, 2.0)
    for tab in tabs:
        tab.wait_for("login_busy", False)
    signed_in = sum('"staff_token_rx_state_": "' in t.text().replace('"staff_token_rx_state_": ""', "") for t in tabs)
    assert signed_in == 10
    assert max(during) < 0.15, f"worst answer {max(during) * 1000:.0f} ms"


def test_oversized_frame_drops_only_its_own_socket(connect):
    bully, bystander = connect(path="/"), connect(path="/")
    try:
        bully.emit(APP + ".set_lang", {"lang": "x" * 1_500_000})
    except socketio.exceptions.SocketIOError:
        pass
    deadline = time.time() + 10
    while bully.sio.connected and time.time() < deadline:
        time.sleep(0.1)
    assert not bully.sio.connected
    assert bystander.ping() < 0.5
