"""Consents and the personal data held under them.

The invariant "nothing personal is written before consent" is enforced here: every write of
personal data takes an `ActiveConsent`, and only `ConsentRepository` makes one, from a
recorded 'given' event for that very purpose.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    ConsentEvent,
    LanguagePreference,
    NewsSubscription,
    as_record,
    utc_now,
)

GIVEN, WITHDRAWN = "given", "withdrawn"


@dataclass(frozen=True)
class ActiveConsent:
    """Proof, in code, that `subject` consented to `purpose` (made only by ConsentRepository)."""

    subject: str
    purpose: str
    event: ConsentEvent


@dataclass(frozen=True)
class ShownNotice:
    """What the resident saw and pressed when consenting."""

    purpose: str
    version: str
    text_hash: str
    locale: str
    button: str
    channel: str = "telegram"
    age: str | None = None
    guardian_agreed: bool = False


class ConsentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def give(self, *, subject: str, notice: ShownNotice) -> ActiveConsent:
        event = ConsentEvent(
            id=str(uuid.uuid4()), subject=subject, purpose=notice.purpose, event=GIVEN,
            notice_version=notice.version, notice_hash=notice.text_hash, locale=notice.locale,
            channel=notice.channel, button=notice.button, age=notice.age,
            guardian_agreed=notice.guardian_agreed,
        )
        self._session.add(event)
        await self._session.commit()
        return ActiveConsent(subject, notice.purpose, event)

    async def active(self, *, subject: str, purpose: str, version: str | None = None
                     ) -> ActiveConsent | None:
        """The consent in force for `purpose` (for this notice version, when given)."""
        latest = (await self._history(subject, purpose))[-1:] or [None]
        event = latest[0]
        if event is None or event.event != GIVEN:
            return None
        if version is not None and event.notice_version != version:
            return None  # the notice changed since: ask again
        return ActiveConsent(subject, purpose, event)

    async def all_active(self, *, subject: str) -> list[ActiveConsent]:
        latest: dict[str, ConsentEvent] = {}
        for event in await self.events(subject=subject):
            latest[event.purpose] = event
        return [ActiveConsent(subject, p, e) for p, e in latest.items() if e.event == GIVEN]

    async def withdraw(self, *, subject: str, purpose: str, locale: str, button: str) -> bool:
        """Append a 'withdrawn' event; False when there was nothing in force."""
        current = await self.active(subject=subject, purpose=purpose)
        if current is None:
            return False
        self._session.add(ConsentEvent(
            id=str(uuid.uuid4()), subject=subject, purpose=purpose, event=WITHDRAWN,
            notice_version=current.event.notice_version, notice_hash=current.event.notice_hash,
            locale=locale, channel="telegram", button=button,
        ))
        await self._session.commit()
        return True

    async def events(self, *, subject: str) -> list[ConsentEvent]:
        statement = (select(ConsentEvent).where(ConsentEvent.subject == subject)
                     .order_by(col(ConsentEvent.recorded_at), col(ConsentEvent.id)))
        return list((await self._session.exec(statement)).all())

    async def _history(self, subject: str, purpose: str) -> list[ConsentEvent]:
        return [e for e in await self.events(subject=subject) if e.purpose == purpose]


class PersonalData:
    """Everything held about one resident, per purpose: store, export, erase."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def remember_language(self, consent: ActiveConsent, *, locale: str) -> None:
        _require(consent, "preferences")
        row = await self._session.get(LanguagePreference, consent.subject)
        row = row or LanguagePreference(subject=consent.subject, locale=locale)
        row.locale, row.updated_at = locale, utc_now()
        self._session.add(row)
        await self._session.commit()

    async def remembered_language(self, subject: str) -> str | None:
        row = await self._session.get(LanguagePreference, subject)
        return row.locale if row else None

    async def subscribe_news(self, consent: ActiveConsent, *, chat_id: int, locale: str) -> None:
        _require(consent, "news")
        row = await self._session.get(NewsSubscription, consent.subject)
        self._session.add(row or NewsSubscription(subject=consent.subject, chat_id=chat_id,
                                                   locale=locale))
        await self._session.commit()

    async def export(self, subject: str) -> dict[str, Any]:
        from storage.ideas import ideas_of  # storage.ideas imports this module

        preference = await self._session.get(LanguagePreference, subject)
        news = await self._session.get(NewsSubscription, subject)
        return {
            "language_preference": as_record(preference) if preference else None,
            "news_subscription": as_record(news) if news else None,
            "bo_ideas": [as_record(idea) for idea in await ideas_of(self._session, subject)],
        }

    async def erase_purpose(self, subject: str, purpose: str) -> int:
        """Delete the data held for one purpose; returns how many records went."""
        from storage.ideas import erase_ideas  # storage.ideas imports this module

        if purpose == "bo_idea":
            erased = len(await erase_ideas(self._session, subject))
            await self._session.commit()
            return erased
        model = {"preferences": LanguagePreference, "news": NewsSubscription}.get(purpose)
        if model is None:
            return 0
        result = await self._session.exec(delete(model).where(model.subject == subject))
        await self._session.commit()
        return result.rowcount or 0

    async def erase_all(self, subject: str) -> dict[str, int]:
        return {purpose: await self.erase_purpose(subject, purpose)
                for purpose in ("preferences", "news", "bo_idea")}


def _require(consent: ActiveConsent, purpose: str) -> None:
    if consent.purpose != purpose:
        raise PermissionError(f"consent for '{consent.purpose}' does not cover '{purpose}'")

