"""/moje (/mine): what the resident sent with the bot, and where each thing stands."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from handlers.platform.context import Turn
from handlers.resident import ideas


async def cmd_mine(message: Message, turn: Turn) -> None:
    """/moje, /mine -> the resident's ideas and their status."""
    if message.from_user is None:
        return
    lines = await ideas.idea_lines(turn, message.from_user.id)
    if not lines:
        await message.answer(_("You have not sent anything with me yet. /pomysl describes a BO "
                               "idea."))
        return
    await message.answer("\n".join(["<b>" + _("Your ideas") + "</b>", *lines]))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_mine, Command("moje", "mine", ignore_case=True))
    return router
