"""people behind the bot

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 17:40:16.218428

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('broadcast',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('districts', sa.JSON(), nullable=False),
    sa.Column('audience', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('staff_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('progress_message_id', sa.BigInteger(), nullable=True),
    sa.Column('progress_shown', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('export_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('what', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('phrasing_suggestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('phrasing_suggestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phrasing_suggestion_topic'), ['topic'], unique=False)

    op.create_table('question_stat',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'locale', 'outcome')
    )
    op.create_table('thread_message',
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=False),
    sa.Column('ref_kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('ref_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('chat_id', 'message_id')
    )
    with op.batch_alter_table('thread_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thread_message_subject'), ['subject'], unique=False)

    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('guesses', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('first_answer_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reannounced_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_subject'), ['subject'], unique=False)

    op.create_table('ticket_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('author', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_message_ticket_id'), ['ticket_id'], unique=False)

    with op.batch_alter_table('news_subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programmes', sa.JSON(), nullable=False,
                                      server_default='[]'))
        batch_op.add_column(sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True))

    with op.batch_alter_table('unanswered_question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False,
                                      server_default='unanswered'))
        batch_op.add_column(sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('unanswered_question', schema=None) as batch_op:
        batch_op.drop_column('topic')
        batch_op.drop_column('kind')

    with op.batch_alter_table('news_subscription', schema=None) as batch_op:
        batch_op.drop_column('district')
        batch_op.drop_column('programmes')

    with op.batch_alter_table('ticket_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_message_ticket_id'))

    op.drop_table('ticket_message')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_subject'))

    op.drop_table('ticket')
    with op.batch_alter_table('thread_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_thread_message_subject'))

    op.drop_table('thread_message')
    op.drop_table('question_stat')
    with op.batch_alter_table('phrasing_suggestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phrasing_suggestion_topic'))

    op.drop_table('phrasing_suggestion')
    op.drop_table('export_log')
    op.drop_table('broadcast')
