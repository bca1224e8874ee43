"""The FSM storage keeps a flow's state across restarts, on SQLite, PostgreSQL and Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from sqlalchemy import select

from storage.db import Database
from storage.fsm import SqlStorage
from storage.models import FsmRecord
from storage.pseudonyms import PseudonymizedKeyBuilder, Pseudonymizer

USER_ID = 987654321


class Form(StatesGroup):
    entering_title = State()


StorageFactory = Callable[[], Awaitable[BaseStorage]]


def key_builder() -> PseudonymizedKeyBuilder:
    return PseudonymizedKeyBuilder(Pseudonymizer("test-key"))


@pytest.fixture(params=["sqlite", "postgres", "redis"])
async def make_storage(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[StorageFactory]:
    """A factory of storages over one backend: each call is a 'new process'."""
    opened: list[BaseStorage] = []
    databases: list[Database] = []
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        prefix = f"fsm-test-{uuid.uuid4().hex}"

        async def factory() -> BaseStorage:
            storage = RedisStorage.from_url(url, key_builder=PseudonymizedKeyBuilder(
                Pseudonymizer("test-key"), prefix=prefix))
            opened.append(storage)
            return storage
    else:
        url = (f"sqlite+aiosqlite:///{tmp_path / 'fsm.sqlite3'}" if request.param == "sqlite"
               else request.getfixturevalue("postgres_url"))

        async def factory() -> BaseStorage:
            database = Database(url)
            await database.migrate()
            databases.append(database)
            storage = SqlStorage(database.sessions, key_builder())
            opened.append(storage)
            return storage

    yield factory
    for storage in opened:
        if isinstance(storage, RedisStorage):
            keys = [k async for k in storage.redis.scan_iter(match=f"{prefix}:*")]
            if keys:
                await storage.redis.delete(*keys)
        await storage.close()
    for database in databases:
        async with database.sessions() as session:
            for record in (await session.exec(select(FsmRecord))).scalars().all():
                await session.delete(record)
            await session.commit()
        await database.dispose()


def a_key() -> StorageKey:
    return StorageKey(bot_id=42, chat_id=USER_ID, user_id=USER_ID)


async def test_state_and_data_survive_a_new_storage(make_storage: StorageFactory) -> None:
    first = await make_storage()
    await first.set_state(a_key(), Form.entering_title)
    await first.set_data(a_key(), {"district": "Oksywie", "cost": 45000, "tags": ["ławki"]})

    second = await make_storage()
    assert await second.get_state(a_key()) == Form.entering_title.state
    assert await second.get_data(a_key()) == {
        "district": "Oksywie", "cost": 45000, "tags": ["ławki"]
    }


async def test_update_data_merges(make_storage: StorageFactory) -> None:
    storage = await make_storage()
    await storage.set_data(a_key(), {"title": "Ławki"})
    await storage.update_data(a_key(), {"description": "Przy placu zabaw"})
    assert await storage.get_data(a_key()) == {"title": "Ławki", "description": "Przy placu zabaw"}


async def test_clearing_leaves_nothing_behind(make_storage: StorageFactory) -> None:
    storage = await make_storage()
    await storage.set_state(a_key(), Form.entering_title)
    await storage.set_data(a_key(), {"title": "Ławki"})
    await storage.set_state(a_key(), None)
    await storage.set_data(a_key(), {})
    fresh = await make_storage()
    assert await fresh.get_state(a_key()) is None
    assert await fresh.get_data(a_key()) == {}


async def test_sql_rows_carry_no_raw_telegram_id(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'fsm.sqlite3'}")
    await database.migrate()
    storage = SqlStorage(database.sessions, key_builder())
    await storage.set_state(a_key(), Form.entering_title)
    async with database.sessions() as session:
        [record] = (await session.exec(select(FsmRecord))).scalars().all()
    assert str(USER_ID) not in record.key
    assert record.state == Form.entering_title.state
    # Reading or clearing a flow that never stored anything writes no row.
    other = StorageKey(bot_id=42, chat_id=1, user_id=1)
    await storage.set_state(other, None)
    assert await storage.get_data(other) == {}
    async with database.sessions() as session:
        assert len((await session.exec(select(FsmRecord))).scalars().all()) == 1
    await database.dispose()
