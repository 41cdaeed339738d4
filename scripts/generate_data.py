"""A law firm of realistic size for the benchmarks, bulk-inserted into PORTAL_DATABASE_URL.

Adds one Premium firm ("Bench") with its portal enabled at the address `bench`:
5,000 contacts, 20,000 matters, 1,000,000 time entries, 100,000 invoices, 10,000 agreements and
2,000 portal users, each sharing one contact card. Portal user 0 (`client0@bench.example.com`)
sees the largest client: 200 matters and 100,000 time entries. `--scale 0.01` makes a small copy.

    python scripts/generate_data.py [--scale 1.0] [--if-missing] [URL ...]

Each URL (default: PORTAL_DATABASE_URL) is created if it is a missing PostgreSQL database,
migrated to head, then filled; `--if-missing` leaves a database that has the firm already.

PostgreSQL rows go in through COPY, SQLite rows through executemany in one transaction.
"""

import argparse
import io
import os
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

import portal_app.models  # noqa: E402,F401  (registers every table)
from portal_app.db import engine  # noqa: E402
from portal_app.services.passwords import hash_password  # noqa: E402
from portal_app.services.search_text import fold  # noqa: E402

ADDRESS = "bench"
PASSWORD = "Bench-Portal-2026"
BIG_MATTERS = 200
BIG_ENTRIES_PER_MATTER = 500
TYPES = ("invoice", "invoice", "invoice", "advance", "credit_note")
STATUSES = ("draft", "approved", "partially_paid", "paid", "paid", "paid", "cancelled")
SCOPE = [(t, s) for t in ("invoice", "advance", "credit_note") for s in ("approved", "partially_paid", "paid")]
WORDS = ("analiza umowy", "pismo procesowe", "rozprawa", "narada z klientem", "opinia prawna",
         "korespondencja", "negocjacje", "due diligence", "przegląd dokumentów", "projekt aneksu")


def _table(name: str):
    return SQLModel.metadata.tables[name]


def _next_id(conn, name: str) -> int:
    return (conn.execute(select(func.max(_table(name).c.id))).scalar() or 0) + 1


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def bulk(conn, name: str, columns: list[str], rows) -> int:
    """Insert rows (tuples in `columns` order) fast: COPY on PostgreSQL, executemany on SQLite."""
    count = 0
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor().copy(f'COPY "{name}" ({", ".join(columns)}) FROM STDIN') as copy:
            buf = io.StringIO()
            for row in rows:
                buf.write("\t".join(_copy_value(v) for v in row) + "\n")
                count += 1
                if count % 50_000 == 0:
                    copy.write(buf.getvalue())
                    buf = io.StringIO()
            copy.write(buf.getvalue())
        return count
    table = _table(name)
    batch = []
    for row in rows:
        batch.append(dict(zip(columns, row)))
        if len(batch) == 20_000:
            conn.execute(table.insert(), batch)
            count += len(batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)
        count += len(batch)
    return count


