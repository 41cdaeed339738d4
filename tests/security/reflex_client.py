"""A hostile browser without a browser: Reflex 0.10's websocket event protocol spoken directly.

The frontend (.web/utils/state.js) opens socket.io on path and namespace `/_event` with the tab's
client token in the query, sends `{name, payload, router_data}` as the "event" message and puts
its first `hydrate_and_load` event (with the cookie values as `vars`) in the CONNECT packet.
The backend answers with "event" messages `{delta, events, final}`. This client does the same
with any name, payload, cookie or path it is told to, and records every answer.
"""

import json
import queue
import re
import threading
import time
import uuid

import socketio

ROOT = "reflex___state____state"
APP = ROOT + ".portal_app___state___base____app_state"
STAFF = APP + ".portal_app___state___staff____staff_state"
PORTAL = APP + ".portal_app___state___portal____portal_state"
STAFF_COOKIE_VAR = STAFF + ".staff_token_rx_state_"
PORTAL_COOKIE_VAR = PORTAL + ".portal_token_rx_state_"


def state_path(cls) -> str:
    """The dotted full name the frontend uses for a state class."""
    return cls.get_full_name()


def _route_patterns() -> list[re.Pattern]:
    """The app's dynamic routes as regexes: "/portal/[address]" → (?P<address>[^/]+)."""
    from portal_app import routes

    out = []
    for value in vars(routes).values():
        if isinstance(value, str) and value.startswith("/") and "[" in value:
            out.append(re.compile("^" + re.sub(r"\\\[(\w+)\\\]", r"(?P<\1>[^/]+)", re.escape(value)) + "$"))
    return sorted(out, key=lambda p: -len(p.pattern))


ROUTES = _route_patterns()


def router_data(path: str) -> dict:
    """What state.js's withRouterData sends: the location, with the route's params in the query."""
    base, _, query = path.partition("?")
    data = {"pathname": base, "asPath": path}
    params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
    for pattern in ROUTES:
        if m := pattern.match(base):
            params.update(m.groupdict())
            break
    if params:
        data["query"] = params
    return data


class ReflexClient:
    """One tab: a socket, a client token, the cookies it claims to hold, and every frame received."""

    def __init__(self, base_url: str, *, staff_token: str = "", portal_token: str = "", path: str = "/", origin: str | None = None):
        self.base_url = base_url
        self.token = str(uuid.uuid4())
        self.path = path
        self.updates: "queue.Queue[dict]" = queue.Queue()
        self.frames: list[str] = []
        self._lock = threading.Lock()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("event", self._on_update, namespace="/_event")
        cookies = {}
        if staff_token:
            cookies[STAFF_COOKIE_VAR] = staff_token
        if portal_token:
            cookies[PORTAL_COOKIE_VAR] = portal_token
        payload = {"vars": cookies} if cookies else {}
        hydrate = {"name": ROOT + ".hydrate_and_load", "payload": payload, "router_data": router_data(path)}
        self.sio.connect(
            f"{base_url}?token={self.token}",
            socketio_path="/_event",
            namespaces=["/_event"],
            transports=["websocket"],
            auth={"event": hydrate},
            headers={"Origin": origin} if origin else {},
            wait_timeout=15,
        )
        self.initial = self.wait_idle()

    def _on_update(self, update):
        with self._lock:
            self.frames.append(json.dumps(update, ensure_ascii=False, default=str))
        self.updates.put(update)

    def emit(self, name: str, payload=None, path: str | None = None) -> None:
        """Send one event exactly as a browser could (any name, any payload)."""
        event = {"name": name, "payload": payload if payload is not None else {}, "router_data": router_data(path or self.path)}
        self.sio.emit("event", event, namespace="/_event")

    def wait_idle(self, quiet: float = 0.35, timeout: float = 20) -> list[dict]:
        """Collect answers until the server has been quiet for `quiet` seconds."""
        got: list[dict] = []
        deadline = time.time() + timeout
        last = time.time()
        while time.time() < deadline:
            try:
                got.append(self.updates.get(timeout=0.05))
                last = time.time()
            except queue.Empty:
                if time.time() - last >= quiet:
                    break
        return got

    def call(self, name: str, payload=None, path: str | None = None, quiet: float = 0.35) -> list[dict]:
        """Emit one event and return every update it produced (follow-up events included)."""
        self.wait_idle(quiet=0.05)
        self.emit(name, payload, path)
        return self.wait_idle(quiet=quiet)

    def call_until(self, name: str, payload, var: str, value, path: str | None = None, timeout: float = 20) -> list[dict]:
        """Emit one event (typically a background one) and collect until `var` becomes `value`."""
        self.wait_idle(quiet=0.05)
        self.emit(name, payload, path)
        return self.wait_for(var, value, timeout)

    def wait_for(self, var: str, value, timeout: float = 20) -> list[dict]:
        """Collect answers until one sets `var` (e.g. "login_busy") to `value`."""
        got: list[dict] = []
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                update = self.updates.get(timeout=0.05)
            except queue.Empty:
                continue
            got.append(update)
            if any(d.get(var + "_rx_state_", object()) == value for d in (update.get("delta") or {}).values()):
                return got + self.wait_idle(quiet=0.2)
        raise TimeoutError(f"{var} never became {value!r}")

    def ping(self, timeout: float = 10) -> float:
        """Seconds until a harmless event (set_lang) is answered; raises if it never is."""
        self.wait_idle(quiet=0.05)
        lang = "en" if getattr(self, "_lang", "pl") == "pl" else "pl"
        self._lang = lang
        start = time.time()
        self.emit(APP + ".set_lang", {"lang": lang})
        while True:
            left = timeout - (time.time() - start)
            if left <= 0:
                raise TimeoutError("the socket did not answer a harmless event")
            try:
                update = self.updates.get(timeout=left)
            except queue.Empty:
                continue
            if lang in json.dumps(update.get("delta") or {}) or update.get("final"):
                return time.time() - start

    def redirects(self, updates: list[dict] | None = None) -> list[str]:
        """Paths the server told this tab to go to."""
        return [e["payload"]["path"] for u in (self.initial if updates is None else updates)
                for e in (u.get("events") or []) if e.get("name") == "_redirect"]

    def state(self, updates: list[dict]) -> dict:
        """Merge the deltas of some updates into one {state: {var: value}} view."""
        merged: dict = {}
        for u in updates:
            for substate, vars_ in (u.get("delta") or {}).items():
                merged.setdefault(substate, {}).update(vars_)
        return merged

    def text(self) -> str:
        with self._lock:
            return "\n".join(self.frames)

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()
