"""outbox queue index

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:20:00

The claim query scans only queued messages in the order they fall due (a partial index), so
it no longer slows down as delivery records are kept.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

QUEUED = sa.text("status = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_queue', ['next_attempt_at', 'id'], unique=False,
                              sqlite_where=QUEUED, postgresql_where=QUEUED)


def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_queue', sqlite_where=QUEUED,
                            postgresql_where=QUEUED)
