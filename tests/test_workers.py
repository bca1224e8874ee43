"""Two webhook workers behind one URL, on PostgreSQL and Redis, as real processes.

Telegram posts each update to one of them (and again, to either, when an answer was late);
both run the outbox. No update may be handled twice and no message sent twice, and a worker
killed with SIGKILL in the middle of a delivery must not lose it: the other one delivers it,
once, when the lease of the dead one runs out.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis
from sqlalchemy import text

from storage.db import Database
from tests.fake_bot_api import DEFAULT_TOKEN, FakeBotApi
from tests.test_polling_e2e import PSEUDONYM_KEY, STARTUP_TIMEOUT, BotProcess, bot_environment
from tests.webhook_residents import Resident, Worker, free_port

pytestmark = pytest.mark.slow

SECRET = "two-workers_secret-0123456789abcdef"
STAFF_CHAT = -1_001_987_654_321
COORDINATOR = 7_000_000_702
LEASE_SECONDS = 6  # lowered so the takeover of a killed worker's lease fits in a test
UNANSWERABLE = "Czy molo w Orłowie jest otwarte w nocy? 🌙"


@asynccontextmanager
async def webhook_worker(env: dict[str, str], cwd: Path
                         ) -> AsyncIterator[tuple[BotProcess, Worker]]:
    port = free_port()
    process = BotProcess(await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "webhook", cwd=cwd, env=env | {"WEBHOOK_PORT": str(port)},
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE))
    worker = Worker(f"http://127.0.0.1:{port}", "/telegram", SECRET)
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(int(STARTUP_TIMEOUT * 10)):
                if process.process.returncode is not None:
                    pytest.fail(f"a worker exited at start:\n{process.stderr}")
                try:
                    async with http.get(worker.base_url + "/healthz") as health:
                        if health.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.1)
            else:
                pytest.fail(f"a worker did not start:\n{process.stderr}")
        yield process, worker
    finally:
        if process.process.returncode is None:
            await process.terminate()
        for secret in (SECRET, PSEUDONYM_KEY, DEFAULT_TOKEN, DEFAULT_TOKEN.split(":")[1]):
            assert secret not in process.stderr  # at DEBUG, aiohttp's and aiogram's too


async def _hand_off(http: aiohttp.ClientSession, resident: Resident, workers: list[Worker],
                    question: str) -> None:
    """Ask what the bot cannot answer and pass it to staff, each step to the next worker.

    The question just asked is remembered only in the memory of the worker that answered it
    (it is not stored before consent), so on another worker the resident types it again."""
    steps = [lambda: resident.message(question), lambda: resident.press("Zapytaj"),
             lambda: resident.press("Zgadzam"), lambda: resident.press("16")]
    for number, step in enumerate(steps):
        assert await workers[number % len(workers)].post(http, step()) == 200
    if "O co chcesz zapytać" in resident.texts()[-1]:
        assert await workers[0].post(http, resident.message(question)) == 200
    assert await workers[-1].post(http, resident.press("Wyślij")) == 200


async def _lease_holder(url: str) -> int | None:
    """The process id of the worker holding the lease on the staff chat's message, if any."""
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            owner = (await connection.execute(text(
                "SELECT lease_owner FROM outbox_message WHERE chat_id = :chat "
                "AND status = 'pending' AND lease_owner IS NOT NULL"), {"chat": STAFF_CHAT})
            ).scalar()
    finally:
        await database.dispose()
    return int(owner.split("-", 1)[0].removeprefix("pid")) if owner else None


async def test_two_workers_handle_each_update_once_and_a_killed_ones_delivery_survives(
    api: FakeBotApi, tmp_path: Path, fresh_postgres_url: str, redis_url: str,
) -> None:
    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    await redis.aclose()
    env = bot_environment(api, tmp_path) | {
        "DATABASE_URL": fresh_postgres_url, "REDIS_URL": redis_url,
        "WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": SECRET,
        "DENSE_MATCHING": "0", "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        "COORDINATOR_CHAT_ID": str(STAFF_CHAT), "COORDINATOR_IDS": str(COORDINATOR),
        "LOG_LEVEL": "DEBUG"}
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "migrate", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    assert await migrate.wait() == 0

    async with webhook_worker(env, tmp_path) as (first, one), \
            webhook_worker(env, tmp_path) as (second, two), aiohttp.ClientSession() as http:
        workers = [one, two]
        # 1. Forty residents greet; a third of the updates are posted again to the other worker.
        residents = [Resident(api, 7_400_000_000 + n, "pl") for n in range(40)]
        for number, resident in enumerate(residents):
            update = resident.message("/start")
            assert await workers[number % 2].post(http, update) == 200
            if number % 3 == 0:
                assert await workers[(number + 1) % 2].post(http, update) == 200
        for resident in residents:
            assert len(resident.replies()) == 1, resident.texts()
            assert "Cześć" in resident.texts()[0]

        # 2. Five hand-offs; the first forward to the staff chat hangs in flight.
        released = api.hold("sendMessage", lambda p: p.get("chat_id") == str(STAFF_CHAT))
        askers = [Resident(api, 7_500_000_000 + n, "pl") for n in range(5)]
        await _hand_off(http, askers[0], workers, UNANSWERABLE)
        async with asyncio.timeout(20):
            while not api.held:
                await asyncio.sleep(0.05)
        holder = await _lease_holder(fresh_postgres_url)
        assert holder in (first.process.pid, second.process.pid)
        killed, survivor = (first, second) if holder == first.process.pid else (second, first)
        alive = two if killed is first else one
        os.kill(holder, signal.SIGKILL)  # in the middle of the delivery
        await killed.process.wait()
        released.set()
        for number, asker in enumerate(askers[1:], start=1):
            await _hand_off(http, asker, [alive], f"{UNANSWERABLE} ({number})")

        # 3. The survivor delivers everything, the dead worker's message once its lease ends.
        async with asyncio.timeout(LEASE_SECONDS * 5):
            while True:
                forwards = [p for p in api.calls_of("sendMessage")
                            if p.get("chat_id") == str(STAFF_CHAT)
                            and api.result_of(p) is not None]
                if len(forwards) >= 5:
                    break
                await asyncio.sleep(0.2)
        await asyncio.sleep(2)  # time for a duplicate to show up, if there were one
        forwards = [str(p["text"]) for p in api.calls_of("sendMessage")
                    if p.get("chat_id") == str(STAFF_CHAT) and api.result_of(p) is not None]
        assert len(api.abandoned) == 1  # the killed worker's send never reached Telegram
        asked = Counter(next(q for q in [f"{UNANSWERABLE} ({n})" for n in range(4, 0, -1)]
                             + [UNANSWERABLE] if q in text) for text in forwards)
        assert sorted(asked.values()) == [1] * 5, forwards  # each exactly once
        for asker in askers:
            assert any("przekaz" in t.lower() or "wysłan" in t.lower() for t in asker.texts())
        assert survivor.process.returncode is None
    assert api.unexpected == []
