"""FSM storage in the configured database, so a half-filled form survives a restart.

With several workers, `RedisStorage` is used instead (see `bot/app.py`). Keys are built by
`PseudonymousKeyBuilder`, so rows never carry a raw Telegram id. A row exists only while a flow
holds state or data: clearing both deletes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, KeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import delete
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import FsmRecord, utc_now


class SqlStorage(BaseStorage):
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], key_builder: KeyBuilder
    ) -> None:
        self._sessions = sessions
        self._key_builder = key_builder

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._update(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        record = await self._get(key)
        return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._update(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = await self._get(key)
        return dict(record.data) if record else {}

    async def delete(self, key: StorageKey) -> None:
        async with self._sessions() as session:
            await session.exec(delete(FsmRecord).where(FsmRecord.key == self._build(key)))
            await session.commit()

    async def close(self) -> None:
        """The engine belongs to `Database`, which disposes of it."""

    def _build(self, key: StorageKey) -> str:
        return self._key_builder.build(key)

    async def _get(self, key: StorageKey) -> FsmRecord | None:
        async with self._sessions() as session:
            return await session.get(FsmRecord, self._build(key))

    async def _update(self, key: StorageKey, **fields: Any) -> None:
        async with self._sessions() as session:
            record = await session.get(FsmRecord, self._build(key))
            if record is None:
                if not any(fields.values()):
                    return  # clearing a flow that never stored anything writes nothing
                record = FsmRecord(key=self._build(key))
            for name, value in fields.items():
                setattr(record, name, value)
            if record.state is None and not record.data:
                await session.delete(record)
            else:
                record.updated_at = utc_now()
                session.add(record)
            await session.commit()
