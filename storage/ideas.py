"""BO ideas (purpose `bo_idea`): reference numbers per edition, statuses, erasure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.consents import ActiveConsent
from storage.models import Idea, IdeaCounter, as_record, utc_now
from storage.outbox import drop_pending, is_pending
from storage.purposes import Erased
from storage.sql import insert_if_missing
from storage.threads import forget

PURPOSE = "bo_idea"
REF_KIND = "idea"
FORWARD_ROLE = "idea.forward"
STATUSES = ("accepted", "needs_info", "not_eligible")
MAX_ID = 2**62  # ids from callback data beyond this are forged


def reference(edition: int, number: int) -> str:
    return f"BO-{edition}-{number:04d}"


async def next_number(session: AsyncSession, edition: int) -> int:
    """The next number of the edition, inside the caller's transaction.

    The edition's counter row is created if missing (a no-op when it exists, even when two
    first ideas race), then UPDATE ... RETURNING holds it until commit, so concurrent
    confirmations get distinct numbers on PostgreSQL and SQLite alike.
    """
    await insert_if_missing(session, IdeaCounter, "edition", edition=edition, last_number=0)
    result = await session.exec(
        update(IdeaCounter).where(col(IdeaCounter.edition) == edition)
        .values(last_number=IdeaCounter.last_number + 1)
        .returning(col(IdeaCounter.last_number))
    )
    return int(result.scalar_one())


async def create_idea(
    session: AsyncSession, consent: ActiveConsent, *, edition: int, fields: dict[str, Any]
) -> Idea:
    """Store a confirmed idea with a fresh reference number."""
    consent.require(PURPOSE)
    number = await next_number(session, edition)
    idea = Idea(reference=reference(edition, number), edition=edition, number=number,
                subject=consent.subject, **fields)
    session.add(idea)
    await session.flush()
    return idea


async def find_idea(session: AsyncSession, idea_id: int) -> Idea | None:
    if not 0 < idea_id < MAX_ID:
        return None
    return await session.get(Idea, idea_id)


async def ideas_of(session: AsyncSession, subject: str) -> list[Idea]:
    rows = await session.exec(select(Idea).where(Idea.subject == subject).order_by(col(Idea.id)))
    return list(rows.all())


def set_status(idea: Idea, status: str, by: str, reason: str | None = None) -> None:
    idea.status, idea.status_by, idea.status_at = status, by[:100], utc_now()
    idea.status_reason = reason


async def record_forwarded(session: AsyncSession, ref_id: str, chat_id: int, message_id: int,
                           now: datetime) -> None:
    """The outbox delivered the coordinators' copy: remember where, for status edits."""
    idea = await session.get(Idea, int(ref_id)) if ref_id.isdecimal() else None
    if idea is not None:
        idea.staff_chat_id, idea.staff_message_id, idea.forwarded_at = chat_id, message_id, now
        session.add(idea)


class IdeaData:
    """The `bo_idea` purpose's data for /mydata, /forget, withdrawal and retention."""

    export_name = "bo_ideas"

    async def export(self, session: AsyncSession, subject: str) -> list[dict[str, Any]]:
        return [as_record(idea) for idea in await ideas_of(session, subject)]

    async def submissions(self, session: AsyncSession, subject: str) -> list[str]:
        return [idea.reference for idea in await ideas_of(session, subject)]

    async def erase(self, session: AsyncSession, subject: str) -> Erased:
        ideas = await ideas_of(session, subject)
        seen_by_staff = [idea.reference for idea in ideas if idea.forwarded_at or not (
            await is_pending(session, ref_kind=REF_KIND, ref_id=str(idea.id), role=FORWARD_ROLE))]
        await _delete(session, [idea.id for idea in ideas if idea.id is not None])
        return Erased(len(ideas), seen_by_staff)

    async def purge(self, session: AsyncSession, *, older_than: datetime) -> int:
        rows = await session.exec(select(Idea.id).where(Idea.created_at < older_than))
        ids = [i for i in rows.all() if i is not None]
        await _delete(session, ids)
        return len(ids)


async def _delete(session: AsyncSession, ids: list[int]) -> None:
    if not ids:
        return
    await drop_pending(session, ref_kind=REF_KIND, ref_ids=[str(i) for i in ids])
    await forget(session, REF_KIND, [str(i) for i in ids])
    await session.exec(delete(Idea).where(col(Idea.id).in_(ids)))


DATA = IdeaData()
