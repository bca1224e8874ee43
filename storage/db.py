"""Engine and session factory; nothing is created at import time."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.migrate import ensure_sqlite_folder, upgrade


class Database:
    """One engine and its session factory, shared by all handlers of a process."""

    def __init__(self, url: str) -> None:
        self.url = url
        ensure_sqlite_folder(url)
        # SQLite: wait for a writer instead of failing with "database is locked".
        connect_args = {"timeout": 30} if make_url(url).get_backend_name() == "sqlite" else {}
        self.engine: AsyncEngine = create_async_engine(
            url, pool_pre_ping=True, connect_args=connect_args
        )
        self.sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    async def migrate(self) -> None:
        """Create or update the schema with the Alembic migrations in storage/migrations."""
        await upgrade(self.url)

    async def dispose(self) -> None:
        await self.engine.dispose()
