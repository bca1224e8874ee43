"""`python -m bot webhook`: the secret is checked before any handler runs, updates are handled
before they are acknowledged, /healthz tells the truth, and bad settings refuse to start."""

from __future__ import annotations

import asyncio
import io
import json
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import Settings
from bot.local_telegram import Held
from bot.webhook import SECRET_HEADER, build_app, refuse_webhook
from tests.driver import BotHarness
from tests.fake_bot_api import DEFAULT_TOKEN, FakeBotApi
from tests.webhook_residents import free_port

SECRET = "s3cret-token_for-LIS-webhook-0123456789"
RESIDENT = 7_100_000_321


def _update(update_id: int, text: str) -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()),
        "chat": {"id": RESIDENT, "type": "private", "first_name": "Ołena"},
        "from": {"id": RESIDENT, "is_bot": False, "first_name": "Ołena", "language_code": "uk"},
        "text": text}}


@pytest.fixture
async def client(harness: BotHarness) -> AsyncIterator[TestClient]:
    settings = harness.settings.model_copy(update={
        "webhook_secret": Settings(_env_file=None, webhook_secret=SECRET).webhook_secret})
    app = build_app(harness.services, harness.bot, harness.dispatcher, settings)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


@pytest.mark.parametrize("headers, status", [({}, 401), ({SECRET_HEADER: "wrong-secret"}, 403),
                                             ({SECRET_HEADER: SECRET[:-1]}, 403)])
async def test_without_the_right_secret_no_handler_runs(client: TestClient, harness: BotHarness,
                                                        headers: dict, status: int) -> None:
    response = await client.post("/telegram", json=_update(1, "/start"), headers=headers)
    assert response.status == status
    assert harness.telegram.chat_history(RESIDENT) == []  # nothing was answered


async def test_an_update_with_the_secret_is_answered_before_it_is_acknowledged(
        client: TestClient, harness: BotHarness) -> None:
    response = await client.post("/telegram", json=_update(2, "/start"),
                                 headers={SECRET_HEADER: SECRET})
    assert response.status == 200
    [greeting] = harness.telegram.chat_history(RESIDENT)
    assert "Привіт, Ołena!" in greeting.text


async def test_a_redelivered_update_is_acknowledged_but_not_handled_again(
        client: TestClient, harness: BotHarness) -> None:
    for _ in range(3):  # Telegram retries when an answer was late
        response = await client.post("/telegram", json=_update(3, "Що таке UrbanLab? 🏙"),
                                     headers={SECRET_HEADER: SECRET})
        assert response.status == 200
    assert len(harness.telegram.chat_history(RESIDENT)) == 1


async def test_copies_of_one_update_on_two_workers_are_handled_once(
        harness: BotHarness, redis_url: str) -> None:
    """Two endpoints sharing a Redis ledger: a copy arriving while the first is still being
    handled is answered 503 (Telegram retries), a later copy 200 without handling."""
    from redis.asyncio import Redis

    from storage.updates import RedisUpdateLedger

    redis = Redis.from_url(redis_url)
    await redis.delete(f"lis:update:{harness.bot.id}:4")
    settings = harness.settings.model_copy(update={
        "webhook_secret": Settings(_env_file=None, webhook_secret=SECRET).webhook_secret})
    harness.services.updates = RedisUpdateLedger(redis, harness.bot.id)
    workers = [TestClient(TestServer(build_app(harness.services, harness.bot, harness.dispatcher,
                                               settings), host="127.0.0.1")) for _ in range(2)]
    slow = asyncio.Event()
    harness.telegram.fail_next(RESIDENT, Held(slow))  # the first copy's reply is slow to leave
    try:
        for worker in workers:
            await worker.start_server()
        first = asyncio.create_task(workers[0].post(
            "/telegram", json=_update(4, "/start"), headers={SECRET_HEADER: SECRET}))
        await asyncio.sleep(0.3)
        busy = await workers[1].post("/telegram", json=_update(4, "/start"),
                                     headers={SECRET_HEADER: SECRET})
        assert busy.status == 503
        slow.set()
        assert (await first).status == 200
        again = await workers[1].post("/telegram", json=_update(4, "/start"),
                                      headers={SECRET_HEADER: SECRET})
        assert again.status == 200
        assert len(harness.telegram.chat_history(RESIDENT)) == 1
    finally:
        for worker in workers:
            await worker.close()
        await redis.aclose()


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2, 3]", b'{"update_id": "x"}'])
async def test_malformed_updates_are_refused_cleanly(client: TestClient, harness: BotHarness,
                                                      body: bytes) -> None:
    response = await client.post("/telegram", data=body, headers={SECRET_HEADER: SECRET})
    assert response.status == 400
    assert harness.telegram.chat_history(RESIDENT) == []


