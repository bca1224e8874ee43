"""Shared fixtures: clean settings, a network guard, and a real dispatcher per test."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram.client.session.aiohttp import AiohttpSession
from sqlalchemy.engine import URL, make_url

from bot.config import REPO_ROOT, Settings
from bot.logging_setup import install_safe_records, quiet_parameter_loggers
from handlers.platform.clock import GDYNIA
from knowledge.analyzer import warm_up
from knowledge.encoder import load_encoder
from knowledge.store import KnowledgeStore
from tests.driver import BotHarness
from tests.fake_bot_api import DEFAULT_TOKEN, FakeBotApi

# Variables Settings reads; tests must not pick them up from the machine.
SETTINGS_VARIABLES = (
    "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE", "DATABASE_URL", "REDIS_URL",
    "COORDINATOR_CHAT_ID", "COORDINATOR_IDS", "DEFAULT_LOCALE", "KNOWLEDGE_DIR",
    "PSEUDONYM_KEY", "LOG_LEVEL",
)
TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=GDYNIA)
# Realistic ids: user ids are above 2**31 today, supergroups are -100 followed by ten digits.
COORDINATORS_CHAT = -1001234567890
COORDINATOR = 7_000_000_701
RESIDENT = 7_123_456_789


@pytest.fixture(autouse=True, scope="session")
def production_logging() -> None:
    """The same logging as the entry points (no SQL parameters, no secrets, safe tracebacks)."""
    install_safe_records()
    quiet_parameter_loggers()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def network_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that forgets the local Telegram must fail, not reach the internet."""

    original = AiohttpSession.make_request

    async def loopback_only(self: AiohttpSession, *args: object, **kwargs: object) -> object:
        if not self.api.base.startswith(("http://127.0.0.1:", "http://localhost:")):
            raise AssertionError("network access to Telegram in a test")
        return await original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(AiohttpSession, "make_request", loopback_only)


@pytest.fixture(scope="session")
def knowledge_store() -> KnowledgeStore:
    """The repository's knowledge, indexed once for the whole run (read-only in tests)."""
    warm_up()
    return KnowledgeStore(REPO_ROOT / "knowledge", encoder=load_encoder())


@pytest.fixture(scope="session")
def demo_store() -> KnowledgeStore:
    """The knowledge with the sample events (knowledge/examples/), dated from NOW's day."""
    warm_up()
    return KnowledgeStore(REPO_ROOT / "knowledge", examples=True, today=lambda: NOW.date(),
                          encoder=load_encoder())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        coordinator_chat_id=COORDINATORS_CHAT,
        coordinator_ids=[COORDINATOR],
        flood_burst=0,  # flows are driven at machine speed; tests/test_flood.py turns it on
    )


@pytest.fixture
async def harness(settings: Settings, knowledge_store: KnowledgeStore) -> AsyncIterator[BotHarness]:
    harness = await BotHarness.start(settings, knowledge=knowledge_store, now=NOW)
    yield harness
    await harness.close()


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


def service_url(name: str) -> str:
    url = os.environ.get(name)
    if not url:
        pytest.skip(f"{name} is not set: this test needs a real service (see README, Tests)")
    return url


def _own_database(prefix: str) -> Iterator[str]:
    """A new database on the TEST_DATABASE_URL server, dropped afterwards."""
    server = make_url(service_url("TEST_DATABASE_URL"))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    _run_aside(_administer(server, f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    _run_aside(_administer(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this test run's own, shared by its tests."""
    yield from _own_database("lis_bot_test")


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    """An empty database of this test's own (for bot processes that must see nothing else)."""
    yield from _own_database("lis_bot_fresh")


def _run_aside(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to completion even when a test's event loop is running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


async def _administer(server: URL, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(host=server.host, port=server.port or 5432,
                                       user=server.username, password=server.password,
                                       database=server.database)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A fake Bot API server on 127.0.0.1 for the tests that run the bot as a process."""
    server = FakeBotApi(DEFAULT_TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await asyncio.wait_for(server.stop(), timeout=10)


@pytest.fixture
def redis_url() -> Iterator[str]:
    yield service_url("TEST_REDIS_URL")
