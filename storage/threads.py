"""Which Telegram messages belong to which conversation (an idea, a sign-up, a ticket).

A coordinator replies (in Telegram) to the bot's message in the staff chat; a resident replies
to the relayed answer in theirs. Each side's message is recorded when the outbox delivers it,
so the reply can be found and relayed to the other side.
"""

from __future__ import annotations

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ThreadMessage, utc_now

STAFF, RESIDENT = "staff", "resident"
# Outbox roles of the messages that carry a conversation on: a coordinator's answer relayed to
# the resident, and the resident's answer posted in the staff chat.
TO_RESIDENT, TO_STAFF = "thread.to_resident", "thread.to_staff"


async def remember(session: AsyncSession, *, chat_id: int, message_id: int, ref_kind: str,
                   ref_id: str, side: str, subject: str | None) -> None:
    existing = await session.get(ThreadMessage, (chat_id, message_id))
    session.add(existing or ThreadMessage(chat_id=chat_id, message_id=message_id,
                                          ref_kind=ref_kind, ref_id=ref_id, side=side,
                                          subject=subject, created_at=utc_now()))


async def thread_of(session: AsyncSession, chat_id: int, message_id: int) -> ThreadMessage | None:
    if not (abs(chat_id) < 2**62 and 0 < message_id < 2**62):
        return None
    return await session.get(ThreadMessage, (chat_id, message_id))


async def staff_message_of(session: AsyncSession, ref_kind: str, ref_id: str
                           ) -> ThreadMessage | None:
    """The first message of a conversation in the staff chat (to reply under it)."""
    rows = await session.exec(select(ThreadMessage).where(
        col(ThreadMessage.ref_kind) == ref_kind, col(ThreadMessage.ref_id) == ref_id,
        col(ThreadMessage.side) == STAFF).order_by(col(ThreadMessage.created_at)))
    return rows.first()


async def forget(session: AsyncSession, ref_kind: str, ref_ids: list[str]) -> None:
    if ref_ids:
        await session.exec(delete(ThreadMessage).where(
            col(ThreadMessage.ref_kind) == ref_kind, col(ThreadMessage.ref_id).in_(ref_ids)))
