"""When handling an update fails: a polite word to the resident, a log without personal data.

The database or Redis may be down, Telegram may refuse something: the resident gets "something
went wrong, please try again in a moment" in their language instead of silence, and nothing of
a form in progress is lost (the failed update's changes were rolled back, earlier answers stay).
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.types import ErrorEvent, Update
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.platform.i18n import locale_from_language_code

log = logging.getLogger(__name__)


def _where(update: Update) -> tuple[int | None, str | None]:
    """(private chat to answer in, Telegram language). A button press was already answered
    (with no text) by the callback-answer middleware, so the word goes to the chat."""
    if update.message is not None:
        user = update.message.from_user
        private = update.message.chat.type == "private"
        return (update.message.chat.id if private else None,
                user.language_code if user else None)
    query = update.callback_query
    if query is not None and query.message is not None:
        private = query.message.chat.type == "private"
        return query.message.chat.id if private else None, query.from_user.language_code
    return None, None


async def on_error(event: ErrorEvent, bot: Bot, i18n: I18n, **data: Any) -> bool:
    log.error("update %s failed", event.update.update_id, exc_info=event.exception)
    chat_id, language = _where(event.update)
    locale = data.get("locale") or locale_from_language_code(language) or i18n.default_locale
    with i18n.context(), i18n.use_locale(locale):
        text = _("Sorry, something went wrong on my side. Please try again in a moment; "
                 "nothing you already told me is lost.")
    try:
        if chat_id is not None:
            await bot.send_message(chat_id, text)
    except Exception as error:  # Telegram itself may be what failed
        log.warning("could not tell the resident about the failure: %s", type(error).__name__)
    return True
