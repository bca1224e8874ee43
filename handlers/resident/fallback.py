"""Last resident router: whatever no other handler took (stickers, photos, stale buttons,
unknown commands)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from handlers.platform.telegram_ops import tell
from handlers.resident.menu import menu_keyboard


async def cmd_cancel_nothing(message: Message) -> None:
    """/cancel outside any form."""
    await message.answer(_("There is nothing to cancel. /start shows the menu."))


async def on_unknown_command(message: Message) -> None:
    """An unknown /command -> say so and point to /help."""
    await message.answer(_("I don't know this command. /help lists what I can do."))


async def on_other_message(message: Message) -> None:
    """A photo, sticker, voice note... -> explain that questions are read as text."""
    await message.answer(_("I can only read text messages. Type your question, or pick a "
                           "programme:"), reply_markup=menu_keyboard())


async def on_stale_button(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    """Unknown or malformed callback data (old messages, forged presses) -> a polite note."""
    tell(callback_answer, _("This button is out of date. Type /start for the menu."), alert=True)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_cancel_nothing, Command("cancel", "anuluj", ignore_case=True))
    router.message.register(on_unknown_command, F.text.startswith("/"))
    router.message.register(on_other_message)
    router.callback_query.register(on_stale_button)
    return router


def build_last_resort() -> Router:
    """Button presses no side took (no chat, or forged): a polite alert, nothing else."""
    router = Router(name=f"{__name__}.last_resort")
    router.callback_query.register(on_stale_button)
    return router
