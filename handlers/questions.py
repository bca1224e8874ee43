"""Free text is a question: answer from the knowledge base, suggest, or say honestly we don't know.

confident match -> the answer (in the question's language) + related topics + helpful?
unsure match    -> "did you mean" with up to three topics
no match        -> honest reply, LIS contacts, the menu; the masked question is kept for staff
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.masking import mask_personal_data
from bot.services import Services
from handlers.answers import answer_view, topics_keyboard
from handlers.callbacks import FeedbackCallback, MenuCallback, TopicCallback, tell
from handlers.idea_form import start_idea_form
from storage.repositories import FeedbackRepository, UnansweredRepository

log = logging.getLogger(__name__)

QUESTION_LIMIT = 1000  # longer messages are matched on their beginning
CONTACT_TOPIC = "lis.contact"
IDEA_INTENT = "bo.submit-idea"  # "chcę zgłosić pomysł na ławki" starts the idea form


def fallback_keyboard() -> InlineKeyboardMarkup:
    keyboard = InlineKeyboardBuilder()
    keyboard.button(text=_("📞 Contact LIS"), callback_data=TopicCallback(topic=CONTACT_TOPIC))
    keyboard.button(text=_("📋 Menu"), callback_data=MenuCallback(action="menu"))
    keyboard.adjust(2)
    return keyboard.as_markup()


async def on_question(
    message: Message, services: Services, session: AsyncSession, state: FSMContext, i18n: I18n,
    locale: str,
) -> None:
    """Any text that is not a command -> an answer, suggestions, or the honest fallback."""
    question = (message.text or "")[:QUESTION_LIMIT]
    snapshot = services.knowledge.current
    match = snapshot.matcher.search(question, fallback_lang=locale)
    log.info("question matched topic=%s score=%.3f lang=%s", match.topic, match.score, match.lang)
    with i18n.use_locale(match.lang):
        if match.topic == IDEA_INTENT and message.from_user is not None:
            await start_idea_form(message, services, session, state, match.lang,
                                  message.from_user.id)
        elif match.topic is not None:
            text, keyboard = answer_view(services, match.topic, match.lang)
            await message.answer(text, reply_markup=keyboard)
        elif match.suggestions:
            await message.answer(
                _("I am not sure I understood. Did you mean one of these?"),
                reply_markup=topics_keyboard(services, match.suggestions, match.lang),
            )
        else:
            masked = mask_personal_data(question, snapshot.matcher.known_words)
            await UnansweredRepository(session).add(masked_text=masked, locale=match.lang)
            await message.answer(
                _(
                    "I'm sorry, I don't know the answer to that. I only know about LIS and its "
                    "programmes, and I prefer to say so rather than guess.\n\n"
                    "You can ask LIS staff directly: phone 58 727 39 00, e-mail "
                    "sekretariat@lis.gdynia.pl, or in person at ul. Żeromskiego 31 in Gdynia. "
                    "City matters outside LIS: Urząd Miasta Gdyni, phone 58 626 26 26."
                ),
                reply_markup=fallback_keyboard(),
            )


async def on_feedback(
    query: CallbackQuery,
    callback_data: FeedbackCallback,
    services: Services,
    session: AsyncSession,
    callback_answer: CallbackAnswer,
) -> None:
    """'Helpful?' -> count it for the topic (no user id), thank, and remove the two buttons."""
    if services.knowledge.current.base.entry(callback_data.topic) is None:
        tell(callback_answer, _("This button is out of date."), alert=True)
        return
    await FeedbackRepository(session).count(
        topic_id=callback_data.topic, helpful=callback_data.helpful
    )
    tell(callback_answer, _("Thank you for your feedback!"))
    message = query.message
    if isinstance(message, Message) and message.reply_markup is not None:
        rows = [
            [b for b in row if not (b.callback_data or "").startswith(FeedbackCallback.__prefix__)]
            for row in message.reply_markup.inline_keyboard
        ]
        await message.edit_reply_markup(
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[r for r in rows if r])
        )


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_question, F.text, ~F.text.startswith("/"))
    router.callback_query.register(on_feedback, FeedbackCallback.filter())
    return router
