"""/start (greeting and menu), /help, and opening a topic from any button.

/start -> greeting + five programme buttons + "describe an idea" + "ask a question"
programme or related-topic button -> that topic's answer
"""

from __future__ import annotations

import html

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from handlers.platform.answers import TopicCallback
from handlers.platform.context import Turn
from handlers.platform.telegram_ops import tell, usable
from handlers.resident.handoff import answer_with_offer
from handlers.resident.menu import MenuCallback, menu_keyboard

HELP_TOPIC = "bot.help"


def greeting(first_name: str | None) -> str:
    name = html.escape(first_name or "")
    hello = _("Hello, {name}!").format(name=name) if name else _("Hello!")
    return "\n\n".join([
        f"<b>{hello}</b>",
        _("I am the residents' assistant of Laboratorium Innowacji Społecznych (LIS), the City "
          "of Gdynia's social innovation unit."),
        _("Pick a programme below, or simply type your question in your own words. /help shows "
          "everything I can do."),
    ])


async def cmd_start(message: Message) -> None:
    """/start -> greeting and the programme menu."""
    first_name = message.from_user.first_name if message.from_user else None
    await message.answer(greeting(first_name), reply_markup=menu_keyboard(language_button=True))


async def cmd_help(message: Message, turn: Turn) -> None:
    """/help -> the staff-maintained bot.help entry, with its related topics."""
    text, keyboard = answer_with_offer(turn, HELP_TOPIC, turn.locale)
    await message.answer(text, reply_markup=keyboard)


async def on_topic(query: CallbackQuery, callback_data: TopicCallback, turn: Turn,
                   callback_answer: CallbackAnswer) -> None:
    """A programme or related-topic button -> that topic's answer."""
    message = usable(query.message)
    if turn.base.entry(callback_data.topic) is None or message is None:
        tell(callback_answer, _("This button is out of date. Type /start for the menu."),
             alert=True)
        return
    text, keyboard = answer_with_offer(turn, callback_data.topic, turn.locale)
    await message.answer(text, reply_markup=keyboard)


async def on_ask(query: CallbackQuery) -> None:
    """'Ask a question' -> how to ask."""
    message = usable(query.message)
    if message is not None:
        await message.answer(_("Type your question in a message, in Polish, Ukrainian or "
                               "English. For example: <i>When is the vote in the participatory "
                               "budget?</i>"))


async def on_menu(query: CallbackQuery) -> None:
    """'Menu' button -> the programme menu."""
    message = usable(query.message)
    if message is not None:
        await message.answer(_("Pick a programme:"), reply_markup=menu_keyboard())


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_start, CommandStart(ignore_case=True))
    router.message.register(cmd_help, Command("help", "pomoc", ignore_case=True))
    router.callback_query.register(on_topic, TopicCallback.filter())
    router.callback_query.register(on_ask, MenuCallback.filter(F.action == "ask"))
    router.callback_query.register(on_menu, MenuCallback.filter(F.action == "menu"))
    return router
