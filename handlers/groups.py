"""Other group chats: the bot stays quiet, except for commands addressed to it by name."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from handlers.platform.telegram_ops import tell


async def addressed_command(message: Message) -> None:
    """/start@our_bot in a group -> where to talk to the bot."""
    await message.answer(_("I answer residents in a private chat: open a chat with me and type "
                           "/start. In groups I stay quiet."))


async def ignore(message: Message) -> None:
    """Group talk is not for the bot."""


async def refuse_press(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    tell(callback_answer, _("Please use these buttons in a private chat with me."), alert=True)


def build_router() -> Router:
    router = Router(name=__name__)
    in_group = F.chat.type.in_({"group", "supergroup", "channel"})
    router.message.filter(in_group)
    router.callback_query.filter(F.message.chat.type.in_({"group", "supergroup", "channel"}))
    # `Command` matches "/start@name" only when name is this bot's username.
    router.message.register(addressed_command, Command("start", "help", ignore_case=True),
                            F.text.contains("@"))
    router.message.register(ignore)
    router.callback_query.register(refuse_press)
    return router
