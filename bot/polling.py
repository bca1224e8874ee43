"""`python -m bot run`: long polling on Telegram (or a local Bot API server).

Refuses to start without a token, with the development pseudonym key, with a database
schema that is not at the newest migration (`python -m bot migrate` is the release step), or
while another process receives this bot's updates (a second poller, or webhook workers).
Start-up calls to Telegram are retried with backoff; SIGTERM stops it cleanly. `run_bot` is
the start-up and shut-down `webhook` shares.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramNetworkError, TelegramServerError, TelegramUnauthorizedError

from bot.app import build_services, create_bot, create_dispatcher
from bot.config import Settings
from handlers.commands import register_commands
from handlers.platform.context import Services
from knowledge.analyzer import warm_up
from storage.locks import try_lock

log = logging.getLogger(__name__)
T = TypeVar("T")
STARTUP_ATTEMPTS = 6
UPDATES_LOCK = "updates"  # held exclusively by a poller, shared by webhook workers
BUSY = {
    False: "another process already receives this bot's updates from this database (a second "
           "`python -m bot run`, or webhook workers): stop it first, or run only webhook workers",
    True: "a `python -m bot run` poller receives this bot's updates from this database: stop "
          "it before starting webhook workers",
}


def refuse_to_start(settings: Settings) -> str | None:
    """Why `run` must not start with these settings, or None."""
    if settings.telegram_bot_token is None:
        return "TELEGRAM_BOT_TOKEN is not set; to try the bot without it: python -m bot chat"
    if settings.uses_development_pseudonym_key:
        return ("PSEUDONYM_KEY is not set (or is the published development key): set a long "
                "random secret, e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`")
    return None


async def with_retries(call: Callable[[], Awaitable[T]], what: str,
                       attempts: int = STARTUP_ATTEMPTS, first_delay: float = 1.0) -> T:
    """A start-up call that a passing network or server error must not make fatal."""
    delay = first_delay
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except TelegramUnauthorizedError:
            raise  # a wrong token does not get better
        except (TelegramNetworkError, TelegramServerError, OSError) as error:
            if attempt == attempts:
                raise
            log.warning("%s failed (%s); retrying in %.0f s", what, type(error).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
    raise AssertionError("unreachable")


async def run_bot(settings: Settings, refusal: Callable[[Settings], str | None],
                  connect: Callable[[Bot, Dispatcher], Awaitable[object]],
                  serve: Callable[[Services, Bot, Dispatcher], Awaitable[None]], *,
                  shared: bool = False) -> int:
    """What `run` and `webhook` share: refuse bad settings, an old schema or a busy updates
    lock (`shared`: webhook workers), warm up, check the token, `connect` (how updates will
    arrive), the command menus, `serve`, close all."""
    if (problem := refusal(settings)) is not None:
        log.error(problem)
        return 2
    services = build_services(settings)
    lock = None
    try:
        if not await services.db.schema_is_current():
            log.error("the database schema is not up to date: run `python -m bot migrate` first")
            return 2
        lock = await try_lock(services.db, UPDATES_LOCK, shared=shared)
        if lock is None:
            log.error(BUSY[shared])
            return 2
        await asyncio.to_thread(warm_up)
        bot = create_bot(settings)
        try:
            dispatcher = create_dispatcher(services)
            attempts = settings.startup_attempts
            await with_retries(bot.get_me, "getMe", attempts)
            await with_retries(lambda: connect(bot, dispatcher), "connecting", attempts)
            await with_retries(lambda: register_commands(
                bot, services.i18n, services.staff, services.default_locale),
                "setMyCommands", attempts)
            await serve(services, bot, dispatcher)
        finally:
            await bot.session.close()
    finally:
        if lock is not None:
            await lock.release()
        await services.fsm.close()
        await services.db.dispose()
    log.info("stopped")
    return 0


async def run_polling(settings: Settings) -> int:
    async def connect(bot: Bot, _dispatcher: Dispatcher) -> object:
        # Telegram refuses getUpdates while a webhook is set.
        return await bot.delete_webhook(drop_pending_updates=False)

    async def serve(_services: Services, bot: Bot, dispatcher: Dispatcher) -> None:
        # aiogram stops polling cleanly on SIGTERM and SIGINT (handle_signals=True).
        await dispatcher.start_polling(bot, handle_signals=True, close_bot_session=True)

    return await run_bot(settings, refuse_to_start, connect, serve)
