"""Hand-off to a person: a resident's question goes to LIS staff, and the answers come back.

When the bot cannot answer, after a 👎, or when asked ("chcę rozmawiać z człowiekiem",
/kontakt, /human): [👤 Ask LIS staff] -> consent (handoff) -> the question (the one just asked
is offered, from memory only) -> sent to the staff chat with the resident's language, the
bot's best guesses and a ticket number -> a coordinator replies to that message -> the reply
reaches the resident (with the coordinator's first name) -> the resident answers by replying
or with [↩ Reply] -> back in the same thread -> either side closes it; the resident may rate
the help. Outside office hours (knowledge/handoff.yaml) the resident is told when to expect
an answer; a ticket nobody answered in time is announced again, once.
"""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.dates import format_datetime

from handlers.platform.answers import answer_view
from handlers.platform.consent import current_consent
from handlers.platform.context import Services, Turn
from handlers.platform.forms import Form, FormData, Invalid, Step
from handlers.platform.keyboards import Keyboard
from handlers.platform.purposes import Purpose
from handlers.platform.telegram_html import utf16_len
from handlers.platform.telegram_ops import remove_buttons, tell, usable
from handlers.resident.menu import MenuCallback
from handlers.views.threads import TicketCallback
from knowledge.hours import is_open, next_opening
from knowledge.model import GDYNIA
from storage import threads
from storage import tickets as ticket_store
from storage.models import Ticket
from storage.outbox import Outgoing

PURPOSE = ticket_store.PURPOSE
QUESTION_MIN, QUESTION_MAX = 5, 2000
STAFF_ROLE = "ticket.staff"


class HandoffDraft(FormData):
    question: str | None = None
    guesses: list[str] = []


def _question(text: str, draft: HandoffDraft, turn: Turn) -> dict[str, Any]:
    value = text.strip()
    if utf16_len(value) < QUESTION_MIN:
        raise Invalid(_("That is too short: please write at least {count} characters.")
                      .format(count=QUESTION_MIN))
    if utf16_len(value) > QUESTION_MAX:
        raise Invalid(_("That is too long: please keep it under {count} characters (now {length}; "
                        "an emoji counts as two).").format(count=QUESTION_MAX,
                                                           length=utf16_len(value)))
    return {"question": value, "guesses": _guesses(turn, value)}


def _guesses(turn: Turn, question: str) -> list[str]:
    match = turn.knowledge.matcher.search(question, explain=True, dense=False)  # quick
    top = match.explanation.get("top")
    return [name for name, _score in top[:3]] if isinstance(top, list) else []


STEPS: list[Step[HandoffDraft]] = [
    Step("question", __("What would you like to ask LIS staff?"), ("question",),
         parse=_question, edit_label=__("Question")),
]


def expectation(turn: Turn) -> str:
    """When the resident may expect an answer (from the office hours, when known)."""
    hours = turn.base.handoff.office_hours
    if not hours:
        return _("LIS staff will answer here as soon as they can.")
    if is_open(hours, turn.now):
        return _("LIS staff are at work now and will answer here.")
    opening = next_opening(hours, turn.now)
    if opening is None:
        return _("LIS staff will answer here as soon as they can.")
    return _("The LIS office is closed now; expect an answer after it opens: {moment}.").format(
        moment=format_datetime(opening, "EEEE, d MMMM, HH:mm", tzinfo=GDYNIA, locale=turn.locale))


def intro(draft: HandoffDraft, turn: Turn) -> str:
    return _("I will pass your question to LIS staff. They answer here, in this chat.")


def summary(draft: HandoffDraft, turn: Turn) -> str:
    return "\n".join(["<b>" + _("Your question for LIS staff:") + "</b>", "",
                      html.escape(draft.question or ""), "", expectation(turn)])


def staff_view(turn: Turn, ticket: Ticket) -> str:
    """The ticket as coordinators see it (staff language), everything escaped."""
    with turn.services.i18n.use_locale(turn.staff.locale):
        guesses = ", ".join(ticket.guesses) or "—"
        return "\n".join([
            "<b>" + _("Question {reference}").format(reference=ticket.reference) + "</b>",
            _("Language: {locale}. The bot's best guesses: {guesses}.").format(
                locale=ticket.locale, guesses=html.escape(guesses)),
            "", html.escape(ticket.question), "",
            "<i>" + _("Reply to this message to answer the resident.") + "</i>"])


