"""Free text is a question: answer from the knowledge base, suggest, or say honestly we don't know.

confident match -> the answer (in the question's language) + related topics + helpful?
unsure match    -> "did you mean" with up to three topics
no match        -> honest reply, LIS contacts, the menu; the masked question is kept for staff
"I want to submit an idea about benches" starts the BO idea form.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.platform.answers import FeedbackCallback, TopicCallback, topics_keyboard
from handlers.platform.context import Turn
from handlers.platform.facts import contact_line, contact_name, reach_lis
from handlers.platform.keyboards import Keyboard
from handlers.platform.memory import Asked
from handlers.platform.telegram_ops import replace_buttons, tell, usable
from handlers.resident import events, handoff, ideas
from handlers.resident.menu import MenuCallback
from handlers.views.scope import scope_keyboard, scope_reply, small_talk_reply
from knowledge.masking import mask_personal_data
from storage.repositories import FeedbackRepository, UnansweredRepository
from storage.stats import ABSTAINED, ANSWERED, UNSURE

log = logging.getLogger(__name__)

QUESTION_LIMIT = 1000  # longer messages are matched on their beginning
CONTACT_TOPIC = "lis.contact"
IDEA_INTENT = "bo.submit-idea"  # "chcę zgłosić pomysł na ławki" starts the idea form
SIGNUP_INTENT = "urbanlab.join"  # "chcę się zapisać na konsultacje" offers the events to join
# Answers followed by the live list of upcoming events: of this programme; None: of the one
# the question names, else all.
EVENT_TOPICS = {"urbanlab.consultations": None, "bo.help-consult": "bo"}


def fallback_keyboard() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("👤 Ask LIS staff"), callback_data=MenuCallback(action="handoff"))
    keyboard.button(text=_("📞 Contact LIS"), callback_data=TopicCallback(topic=CONTACT_TOPIC))
    keyboard.button(text=_("📋 Menu"), callback_data=MenuCallback(action="menu"))
    keyboard.adjust(1, 2)
    return keyboard.as_markup()


def dont_know(turn: Turn) -> str:
    return _("I'm sorry, I don't know the answer to that. I only know about LIS and its "
             "programmes, and I prefer to say so rather than guess.\n\nYou can ask LIS staff "
             "directly: {lis}. City matters outside LIS: {city}, {city_contact}.").format(
                 lis=reach_lis(turn), city=contact_name(turn, "city_hall"),
                 city_contact=contact_line(turn, "city_hall"))


async def on_question(message: Message, turn: Turn, state: FSMContext, i18n: I18n,
                      form_data: dict[str, Any] | None) -> None:
    """Any text that is not a command -> an answer, suggestions, or the honest fallback."""
    question = (message.text or "")[:QUESTION_LIMIT]
    match = await turn.match(question, fallback_lang=turn.locale, explain=True)
    log.info("question matched topic=%s score=%.3f lang=%s", match.topic, match.score, match.lang)
    with i18n.use_locale(match.lang):
        turn.locale = match.lang
        if match.small_talk is not None and (reply := small_talk_reply(
                turn, match.small_talk, match.lang)) is not None:
            await message.answer(reply)  # not a question: not counted, nothing kept
            return
        outcome = ANSWERED if match.topic else UNSURE if match.suggestions else ABSTAINED
        turn.services.tally.count(turn.today, match.lang, outcome)
        if match.scope is not None:
            await message.answer(scope_reply(turn, match.scope, match.lang),
                                 reply_markup=scope_keyboard())
            return
        if message.from_user is not None:  # for "ask LIS staff" or a 👎: in memory, minutes only
            top = match.explanation.get("top")
            guesses = tuple(name for name, _score in top[:3]) if isinstance(top, list) else ()
            turn.services.recent.remember(message.from_user.id, Asked(
                question, match.lang, match.topic, guesses))
        if turn.storage_unavailable:
            await message.answer(_("I can't reach my memory right now. If you were filling in a "
                                   "form, this was not saved as an answer: please send it again "
                                   "in a moment. Your earlier answers are safe."))
        if match.topic == IDEA_INTENT and message.from_user is not None:
            await ideas.FORM.open(message, turn, state, message.from_user.id, form_data)
        elif match.topic == SIGNUP_INTENT and message.from_user is not None:
            await events.offer_signup(message, turn, state, message.from_user.id, form_data)
        elif match.topic is not None:
            await _answer(message, turn, match.topic, question)
            for other in match.also:  # a second question in the same message
                await message.answer("<i>" + _("You also asked:") + "</i>")
                await _answer(message, turn, other, question)
        elif match.suggestions:
            await message.answer(_("I am not sure I understood. Did you mean one of these?"),
                                 reply_markup=topics_keyboard(turn, match.suggestions, match.lang))
        else:
            if not turn.storage_unavailable:
                masked = mask_personal_data(question, turn.knowledge.matcher.known_words)
                UnansweredRepository(turn.session).add(masked_text=masked, locale=match.lang)
            await message.answer(dont_know(turn), reply_markup=fallback_keyboard())


async def _answer(message: Message, turn: Turn, topic: str, question: str) -> None:
    """One topic's answer; the live events follow the answers about meetings."""
    if topic in turn.base.handoff.offer_with and message.from_user is not None:
        turn.services.recent.forget(message.from_user.id)  # "a person?" is no question
    text, keyboard = handoff.answer_with_offer(turn, topic, turn.locale)
    await message.answer(text, reply_markup=keyboard)
    if topic in EVENT_TOPICS:
        programme = EVENT_TOPICS[topic] or events.programme_in(question)
        await events.show_events(message, turn, programme=programme,
                                 district=events.district_in(question, turn))


async def on_feedback(query: CallbackQuery, callback_data: FeedbackCallback, turn: Turn,
                      callback_answer: CallbackAnswer) -> None:
    """'Helpful?' -> count it for the topic (no user id), thank, and remove the two buttons."""
    message = usable(query.message)
    if turn.base.entry(callback_data.topic) is None:
        tell(callback_answer, _("This button is out of date."), alert=True)
        return
    await FeedbackRepository(turn.session).count(topic_id=callback_data.topic,
                                                 helpful=callback_data.helpful)
    tell(callback_answer, _("Thank you for your feedback!"))
    if message is not None and message.reply_markup is not None:
        prefix = FeedbackCallback.__prefix__
        rows = [[b for b in row if not (b.callback_data or "").startswith(prefix)]
                for row in message.reply_markup.inline_keyboard]
        await replace_buttons(message, InlineKeyboardMarkup(inline_keyboard=[r for r in rows if r]))
    if not callback_data.helpful and message is not None:
        asked = turn.services.recent.recall(query.from_user.id)
        if asked is not None and asked.topic == callback_data.topic:  # for the staff's inbox
            UnansweredRepository(turn.session).add(
                masked_text=mask_personal_data(asked.text, turn.knowledge.matcher.known_words),
                locale=asked.locale, kind="not_helpful", topic=callback_data.topic)
        await message.answer(_("I'm sorry that did not help. LIS staff can answer you here: "
                               "shall I pass your question on?"),
                             reply_markup=handoff.handoff_button())


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_question, F.text, ~F.text.startswith("/"))
    router.callback_query.register(on_feedback, FeedbackCallback.filter())
    return router
