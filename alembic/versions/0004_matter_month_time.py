"""Monthly time totals per matter, kept by triggers on time_entry (issue 7)

The client's dashboard summed every visible time entry (100,000 for a large client: 0.1-0.2 s);
it now sums these per-month rows. Triggers keep them exact for every writer. A later batch
migration that recreates `time_entry` on SQLite drops its triggers: recreate them there.

Revision ID: 0004_matter_month_time
Revises: 0003_workspace
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004_matter_month_time"
down_revision: Union[str, None] = "0003_workspace"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SQLITE_MONTH = "date({row}.work_date, 'start of month')"
SQLITE_ADD = """
    INSERT INTO matter_month_time (matter_id, month, minutes, entries)
    VALUES (NEW.matter_id, date(NEW.work_date, 'start of month'), NEW.minutes, 1)
    ON CONFLICT (matter_id, month) DO UPDATE
    SET minutes = minutes + excluded.minutes, entries = entries + 1;"""
SQLITE_REMOVE = """
    UPDATE matter_month_time SET minutes = minutes - OLD.minutes, entries = entries - 1
    WHERE matter_id = OLD.matter_id AND month = date(OLD.work_date, 'start of month');"""
SQLITE_TRIGGERS = {
    "time_entry_month_insert": f"AFTER INSERT ON time_entry BEGIN {SQLITE_ADD} END",
    "time_entry_month_update": (
        f"AFTER UPDATE OF matter_id, work_date, minutes ON time_entry BEGIN {SQLITE_REMOVE} {SQLITE_ADD} END"
    ),
    "time_entry_month_delete": f"AFTER DELETE ON time_entry BEGIN {SQLITE_REMOVE} END",
}
POSTGRES_FUNCTION = """
CREATE FUNCTION matter_month_time_sync() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE matter_month_time SET minutes = minutes - OLD.minutes, entries = entries - 1
        WHERE matter_id = OLD.matter_id AND month = date_trunc('month', OLD.work_date)::date;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO matter_month_time (matter_id, month, minutes, entries)
        VALUES (NEW.matter_id, date_trunc('month', NEW.work_date)::date, NEW.minutes, 1)
        ON CONFLICT (matter_id, month) DO UPDATE
        SET minutes = matter_month_time.minutes + EXCLUDED.minutes, entries = matter_month_time.entries + 1;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql"""
POSTGRES_TRIGGER = """
CREATE TRIGGER time_entry_month_sync
AFTER INSERT OR UPDATE OF matter_id, work_date, minutes OR DELETE ON time_entry
FOR EACH ROW EXECUTE FUNCTION matter_month_time_sync()"""


def upgrade() -> None:
    op.create_table(
        "matter_month_time",
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["matter_id"], ["matter.id"]),
        sa.PrimaryKeyConstraint("matter_id", "month"),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    month = SQLITE_MONTH.format(row="time_entry") if sqlite else "date_trunc('month', time_entry.work_date)::date"
    op.execute(
        "INSERT INTO matter_month_time (matter_id, month, minutes, entries) "
        f"SELECT matter_id, {month}, sum(minutes), count(*) FROM time_entry GROUP BY matter_id, {month}"
    )
    if sqlite:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    else:
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute("DROP TRIGGER time_entry_month_sync ON time_entry")
        op.execute("DROP FUNCTION matter_month_time_sync()")
    op.drop_table("matter_month_time")
