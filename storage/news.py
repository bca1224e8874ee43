"""Opt-in announcements (purpose `news`): who wants to hear about what, and broadcasts."""

from __future__ import annotations

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.consents import ActiveConsent
from storage.models import Broadcast, NewsSubscription
from storage.purposes import TableData

PURPOSE = "news"
DATA = TableData(NewsSubscription, "created_at", "news_subscription")
REF_KIND = "broadcast"
ROLE = "news.broadcast"


async def subscribe(session: AsyncSession, consent: ActiveConsent, *, chat_id: int,
                    locale: str) -> NewsSubscription:
    consent.require(PURPOSE)
    row = await session.get(NewsSubscription, consent.subject)
    row = row or NewsSubscription(subject=consent.subject, chat_id=chat_id, locale=locale)
    session.add(row)
    return row


async def subscription_of(session: AsyncSession, subject: str) -> NewsSubscription | None:
    return await session.get(NewsSubscription, subject)


async def choose(session: AsyncSession, subscription: NewsSubscription, *,
                 programmes: list[str], district: str | None) -> None:
    subscription.programmes, subscription.district = sorted(set(programmes)), district
    session.add(subscription)


async def audience(session: AsyncSession, programme: str | None, districts: list[str]
                   ) -> list[NewsSubscription]:
    """Subscribers who want this programme (or all), in these districts (or any)."""
    everyone = (await session.exec(select(NewsSubscription).order_by(
        col(NewsSubscription.created_at)))).all()
    return [s for s in everyone
            if (programme is None or not s.programmes or programme in s.programmes)
            and (not districts or s.district is None or s.district in districts)]


async def drop_chat(session: AsyncSession, chat_id: int) -> None:
    """The chat blocked the bot or is gone: nobody to send news to."""
    await session.exec(delete(NewsSubscription).where(col(NewsSubscription.chat_id) == chat_id))


async def broadcasts_sending(session: AsyncSession) -> list[Broadcast]:
    rows = await session.exec(select(Broadcast).where(col(Broadcast.status) == "sending"))
    return list(rows.all())
