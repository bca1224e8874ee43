"""FSM storage in the configured database, so a half-filled form survives a restart.

Inside an update, reads and writes go through that update's session (`bind_session`): one
connection per update, and the form's answers commit or roll back with everything else the
update did. Outside an update (tests, maintenance) each call uses a short session of its own.

Keys come from `PseudonymizedKeyBuilder`, so rows never carry a raw Telegram id; the `subject`
column (the resident's pseudonym) lets /mydata, /forget and withdrawals find a resident's
drafts in any chat. A row exists only while a flow holds state or data.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar, Token
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.drafts import Draft
from storage.models import FsmRecord, utc_now
from storage.pseudonyms import PseudonymizedKeyBuilder

_update_session: ContextVar[AsyncSession | None] = ContextVar("update_session", default=None)


def bind_session(session: AsyncSession) -> Token[AsyncSession | None]:
    """Make `session` the one FSM storage uses in this update (until `unbind_session`)."""
    return _update_session.set(session)


def unbind_session(token: Token[AsyncSession | None]) -> None:
    _update_session.reset(token)


class SqlStorage(BaseStorage):
    transactional = True  # deleting drafts is part of the update's transaction

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], key_builder: PseudonymizedKeyBuilder
    ) -> None:
        self._sessions = sessions
        self._key_builder = key_builder

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        bound = _update_session.get()
        if bound is not None:
            yield bound  # the update commits
            return
        async with self._sessions() as session:
            yield session
            await session.commit()

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._update(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._session() as session:
            record = await session.get(FsmRecord, self._key_builder.build(key))
            return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._update(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._session() as session:
            record = await session.get(FsmRecord, self._key_builder.build(key))
            return dict(record.data) if record else {}

    async def close(self) -> None:
        """The engine belongs to `Database`, which disposes of it."""

    async def _update(self, key: StorageKey, **fields: Any) -> None:
        async with self._session() as session:
            record = await session.get(FsmRecord, self._key_builder.build(key))
            if record is None:
                if not any(fields.values()):
                    return  # clearing a flow that never stored anything writes nothing
                record = FsmRecord(key=self._key_builder.build(key),
                                   subject=self._key_builder.subject_of(key))
            for name, value in fields.items():
                setattr(record, name, value)
            if record.state is None and not record.data:
                if inspect(record).pending:
                    session.expunge(record)
                else:
                    await session.delete(record)
                    await session.flush()  # a later get() in this update must not find it
            else:
                record.updated_at = utc_now()
                session.add(record)

    # -- drafts of one resident, in any chat (privacy rights) ---------------------------------

    async def drafts_of(self, subject: str) -> list[Draft]:
        async with self._session() as session:
            rows = await session.exec(select(FsmRecord).where(FsmRecord.subject == subject))
            return [Draft(key=r.key, state=r.state, data=dict(r.data)) for r in rows.all()]

    async def delete_drafts(self, subject: str, keys: list[str]) -> int:
        if not keys:
            return 0
        async with self._session() as session:
            result = await session.exec(delete(FsmRecord).where(
                col(FsmRecord.subject) == subject, col(FsmRecord.key).in_(keys)))
            return result.rowcount or 0
