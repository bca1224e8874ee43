"""Shared fixtures: clean settings, a network guard, and a real dispatcher per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import pytest
from aiogram.client.session.aiohttp import AiohttpSession

from bot.config import REPO_ROOT, Settings
from bot.logging_setup import quiet_parameter_loggers
from knowledge.analyzer import warm_up
from knowledge.store import KnowledgeStore
from tests.driver import BotHarness

# Variables Settings reads; tests must not pick them up from the machine.
SETTINGS_VARIABLES = (
    "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE", "DATABASE_URL", "REDIS_URL",
    "COORDINATOR_CHAT_ID", "COORDINATOR_IDS", "DEFAULT_LOCALE", "KNOWLEDGE_DIR",
    "PSEUDONYM_KEY", "LOG_LEVEL",
)
TODAY = date(2026, 11, 24)


@pytest.fixture(autouse=True, scope="session")
def production_logging() -> None:
    """The same logger levels as the entry points (no SQL parameters in logs)."""
    quiet_parameter_loggers()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def network_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that forgets the local Telegram must fail, not reach the internet."""

    async def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access to Telegram in a test")

    monkeypatch.setattr(AiohttpSession, "make_request", refuse)


@pytest.fixture(scope="session")
def knowledge_store() -> KnowledgeStore:
    """The repository's knowledge, indexed once for the whole run (read-only in tests)."""
    warm_up()
    return KnowledgeStore(REPO_ROOT / "knowledge")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        coordinator_chat_id=-100500,
        coordinator_ids=[7001],
    )


@pytest.fixture
async def harness(settings: Settings, knowledge_store: KnowledgeStore) -> AsyncIterator[BotHarness]:
    harness = await BotHarness.start(settings, knowledge=knowledge_store, today=TODAY)
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


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield service_url("TEST_DATABASE_URL")


@pytest.fixture
def redis_url() -> Iterator[str]:
    yield service_url("TEST_REDIS_URL")
