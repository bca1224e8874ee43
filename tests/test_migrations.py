"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from storage.migrate import upgrade


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_migrations_match_the_models_and_run_twice(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    url = (f"sqlite+aiosqlite:///{tmp_path / 'migrated.sqlite3'}" if backend == "sqlite"
           else request.getfixturevalue("postgres_url"))
    await upgrade(url)
    await upgrade(url)  # every start runs it: a no-op once up to date
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
            )
    finally:
        await engine.dispose()
    assert differences == []
