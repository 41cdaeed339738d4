"""Server time of the portal's queries on the generated firm (scripts/generate_data.py).

For each database URL given (default: PORTAL_DATABASE_URL) prints p50/p95 of
- the dashboard widgets for typical clients and for the largest client, with the ratio to the
  same aggregates written by hand in SQL (hours from the monthly totals of migration 0004, and for
  comparison summed over every time entry as before it);
- the first page of every list (client: invoices, time entries, agreements; staff: contacts,
  matters), and the query plans of those pages, flagging full scans of big tables.

    python scripts/bench.py sqlite:////tmp/bench.db postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, text  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

import portal_app.models  # noqa: E402,F401
from portal_app.db import _engine_for  # noqa: E402
from portal_app.models import Firm, PortalUser, StaffUser  # noqa: E402
from portal_app.services import client_portal, staff as staff_service  # noqa: E402
from portal_app.services.client_portal import today_for  # noqa: E402
from portal_app.services.identity import PortalIdentity, StaffIdentity  # noqa: E402

RUNS = 40
BIG_TABLES = ("time_entry", "invoice", "agreement", "matter", "contact", "share_recipient", "share")

RAW_HOURS = """
SELECT coalesce(sum(t.minutes), 0), coalesce(sum(CASE WHEN t.month >= :month THEN t.minutes ELSE 0 END), 0)
FROM matter_month_time t
WHERE t.matter_id IN (
    SELECT m.id FROM matter m JOIN share s ON s.contact_id = m.contact_id OR s.matter_id = m.id
    JOIN share_recipient r ON r.share_id = s.id
    WHERE r.firm_id = :firm AND r.email = :email AND r.removed_at IS NULL AND s.time_entries)
"""
RAW_HOURS_EVERY_ENTRY = """
SELECT coalesce(sum(te.minutes), 0), coalesce(sum(CASE WHEN te.work_date >= :month THEN te.minutes ELSE 0 END), 0)
FROM time_entry te
WHERE te.firm_id = :firm AND te.matter_id IN (
    SELECT m.id FROM matter m JOIN share s ON s.contact_id = m.contact_id OR s.matter_id = m.id
    JOIN share_recipient r ON r.share_id = s.id
    WHERE r.firm_id = :firm AND r.email = :email AND r.removed_at IS NULL AND s.time_entries)
"""
OWED = """(i.total_minor - i.paid_minor + coalesce((SELECT sum(n.total_minor) FROM invoice n
    WHERE n.corrects_invoice_id = i.id AND n.firm_id = i.firm_id AND n.type = 'credit_note'
    AND n.status NOT IN ('draft', 'cancelled')), 0))"""
POSITIVE_OWED = f"CASE WHEN {OWED} > 0 THEN {OWED} ELSE 0 END"
RAW_MONEY = f"""
SELECT i.currency, sum(CASE WHEN i.due_date >= :today THEN {POSITIVE_OWED} ELSE 0 END),
       sum(CASE WHEN i.due_date < :today THEN {POSITIVE_OWED} ELSE 0 END)
FROM invoice i
WHERE i.firm_id = :firm AND i.status IN ('approved', 'partially_paid') AND i.type IN ('invoice', 'advance')
  AND i.id IN (SELECT i2.id FROM invoice i2 JOIN share s ON s.contact_id = i2.contact_id OR s.matter_id = i2.matter_id
               JOIN share_recipient r ON r.share_id = s.id
               JOIN share_invoice_scope sc ON sc.share_id = s.id AND sc.invoice_type = i2.type
                    AND sc.invoice_status = i2.status
               WHERE i2.firm_id = :firm AND r.firm_id = :firm AND r.email = :email AND r.removed_at IS NULL)
