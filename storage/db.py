"""Engine and session factory; nothing is created at import time.

`DATABASE_URL` is accepted the way people write it (`postgres://…`, `postgresql://…`,
`sqlite:///…`) and mapped to the async drivers. SQL parameters never appear in exception
messages (`hide_parameters`): a failing statement must not carry a resident's name into a log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.paths import ensure_sqlite_folder

ASYNC_DRIVERS = {"postgresql": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite"}
SCHEME_ALIASES = {
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "postgresql+asyncpg": "postgresql",
    "sqlite": "sqlite",
    "sqlite+aiosqlite": "sqlite",
}
SQLITE_BUSY_MS = 30_000


class DatabaseUrlError(ValueError):
    """DATABASE_URL names a database this bot cannot use; the message says what to write."""


def normalise_database_url(raw: str) -> str:
    """The async SQLAlchemy URL for what a user wrote, or DatabaseUrlError in one line."""
    scheme = raw.split("://", 1)[0].lower() if "://" in raw else ""
    backend = SCHEME_ALIASES.get(scheme)
    if backend is None:
        shown = scheme or raw[:20]
        raise DatabaseUrlError(
            f"DATABASE_URL: unsupported database '{shown}'; use postgresql://user:password@host/db "
            "or sqlite:///path/to/file.sqlite3")
    try:
        url = make_url(ASYNC_DRIVERS[backend] + raw[len(scheme):])
    except ArgumentError as error:
        raise DatabaseUrlError(f"DATABASE_URL is not a valid URL ({error})") from None
    if backend == "postgresql" and "sslmode" in url.query:
        # libpq's sslmode (Heroku, Render...) is asyncpg's ssl.
        query = dict(url.query)
        query["ssl"] = query.pop("sslmode")
        url = url.set(query=query)
    return url.render_as_string(hide_password=False)


def backend_of(url: str) -> str:
    return make_url(url).get_backend_name()


def _engine_options(url: URL) -> dict[str, Any]:
    options: dict[str, Any] = {"hide_parameters": True, "pool_pre_ping": False}
    if url.get_backend_name() == "postgresql":
        # A connection that dies with the server is invalidated on its first error and the
        # pool reconnects; pre-pinging every checkout would cost a round trip per update.
        options |= {"pool_size": 10, "max_overflow": 10, "pool_timeout": 30,
                    "pool_recycle": 1800}
    return options


def _tune_sqlite(engine: AsyncEngine) -> None:
    """WAL lets readers run beside a writer; writers wait for each other instead of failing."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


class Database:
    """One engine and its session factory, shared by all handlers of a process."""

    def __init__(self, url: str) -> None:
        self.url = normalise_database_url(url)
        parsed = make_url(self.url)
        self.backend = parsed.get_backend_name()
        ensure_sqlite_folder(self.url)
        connect_args = {"timeout": SQLITE_BUSY_MS / 1000} if self.backend == "sqlite" else {}
        self.engine: AsyncEngine = create_async_engine(
            parsed, connect_args=connect_args, **_engine_options(parsed)
        )
        if self.backend == "sqlite":
            _tune_sqlite(self.engine)
        self.sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    async def migrate(self) -> None:
        """Create or update the schema with the Alembic migrations in storage/migrations."""
        from storage.migrate import upgrade  # Alembic only where migrations run

        await upgrade(self.url)

    async def schema_is_current(self) -> bool:
        """True when the database is at the newest migration (what `run` requires)."""
        from storage.migrate import current_revision, head_revision

        return await current_revision(self.engine) == head_revision()

    def checked_out_connections(self) -> int:
        """Connections in use right now (tests check that failures return theirs)."""
        checked_out = getattr(self.engine.pool, "checkedout", None)
        return int(checked_out()) if callable(checked_out) else 0

    async def dispose(self) -> None:
        await self.engine.dispose()
