"""Small repositories over one session; keyword-only methods. The update commits, not them."""

from __future__ import annotations

from sqlmodel import col, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import TopicFeedback, UnansweredQuestion
from storage.sql import insert_if_missing


class FeedbackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def count(self, *, topic_id: str, helpful: bool) -> None:
        """One vote, added in the database (concurrent votes are all counted)."""
        await insert_if_missing(self._session, TopicFeedback, "topic_id", topic_id=topic_id,
                                helpful=0, not_helpful=0)
        column = TopicFeedback.helpful if helpful else TopicFeedback.not_helpful
        await self._session.exec(update(TopicFeedback)
                                 .where(col(TopicFeedback.topic_id) == topic_id)
                                 .values({column: column + 1}))


class UnansweredRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, *, masked_text: str, locale: str, kind: str = "unanswered",
            topic: str | None = None) -> None:
        self._session.add(UnansweredQuestion(masked_text=masked_text[:1000], locale=locale,
                                             kind=kind, topic=topic))
