"""events: seats, sign-ups, expiring reminders

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 17:15:15.774084

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('event_state',
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('start', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('taken', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    op.create_table('signup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('contact', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('needs', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('minor', sa.Boolean(), nullable=False),
    sa.Column('event_end', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'subject')
    )
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signup_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signup_subject'), ['subject'], unique=False)

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signup_subject'))
        batch_op.drop_index(batch_op.f('ix_signup_event_id'))

    op.drop_table('signup')
    op.drop_table('event_state')
