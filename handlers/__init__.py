"""Routers, one per feature, on two sides, and the declarations they share.

`build_routers()` returns, in order:
1. the staff side (the coordinators' chat): every handler behind `IsCoordinator`, then quiet;
2. the resident side (private chats), in order; the first matching handler wins: text typed
   into a form is an answer, any other text a question, and the fallback comes last;
3. other group chats: quiet except for commands addressed to the bot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram import Router
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import groups
from handlers.platform import consent
from handlers.platform.context import Services
from handlers.platform.delivery import DeliveredHook, GoneHook
from handlers.platform.filters import InPrivateChat
from handlers.platform.purposes import Purpose, Purposes
from handlers.resident import (
    events,
    fallback,
    handoff,
    ideas,
    language,
    mine,
    nearby,
    news,
    privacy,
    questions,
    replies,
    start,
)
from handlers.staff import broadcast as staff_broadcast
from handlers.staff import chat as staff_chat
from handlers.staff import events as staff_events
from handlers.staff import ideas as staff_ideas
from handlers.staff import inbox as staff_inbox
from handlers.staff import relay as staff_relay
from handlers.staff import reports as staff_reports
from storage import ideas as idea_store
from storage import news as news_store
from storage import threads
from storage.models import OutboxMessage


def purposes() -> Purposes:
    """Every consent purpose the bot asks for (each declared once, in its feature)."""
    return Purposes([ideas.DECLARATION, events.DECLARATION, handoff.DECLARATION,
                     language.DECLARATION, news.DECLARATION])


def form_names() -> list[str]:
    return [ideas.FORM.name, events.FORM.name, handoff.FORM.name]


def background_jobs(services: Services) -> list[tuple[str, Callable[[], Awaitable[Any]], float]]:
    """Feature jobs the runner adds to its own (name, what to run, every how many seconds)."""
    return [("events", lambda: events.sync_events(services), 5.0),
            ("tickets", lambda: handoff.reannounce(services), 300.0),
            ("broadcasts", lambda: staff_broadcast.show_progress(services), 3.0)]


def delivery_hooks() -> dict[str, DeliveredHook]:
    """What to record once a queued message of some role is delivered."""

    def thread(side: str) -> DeliveredHook:
        """Remember the delivered message as part of its conversation (to relay replies)."""

        async def remember(session: AsyncSession, message: OutboxMessage,
                           telegram_message_id: int | None, now: datetime) -> None:
            if telegram_message_id is None or message.ref_kind is None or message.ref_id is None:
                return
            await threads.remember(session, chat_id=message.chat_id,
                                   message_id=telegram_message_id, ref_kind=message.ref_kind,
                                   ref_id=message.ref_id, side=side, subject=message.subject)
            if message.role == idea_store.FORWARD_ROLE:
                await idea_store.record_forwarded(session, message.ref_id, message.chat_id,
                                                  telegram_message_id, now)

        return remember

    return {
        idea_store.FORWARD_ROLE: thread(threads.STAFF),
        "signup.staff": thread(threads.STAFF),
        handoff.STAFF_ROLE: thread(threads.STAFF),
        threads.TO_STAFF: thread(threads.STAFF),
        threads.TO_RESIDENT: thread(threads.RESIDENT),
    }


def gone_hooks() -> list[GoneHook]:
    """What to forget about a chat that blocked the bot or no longer exists."""
    return [news_store.drop_chat]


def build_resident_router() -> Router:
    resident = Router(name="resident")
    resident.message.filter(InPrivateChat())
    resident.callback_query.filter(InPrivateChat())
    resident.include_routers(
        start.build_router(),
        language.build_router(),
        consent.build_router(),
        privacy.build_router(),
        news.build_router(),
        replies.build_router(),  # a reply to a coordinator's message goes back to them
        handoff.build_router(),
        ideas.build_router(),  # before questions: text typed into a form is an answer
        events.build_router(),
        mine.build_router(),
        nearby.build_router(),  # a location pin outside a form
        questions.build_router(),  # any free text is a question
        fallback.build_router(),  # must stay last
    )
    return resident


def build_routers() -> list[Router]:
    return [
        staff_chat.build_router([
            staff_relay.build_router(),  # a reply to a thread goes to its resident
            staff_broadcast.build_router(),  # before the rest: text typed into the form
            staff_ideas.build_router(),
            staff_events.build_router(),
            staff_inbox.build_router(),
            staff_reports.build_router(),
        ], forms=form_names()),
        build_resident_router(),
        groups.build_router(),
        fallback.build_last_resort(),  # forged presses with no chat at all
    ]


__all__ = ["Purpose", "background_jobs", "build_routers", "delivery_hooks", "form_names",
           "gone_hooks", "purposes"]
