"""FSM storage in the configured database, so a half-filled form survives a restart.

Inside an update, reads and writes go through that update's session (`bind_session`): one
connection per update, and the form's answers commit or roll back with everything else the
update did. Outside an update (tests, maintenance) each call uses a short session of its own.
A record read in a session is kept in that session's `info` (the identity map holds it only
weakly), so a form step reads its row once and writes it once, however often the handler asks.

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
from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import Session, col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.drafts import Draft
from storage.models import FsmRecord, utc_now
from storage.pseudonyms import PseudonymizedKeyBuilder

_update_session: ContextVar[AsyncSession | None] = ContextVar("update_session", default=None)
_RECORDS = "fsm_records"  # session.info key: storage key -> FsmRecord, or None when absent


@event.listens_for(Session, "after_soft_rollback")
def _forget_records(session: Session, _transaction: object) -> None:
    """A rolled-back session's records are stale: the next read asks the database again."""
    session.info.pop(_RECORDS, None)


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
            record = await self._record(session, self._key_builder.build(key))
            return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._update(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._session() as session:
            record = await self._record(session, self._key_builder.build(key))
            return dict(record.data) if record else {}

    async def close(self) -> None:
        """The engine belongs to `Database`, which disposes of it."""

    @staticmethod
    async def _record(session: AsyncSession, key: str) -> FsmRecord | None:
        records: dict[str, FsmRecord | None] = session.info.setdefault(_RECORDS, {})
        if key not in records:
            records[key] = await session.get(FsmRecord, key)
        return records[key]

    async def _update(self, key: StorageKey, **fields: Any) -> None:
        built = self._key_builder.build(key)
        async with self._session() as session:
            record = await self._record(session, built)
            if record is None:
                if not any(fields.values()):
                    return  # clearing a flow that never stored anything writes nothing
                record = FsmRecord(key=built, subject=self._key_builder.subject_of(key))
                session.info[_RECORDS][built] = record
            for name, value in fields.items():
                setattr(record, name, value)
            if record.state is None and not record.data:
                session.info[_RECORDS][built] = None
                if inspect(record).pending:
                    session.expunge(record)
                elif inspect(record).persistent:
                    await session.delete(record)
                    await session.flush()  # so a new record under this key is an INSERT
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
            records = session.info.get(_RECORDS, {})
            for key in keys:
                if key in records:
                    records[key] = None
            return result.rowcount or 0
