"""Small, safe Telegram operations handlers repeat: answering a button, editing a message.

A double tap, or a press on a message that already changed, must never crash a handler:
Telegram answers "message is not modified" to an edit that changes nothing, and that is fine.
"""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, MaybeInaccessibleMessageUnion, Message
from aiogram.utils.callback_answer import CallbackAnswer

NOT_MODIFIED = "message is not modified"


def tell(callback_answer: CallbackAnswer, text: str, *, alert: bool = False) -> None:
    """The text of the answer `CallbackAnswerMiddleware` sends once the handler is done."""
    callback_answer.text = text
    callback_answer.show_alert = alert


def usable(message: MaybeInaccessibleMessageUnion | None) -> Message | None:
    """The message a button sits on, if the bot can still edit and answer under it."""
    return message if isinstance(message, Message) else None


async def remove_buttons(message: Message) -> None:
    if message.reply_markup is not None:
        await replace_buttons(message, None)


async def replace_buttons(message: Message, reply_markup: InlineKeyboardMarkup | None) -> None:
    try:
        await message.edit_reply_markup(reply_markup=reply_markup)
    except TelegramBadRequest as error:
        if NOT_MODIFIED not in str(error):
            raise


async def replace_message(message: Message, text: str,
                          reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit a message the bot sent; unchanged text and buttons are not an error."""
    try:
        await message.edit_text(text, reply_markup=reply_markup)
    except TelegramBadRequest as error:
        if NOT_MODIFIED not in str(error):
            raise
