"""The rows behind the unanswered-questions inbox, and what staff decided about them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import PhrasingSuggestion, UnansweredQuestion


async def questions(session: AsyncSession, limit: int = 2000) -> list[UnansweredQuestion]:
    rows = await session.exec(select(UnansweredQuestion).order_by(
        col(UnansweredQuestion.id)).limit(limit))
    return list(rows.all())


async def handled(session: AsyncSession, ids: list[int], *, topic: str | None,
                  now: datetime) -> int:
    """Mapped to `topic` (kept as phrasing suggestions for its file) or dismissed (topic None)."""
    if not ids:
        return 0
    rows = (await session.exec(select(UnansweredQuestion).where(
        col(UnansweredQuestion.id).in_(ids)))).all()
    if topic is not None:
        for row in rows:
            session.add(PhrasingSuggestion(topic=topic, locale=row.locale, text=row.masked_text,
                                           created_at=now))
    await session.exec(delete(UnansweredQuestion).where(col(UnansweredQuestion.id).in_(ids)))
    return len(rows)


async def suggestions(session: AsyncSession) -> list[PhrasingSuggestion]:
    rows = await session.exec(select(PhrasingSuggestion).order_by(
        col(PhrasingSuggestion.topic), col(PhrasingSuggestion.id)))
    return list(rows.all())


async def clear_suggestions(session: AsyncSession, ids: list[int]) -> None:
    if ids:
        await session.exec(delete(PhrasingSuggestion).where(col(PhrasingSuggestion.id).in_(ids)))
