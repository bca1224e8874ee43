"""The framework's floor for benchmarks/load.py: a bare aiogram echo bot as a webhook worker.

It echoes every text and answers every button press, behind aiogram's own aiohttp request
handler (acknowledging after handling, as our worker does), with nothing else: no database,
no FSM, no middlewares. Same environment variables as `python -m bot webhook`.
"""

from __future__ import annotations

import asyncio
import os
import signal

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web


def build() -> tuple[web.Application, Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_BASE"]))
    bot = Bot(os.environ["TELEGRAM_BOT_TOKEN"], session=session)
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "…")

    @dispatcher.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer()

    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, handle_in_background=False,
                         secret_token=os.environ["WEBHOOK_SECRET"]).register(app, "/telegram")

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_get("/healthz", healthz)
    setup_application(app, dispatcher, bot=bot)
    return app, bot


async def main() -> None:
    app, _bot = build()
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(os.environ["WEBHOOK_PORT"])).start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
