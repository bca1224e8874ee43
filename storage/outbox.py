"""The outbox: what the bot sends on its own initiative, stored before it is sent.

A message is enqueued in the same transaction as the change that causes it (an idea, a status,
an erasure request), so it exists exactly when that change does. Delivery workers claim due
messages with a lease, send, and record the outcome only while they still hold the lease.

Delivery is at least once, not exactly once: Telegram has no idempotency key, so a message
whose send succeeded but whose answer was lost (or whose worker died before recording it) is
sent again after its lease expires. Leases outlast the send timeout, so a second worker takes
a message over only when the first can no longer be sending it; duplicates are rare, not
impossible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import literal_column
from sqlmodel import col, delete, func, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMessage

PENDING, SENT, STOPPED, DEAD, EXPIRED = "pending", "sent", "stopped", "dead", "expired"
LEASE = timedelta(seconds=90)
KEEP_DELIVERED = timedelta(days=30)  # delivery records (no content) for staff statistics


@dataclass(frozen=True)
class Outgoing:
    """One message to queue. `buttons` rows hold {"text", "data"} or {"text", "url"}."""

    chat_id: int
    text: str = ""
    buttons: list[list[dict[str, str]]] = field(default_factory=list)
    kind: str = "text"  # text | document | edit
    reply_to_message_id: int | None = None
    edit_message_id: int | None = None
    document: bytes | None = None
    document_name: str | None = None
    subject: str | None = None  # the resident it concerns (pseudonym)
    purpose: str | None = None
    ref_kind: str | None = None
    ref_id: str | None = None
    role: str | None = None
    not_before: datetime | None = None  # a reminder: not sent before this moment
    expires_at: datetime | None = None  # ...and no longer worth sending from this one


def enqueue(session: AsyncSession, outgoing: Outgoing, now: datetime) -> OutboxMessage:
    """Add a message to the caller's transaction; it is sent after the commit, from `now` (or
    its `not_before`) until its `expires_at`."""
    message = OutboxMessage(
        next_attempt_at=max(now, outgoing.not_before or now), created_at=now,
        expires_at=outgoing.expires_at,
        chat_id=outgoing.chat_id, text=outgoing.text, buttons=outgoing.buttons,
        kind=outgoing.kind, reply_to_message_id=outgoing.reply_to_message_id,
        edit_message_id=outgoing.edit_message_id, document=outgoing.document,
        document_name=outgoing.document_name, subject=outgoing.subject,
        purpose=outgoing.purpose, ref_kind=outgoing.ref_kind, ref_id=outgoing.ref_id,
        role=outgoing.role,
    )
    session.add(message)
    return message


# Written into the SQL, not bound: only then can SQLite (and PostgreSQL's generic plans) see
# that the claim query matches the partial index `ix_outbox_message_queue`.
_QUEUED = col(OutboxMessage.status) == literal_column(f"'{PENDING}'")


def _due(now: datetime) -> Any:
    return (
        _QUEUED
        & (col(OutboxMessage.next_attempt_at) <= now)
        & or_(col(OutboxMessage.lease_until).is_(None), col(OutboxMessage.lease_until) < now)
    )


async def claim_due(
    session: AsyncSession, *, owner: str, now: datetime, limit: int = 20,
    lease: timedelta = LEASE,
) -> list[OutboxMessage]:
    """Lease up to `limit` due messages to `owner` and commit, so other workers skip them.

    On PostgreSQL the candidate rows are locked with SKIP LOCKED; on SQLite the single UPDATE
    runs under the database's write lock. Either way no message is leased twice.
    """
    candidates = (
        select(OutboxMessage.id).where(_due(now))
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id)).limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(candidates.scalar_subquery()), _due(now))
        .values(lease_owner=owner, lease_until=now + lease)
        .returning(col(OutboxMessage.id))
    )
    claimed = sorted(row[0] for row in result.all())
    await session.commit()
    if not claimed:
        return []
    rows = await session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(claimed)))
    return sorted(rows.all(), key=lambda message: message.id or 0)


async def _finish(session: AsyncSession, message_id: int, owner: str, **values: Any) -> bool:
    """Apply `values` only while `owner` still holds the lease; False if it was lost."""
    result = await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.lease_owner) == owner,
               col(OutboxMessage.status) == PENDING)
        .values(lease_owner=None, lease_until=None, **values)
    )
    await session.commit()
    return (result.rowcount or 0) == 1


async def mark_sent(
    session: AsyncSession, message: OutboxMessage, *, owner: str, telegram_message_id: int | None,
    now: datetime,
) -> bool:
    """Sent: keep the delivery record, drop the content (it may carry personal data)."""
    return await _finish(
        session, message.id or 0, owner, status=SENT, sent_message_id=telegram_message_id,
        attempts=message.attempts + 1, sent_at=now, last_error=None, text="", buttons=[],
        document=None,
    )


async def retry_later(
    session: AsyncSession, message: OutboxMessage, *, owner: str, at: datetime, error: str,
    counts_as_attempt: bool = True,
) -> bool:
    return await _finish(
        session, message.id or 0, owner, next_attempt_at=at, last_error=error[:300],
        attempts=message.attempts + (1 if counts_as_attempt else 0),
    )


async def give_up(
    session: AsyncSession, message: OutboxMessage, *, owner: str, status: str, error: str
) -> bool:
    """`stopped` (blocked, chat gone: nobody to deliver to), `dead` (failed too often) or
    `expired` (its moment passed, e.g. a reminder of an event that has begun)."""
    return await _finish(
        session, message.id or 0, owner, status=status, attempts=message.attempts + 1,
        last_error=error[:300], text="", buttons=[], document=None,
    )


async def drop_pending(
    session: AsyncSession, *, subject: str | None = None, purpose: str | None = None,
    ref_kind: str | None = None, ref_ids: list[str] | None = None,
) -> int:
    """Erasure and retention: queued messages that concern a resident or a record go."""
    conditions: list[Any] = [OutboxMessage.status == PENDING]
    if subject is not None:
        conditions.append(OutboxMessage.subject == subject)
    if purpose is not None:
        conditions.append(OutboxMessage.purpose == purpose)
    if ref_kind is not None:
        conditions.append(OutboxMessage.ref_kind == ref_kind)
        if ref_ids is not None:
            conditions.append(col(OutboxMessage.ref_id).in_(ref_ids))
    if len(conditions) == 1:
        raise ValueError("drop_pending needs a subject, purpose or reference")
    result = await session.exec(delete(OutboxMessage).where(*conditions))
    return result.rowcount or 0


async def pending_about(session: AsyncSession, subject: str) -> list[OutboxMessage]:
    """Queued messages that concern a resident (for /mydata)."""
    rows = await session.exec(select(OutboxMessage).where(
        OutboxMessage.subject == subject, OutboxMessage.status == PENDING
    ).order_by(col(OutboxMessage.id)))
    return list(rows.all())


async def is_pending(session: AsyncSession, *, ref_kind: str, ref_id: str, role: str) -> bool:
    rows = await session.exec(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.ref_kind == ref_kind, OutboxMessage.ref_id == ref_id,
        OutboxMessage.role == role, OutboxMessage.status == PENDING))
    return bool(rows.one())


async def status_counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.exec(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {status: count for status, count in rows.all()}


async def undelivered(session: AsyncSession, limit: int = 20) -> list[OutboxMessage]:
    """Dead and stopped messages, newest first: what staff should look at."""
    rows = await session.exec(
        select(OutboxMessage).where(col(OutboxMessage.status).in_([DEAD, STOPPED]))
        .order_by(col(OutboxMessage.id).desc()).limit(limit))
    return list(rows.all())


async def purge_delivered(session: AsyncSession, now: datetime) -> int:
    """Delivery records are kept a while for statistics, then go (they hold no content)."""
    result = await session.exec(delete(OutboxMessage).where(
        col(OutboxMessage.status).in_([SENT, STOPPED, DEAD, EXPIRED]),
        col(OutboxMessage.created_at) < now - KEEP_DELIVERED))
    return result.rowcount or 0
