"""Delivering the outbox through the Bot API: at most once per message, retried until it works."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMessage, utc_now
from storage.outbox import claim_due, mark_failed, mark_sent

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0


def markup(message: OutboxMessage) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=b["text"], callback_data=b["data"]) for b in row]
        for row in message.buttons
    ])


async def deliver_due(
    bot: Bot, sessions: async_sessionmaker[AsyncSession], now: datetime | None = None
) -> int:
    """Send every due message once; failures are rescheduled. Returns how many were sent."""
    now = now or utc_now()
    sent = 0
    async with sessions() as session:
        for message in await claim_due(session, now):
            try:
                result = await bot.send_message(message.chat_id, message.text,
                                                reply_markup=markup(message))
            except (TelegramAPIError, TelegramNetworkError) as error:
                log.warning("outbox message %s not delivered (attempt %d): %s",
                            message.id, message.attempts + 1, type(error).__name__)
                await mark_failed(session, message, type(error).__name__, now)
                continue
            await mark_sent(session, message, result.message_id)
            sent += 1
    return sent


async def run_outbox(
    bot: Bot, sessions: async_sessionmaker[AsyncSession],
    clock: Callable[[], datetime] = utc_now, poll_seconds: float = POLL_SECONDS,
) -> None:
    """The background worker of `run` and `chat`."""
    while True:
        try:
            await deliver_due(bot, sessions, clock())
        except Exception:  # a database hiccup must not stop deliveries for good
            log.exception("outbox delivery round failed")
        await asyncio.sleep(poll_seconds)
