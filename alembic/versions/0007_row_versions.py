"""Edit counters on the rows staff edit: contact, matter, time entry, invoice, agreement (issue 6)

Two tabs (or two backend workers) saving the same row overwrote each other silently, and two
payments recorded at once on one invoice were both accepted while its paid total kept only one.
With `version` as SQLAlchemy's `version_id_col`, every UPDATE and DELETE requires the version it
read; forms also send the version they opened. Plain ADD/DROP COLUMN on both databases (SQLite
≥ 3.35 drops columns in place), so time_entry keeps its triggers.

Revision ID: 0007_row_versions
Revises: 0006_credit_note_index
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007_row_versions"
down_revision: Union[str, None] = "0006_credit_note_index"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("contact", "matter", "time_entry", "invoice", "agreement")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "version")
