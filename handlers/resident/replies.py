"""A resident answers a coordinator: by replying to the relayed message, or with [↩ Reply].

The answer goes into the same thread in the staff chat. Only while the purpose it belongs to
is in force: after a withdrawal or /forget the thread is gone, and the text is a question again.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import BaseFilter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from handlers.platform.context import Turn
from handlers.platform.telegram_ops import tell, usable
from handlers.views.events import title
from handlers.views.threads import ThreadCallback, to_staff
from storage import ideas as idea_store
from storage import signups as signup_store
from storage import threads
from storage import tickets as ticket_store

REPLYING = "reply:thread"


class RepliesToRelayed(BaseFilter):
    """A reply to a coordinator's message the bot relayed to this resident."""

    async def __call__(self, message: Message, turn: Turn) -> bool | dict[str, Any]:
        replied = message.reply_to_message
        if replied is None:
            return False
        thread = await threads.thread_of(turn.session, message.chat.id, replied.message_id)
        if thread is None or thread.side != threads.RESIDENT:
            return False
        return {"kind": thread.ref_kind, "ref": thread.ref_id}


async def _about(turn: Turn, kind: str, ref: str, user_id: int) -> tuple[str, str] | None:
    """(what it is about, for staff; the resident's pseudonym) if the resident owns it."""
    subject = turn.subject(user_id)
    with turn.services.i18n.use_locale(turn.staff.locale):
        if kind == ticket_store.REF_KIND and ref.isdecimal():
            ticket = await ticket_store.find_ticket(turn.session, int(ref))
            if ticket is not None and ticket.subject == subject:
                return _("question {reference}").format(reference=ticket.reference), subject
        if kind == idea_store.REF_KIND and ref.isdecimal():
            idea = await idea_store.find_idea(turn.session, int(ref))
            if idea is not None and idea.subject == subject:
                return _("idea {reference}").format(reference=idea.reference), subject
        if kind == signup_store.REF_KIND and ref.isdecimal():
            signup = await signup_store.find_signup(turn.session, int(ref))
            event = turn.base.events.get(signup.event_id) if signup else None
            if signup is not None and event is not None and signup.subject == subject:
                return _("the sign-up for {event}").format(
                    event=title(event, turn.staff.locale)), subject
    return None


async def forward(message: Message, turn: Turn, kind: str, ref: str) -> None:
    text = (message.text or "").strip()
    user = message.from_user
    about = await _about(turn, kind, ref, user.id) if user else None
    if about is None or not text:
        await message.answer(_("I could not pass this on: the conversation is no longer there."))
        return
    if kind == ticket_store.REF_KIND:
        ticket = await ticket_store.find_ticket(turn.session, int(ref))
        if ticket is not None:
            ticket_store.add_message(turn.session, ticket, side="resident", text=text,
                                     author=None, now=turn.now)
    if await to_staff(turn, kind=kind, ref=ref, subject=about[1], about=about[0], text=text):
        await message.answer(_("✓ Sent to LIS staff."))
    else:
        await message.answer(_("I cannot pass it to LIS staff right now."))


async def on_reply(message: Message, turn: Turn, kind: str, ref: str) -> None:
    """A Telegram reply to the coordinator's message -> into the same thread."""
    await forward(message, turn, kind, ref)


async def on_reply_button(query: CallbackQuery, callback_data: ThreadCallback, turn: Turn,
                          state: FSMContext, callback_answer: CallbackAnswer) -> None:
    """[↩ Reply] -> the next message goes into the thread."""
    message = usable(query.message)
    if message is None or await _about(turn, callback_data.kind, callback_data.ref,
                                       query.from_user.id) is None:
        tell(callback_answer, _("This conversation is no longer there."), alert=True)
        return
    await state.set_state(REPLYING)
    await state.set_data({"kind": callback_data.kind, "ref": callback_data.ref})
    await message.answer(_("Write your answer in one message (/cancel to stop)."))


async def on_answer(message: Message, turn: Turn, state: FSMContext) -> None:
    data = await state.get_data()
    await state.clear()
    await forward(message, turn, str(data.get("kind")), str(data.get("ref")))


async def on_cancel(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(_("Nothing was sent."))


def build_router() -> Router:
    router = Router(name=__name__)
    replying = StateFilter(REPLYING)
    router.message.register(on_cancel, replying, F.text.startswith("/cancel"))
    router.message.register(on_answer, replying, F.text, ~F.text.startswith("/"))
    router.message.register(on_reply, RepliesToRelayed(), F.text, ~F.text.startswith("/"))
    router.callback_query.register(on_reply_button, ThreadCallback.filter(F.action == "reply"))
    return router
