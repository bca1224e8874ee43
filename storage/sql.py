"""SQL that must be written per dialect (PostgreSQL in production, SQLite by default)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


async def insert_if_missing(session: AsyncSession, model: type[SQLModel], key: str,
                            index_elements: list[str] | None = None, **values: Any) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: create a row once, even when two updates race."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(model).values(**values).on_conflict_do_nothing(
        index_elements=index_elements or [key])
    await session.exec(statement)


async def add_to_count(session: AsyncSession, model: type[SQLModel], key: dict[str, Any],
                       amount: int, column: str = "count") -> None:
    """One upsert: the row under `key` gets `amount` added to `column` (created if missing)."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(model).values(**key, **{column: amount})
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={column: getattr(model, column) + statement.excluded[column]})
    await session.exec(statement)
