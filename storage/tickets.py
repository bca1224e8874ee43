"""Questions passed to LIS staff (purpose `handoff`): tickets and their threads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.consents import ActiveConsent
from storage.models import Ticket, TicketMessage, as_record
from storage.outbox import drop_pending
from storage.purposes import Erased
from storage.threads import forget

PURPOSE = "handoff"
REF_KIND = "ticket"
OPEN, ANSWERED, CLOSED = "open", "answered", "closed"


async def open_ticket(session: AsyncSession, consent: ActiveConsent, *, chat_id: int,
                      locale: str, question: str, guesses: list[str], now: datetime) -> Ticket:
    consent.require(PURPOSE)
    ticket = Ticket(subject=consent.subject, chat_id=chat_id, locale=locale, question=question,
                    guesses=guesses, created_at=now)
    session.add(ticket)
    await session.flush()
    session.add(TicketMessage(ticket_id=ticket.id or 0, side="resident", text=question,
                              created_at=now))
    return ticket


async def find_ticket(session: AsyncSession, ticket_id: int) -> Ticket | None:
    return await session.get(Ticket, ticket_id) if 0 < ticket_id < 2**62 else None


def add_message(session: AsyncSession, ticket: Ticket, *, side: str, text: str,
                author: str | None, now: datetime) -> None:
    session.add(TicketMessage(ticket_id=ticket.id or 0, side=side, text=text[:4000],
                              author=author, created_at=now))
    if side == "staff":
        ticket.first_answer_at = ticket.first_answer_at or now
        if ticket.status == OPEN:
            ticket.status = ANSWERED
    session.add(ticket)


def close(session: AsyncSession, ticket: Ticket, now: datetime) -> bool:
    if ticket.status == CLOSED:
        return False
    ticket.status, ticket.closed_at = CLOSED, now
    session.add(ticket)
    return True


async def waiting_for_answer(session: AsyncSession, older_than: datetime) -> list[Ticket]:
    """Open tickets nobody answered in time and not yet announced again."""
    rows = await session.exec(select(Ticket).where(
        col(Ticket.status) == OPEN, col(Ticket.created_at) < older_than,
        col(Ticket.reannounced_at).is_(None)).order_by(col(Ticket.id)))
    return list(rows.all())


async def claim_reannouncement(session: AsyncSession, ticket: Ticket, now: datetime) -> bool:
    """Only one worker announces a ticket again (compare-and-set)."""
    result = await session.exec(update(Ticket).where(
        col(Ticket.id) == ticket.id, col(Ticket.reannounced_at).is_(None))
        .values(reannounced_at=now))
    return (result.rowcount or 0) == 1


async def tickets_of(session: AsyncSession, subject: str) -> list[Ticket]:
    rows = await session.exec(select(Ticket).where(col(Ticket.subject) == subject)
                              .order_by(col(Ticket.id)))
    return list(rows.all())


async def messages_of(session: AsyncSession, ticket_id: int) -> list[TicketMessage]:
    rows = await session.exec(select(TicketMessage).where(col(TicketMessage.ticket_id) == ticket_id)
                              .order_by(col(TicketMessage.id)))
    return list(rows.all())


async def _delete(session: AsyncSession, tickets: list[Ticket]) -> None:
    ids = [t.id for t in tickets if t.id is not None]
    if not ids:
        return
    refs = [str(i) for i in ids]
    await drop_pending(session, ref_kind=REF_KIND, ref_ids=refs)
    await forget(session, REF_KIND, refs)
    await session.exec(delete(TicketMessage).where(col(TicketMessage.ticket_id).in_(ids)))
    await session.exec(delete(Ticket).where(col(Ticket.id).in_(ids)))


class TicketData:
    """The `handoff` purpose's data: questions, the replies both ways."""

    export_name = "questions_to_staff"

    async def export(self, session: AsyncSession, subject: str) -> list[dict[str, Any]]:
        exported = []
        for ticket in await tickets_of(session, subject):
            record = as_record(ticket)
            record["reference"] = ticket.reference
            record["messages"] = [as_record(m) for m in await messages_of(session, ticket.id or 0)]
            exported.append(record)
        return exported

    async def submissions(self, session: AsyncSession, subject: str) -> list[str]:
        return []

    async def erase(self, session: AsyncSession, subject: str) -> Erased:
        tickets = await tickets_of(session, subject)
        await _delete(session, tickets)
        return Erased(len(tickets), [t.reference for t in tickets])

    async def purge(self, session: AsyncSession, *, older_than: datetime) -> int:
        rows = await session.exec(select(Ticket).where(col(Ticket.created_at) < older_than))
        old = list(rows.all())
        await _delete(session, old)
        return len(old)


DATA = TicketData()
