"""Consents: the append-only proof that a resident agreed to a purpose, and the token writes need.

The invariant "nothing personal is written before consent" is enforced here: every write of
personal data takes an `ActiveConsent`, and only `ConsentRepository` makes one, from a
recorded 'given' event for that very purpose. Nothing here commits: the update does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ConsentEvent

GIVEN, WITHDRAWN = "given", "withdrawn"


@dataclass(frozen=True)
class ActiveConsent:
    """Proof, in code, that `subject` consented to `purpose` (made only by ConsentRepository)."""

    subject: str
    purpose: str
    event: ConsentEvent

    def require(self, purpose: str) -> None:
        if self.purpose != purpose:
            raise PermissionError(f"consent for '{self.purpose}' does not cover '{purpose}'")

    @property
    def minor(self) -> bool:
        return self.event.age == "under-16"


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
            channel=notice.channel, button=notice.button[:100], age=notice.age,
            guardian_agreed=notice.guardian_agreed,
        )
        self._session.add(event)
        await self._session.flush()
        return ActiveConsent(subject, notice.purpose, event)

    async def active(self, *, subject: str, purpose: str, version: str | None = None
                     ) -> ActiveConsent | None:
        """The consent in force for `purpose` (for this notice version, when given)."""
        history = [e for e in await self.events(subject=subject) if e.purpose == purpose]
        if not history or history[-1].event != GIVEN:
            return None
        if version is not None and history[-1].notice_version != version:
            return None  # the notice changed since: ask again
        return ActiveConsent(subject, purpose, history[-1])

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
            locale=locale, channel="telegram", button=button[:100],
        ))
        await self._session.flush()
        return True

    async def events(self, *, subject: str) -> list[ConsentEvent]:
        statement = (select(ConsentEvent).where(ConsentEvent.subject == subject)
                     .order_by(col(ConsentEvent.recorded_at), col(ConsentEvent.id)))
        return list((await self._session.exec(statement)).all())
