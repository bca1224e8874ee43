"""The outbox: messages the bot sends on its own initiative, stored first, delivered once.

Enqueued in the same transaction as what caused them; a worker claims due messages (so two
workers never send the same one), sends, and marks them sent, or schedules a retry with
exponential backoff when Telegram or the target chat fails.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, delete, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMessage

CLAIM_SECONDS = 60
MAX_BACKOFF_SECONDS = 3600


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... seconds, at most an hour."""
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def enqueue(session: AsyncSession, *, chat_id: int, text: str,
            buttons: list[list[dict[str, str]]] | None = None, idea_id: int | None = None
            ) -> OutboxMessage:
    """Add a message to the caller's transaction; it is sent after the commit."""
    message = OutboxMessage(chat_id=chat_id, text=text, buttons=buttons or [], idea_id=idea_id)
    session.add(message)
    return message


async def claim_due(session: AsyncSession, now: datetime, limit: int = 20) -> list[OutboxMessage]:
    """Pending messages whose time has come, claimed for this worker for a minute."""
    candidates = (await session.exec(
        select(OutboxMessage.id).where(
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= now,
            or_(col(OutboxMessage.claimed_until).is_(None), OutboxMessage.claimed_until < now),
        ).order_by(col(OutboxMessage.id)).limit(limit)
    )).all()
    claimed: list[OutboxMessage] = []
    until = now + timedelta(seconds=CLAIM_SECONDS)
    for message_id in candidates:
        result = await session.exec(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending",
                   or_(col(OutboxMessage.claimed_until).is_(None),
                       OutboxMessage.claimed_until < now))
            .values(claimed_until=until)
        )
        if result.rowcount == 1:
            claimed.append(message_id)
    await session.commit()
    if not claimed:
        return []
    rows = await session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(claimed)))
    return sorted(rows.all(), key=lambda message: message.id or 0)


async def mark_sent(session: AsyncSession, message: OutboxMessage, telegram_message_id: int) -> None:
    """Sent: keep the delivery record, drop the content (it may carry personal data)."""
    message.status, message.sent_message_id = "sent", telegram_message_id
    message.text, message.buttons = "", []
    message.attempts += 1
    message.claimed_until, message.last_error = None, None
    session.add(message)
    await session.commit()


async def mark_failed(session: AsyncSession, message: OutboxMessage, error: str, now: datetime) -> None:
    message.attempts += 1
    message.next_attempt_at = now + backoff(message.attempts)
    message.claimed_until, message.last_error = None, error[:300]
    session.add(message)
    await session.commit()


async def drop_pending_for_chat(session: AsyncSession, chat_id: int) -> int:
    """Erasure: nothing still queued for this chat is sent any more."""
    result = await session.exec(delete(OutboxMessage).where(
        OutboxMessage.chat_id == chat_id, OutboxMessage.status == "pending"))
    return result.rowcount or 0
