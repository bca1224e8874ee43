"""BO ideas: a reference number per edition, status changes, and what the resident may see."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.consents import ActiveConsent
from storage.models import Idea, IdeaCounter, OutboxMessage, utc_now

STATUSES = ("accepted", "needs_info", "not_eligible")
ALLOCATION_ATTEMPTS = 5


def reference(edition: int, number: int) -> str:
    return f"BO-{edition}-{number:04d}"


async def next_number(session: AsyncSession, edition: int) -> int:
    """The next number of the edition, inside the caller's transaction.

    UPDATE ... RETURNING holds the counter row until commit, so concurrent confirmations get
    distinct numbers on PostgreSQL and SQLite alike.
    """
    result = await session.exec(
        update(IdeaCounter).where(IdeaCounter.edition == edition)
        .values(last_number=IdeaCounter.last_number + 1)
        .returning(IdeaCounter.last_number)
    )
    number = result.scalar_one_or_none()
    if number is None:
        session.add(IdeaCounter(edition=edition, last_number=1))
        await session.flush()  # a concurrent first idea makes this fail; the caller retries
        number = 1
    return number


async def create_idea(
    session: AsyncSession, consent: ActiveConsent, *, edition: int, fields: dict[str, Any]
) -> Idea:
    """Store a confirmed idea with a fresh reference number (retried if a first-of-edition race)."""
    if consent.purpose != "bo_idea":
        raise PermissionError("an idea needs the bo_idea consent")
    for attempt in range(ALLOCATION_ATTEMPTS):
        try:
            number = await next_number(session, edition)
            idea = Idea(reference=reference(edition, number), edition=edition, number=number,
                        subject=consent.subject, **fields)
            session.add(idea)
            await session.flush()
            return idea
        except IntegrityError:
            await session.rollback()
            if attempt == ALLOCATION_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def ideas_of(session: AsyncSession, subject: str) -> list[Idea]:
    rows = await session.exec(select(Idea).where(Idea.subject == subject).order_by(col(Idea.id)))
    return list(rows.all())


async def set_status(session: AsyncSession, idea: Idea, status: str, by: str) -> None:
    idea.status, idea.status_by, idea.status_at = status, by[:100], utc_now()
    session.add(idea)


async def erase_ideas(session: AsyncSession, subject: str) -> list[Idea]:
    """Delete the resident's ideas and anything still queued about them; returns what went."""
    ideas = await ideas_of(session, subject)
    ids = [idea.id for idea in ideas]
    if ids:
        await session.exec(delete(OutboxMessage).where(col(OutboxMessage.idea_id).in_(ids)))
        await session.exec(delete(Idea).where(col(Idea.id).in_(ids)))
    return ideas

