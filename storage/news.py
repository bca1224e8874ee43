"""Opt-in announcements (purpose `news`): the chat to deliver them to."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.consents import ActiveConsent
from storage.models import NewsSubscription
from storage.purposes import TableData

PURPOSE = "news"
DATA = TableData(NewsSubscription, "created_at", "news_subscription")


async def subscribe(session: AsyncSession, consent: ActiveConsent, *, chat_id: int,
                    locale: str) -> None:
    consent.require(PURPOSE)
    row = await session.get(NewsSubscription, consent.subject)
    session.add(row or NewsSubscription(subject=consent.subject, chat_id=chat_id, locale=locale))
