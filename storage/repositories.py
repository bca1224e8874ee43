"""Small repositories over one session; keyword-only methods, explicit commits."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import TopicFeedback, UnansweredQuestion


class FeedbackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def count(self, *, topic_id: str, helpful: bool) -> None:
        row = await self._session.get(TopicFeedback, topic_id) or TopicFeedback(topic_id=topic_id)
        if helpful:
            row.helpful += 1
        else:
            row.not_helpful += 1
        self._session.add(row)
        await self._session.commit()


class UnansweredRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, *, masked_text: str, locale: str) -> None:
        self._session.add(UnansweredQuestion(masked_text=masked_text[:1000], locale=locale))
        await self._session.commit()