def generate(scale: float, seed: int = 7) -> dict:
    rnd = random.Random(seed)
    n_contacts = max(10, int(5_000 * scale))
    n_matters = max(40, int(20_000 * scale))
    big_matters = max(2, int(BIG_MATTERS * scale))
    n_entries = max(2_000, int(1_000_000 * scale))
    big_per_matter = BIG_ENTRIES_PER_MATTER
    n_invoices = int(100_000 * scale)
    n_agreements = int(10_000 * scale)
    n_users = max(5, min(n_contacts, int(2_000 * scale)))
    now = datetime.now(timezone.utc)
    today = date.today()
    pw = hash_password(PASSWORD)
    timings = {}

    with engine().begin() as conn:
        if conn.execute(text("select 1 from portal_settings where address = :a"), {"a": ADDRESS}).first():
            raise SystemExit(f"a firm with portal address {ADDRESS!r} exists already: use a fresh database")
        t0 = time.perf_counter()
        firm_id = _next_id(conn, "firm")
        bulk(conn, "firm", ["id", "name", "plan", "default_language", "created_at"],
             [(firm_id, "Kancelaria Bench sp.k.", "premium", "pl", now)])
        bulk(conn, "portal_settings", ["firm_id", "enabled", "company_name", "address", "contact_email", "version", "updated_at"],
             [(firm_id, True, "Kancelaria Bench", ADDRESS, "biuro@bench.example.com", 1, now)])
        staff0 = _next_id(conn, "staff_user")
        n_staff = 20
        bulk(conn, "staff_user", ["id", "firm_id", "email", "name", "role", "password_hash", "language", "timezone"],
             [(staff0 + i, firm_id, f"staff{i}@bench.example.com", f"Prawnik {i}", "administrator" if i == 0 else "user",
               pw, "pl", "Europe/Warsaw") for i in range(n_staff)])

        c0 = _next_id(conn, "contact")
        names = [f"Klient {i:05d} sp. z o.o." for i in range(n_contacts)]
        bulk(conn, "contact", ["id", "firm_id", "kind", "name", "email", "archived_at", "search_name"],
             [(c0 + i, firm_id, "company" if i % 3 else "person", names[i], f"kontakt{i}@klient.example.com", None,
               fold(names[i])) for i in range(n_contacts)])

        def matter_contact(i: int) -> int:
            """Matter i belongs to the big client (contact 0) for the first `big_matters` matters."""
            return c0 if i < big_matters else c0 + 1 + (i - big_matters) % (n_contacts - 1)

        m0 = _next_id(conn, "matter")
        bulk(conn, "matter", ["id", "firm_id", "contact_id", "number", "title", "status"],
             [(m0 + i, firm_id, matter_contact(i), f"B/{i:06d}", f"Sprawa {i} — {WORDS[i % len(WORDS)]}",
               "closed" if i % 5 == 0 else "open") for i in range(n_matters)])
        timings["firm, staff, contacts, matters"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        big_entries = big_matters * big_per_matter
        rest_matters = n_matters - big_matters

        def entries():
            for j in range(n_entries):
                if j < big_entries:
                    mi = j % big_matters
                else:
                    mi = big_matters + (j - big_entries) % rest_matters
                yield (firm_id, m0 + mi, staff0 + j % n_staff, today - timedelta(days=rnd.randrange(1095)),
                       rnd.choice((15, 30, 45, 60, 90, 120, 180, 240)), WORDS[j % len(WORDS)], j % 7 != 0)

        bulk(conn, "time_entry", ["firm_id", "matter_id", "staff_user_id", "work_date", "minutes", "description", "billable"], entries())
        timings["time entries"] = time.perf_counter() - t0

        t0 = time.perf_counter()

        def invoices():
            for k in range(n_invoices):
                mi = k % n_matters
                issue = today - timedelta(days=rnd.randrange(1095))
                total = rnd.randrange(20_000, 5_000_000)
                status = STATUSES[k % len(STATUSES)]
                paid = total if status == "paid" else (total // 3 if status == "partially_paid" else 0)
                yield (firm_id, matter_contact(mi), None if k % 5 == 4 else m0 + mi, f"FV/B/{k:07d}", TYPES[k % len(TYPES)],
                       status, issue, issue + timedelta(days=14), "EUR" if k % 11 == 0 else "PLN", total, paid)

        bulk(conn, "invoice", ["firm_id", "contact_id", "matter_id", "number", "type", "status", "issue_date", "due_date",
                               "currency", "total_minor", "paid_minor"], invoices())

        def agreements():
            for k in range(n_agreements):
                mi = k % n_matters
                signed = today - timedelta(days=rnd.randrange(1095))
                yield (firm_id, matter_contact(mi), m0 + mi if k % 2 else None, f"Umowa {k}", "hourly", signed,
                       signed + timedelta(days=730))

        bulk(conn, "agreement", ["firm_id", "contact_id", "matter_id", "title", "fee_arrangement", "signed_on", "valid_until"],
             agreements())
        timings["invoices, agreements"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        s0 = _next_id(conn, "share")
        r0 = _next_id(conn, "share_recipient")
        bulk(conn, "share", ["id", "firm_id", "contact_id", "matter_id", "time_entries", "agreements", "updated_at"],
             [(s0 + u, firm_id, c0 + u, None, True, True, now) for u in range(n_users)])
        bulk(conn, "share_invoice_scope", ["share_id", "invoice_type", "invoice_status"],
             [(s0 + u, t, s) for u in range(n_users) for t, s in SCOPE])
        bulk(conn, "share_recipient", ["id", "share_id", "firm_id", "email", "added_at", "last_invited_at", "removed_at"],
             [(r0 + u, s0 + u, firm_id, f"client{u}@bench.example.com", now, now, None) for u in range(n_users)])
        bulk(conn, "portal_user", ["firm_id", "email", "first_name", "last_name", "password_hash", "language", "timezone", "created_at"],
             [(firm_id, f"client{u}@bench.example.com", "Klient", f"Numer {u}", pw, "pl", "Europe/Warsaw", now)
              for u in range(n_users)])
        timings["shares, portal users"] = time.perf_counter() - t0

        if conn.dialect.name == "postgresql":
            for name in ("firm", "staff_user", "contact", "matter", "share", "share_recipient"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM \"{name}\"))"))
    t0 = time.perf_counter()
    with engine().execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE"))
    timings["analyze"] = time.perf_counter() - t0
    return {"firm_id": firm_id, "contacts": n_contacts, "matters": n_matters, "time_entries": n_entries,
            "invoices": n_invoices, "agreements": n_agreements, "portal_users": n_users,
            "largest_client_entries": big_entries, "timings": timings}


def prepare(url: str) -> bool:
    """Create (PostgreSQL) and migrate the database; True when the bench firm is already there."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.execute(text("select 1 from pg_database where datname = :n"), {"n": parsed.database}).first():
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        admin.dispose()
    os.environ["PORTAL_DATABASE_URL"] = url
    cfg = Config(str(Path(__file__).resolve().parent.parent / "alembic.ini"))
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")
    with engine().connect() as conn:
        return conn.execute(text("select 1 from portal_settings where address = :a"), {"a": ADDRESS}).first() is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the full firm; 0.01 for a quick try")
    parser.add_argument("--if-missing", action="store_true", help="skip databases that have the firm already")
    parser.add_argument("urls", nargs="*", default=[os.environ.get("PORTAL_DATABASE_URL", "")])
    args = parser.parse_args()
    for url in args.urls:
        if prepare(url) and args.if_missing:
            print(f"{url}: the bench firm exists already")
            continue
        print(f"{url}:")
        fill(args.scale)


def fill(scale: float) -> None:
    started = time.perf_counter()
    summary = generate(scale)
    for key, value in summary.items():
        if key != "timings":
            print(f"{key:>24}: {value:,}")
    for step, seconds in summary["timings"].items():
        print(f"{step:>32}: {seconds:6.1f} s")
    print(f"{'total':>32}: {time.perf_counter() - started:6.1f} s")


if __name__ == "__main__":
    main()
