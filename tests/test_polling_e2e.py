"""End to end: `python -m bot run` as a real process, long polling a fake Bot API on 127.0.0.1.

These are the only tests that exercise the real entry point, settings from the environment,
HTTP serialisation, `allowed_updates` and a clean shutdown on SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.fake_bot_api import DEFAULT_TOKEN, FakeBotApi

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parent.parent
USER_ID = 7_123_450_001
PSEUDONYM_KEY = "e2e-test-pseudonym-key-0123456789abcdef"
STARTUP_TIMEOUT = 90  # importing aiogram and warming up the matcher take several seconds
REPLY_TIMEOUT = 15
EXIT_TIMEOUT = 15
# Settings the bot reads from the environment (pydantic-settings: case-insensitive). Dropped
# from the inherited environment so a developer's shell cannot change what is tested.
BOT_SETTINGS = {
    "telegram_bot_token", "telegram_api_base", "database_url", "redis_url",
    "coordinator_chat_id", "coordinator_ids", "default_locale", "knowledge_dir",
    "pseudonym_key", "log_level",
}
PROGRAMMES = ("Budżet Obywatelski", "UrbanLab", "Wymiennikownia", "Przystań", "OdNowa")

T = TypeVar("T")


class BotProcess:
    """`python -m bot run` in a subprocess, with its output collected as it comes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self._stdout = bytearray()
        self._stderr = bytearray()
        assert process.stdout is not None and process.stderr is not None
        self._readers = [
            asyncio.create_task(_drain(process.stdout, self._stdout)),
            asyncio.create_task(_drain(process.stderr, self._stderr)),
        ]

    @property
    def stderr(self) -> str:
        return self._stderr.decode(errors="replace")

    @property
    def stdout(self) -> str:
        return self._stdout.decode(errors="replace")

    async def alive(self, awaitable: Awaitable[T], timeout: float, what: str) -> T:
        """Await `awaitable`, failing at once if the bot exits first, and after `timeout` s."""
        task = asyncio.ensure_future(awaitable)
        exited = asyncio.ensure_future(self.process.wait())
        try:
            done, _ = await asyncio.wait(
                {task, exited}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for pending in (task, exited):
                if not pending.done():
                    pending.cancel()
            await asyncio.gather(task, exited, return_exceptions=True)
        if task in done:
            return task.result()
        if exited in done:
            code = self.process.returncode
            pytest.fail(f"the bot exited with code {code} while waiting for {what}")
        pytest.fail(f"timed out after {timeout} s waiting for {what}")

    async def terminate(self, timeout: float = EXIT_TIMEOUT) -> int:
        """SIGTERM, then the exit code; fails if the bot takes longer than `timeout` s."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(timeout):
                code = await self.process.wait()
                await asyncio.gather(*self._readers)
        except TimeoutError:
            pytest.fail(f"the bot did not exit within {timeout} s of SIGTERM")
        return code

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        async with asyncio.timeout(EXIT_TIMEOUT):
            await self.process.wait()
            await asyncio.gather(*self._readers, return_exceptions=True)


async def _drain(stream: asyncio.StreamReader, into: bytearray) -> None:
    while chunk := await stream.read(65536):
        into.extend(chunk)


def bot_environment(api: FakeBotApi, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.lower() not in BOT_SETTINGS}
    env.pop("REDIS_URL", None)
    env["TELEGRAM_BOT_TOKEN"] = DEFAULT_TOKEN
    env["TELEGRAM_API_BASE"] = api.base_url
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    # No request may leave 127.0.0.1, whatever proxy the developer's shell sets.
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    # The bot is started from tmp_path (no .env there), so make the repository importable.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    env["PSEUDONYM_KEY"] = PSEUDONYM_KEY
    return env


@asynccontextmanager
async def running_bot(api: FakeBotApi, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """The bot polling `api`; on failure its stderr is printed (pytest shows it)."""
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "migrate", cwd=tmp_path, env=bot_environment(api, tmp_path),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    _out, errors = await migrate.communicate()
    assert migrate.returncode == 0, errors.decode()  # the release step, as the Procfile runs it
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        cwd=tmp_path,
        env=bot_environment(api, tmp_path),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    bot = BotProcess(process)
    try:
        yield bot
    except BaseException:
        await bot.kill()
        print(f"--- bot exit code: {process.returncode}")
        print(f"--- bot stdout:\n{bot.stdout}")
        print(f"--- bot stderr:\n{bot.stderr}")
        print(f"--- Bot API calls: {[method for method, _ in api.calls]}")
        raise
    finally:
        if process.returncode is None:
            await bot.kill()


async def start_menu(api: FakeBotApi, bot: BotProcess, language_code: str) -> dict[str, Any]:
    """Wait for polling, send /start, return the params of the bot's reply."""
    await bot.alive(
        api.wait_for("getUpdates", timeout=STARTUP_TIMEOUT), STARTUP_TIMEOUT, "getUpdates"
    )
    api.push_message(USER_ID, "/start", language_code=language_code)
    return await bot.alive(
        api.wait_for("sendMessage", lambda p: p.get("chat_id") == str(USER_ID), REPLY_TIMEOUT),
        REPLY_TIMEOUT,
        "the reply to /start",
    )


async def stop_and_check(api: FakeBotApi, bot: BotProcess) -> None:
    code = await bot.terminate()
    assert code == 0, f"the bot exited with code {code}"
    assert api.unexpected == [], f"unexpected Bot API calls: {api.unexpected}"
    assert str(USER_ID) not in bot.stderr, "the log contains the resident's Telegram id"
    assert DEFAULT_TOKEN not in bot.stderr, "the log contains the bot token"
    assert DEFAULT_TOKEN.split(":", 1)[1] not in bot.stderr, "the log contains the token secret"
    assert PSEUDONYM_KEY not in bot.stderr, "the log contains the pseudonym key"


def buttons(params: dict[str, Any]) -> list[dict[str, Any]]:
    markup = json.loads(params["reply_markup"])
    return [button for row in markup["inline_keyboard"] for button in row]


async def test_start_menu_and_programme_button(api: FakeBotApi, tmp_path: Path) -> None:
    async with running_bot(api, tmp_path) as bot:
        greeting = await start_menu(api, bot, "pl")

        assert "Cześć" in greeting["text"]
        menu = buttons(greeting)
        labels = [button["text"] for button in menu]
        assert len(menu) == 8, labels
        for button, programme in zip(menu[:5], PROGRAMMES, strict=True):
            assert programme in button["text"], labels
        assert "pomysł" in menu[5]["text"] and "Zadaj pytanie" in menu[6]["text"], labels
        assert all(button.get("callback_data") for button in menu), menu

        sent = api.result_of(greeting)
        assert sent["chat"]["id"] == USER_ID and sent["reply_markup"]["inline_keyboard"]
        api.push_callback(USER_ID, sent, menu[0]["callback_data"])

        await bot.alive(
            api.wait_for("answerCallbackQuery", timeout=REPLY_TIMEOUT),
            REPLY_TIMEOUT,
            "answerCallbackQuery",
        )
        answer = await bot.alive(
            api.wait_for(
                "sendMessage",
                lambda p: p is not greeting and p.get("chat_id") == str(USER_ID),
                REPLY_TIMEOUT,
            ),
            REPLY_TIMEOUT,
            "the answer to the programme button",
        )
        assert "Budżet Obywatelski" in answer["text"], answer["text"]

        await stop_and_check(api, bot)


async def test_start_greets_in_ukrainian(api: FakeBotApi, tmp_path: Path) -> None:
    async with running_bot(api, tmp_path) as bot:
        greeting = await start_menu(api, bot, "uk")

        assert "Привіт" in greeting["text"], greeting["text"]
        assert len(buttons(greeting)) == 8

        await stop_and_check(api, bot)


async def test_a_failing_delete_webhook_at_start_is_retried(api: FakeBotApi,
                                                            tmp_path: Path) -> None:
    from bot.local_telegram import server_error

    api.fail_next("deleteWebhook", server_error(500))
    async with running_bot(api, tmp_path) as bot:
        greeting = await start_menu(api, bot, "pl")
        assert "Cześć" in greeting["text"]
        assert len(api.calls_of("deleteWebhook")) == 2
        await stop_and_check(api, bot)
