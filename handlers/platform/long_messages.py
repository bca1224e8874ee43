"""Messages over Telegram's 4,096 characters go out as several, wherever they come from.

A request middleware on the bot's session, so replies, outbox deliveries and broadcasts are
all covered: a long `sendMessage` becomes consecutive messages cut at paragraph, line or
sentence boundaries (`split_message`, tags closed and reopened), the first one replying where
the original would have, the buttons under the last (whose message id is returned, so later
edits find them). An edit cannot become two messages, so an over-long edit is shortened with
an ellipsis. Delivery stays at least once: if a later part fails, a retry sends all again.
"""

from __future__ import annotations

import html
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType

from handlers.platform.telegram_html import (
    TEXT_LIMIT,
    fit,
    split_message,
    utf16_len,
    visible_length,
)


def _is_html(bot: Bot, parse_mode: Any) -> bool:
    mode = bot.default.parse_mode if isinstance(parse_mode, Default) else parse_mode
    return isinstance(mode, str) and mode.upper() == "HTML"


def _parts(text: str, as_html: bool) -> list[str]:
    if as_html:
        return split_message(text)
    return [html.unescape(part) for part in split_message(html.escape(text, quote=False))]


class LongMessages(BaseRequestMiddleware):
    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Any:
        if isinstance(method, SendMessage) and self._too_long(bot, method.text,
                                                               method.parse_mode):
            return await self._send_in_parts(make_request, bot, method)
        if isinstance(method, EditMessageText) and self._too_long(bot, method.text,
                                                                   method.parse_mode):
            text = method.text or ""
            shortened = fit(text) if _is_html(bot, method.parse_mode) else _parts(text, False)[0]
            edit: Any = method.model_copy(update={"text": shortened})
            return await make_request(bot, edit)
        return await make_request(bot, method)

    @staticmethod
    def _too_long(bot: Bot, text: str | None, parse_mode: Any) -> bool:
        if text is None or utf16_len(text) <= TEXT_LIMIT:  # markup only adds: the common case
            return False
        return (visible_length(text) if _is_html(bot, parse_mode) else len(text)) > TEXT_LIMIT

    @staticmethod
    async def _send_in_parts(make_request: NextRequestMiddlewareType[Any], bot: Bot,
                             method: SendMessage) -> Any:
        parts = _parts(method.text, _is_html(bot, method.parse_mode))
        result: Any = None
        for number, part in enumerate(parts):
            last = number == len(parts) - 1
            update: dict[str, Any] = {"text": part}
            if number:
                update["reply_parameters"] = None
                update["reply_to_message_id"] = None
            if not last:
                update["reply_markup"] = None
            result = await make_request(bot, method.model_copy(update=update))
        return result
