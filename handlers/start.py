"""/start (greeting and menu), /help, and opening a topic from any button.

/start -> greeting + five programme buttons + "ask a question"
programme or related-topic button -> that topic's answer (handlers.answers)
"""

from __future__ import annotations

import html

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services import Services
from handlers.answers import answer_view
from handlers.callbacks import MenuCallback, TopicCallback, tell

HELP_TOPIC = "bot.help"
# The five programmes of LIS and the entry that introduces each.
PROGRAMMES = (
    (__("🏛 Participatory Budget (BO)"), "bo.about"),
    (__("🏙 UrbanLab Gdynia"), "urbanlab.about"),
    (__("🎨 Wymiennikownia (youth)"), "wymiennikownia.about"),
    (__("🏠 Przystań neighbourhood centres"), "przystan.about"),
    (__("🌱 Gdynia OdNowa (revitalisation)"), "odnowa.about"),
)


def menu_keyboard() -> InlineKeyboardMarkup:
    keyboard = InlineKeyboardBuilder()
    for label, topic_id in PROGRAMMES:
        keyboard.button(text=str(label), callback_data=TopicCallback(topic=topic_id))
    keyboard.button(text=_("💡 Describe a BO idea"), callback_data=MenuCallback(action="idea"))
    keyboard.button(text=_("❓ Ask a question"), callback_data=MenuCallback(action="ask"))
    keyboard.adjust(1)
    return keyboard.as_markup()


def greeting(first_name: str | None) -> str:
    name = html.escape(first_name or "")
    hello = _("Hello, {name}!").format(name=name) if name else _("Hello!")
    return "\n\n".join(
        [
            f"<b>{hello}</b>",
            _(
                "I am the residents' assistant of Laboratorium Innowacji Społecznych (LIS), "
                "the City of Gdynia's social innovation unit."
            ),
            _(
                "Pick a programme below, or simply type your question in your own words. "
                "/help shows everything I can do."
            ),
        ]
    )


async def cmd_start(message: Message) -> None:
    """/start -> greeting and the programme menu."""
    first_name = message.from_user.first_name if message.from_user else None
    await message.answer(greeting(first_name), reply_markup=menu_keyboard())


async def cmd_help(message: Message, services: Services, locale: str) -> None:
    """/help -> the staff-maintained bot.help entry, with its related topics."""
    text, keyboard = answer_view(services, HELP_TOPIC, locale)
    await message.answer(text, reply_markup=keyboard)


async def on_topic(
    query: CallbackQuery,
    callback_data: TopicCallback,
    services: Services,
    locale: str,
    callback_answer: CallbackAnswer,
) -> None:
    """A programme or related-topic button -> that topic's answer."""
    if services.knowledge.current.base.entry(callback_data.topic) is None:
        tell(callback_answer, _("This button is out of date. Type /start for the menu."), alert=True)
        return
    text, keyboard = answer_view(services, callback_data.topic, locale)
    if isinstance(query.message, Message):
        await query.message.answer(text, reply_markup=keyboard)


async def on_ask(query: CallbackQuery) -> None:
    """'Ask a question' -> how to ask."""
    if isinstance(query.message, Message):
        await query.message.answer(
            _(
                "Type your question in a message, in Polish, Ukrainian or English. For example: "
                "<i>When is the vote in the participatory budget?</i>"
            )
        )


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_start, CommandStart())
    router.message.register(cmd_help, Command("help"))
    router.callback_query.register(on_topic, TopicCallback.filter())
    router.callback_query.register(on_ask, MenuCallback.filter(F.action == "ask"))
    return router
