"""Locks between processes: one poller per bot, one purge at a time, none left by the dead."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import purge_once
from storage.db import Database
from storage.locks import try_lock
from storage.models import UnansweredQuestion
from tests.driver import BotHarness
from tests.fake_bot_api import FakeBotApi
from tests.test_polling_e2e import STARTUP_TIMEOUT, BotProcess, bot_environment, running_bot

HOLD_AND_WAIT = """
import asyncio, sys
from storage.db import Database
from storage.locks import try_lock
async def main():
    held = await try_lock(Database(sys.argv[1]), "updates")
    print("held" if held else "busy", flush=True)
    await asyncio.sleep(600)
asyncio.run(main())
"""


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    url = (f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    database = Database(url)
    yield database
    await database.dispose()


async def test_exclusive_and_shared_locks_exclude_each_other(database: Database) -> None:
    first = await try_lock(database, "updates", shared=True)
    second = await try_lock(database, "updates", shared=True)
    assert first is not None and second is not None  # webhook workers side by side
    assert await try_lock(database, "updates") is None  # ...and no poller beside them
    await first.release()
    await second.release()
    poller = await try_lock(database, "updates")
    assert poller is not None
    assert await try_lock(database, "updates") is None  # a second poller is refused
    assert await try_lock(database, "updates", shared=True) is None  # and so are workers
    other = await try_lock(database, "purge")
    assert other is not None  # other names are other locks
    await other.release()
    await poller.release()
    again = await try_lock(database, "updates")
    assert again is not None
    await again.release()


async def test_a_killed_holder_leaves_no_lock_behind(database: Database, repo_root: Path) -> None:
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLD_AND_WAIT, database.url, cwd=repo_root,
        stdout=asyncio.subprocess.PIPE)
    assert holder.stdout is not None
    try:
        assert (await asyncio.wait_for(holder.stdout.readline(), 60)).strip() == b"held"
        assert await try_lock(database, "updates") is None
    finally:
        holder.send_signal(signal.SIGKILL)
        await holder.wait()
    for _ in range(50):  # PostgreSQL notices the closed connection at once, or nearly
        if (mine := await try_lock(database, "updates")) is not None:
            await mine.release()
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("the lock of a killed process was never freed")


async def test_purge_runs_in_one_process_at_a_time(harness: BotHarness) -> None:
    async with harness.services.db.sessions() as session:
        session.add(UnansweredQuestion(masked_text="stare pytanie 🐟", locale="pl",
                                       created_at=harness.clock.now().replace(year=2024)))
        await session.commit()
    elsewhere = await try_lock(harness.services.db, "purge")  # another worker is purging
    assert elsewhere is not None
    assert await purge_once(harness.services) == {}
    assert (await harness.table_rows())["unanswered_question"]  # left to the other worker
    await elsewhere.release()
    counts = await purge_once(harness.services)
    assert counts["unanswered_questions"] == 1
    assert not (await harness.table_rows())["unanswered_question"]


@pytest.mark.slow
async def test_a_second_poller_and_a_webhook_beside_a_poller_refuse_to_start(
    api: FakeBotApi, tmp_path: Path,
) -> None:
    async with running_bot(api, tmp_path) as first:
        await first.alive(api.wait_for("getUpdates", timeout=STARTUP_TIMEOUT), STARTUP_TIMEOUT,
                          "getUpdates")
        env = bot_environment(api, tmp_path)
        for command, extra, expected in [
            ("run", {}, "another process already receives this bot's updates"),
            ("webhook", {"WEBHOOK_URL": "https://bot.example.org/telegram",
                         "WEBHOOK_SECRET": "s3cret-Token_0123456789", "WEBHOOK_PORT": "18471"},
             "stop it before starting webhook workers"),
        ]:
            second = BotProcess(await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", command, cwd=tmp_path, env=env | extra,
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE))
            assert await asyncio.wait_for(second.process.wait(), STARTUP_TIMEOUT) == 2
            await second.terminate()
            assert expected in second.stderr, second.stderr
        assert len(api.calls_of("deleteWebhook")) == 1  # the refused ones touched nothing
        assert not api.calls_of("setWebhook")
        assert first.process.returncode is None  # the first poller goes on
        await first.terminate()
