"""Websocket round trips of simulated portal users against a running app, speaking Reflex's protocol.

Each user opens Reflex's socket.io websocket (/_event), hydrates, sends its session cookie value
and then, every --think seconds on average, navigates to the dashboard (on_load → require_client →
dashboard queries); the round trip ends when the backend reports the page hydrated again.
Before measuring, --churn anonymous sessions connect, hydrate and leave (states pile up in the
state manager). --logins N adds N password logins per second (bcrypt) during the measurement.

    PORTAL_DATABASE_URL=<the app's database> python scripts/bench_ws.py --url http://localhost:8000 \\
        --users 200 --churn 3000 --seconds 25 [--logins 3] [--app-pid <pid of reflex run>]

The database must hold the firm of scripts/generate_data.py (portal address `bench`).
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import wsproto
from wsproto.events import AcceptConnection, CloseConnection, Message, Ping, Request, TextMessage

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = "reflex___state____state"
PORTAL = f"{ROOT}.portal_app___state___base____app_state.portal_app___state___portal____portal_state"
HYDRATED = '"is_hydrated_rx_state_":true'
PASSWORD = "Bench-Portal-2026"
STAFF = f"{ROOT}.portal_app___state___base____app_state.portal_app___state___staff____staff_state"
SHARE = f"{STAFF}.portal_app___state___cards____share_state"


class Socket:
    """A minimal websocket client (wsproto over asyncio streams)."""

    async def open(self, host: str, port: int, target: str) -> None:
        self.reader, self.writer = await asyncio.open_connection(host, port)
        self.ws = wsproto.WSConnection(wsproto.ConnectionType.CLIENT)
        self.inbox: asyncio.Queue[str] = asyncio.Queue()
        self.writer.write(self.ws.send(Request(host=f"{host}:{port}", target=target)))
        self.opened = asyncio.get_running_loop().create_future()
        self.pump = asyncio.create_task(self._read())
        await self.opened

    async def _read(self) -> None:
        parts: list[str] = []
        while True:
            data = await self.reader.read(65536)
            self.ws.receive_data(data or None)
            for ev in self.ws.events():
                if isinstance(ev, AcceptConnection):
                    self.opened.set_result(True)
                elif isinstance(ev, Ping):
                    self.writer.write(self.ws.send(ev.response()))
                elif isinstance(ev, TextMessage):
                    parts.append(ev.data)
                    if ev.message_finished:
                        text, parts = "".join(parts), []
                        if text == "2":  # engine.io ping
                            self.send("3")
                        else:
                            self.inbox.put_nowait(text)
                elif isinstance(ev, CloseConnection):
                    return
            if not data:
                return

    def send(self, text: str) -> None:
        self.writer.write(self.ws.send(Message(data=text)))

    async def until(self, needle: str, timeout: float = 60) -> int:
        """Wait for a message containing `needle`; the characters received meanwhile."""
        received = 0
        async with asyncio.timeout(timeout):
            while True:
                text = await self.inbox.get()
                received += len(text)
                if needle in text:
                    return received

    async def close(self) -> None:
        self.pump.cancel()
        self.writer.close()


def event(name: str, path: str, payload: dict | None = None) -> str:
    body = {"name": name, "payload": payload or {},
            "router_data": {"pathname": path, "asPath": path, "query": {"address": "bench"}}}
    return "42/_event," + json.dumps(["event", body])


async def session(url: str, path: str) -> Socket:
    """Connect a new tab and hydrate it on `path`."""
    u = urllib.parse.urlparse(url)
    sock = Socket()
    await sock.open(u.hostname, u.port, f"/_event/?token={uuid.uuid4()}&EIO=4&transport=websocket")
    await sock.inbox.get()  # engine.io open packet
    boot = {"name": f"{ROOT}.hydrate_and_load", "payload": {},
            "router_data": {"pathname": path, "asPath": path, "query": {"address": "bench"}}}
    sock.send("40/_event," + json.dumps({"event": boot}))
    await sock.until(HYDRATED)
    return sock


async def navigate(sock: Socket, path: str, sizes: list[int] | None = None) -> float:
    t0 = time.perf_counter()
    sock.send(event(f"{ROOT}.reflex___state____on_load_internal_state.on_load_internal", path))
    received = await sock.until(HYDRATED)
    if sizes is not None:
        sizes.append(received)
    return (time.perf_counter() - t0) * 1000


async def active_user(url: str, cookie: str, ready: asyncio.Queue, go: asyncio.Event, run: dict, samples: list[float],
                      think: float, sizes: list[int]) -> None:
    """Sign in through the cookie, open the dashboard, then navigate every ~think seconds."""
    path = "/portal/bench/dashboard"
    sock = await session(url, path)
    sock.send(event(f"{ROOT}.reflex___state____update_vars_internal_state.update_vars_internal", path,
                    {"vars": {f"{PORTAL}.portal_token_rx_state_": cookie}}))
    await navigate(sock, path)
    ready.put_nowait(sock)
    await go.wait()
    while True:
        wait = random.expovariate(1 / think)
        if time.time() + wait >= run["stop"]:
            break
        await asyncio.sleep(wait)
        try:
            samples.append(await navigate(sock, path, sizes))
        except TimeoutError:
            run["lost"] += 1  # no answer within a minute: counted, not waited for
            break
    await sock.close()


async def login(url: str, email: str, samples: list[float]) -> None:
    sock = await session(url, "/portal/bench")
    t0 = time.perf_counter()
    form = {"form_data": {"__reflex_form_data__": [["email", email], ["password", PASSWORD]]}}
    sock.send(event(f"{PORTAL}.portal_app___state___portal____portal_login_state.log_in", "/portal/bench", form))
    await sock.until("portal_token_rx_state_", timeout=30)
    samples.append((time.perf_counter() - t0) * 1000)
    await sock.close()


async def churn(url: str, count: int, parallel: int = 50) -> None:
    gate = asyncio.Semaphore(parallel)

    async def one():
        async with gate:
            sock = await session(url, "/portal/bench")
            await sock.close()

    await asyncio.gather(*(one() for _ in range(count)))


async def share_and_invite(url: str, rounds: int) -> list[float]:
    """Milliseconds from pressing Save in a card's share dialog (three new addresses) to the answer.

    The administrator of the generated firm shares a different contact each round; the
    invitations are queued in the same transaction and sent by a background task afterwards.
    """
    from portal_app.db import session_scope
    from portal_app.models import Contact, StaffUser
    from portal_app.services.identity import start_session
    from sqlmodel import select

    with session_scope() as s:
        admin = s.exec(select(StaffUser).where(StaffUser.email == "staff0@bench.example.com")).one()
        contacts = s.exec(select(Contact.id).where(Contact.firm_id == admin.firm_id).order_by(Contact.id.desc())
                          .limit(rounds)).all()
        cookie = start_session(s, staff_user_id=admin.id)
    samples = []
    stamp = int(time.time())
    for n, contact_id in enumerate(contacts):
        path = f"/contacts/{contact_id}"
        sock = await session(url, path)
        sock.send(event(f"{ROOT}.reflex___state____update_vars_internal_state.update_vars_internal", path,
                        {"vars": {f"{STAFF}.staff_token_rx_state_": cookie}}))
        await navigate(sock, path)
        sock.send(event(f"{SHARE}.open_dialog", path, {"kind": "contact", "card_id": contact_id}))
        await sock.until('"open_rx_state_":true')
        emails = ", ".join(f"invitee{stamp}-{n}-{i}@bench.example.com" for i in range(3))
        sock.send(event(f"{SHARE}.set_addresses", path, {"value": emails}))
        await asyncio.sleep(0.2)
        t0 = time.perf_counter()
        sock.send(event(f"{SHARE}.save", path))
        await sock.until(f'"email":"invitee{stamp}-{n}-0@')  # the recipients list, reloaded after the save
        samples.append((time.perf_counter() - t0) * 1000)
        await sock.close()
    return samples


def rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except (OSError, StopIteration):
            continue
    return total


def cookies(n: int) -> list[str]:
    """Fresh sign-in sessions for n generated portal users (no bcrypt: the bench measures events)."""
    from portal_app.db import session_scope
    from portal_app.models import PortalUser
    from portal_app.services.identity import start_session
    from sqlmodel import select

    with session_scope() as s:
        users = s.exec(select(PortalUser.id).where(PortalUser.email.like("client%@bench.example.com")).limit(n)).all()
        return [start_session(s, portal_user_id=u) for u in users]


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)] if values else float("nan")


async def main_async(args) -> None:
    if args.share:
        samples = await share_and_invite(args.url, args.share)
        print(f"share and invite (3 addresses): {len(samples)} saves, p50 {statistics.median(samples):.1f} ms, "
              f"p95 {p95(samples):.1f} ms, max {max(samples):.1f} ms")
        return
    if args.churn:
        t0 = time.perf_counter()
        await churn(args.url, args.churn)
        print(f"churn: {args.churn} sessions came and went in {time.perf_counter() - t0:.1f} s")
    tokens = cookies(args.users)
    before = rss_kib(args.app_pid) if args.app_pid else 0
    samples: list[float] = []
    sizes: list[int] = []
    login_samples: list[float] = []
    ready: asyncio.Queue = asyncio.Queue()
    go = asyncio.Event()
    run = {"stop": 0.0, "lost": 0}
    t0 = time.perf_counter()
    # Users connect in two halves: the first half's RSS growth also holds the process's one-off
    # warm-up (pool connections, threads, statement caches); the second half's is the cost of a session.
    users, rss = [], [before]
    for half in (args.users // 2, args.users - args.users // 2):
        users += [asyncio.create_task(active_user(args.url, tokens[i % len(tokens)], ready, go, run, samples, args.think, sizes))
                  for i in range(len(users), len(users) + half)]
        while ready.qsize() < len(users):
            await asyncio.sleep(0.2)
        rss.append(rss_kib(args.app_pid) if args.app_pid else 0)
    print(f"{args.users} users signed in and on their dashboard after {time.perf_counter() - t0:.1f} s")
    if args.app_pid:
        first, second = args.users // 2, args.users - args.users // 2
        print(f"memory per connected session (RSS of the app's processes): {(rss[2] - rss[1]) / second:.0f} KiB "
              f"for the second {second} (the first {first}, with the warm-up: {(rss[1] - rss[0]) / first:.0f} KiB)")
    run["stop"] = time.time() + args.seconds
    go.set()
    logins = []
    if args.logins:
        for i in range(int(args.logins * (args.seconds - 2))):
            logins.append(asyncio.create_task(login(args.url, f"client{i % len(tokens)}@bench.example.com", login_samples)))
            await asyncio.sleep(1 / args.logins)
    await asyncio.gather(*users, *logins)
    print(f"{args.users} users, think {args.think}s: {len(samples)} round trips, {run['lost']} unanswered, "
          f"p50 {statistics.median(samples):.1f} ms, p95 {p95(samples):.1f} ms, max {max(samples):.1f} ms")
    if sizes:
        print(f"answer to one navigation: {statistics.median(sizes) / 1024:.1f} KiB of websocket text (median)")
    if login_samples:
        print(f"logins: {len(login_samples)}, p50 {statistics.median(login_samples):.0f} ms, p95 {p95(login_samples):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--churn", type=int, default=0, help="sessions that come and go before measuring")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between a user's events")
    parser.add_argument("--logins", type=float, default=0, help="password logins per second while measuring")
    parser.add_argument("--share", type=int, default=0, help="only measure N share-and-invite saves")
    parser.add_argument("--app-pid", type=int, default=0, help="pid of `reflex run` for memory per session")
    args = parser.parse_args()
    if not os.environ.get("PORTAL_DATABASE_URL"):
        parser.error("set PORTAL_DATABASE_URL to the app's database")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
