"""`python -m bot run`: long polling on Telegram (or a local Bot API server)."""

from __future__ import annotations

import asyncio
import logging

from bot.app import create_bot, create_dispatcher
from bot.config import Settings
from bot.maintenance import purge_daily
from bot.outbox import run_outbox
from bot.services import build_services
from knowledge.analyzer import warm_up

log = logging.getLogger(__name__)


async def run_polling(settings: Settings) -> int:
    if settings.telegram_bot_token is None:
        log.error("TELEGRAM_BOT_TOKEN is not set; to try the bot without it: python -m bot chat")
        return 2
    if settings.uses_development_pseudonym_key:
        log.warning("PSEUDONYM_KEY is not set: using the development key; set one in production")
    services = build_services(settings)
    await services.db.migrate()
    await asyncio.to_thread(warm_up)
    bot = create_bot(settings)
    dispatcher = create_dispatcher(services)
    daily_purge = asyncio.create_task(purge_daily(services.db, services.knowledge, settings))
    outbox = asyncio.create_task(run_outbox(bot, services.db.sessions))
    try:
        # Telegram refuses getUpdates while a webhook is set.
        await bot.delete_webhook(drop_pending_updates=False)
        # aiogram stops polling cleanly on SIGTERM and SIGINT (handle_signals=True).
        await dispatcher.start_polling(bot, handle_signals=True, close_bot_session=True)
    finally:
        daily_purge.cancel()
        outbox.cancel()
        await dispatcher.storage.close()
        await services.db.dispose()
    log.info("stopped")
    return 0
