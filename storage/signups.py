"""Sign-ups for events (purpose `urbanlab_signup`): seats, the waiting list, erasure, retention.

Seats are never over-booked, however many residents confirm at once: a seat is taken by one
atomic UPDATE of the event's counter (`taken < capacity`), on PostgreSQL and SQLite alike; the
waiting list is first come, first served, and a freed seat goes to the first waiting person in
the same transaction that frees it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge.model import Event
from storage.consents import ActiveConsent
from storage.models import EventState, Signup, as_record, utc_now
from storage.outbox import drop_pending
from storage.purposes import Erased
from storage.sql import insert_if_missing
from storage.threads import forget

PURPOSE = "urbanlab_signup"
REF_KIND = "signup"
CONFIRMED, WAITING = "confirmed", "waiting"
REMINDER_ROLE = "signup.reminder"


async def state_of(session: AsyncSession, event: Event) -> EventState:
    """The event's seats and last known date, created on first use."""
    await insert_if_missing(session, EventState, "event_id", event_id=event.id,
                            start=event.start, status=event.status, capacity=event.capacity,
                            taken=0, updated_at=utc_now())
    state = await session.get(EventState, event.id, populate_existing=True)
    assert state is not None
    return state


async def take_seat(session: AsyncSession, event: Event) -> bool:
    """One seat, if any is free (atomic: concurrent confirmations cannot both take the last)."""
    await state_of(session, event)
    room = col(EventState.capacity).is_(None) | (col(EventState.taken) < col(EventState.capacity))
    result = await session.exec(
        update(EventState).where(col(EventState.event_id) == event.id, room)
        .values(taken=EventState.taken + 1))
    return (result.rowcount or 0) == 1


async def free_seats(session: AsyncSession, event: Event) -> int | None:
    """Seats still free (None: no limit)."""
    state = await state_of(session, event)
    return None if state.capacity is None else max(state.capacity - state.taken, 0)


async def sign_up(session: AsyncSession, consent: ActiveConsent, event: Event, *,
                  chat_id: int, locale: str, name: str, contact: str | None,
                  needs: str | None) -> Signup:
    """A seat if one is free, else a place on the waiting list."""
    consent.require(PURPOSE)
    status = CONFIRMED if await take_seat(session, event) else WAITING
    signup = Signup(event_id=event.id, subject=consent.subject, chat_id=chat_id, locale=locale,
                    name=name, contact=contact, needs=needs, status=status, minor=consent.minor,
                    event_end=event.finish)
    session.add(signup)
    await session.flush()
    return signup


async def signup_of(session: AsyncSession, subject: str, event_id: str) -> Signup | None:
    rows = await session.exec(select(Signup).where(
        col(Signup.subject) == subject, col(Signup.event_id) == event_id))
    return rows.first()


async def find_signup(session: AsyncSession, signup_id: int) -> Signup | None:
    if not 0 < signup_id < 2**62:
        return None
    return await session.get(Signup, signup_id)


async def signups_of(session: AsyncSession, subject: str) -> list[Signup]:
    rows = await session.exec(select(Signup).where(col(Signup.subject) == subject)
                              .order_by(col(Signup.id)))
    return list(rows.all())


async def attendees(session: AsyncSession, event_id: str) -> list[Signup]:
    """Confirmed first, then the waiting list, each in the order they signed up."""
    rows = await session.exec(select(Signup).where(col(Signup.event_id) == event_id)
                              .order_by(col(Signup.status), col(Signup.id)))
    return list(rows.all())


async def waiting_for(session: AsyncSession, event_id: str) -> list[Signup]:
    rows = await session.exec(select(Signup).where(
        col(Signup.event_id) == event_id, col(Signup.status) == WAITING
    ).order_by(col(Signup.id)))
    return list(rows.all())


async def cancel(session: AsyncSession, signup: Signup) -> bool:
    """Delete the sign-up and its queued reminders; True when it freed a confirmed seat."""
    freed = signup.status == CONFIRMED
    await drop_pending(session, ref_kind=REF_KIND, ref_ids=[str(signup.id)])
    await forget(session, REF_KIND, [str(signup.id)])
    await session.exec(delete(Signup).where(col(Signup.id) == signup.id))
    if freed:
        await session.exec(update(EventState)
                           .where(col(EventState.event_id) == signup.event_id,
                                  col(EventState.taken) > 0)
                           .values(taken=EventState.taken - 1))
    return freed


async def promote_waiting(session: AsyncSession, event: Event) -> list[Signup]:
    """Give free seats to the first waiting people; returns those who got one."""
    promoted: list[Signup] = []
    for waiting in await waiting_for(session, event.id):
        if not await take_seat(session, event):
            break
        claimed = await session.exec(
            update(Signup).where(col(Signup.id) == waiting.id, col(Signup.status) == WAITING)
            .values(status=CONFIRMED))
        if (claimed.rowcount or 0) != 1:  # someone else promoted them: give the seat back
            await session.exec(update(EventState).where(col(EventState.event_id) == event.id)
                               .values(taken=EventState.taken - 1))
            continue
        await session.refresh(waiting)
        promoted.append(waiting)
    return promoted


class SignupData:
    """The `urbanlab_signup` purpose's data for /mydata, /forget, withdrawal and retention."""

    export_name = "event_signups"

    async def export(self, session: AsyncSession, subject: str) -> list[dict[str, Any]]:
        return [as_record(signup) for signup in await signups_of(session, subject)]

    async def submissions(self, session: AsyncSession, subject: str) -> list[str]:
        return []

    async def erase(self, session: AsyncSession, subject: str) -> Erased:
        signups = await signups_of(session, subject)
        freed = [s.event_id for s in signups if await cancel(session, s)]
        return Erased(len(signups), freed_events=freed)

    async def purge(self, session: AsyncSession, *, older_than: datetime) -> int:
        """Sign-ups go the set number of days after their event ended."""
        rows = await session.exec(select(Signup).where(col(Signup.event_end) < older_than))
        old = list(rows.all())
        for signup in old:
            await drop_pending(session, ref_kind=REF_KIND, ref_ids=[str(signup.id)])
            await forget(session, REF_KIND, [str(signup.id)])
            await session.delete(signup)
        return len(old)


DATA = SignupData()
