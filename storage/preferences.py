"""The remembered language (purpose `preferences`)."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.consents import ActiveConsent
from storage.models import LanguagePreference, utc_now
from storage.purposes import TableData

PURPOSE = "preferences"
DATA = TableData(LanguagePreference, "updated_at", "language_preference")


async def remember_language(session: AsyncSession, consent: ActiveConsent, locale: str) -> None:
    consent.require(PURPOSE)
    row = await session.get(LanguagePreference, consent.subject)
    row = row or LanguagePreference(subject=consent.subject, locale=locale)
    row.locale, row.updated_at = locale, utc_now()
    session.add(row)


async def remembered_language(session: AsyncSession, subject: str) -> str | None:
    row = await session.get(LanguagePreference, subject)
    return row.locale if row else None


async def all_remembered(session: AsyncSession) -> dict[str, str]:
    """Every stored language, by pseudonym (only residents who consented have one)."""
    rows = await session.exec(select(LanguagePreference.subject, LanguagePreference.locale))
    return dict(rows.all())