async def test_an_oversized_request_is_refused(client: TestClient) -> None:
    huge = io.BytesIO(b'{"update_id": 1, "padding": "' + b"x" * (2 * 1024 * 1024) + b'"}')
    response = await client.post("/telegram", data=huge, headers={SECRET_HEADER: SECRET})
    assert response.status == 413


async def test_healthz_reports_the_database_the_schema_and_the_outbox(client: TestClient
                                                                      ) -> None:
    response = await client.get("/healthz")
    assert response.status == 200, await response.text()
    report = await response.json()
    assert report["database"] == "ok" and report["schema"] == "current"
    assert isinstance(report["outbox"], dict)


async def test_healthz_says_so_when_the_database_is_gone(client: TestClient,
                                                         harness: BotHarness) -> None:
    original = harness.services.db.engine  # sessions now go to a port where nothing listens
    harness.services.db.sessions.configure(bind=create_async_engine(
        "postgresql+asyncpg://nobody@127.0.0.1:9/none"))
    try:
        response = await client.get("/healthz")
        assert response.status == 503
        assert (await response.json())["database"].startswith("down")
    finally:
        harness.services.db.sessions.configure(bind=original)


@pytest.mark.parametrize("overrides, reason", [
    ({"webhook_url": None}, "WEBHOOK_URL"),
    ({"webhook_secret": "short"}, "WEBHOOK_SECRET"),
    ({"webhook_secret": "has spaces in it, not allowed!"}, "WEBHOOK_SECRET"),
    ({"pseudonym_key": None}, "PSEUDONYM_KEY"),
])
def test_bad_settings_refuse_to_start(overrides: dict, reason: str) -> None:
    values = {"telegram_bot_token": "123456:ABC-test-token", "pseudonym_key": "x" * 40,
              "webhook_url": "https://bot.example.org/telegram", "webhook_secret": SECRET}
    settings = Settings(_env_file=None, **{**values, **overrides})
    problem = refuse_webhook(settings)
    assert problem is not None and reason in problem


def test_good_settings_start_and_the_secret_is_kept_out_of_logs() -> None:
    settings = Settings(_env_file=None, telegram_bot_token="123456:ABC-test-token",
                        pseudonym_key="x" * 40, webhook_url="https://bot.example.org/telegram",
                        webhook_secret=SECRET)
    assert refuse_webhook(settings) is None
    assert SECRET in settings.secrets()
    assert settings.webhook_host == "127.0.0.1"  # loopback unless told otherwise


# -- the real entry point, as a process -------------------------------------------------------

@pytest.mark.slow
async def test_the_webhook_worker_registers_answers_reports_health_and_stops_cleanly(
        tmp_path: Path) -> None:
    from tests.test_polling_e2e import (
        PSEUDONYM_KEY,
        STARTUP_TIMEOUT,
        BotProcess,
        bot_environment,
    )

    api = FakeBotApi(DEFAULT_TOKEN)
    await api.start()
    port = free_port()
    env = bot_environment(api, tmp_path) | {
        "WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_PORT": str(port), "DENSE_MATCHING": "0"}
    try:
        migrate = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "migrate", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        assert await migrate.wait() == 0
        worker = BotProcess(await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "webhook", cwd=tmp_path, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE))
        try:
            registered = await worker.alive(api.wait_for("setWebhook", timeout=STARTUP_TIMEOUT),
                                            STARTUP_TIMEOUT, "setWebhook")
            assert registered["url"] == "https://bot.example.org/telegram"
            assert registered["secret_token"] == SECRET
            assert "message" in json.loads(registered["allowed_updates"])
            async with aiohttp.ClientSession() as http:
                base = f"http://127.0.0.1:{port}"
                for _ in range(200):  # listening a moment after setWebhook
                    try:
                        async with http.get(f"{base}/healthz") as health:
                            if health.status == 200:
                                break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.1)
                update = {"update_id": 555, **api.push_message(RESIDENT, "/start", "pl")}
                async with http.post(f"{base}/telegram", json=update) as refused:
                    assert refused.status == 401
                async with http.post(f"{base}/telegram", json=update,
                                     headers={SECRET_HEADER: SECRET}) as accepted:
                    assert accepted.status == 200
            [reply] = [p for p in api.calls_of("sendMessage") if p["chat_id"] == str(RESIDENT)]
            assert "Cześć" in reply["text"]  # answered before the request was acknowledged
        finally:
            code = await worker.terminate()
        assert code == 0, worker.stderr
        for secret in (SECRET, DEFAULT_TOKEN, PSEUDONYM_KEY, str(RESIDENT)):
            assert secret not in worker.stderr
    finally:
        await asyncio.wait_for(api.stop(), timeout=10)
