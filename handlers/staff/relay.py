"""A coordinator's reply in the staff chat reaches the resident it is about.

Reply (in Telegram) to the bot's message about a question (ticket), a BO idea or a sign-up:
the text goes to the resident, signed with your first name. A resident who did not choose to
be answered in Telegram (a BO idea with an e-mail or phone) is not messaged; you are told how
they asked to be reached. /zamknij (or the button) as a reply closes a question.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import BaseFilter, Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.platform.context import Turn
from handlers.platform.filters import Coordinator
from handlers.platform.telegram_ops import remove_buttons, tell, usable
from handlers.resident.handoff import close_ticket
from handlers.views.events import title
from handlers.views.threads import TicketCallback, to_resident
from storage import ideas as idea_store
from storage import signups as signup_store
from storage import threads
from storage import tickets as ticket_store
from storage.models import ThreadMessage


class RepliesToThread(BaseFilter):
    """A reply to one of the bot's messages that belongs to a conversation."""

    async def __call__(self, message: Message, turn: Turn) -> bool | dict[str, Any]:
        replied = message.reply_to_message
        if replied is None:
            return False
        thread = await threads.thread_of(turn.session, message.chat.id, replied.message_id)
        return {"thread": thread} if thread is not None and thread.side == threads.STAFF else False


async def on_reply(message: Message, thread: ThreadMessage, turn: Turn,
                   coordinator: Coordinator, i18n: I18n) -> None:
    """Relay the coordinator's words to the resident the conversation is about."""
    text = (message.text or message.caption or "").strip()
    with i18n.use_locale(turn.staff.locale):
        if not text:
            await message.reply(_("I can pass on text only."))
            return
        outcome = await _relay(turn, thread, coordinator, text)
        await message.reply(outcome)


async def _relay(turn: Turn, thread: ThreadMessage, coordinator: Coordinator, text: str) -> str:
    kind, ref = thread.ref_kind, thread.ref_id
    if kind == ticket_store.REF_KIND:
        ticket = await ticket_store.find_ticket(turn.session, int(ref))
        if ticket is None:
            return _("This question is no longer stored (the resident erased it).")
        ticket_store.add_message(turn.session, ticket, side="staff", text=text,
                                 author=coordinator.first_name, now=turn.now)
        with turn.services.i18n.use_locale(ticket.locale):
            about = _("your question {reference}").format(reference=ticket.reference)
        to_resident(turn, kind=kind, ref=ref, chat_id=ticket.chat_id, locale=ticket.locale,
                    subject=ticket.subject, about=about, author=coordinator.first_name, text=text)
        return _("✓ Passed on to the resident.")
    if kind == idea_store.REF_KIND:
        idea = await idea_store.find_idea(turn.session, int(ref))
        if idea is None:
            return _("This idea is no longer stored (the resident erased it).")
        if not idea.reply_in_telegram:
            reach = idea.contact_email or idea.contact_phone or "—"
            return _("The resident did not ask to be answered here, so I did not message them. "
                     "They asked to be contacted at: {reach}.").format(reach=reach)
        with turn.services.i18n.use_locale(idea.locale):
            about = _("your idea {reference}").format(reference=idea.reference)
        to_resident(turn, kind=kind, ref=ref, chat_id=idea.chat_id, locale=idea.locale,
                    subject=idea.subject, about=about, author=coordinator.first_name, text=text)
        return _("✓ Passed on to the resident.")
    if kind == signup_store.REF_KIND:
        signup = await signup_store.find_signup(turn.session, int(ref))
        event = turn.base.events.get(signup.event_id) if signup else None
        if signup is None or event is None:
            return _("This sign-up is no longer stored (it was cancelled or erased).")
        with turn.services.i18n.use_locale(signup.locale):
            about = _("your sign-up for {event}").format(event=title(event, signup.locale))
        to_resident(turn, kind=kind, ref=ref, chat_id=signup.chat_id, locale=signup.locale,
                    subject=signup.subject, about=about, author=coordinator.first_name, text=text)
        return _("✓ Passed on to the resident.")
    return _("I can't tell whom this is about.")


async def cmd_close(message: Message, turn: Turn, i18n: I18n) -> None:
    """/zamknij as a reply to a question -> closed; the resident may rate the help."""
    replied = message.reply_to_message
    thread = await threads.thread_of(turn.session, message.chat.id, replied.message_id) if (
        replied) else None
    with i18n.use_locale(turn.staff.locale):
        if thread is None or thread.ref_kind != ticket_store.REF_KIND:
            await message.reply(_("Send /zamknij as a reply to the question you want to close."))
            return
        ticket = await ticket_store.find_ticket(turn.session, int(thread.ref_id))
        closed = ticket is not None and await close_ticket(turn, ticket, by_resident=False)
        await message.reply(_("Closed; the resident can rate the help.") if closed
                            else _("This question is already closed."))


async def on_close_button(query: CallbackQuery, callback_data: TicketCallback, turn: Turn,
                          i18n: I18n, callback_answer: CallbackAnswer) -> None:
    message = usable(query.message)
    ticket = await ticket_store.find_ticket(turn.session, callback_data.ticket)
    with i18n.use_locale(turn.staff.locale):
        if ticket is None or message is None:
            tell(callback_answer, _("This question is no longer stored (the resident erased it)."),
                 alert=True)
            return
        closed = await close_ticket(turn, ticket, by_resident=False)
        if closed:
            await remove_buttons(message)
        tell(callback_answer, _("Closed; the resident can rate the help.") if closed
             else _("This question is already closed."))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_close, Command("zamknij", "close", ignore_case=True))
    router.message.register(on_reply, RepliesToThread(), F.reply_to_message)
    router.callback_query.register(on_close_button, TicketCallback.filter(F.action == "close"))
    return router
