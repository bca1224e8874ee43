"""Engine and session factory; nothing is created at import time."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import models  # noqa: F401  (registers the tables on SQLModel.metadata)


class Database:
    """One engine and its session factory, shared by all handlers of a process."""

    def __init__(self, url: str) -> None:
        self.url = url
        _ensure_sqlite_folder(url)
        # SQLite: wait for a writer instead of failing with "database is locked".
        connect_args = {"timeout": 30} if make_url(url).get_backend_name() == "sqlite" else {}
        self.engine: AsyncEngine = create_async_engine(
            url, pool_pre_ping=True, connect_args=connect_args
        )
        self.sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    async def create_tables(self) -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)

    async def dispose(self) -> None:
        await self.engine.dispose()


def _ensure_sqlite_folder(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