def _staff_buttons(turn: Turn, ticket: Ticket) -> list[list[dict[str, str]]]:
    with turn.services.i18n.use_locale(turn.staff.locale):
        label = _("✅ Close the question")
    return [[{"text": label, "data": TicketCallback(action="close", ticket=ticket.id or 0).pack()}]]


async def confirm(draft: HandoffDraft, query: CallbackQuery, message: Message, turn: Turn,
                  state: FSMContext) -> None:
    consent = await current_consent(turn, query.from_user.id, PURPOSE)
    if consent is None:
        raise PermissionError("the handoff consent vanished during confirmation")
    ticket = await ticket_store.open_ticket(
        turn.session, consent, chat_id=message.chat.id, locale=draft.locale,
        question=draft.question or "", guesses=draft.guesses, now=turn.now)
    await state.clear()
    turn.services.recent.forget(query.from_user.id)
    if turn.staff.chat_id is not None:
        turn.enqueue(Outgoing(chat_id=turn.staff.chat_id, text=staff_view(turn, ticket),
                              buttons=_staff_buttons(turn, ticket), subject=ticket.subject,
                              purpose=PURPOSE, ref_kind=ticket_store.REF_KIND,
                              ref_id=str(ticket.id), role=STAFF_ROLE))
        await message.answer(_("Sent to LIS staff as question <b>{reference}</b>. {when}").format(
            reference=ticket.reference, when=expectation(turn)))
    else:
        await message.answer(_("I have saved your question as <b>{reference}</b>, but I cannot "
                               "pass it to LIS staff right now.").format(
                                   reference=ticket.reference))


FORM: Form[HandoffDraft] = Form(
    name="handoff", purpose=PURPOSE, draft_model=HandoffDraft, steps=STEPS, intro=intro,
    summary=summary, confirm=confirm, confirm_label=__("📨 Send to LIS staff"),
    title=__("question for LIS staff"),
)


def _remembered(turn: Turn, user_id: int) -> dict[str, Any] | None:
    """The question just asked, from memory (it was never stored): offered for the ticket."""
    asked = turn.services.recent.recall(user_id)
    if asked is None:
        return None
    return {"question": asked.text[:QUESTION_MAX], "guesses": list(asked.guesses)}


async def offer(message: Message, turn: Turn, state: FSMContext, user_id: int,
                form_data: dict[str, Any] | None) -> None:
    """Start the hand-off; the question just asked (if remembered) is offered pre-filled."""
    await FORM.open(message, turn, state, user_id, form_data, prefill=_remembered(turn, user_id))


async def after_consent(query: CallbackQuery, message: Message, consent: Any, turn: Turn,
                        state: FSMContext, ref: str) -> None:
    await FORM.begin(message, consent, turn, state, ref,
                     prefill=_remembered(turn, query.from_user.id))


async def cmd_human(message: Message, turn: Turn, state: FSMContext,
                    form_data: dict[str, Any] | None) -> None:
    """/kontakt, /human -> pass a question to LIS staff."""
    if message.from_user is not None:
        await offer(message, turn, state, message.from_user.id, form_data)


async def on_handoff_button(query: CallbackQuery, turn: Turn, state: FSMContext,
                            form_data: dict[str, Any] | None) -> None:
    """'👤 Ask LIS staff' (under "I don't know", or after a 👎)."""
    message = usable(query.message)
    if message is not None:
        await offer(message, turn, state, query.from_user.id, form_data)


def handoff_button() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("👤 Ask LIS staff"), callback_data=MenuCallback(action="handoff"))
    return keyboard.as_markup()


def answer_with_offer(turn: Turn, topic_id: str, locale: str
                      ) -> tuple[str, InlineKeyboardMarkup]:
    """A topic's answer; those in handoff.yaml's offer_with (how to reach a person) also
    offer to pass a question to LIS staff, first under the answer."""
    text, keyboard = answer_view(turn, topic_id, locale)
    if topic_id not in turn.base.handoff.offer_with:
        return text, keyboard
    return text, InlineKeyboardMarkup(inline_keyboard=[
        *handoff_button().inline_keyboard, *keyboard.inline_keyboard])


# -- the thread, resident side ----------------------------------------------------------------

def rating_keyboard(ticket: Ticket) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for value, label in (("1", _("👍 It helped")), ("0", _("👎 It did not help"))):
        keyboard.button(text=label, callback_data=TicketCallback(action="rate",
                                                                 ticket=ticket.id or 0,
                                                                 value=value))
    keyboard.adjust(2)
    return keyboard.as_markup()


