"""Contact search: a folded name column (case, diacritics, punctuation gone) with prefix indexes (issue 8)

Revision ID: 0005_contact_search
Revises: 0004_matter_month_time
Create Date: 2026-12-03 16:30:00

Old rows are folded here in Python (neither SQLite nor PostgreSQL can strip Polish diacritics in
plain SQL), a few thousand rows per round trip, so a firm of any size migrates in one pass.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from portal_app.services.search_text import fold

revision: str = '0005_contact_search'
down_revision: Union[str, None] = '0004_matter_month_time'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BATCH = 5_000
SEARCH_TEXT = sa.String(400).with_variant(sa.String(400, collation="C"), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', SEARCH_TEXT, nullable=False, server_default=''))

    bind = op.get_bind()
    contact = sa.table('contact', sa.column('id', sa.Integer), sa.column('name', sa.String),
                       sa.column('search_name', sa.String))
    last = 0
    while True:
        rows = bind.execute(sa.select(contact.c.id, contact.c.name).where(contact.c.id > last)
                            .order_by(contact.c.id).limit(BATCH)).all()
        if not rows:
            break
        bind.execute(contact.update().where(contact.c.id == sa.bindparam('row_id'))
                     .values(search_name=sa.bindparam('folded')),
                     [{'row_id': i, 'folded': fold(name)} for i, name in rows])
        last = rows[-1][0]

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index('ix_contact_firm_search', ['firm_id', 'search_name'], unique=False)
        batch_op.create_index('ix_contact_firm_email', ['firm_id', 'email'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_firm_email')
        batch_op.drop_index('ix_contact_firm_search')
        batch_op.drop_column('search_name')
