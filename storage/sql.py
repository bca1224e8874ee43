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
