"""Locks between processes that share a database: one poller, one purge at a time.

On PostgreSQL a lock is a session-level advisory lock on a connection of its own; on SQLite
(one machine) it is `flock` on a file beside the database. Both go away with the process that
holds them, however it dies, so a killed worker never leaves a lock behind. A lock is shared
or exclusive: webhook workers share "updates", a poller needs it alone (Telegram gives updates
either to a webhook or to getUpdates, and a poller would delete the webhook).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for an advisory lock (PostgreSQL's bigint)."""
    digest = hashlib.sha256(f"lis-bot:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@dataclass
class HeldLock:
    name: str
    _connection: AsyncConnection | None = None
    _descriptor: int | None = None

    async def release(self) -> None:
        if self._connection is not None:
            # Closing the server session is what frees the lock, even if unlocking would fail.
            with contextlib.suppress(Exception):
                await self._connection.invalidate()
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing the file releases the flock
            self._descriptor = None


async def try_lock(database: Database, name: str, *, shared: bool = False) -> HeldLock | None:
    """The lock `name`, held until `release()` or the process ends; None if someone holds it
    in a way that excludes us."""
    if database.backend == "postgresql":
        connection = await database.engine.connect()
        function = "pg_try_advisory_lock_shared" if shared else "pg_try_advisory_lock"
        try:
            got = (await connection.execute(text(f"SELECT {function}(:key)"),
                                            {"key": lock_key(name)})).scalar()
            await connection.commit()  # the lock is the session's, not the transaction's
        except BaseException:
            await connection.close()
            raise
        if got:
            return HeldLock(name, _connection=connection)
        await connection.close()
        return None
    path = _lock_file(database, name)
    if path is None:
        return HeldLock(name)  # an in-memory database lives in this process only
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return HeldLock(name, _descriptor=descriptor)


@contextlib.asynccontextmanager
async def exclusively(database: Database, name: str) -> AsyncIterator[bool]:
    """`async with exclusively(db, "purge") as mine:` mine is False when another process
    holds the lock (the work is being done there)."""
    held = await try_lock(database, name)
    try:
        yield held is not None
    finally:
        if held is not None:
            await held.release()


def _lock_file(database: Database, name: str) -> Path | None:
    path = make_url(database.url).database
    if path in (None, "", ":memory:"):
        return None
    return Path(f"{path}.{name}.lock")
