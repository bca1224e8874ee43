"""telegram ids as 64-bit, outbox for any message, drafts by subject

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 16:14:57.893313

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('fsm_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_fsm_record_subject'), ['subject'], unique=False)

    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.add_column(sa.Column('reply_in_telegram', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('status_reason', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column('staff_chat_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('staff_message_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('forwarded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.alter_column('chat_id',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False)

    with op.batch_alter_table('news_subscription', schema=None) as batch_op:
        batch_op.alter_column('chat_id',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False)

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
                                      server_default='text'))
        batch_op.add_column(sa.Column('reply_to_message_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('edit_message_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('document', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('document_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column('ref_kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('ref_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column('lease_owner', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.alter_column('chat_id',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False)
        batch_op.alter_column('sent_message_id',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=True)
        batch_op.drop_index(batch_op.f('ix_outbox_message_chat_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_idea_id'))
        batch_op.create_index('ix_outbox_message_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_outbox_message_ref', ['ref_kind', 'ref_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_subject'), ['subject'], unique=False)

    # Queued messages about an idea keep pointing at it, now through the generic reference.
    op.execute("UPDATE outbox_message SET ref_kind = 'idea', ref_id = CAST(idea_id AS VARCHAR(40)) "
               "WHERE idea_id IS NOT NULL")
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('idea_id')



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idea_id', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DATETIME(), nullable=True))
    op.execute("UPDATE outbox_message SET idea_id = CAST(ref_id AS INTEGER) WHERE ref_kind = 'idea'")
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_subject'))
        batch_op.drop_index('ix_outbox_message_ref')
        batch_op.drop_index('ix_outbox_message_due')
        batch_op.create_index(batch_op.f('ix_outbox_message_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_chat_id'), ['chat_id'], unique=False)
        batch_op.alter_column('sent_message_id',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=True)
        batch_op.alter_column('chat_id',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False)
        batch_op.drop_column('sent_at')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('lease_owner')
        batch_op.drop_column('role')
        batch_op.drop_column('ref_id')
        batch_op.drop_column('ref_kind')
        batch_op.drop_column('purpose')
        batch_op.drop_column('subject')
        batch_op.drop_column('document_name')
        batch_op.drop_column('document')
        batch_op.drop_column('edit_message_id')
        batch_op.drop_column('reply_to_message_id')
        batch_op.drop_column('kind')

    with op.batch_alter_table('news_subscription', schema=None) as batch_op:
        batch_op.alter_column('chat_id',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False)

    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.alter_column('chat_id',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False)
        batch_op.drop_column('forwarded_at')
        batch_op.drop_column('staff_message_id')
        batch_op.drop_column('staff_chat_id')
        batch_op.drop_column('status_reason')
        batch_op.drop_column('reply_in_telegram')
        batch_op.drop_column('size')

    with op.batch_alter_table('fsm_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fsm_record_subject'))
        batch_op.drop_column('subject')