async def close_ticket(turn: Turn, ticket: Ticket, *, by_resident: bool) -> bool:
    """Close it once; the other side is told (the resident with a rating question)."""
    if not ticket_store.close(turn.session, ticket, turn.now):
        return False
    staff_message = await threads.staff_message_of(turn.session, ticket_store.REF_KIND,
                                                   str(ticket.id))
    if by_resident and turn.staff.chat_id is not None:
        with turn.services.i18n.use_locale(turn.staff.locale):
            text = _("The resident closed question {reference}.").format(
                reference=ticket.reference)
        turn.enqueue(Outgoing(chat_id=turn.staff.chat_id, text=text, subject=ticket.subject,
                              purpose=PURPOSE, ref_kind=ticket_store.REF_KIND,
                              ref_id=str(ticket.id), role="ticket.closed",
                              reply_to_message_id=staff_message.message_id
                              if staff_message else None))
    if not by_resident:
        with turn.services.i18n.use_locale(ticket.locale):
            text = _("LIS staff closed your question {reference}. Did it help?").format(
                reference=ticket.reference)
            buttons = [[{"text": b.text, "data": b.callback_data or ""}
                        for b in row] for row in rating_keyboard(ticket).inline_keyboard]
        turn.enqueue(Outgoing(chat_id=ticket.chat_id, text=text, buttons=buttons,
                              subject=ticket.subject, purpose=PURPOSE,
                              ref_kind=ticket_store.REF_KIND, ref_id=str(ticket.id),
                              role="ticket.closed"))
    return True


async def on_ticket_button(query: CallbackQuery, callback_data: TicketCallback, turn: Turn,
                           callback_answer: CallbackAnswer) -> None:
    """The resident closes their question, or rates the help."""
    message = usable(query.message)
    ticket = await ticket_store.find_ticket(turn.session, callback_data.ticket)
    if message is None or ticket is None or ticket.subject != turn.subject(query.from_user.id):
        tell(callback_answer, _("This question is no longer there."), alert=True)
        return
    if callback_data.action == "close":
        if await close_ticket(turn, ticket, by_resident=True):
            await remove_buttons(message)
            await message.answer(_("Your question {reference} is closed. Did the answer help?")
                                 .format(reference=ticket.reference),
                                 reply_markup=rating_keyboard(ticket))
        else:
            tell(callback_answer, _("This question is already closed."))
    elif callback_data.action == "rate" and callback_data.value in ("0", "1"):
        ticket.rating = int(callback_data.value)
        turn.session.add(ticket)
        await remove_buttons(message)
        tell(callback_answer, _("Thank you for your feedback!"))
    else:
        tell(callback_answer, _("This button is out of date. Type /start for the menu."),
             alert=True)


# -- tickets nobody answered ------------------------------------------------------------------

async def reannounce(services: Services) -> int:
    """A ticket without an answer after the configured time is announced again, once."""
    if services.staff.chat_id is None:
        return 0
    base = services.knowledge.current.base
    now = services.clock.now()
    announced = 0
    with services.i18n.context():
        async with services.db.sessions() as session:
            turn = Turn(services=services, session=session, knowledge=services.knowledge.current,
                        now=now, locale=services.default_locale)
            cutoff = now - timedelta(hours=base.handoff.reannounce_after_hours)
            for ticket in await ticket_store.waiting_for_answer(session, cutoff):
                if not await ticket_store.claim_reannouncement(session, ticket, now):
                    continue
                staff_message = await threads.staff_message_of(
                    session, ticket_store.REF_KIND, str(ticket.id))
                with services.i18n.use_locale(services.staff.locale):
                    text = _("⏰ Still waiting for an answer: question {reference}.").format(
                        reference=ticket.reference)
                turn.enqueue(Outgoing(
                    chat_id=services.staff.chat_id, text=text, subject=ticket.subject,
                    purpose=PURPOSE, ref_kind=ticket_store.REF_KIND, ref_id=str(ticket.id),
                    role="ticket.reminder",
                    reply_to_message_id=staff_message.message_id if staff_message else None))
                announced += 1
            await session.commit()
    if announced:
        services.jobs.wake("outbox")
    return announced


DECLARATION = Purpose(id=PURPOSE, label=__("passing your question to LIS staff"),
                      data=ticket_store.DATA, after_consent=after_consent,
                      tell_staff_on_erase=True)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_human, Command("kontakt", "human", "czlowiek", "człowiek",
                                               "lyudyna", ignore_case=True))
    router.callback_query.register(on_handoff_button, MenuCallback.filter(F.action == "handoff"))
    router.callback_query.register(on_ticket_button, TicketCallback.filter())
    router.include_router(FORM.build_router())
    return router
