"""`python -m bot webhook`: aiogram's aiohttp webhook server, one of several stateless workers.

Telegram posts each update to WEBHOOK_URL with the secret token it was registered with; a
request without it gets 401 and one with a wrong one 403, before any handler runs. An update
is acknowledged only after it was handled and its transaction committed: if the worker dies
first, Telegram sends it again (at least once, like the outbox), and the update ledger makes
sure a copy is not handled twice, by this worker or another. `/healthz` reports the
database, the schema, Redis and the outbox backlog. SIGTERM stops it gracefully: requests in
flight finish, the jobs stop, connections close.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.config import Settings
from bot.polling import refuse_to_start, run_bot
from handlers.platform.context import Services
from storage.outbox import status_counts
from storage.updates import Begun, MemoryUpdateLedger, UpdateLedger

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024  # Telegram's updates are far smaller; aiohttp answers 413 above
SHUTDOWN_SECONDS = 30.0
_SECRET_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def refuse_webhook(settings: Settings) -> str | None:
    """Why `webhook` must not start with these settings, or None."""
    if (problem := refuse_to_start(settings)) is not None:
        return problem
    if not settings.webhook_url:
        return "WEBHOOK_URL is not set: the public https:// address Telegram posts updates to"
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not 16 <= len(secret) <= 256 or not set(secret) <= _SECRET_CHARACTERS:
        return ("WEBHOOK_SECRET must be 16-256 characters of A-Z, a-z, 0-9, _ and -, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`")
    return None


class UpdateEndpoint:
    """The one path Telegram posts to: the secret first, then a well-formed update, once."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret: str,
                 ledger: UpdateLedger | None = None) -> None:
        self._dispatcher = dispatcher
        self._bot = bot
        self._secret = secret
        self._ledger = ledger or MemoryUpdateLedger()

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return web.Response(status=401, text="Unauthorized")
        if not secrets.compare_digest(given.encode(), self._secret.encode()):
            return web.Response(status=403, text="Forbidden")
        try:
            payload = json.loads(await request.read())
            update = Update.model_validate(payload, context={"bot": self._bot})
        except (ValueError, ValidationError):
            return web.Response(status=400, text="Not a Telegram update")
        begun = await self._begin(update.update_id)
        if begun == "done":
            log.info("update %s was already handled; acknowledged again", update.update_id)
            return web.json_response({})
        if begun == "busy":  # another worker is on it; if it dies, a later retry is handled
            return web.Response(status=503, text="Being handled", headers={"Retry-After": "5"})
        try:
            await self._dispatcher.feed_update(self._bot, update)
        except BaseException:
            await self._settle(self._ledger.abandon, update.update_id)
            raise
        await self._settle(self._ledger.finish, update.update_id)
        return web.json_response({})

    async def _begin(self, update_id: int) -> Begun:
        try:
            return await self._ledger.begin(update_id)
        except Exception as error:  # Redis is down: handling beats refusing every update
            log.warning("update ledger unavailable: %s", type(error).__name__)
            return "new"

    @staticmethod
    async def _settle(step: Callable[[int], Awaitable[None]], update_id: int) -> None:
        try:
            await step(update_id)
        except Exception as error:
            log.warning("update ledger unavailable: %s", type(error).__name__)


async def health(services: Services) -> tuple[bool, dict[str, Any]]:
    """What /healthz reports: each dependency reachable, the schema current, the backlog."""
    report: dict[str, Any] = {}
    try:
        async with services.db.sessions() as session:  # the backlog's query proves the way
            report["outbox"] = await status_counts(session)
        report["database"] = "ok"
        report["schema"] = "current" if await services.db.schema_is_current() else "behind"
    except Exception as error:  # noqa: BLE001 - any failure is "down", named by its type
        report["database"] = f"down ({type(error).__name__})"
    redis = getattr(services.fsm, "redis", None)
    if redis is not None:
        try:
            await redis.ping()
            report["redis"] = "ok"
        except Exception as error:  # noqa: BLE001
            report["redis"] = f"down ({type(error).__name__})"
    healthy = (report.get("database") == "ok" and report.get("schema") == "current"
               and report.get("redis", "ok") == "ok")
    return healthy, report


def build_app(services: Services, bot: Bot, dispatcher: Dispatcher, settings: Settings
              ) -> web.Application:
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    app.router.add_post(settings.webhook_path,
                        UpdateEndpoint(dispatcher, bot, secret, services.updates).handle)

    async def healthz(_request: web.Request) -> web.Response:
        healthy, report = await health(services)
        return web.json_response(report, status=200 if healthy else 503)

    app.router.add_get("/healthz", healthz)

    async def on_startup(_app: web.Application) -> None:
        await dispatcher.emit_startup(bot=bot)

    async def on_shutdown(_app: web.Application) -> None:
        await dispatcher.emit_shutdown(bot=bot)

    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    return app


async def run_webhook(settings: Settings) -> int:
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None

    async def connect(bot: Bot, dispatcher: Dispatcher) -> object:
        return await bot.set_webhook(
            url=str(settings.webhook_url), secret_token=secret,
            allowed_updates=dispatcher.resolve_used_update_types(), drop_pending_updates=False)

    async def run_server(services: Services, bot: Bot, dispatcher: Dispatcher) -> None:
        await serve(build_app(services, bot, dispatcher, settings), settings)

    return await run_bot(settings, refuse_webhook, connect, run_server, shared=True)


async def serve(app: web.Application, settings: Settings) -> None:
    """Listen on WEBHOOK_HOST:WEBHOOK_PORT until SIGTERM or SIGINT, then stop gracefully."""
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=SHUTDOWN_SECONDS,
                           access_log=None)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
        await site.start()
        log.info("webhook listening on %s:%d%s", settings.webhook_host, settings.webhook_port,
                 settings.webhook_path)
        await stop.wait()
        log.info("stopping: finishing the updates in flight")
    finally:
        await runner.cleanup()  # stops accepting, waits for handlers, runs on_shutdown