GROUP BY i.currency ORDER BY i.currency
"""


def timed(fn) -> tuple[float, float]:
    """p50 and p95 in milliseconds after two warm-up calls."""
    fn()
    fn()
    samples = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def portal_identity(session: Session, email: str) -> PortalIdentity:
    u = session.exec(select(PortalUser).where(PortalUser.email == email)).one()
    return PortalIdentity(user_id=u.id, firm_id=u.firm_id, email=u.email, first_name=u.first_name,
                          last_name=u.last_name, language=u.language, timezone=u.timezone)


def staff_identity(session: Session, email: str) -> StaffIdentity:
    u = session.exec(select(StaffUser).where(StaffUser.email == email)).one()
    firm = session.get(Firm, u.firm_id)
    return StaffIdentity(user_id=u.id, firm_id=u.firm_id, name=u.name, email=u.email, role=u.role,
                         plan=firm.plan, language=u.language, timezone=u.timezone)


def captured_statements(engine, fn) -> list[tuple[str, object]]:
    """The SQL statements (with parameters) one call of fn sends."""
    seen = []

    def grab(_conn, _cursor, statement, parameters, _context, _executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    return seen


def plan(session: Session, statement: str, parameters) -> list[str]:
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        return [r[0] for r in rows]
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return [r[-1] for r in rows]


def full_scans(lines: list[str]) -> list[str]:
    """Plan lines reading a whole big table without an index."""
    bad = []
    for line in lines:
        low = line.lower().strip()
        for table in BIG_TABLES:
            if (f"seq scan on {table} " in low + " " or low.startswith(f"scan {table}")) and "using" not in low:
                bad.append(line.strip())
    return bad


def bench(url: str, show_plans: bool) -> None:
    engine = _engine_for(url)
    with Session(engine) as session:
        print(f"\n=== {engine.dialect.name}: {engine.url.render_as_string(hide_password=True)}")
        count = session.exec(select(func.count()).select_from(PortalUser).where(PortalUser.email.like("client%@bench.example.com"))).one()
        typical = [portal_identity(session, f"client{u}@bench.example.com") for u in range(1, min(21, count))]
        largest = portal_identity(session, "client0@bench.example.com")
        staff = staff_identity(session, "staff0@bench.example.com")
        cycle = iter(range(10**9))

        def typical_dashboard():
            client_portal.dashboard(session, typical[next(cycle) % len(typical)])

        rows = []
        rows.append(("dashboard, typical client (20 clients)", *timed(typical_dashboard), "≤ 10"))
        big = timed(lambda: client_portal.dashboard(session, largest))
        rows.append(("dashboard, largest client", *big, "≤ 50"))
        today = today_for(largest.timezone)
        params = {"firm": largest.firm_id, "email": largest.email, "month": today.replace(day=1), "today": today}

        def raw():
            session.connection().execute(text(RAW_HOURS), params).all()
            session.connection().execute(text(RAW_MONEY), params).all()

        raw_t = timed(raw)
        rows.append(("  same aggregates as raw SQL", *raw_t, ""))
        every = timed(lambda: session.connection().execute(text(RAW_HOURS_EVERY_ENTRY), params).all())
        rows.append(("  hours summed over every entry (before 0004)", *every, ""))
        lists = {
            "invoices": lambda who: client_portal.invoices(session, who),
            "time entries": lambda who: client_portal.time_entries(session, who),
            "agreements": lambda who: client_portal.agreements(session, who),
        }
        for name, fn in lists.items():
            rows.append((f"first page of {name}, typical client", *timed(lambda: fn(typical[0])), "≤ 50"))
            rows.append((f"first page of {name}, largest client", *timed(lambda: fn(largest)), "≤ 50"))
        rows.append(("staff: first page of contacts (5,000)", *timed(lambda: staff_service.contacts(session, staff)), "≤ 50"))
        rows.append(("staff: first page of matters (20,000)", *timed(lambda: staff_service.matters(session, staff)), "≤ 50"))

        print(f"{'measure':<48} {'p50 ms':>8} {'p95 ms':>8}  goal ms")
        for label, p50, p95, goal in rows:
            print(f"{label:<48} {p50:8.2f} {p95:8.2f}  {goal}")
        print(f"largest dashboard / raw SQL (p95): {big[1] / raw_t[1]:.2f}×  (goal ≤ 3×)")

        print("\nquery plans of the first pages (largest client, staff lists):")
        calls = {**{f"client {k}": (lambda fn=fn: fn(largest)) for k, fn in lists.items()},
                 "client dashboard": lambda: client_portal.dashboard(session, largest),
                 "staff contacts": lambda: staff_service.contacts(session, staff),
                 "staff matters": lambda: staff_service.matters(session, staff)}
        for name, fn in calls.items():
            for statement, parameters in captured_statements(engine, fn):
                lines = plan(session, statement, parameters)
                bad = full_scans(lines)
                verdict = "FULL SCAN: " + "; ".join(bad) if bad else "indexes only"
                print(f"  {name:<22} {statement.split()[1][:40]:<42} {verdict}")
                if show_plans:
                    print("      " + "\n      ".join(lines))


def main() -> None:
    global RUNS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="*", default=[os.environ.get("PORTAL_DATABASE_URL", "")])
    parser.add_argument("--plans", action="store_true", help="print every query plan in full")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed calls per measure")
    args = parser.parse_args()
    RUNS = max(3, args.runs)
    for url in args.urls:
        bench(url, args.plans)


if __name__ == "__main__":
    main()
