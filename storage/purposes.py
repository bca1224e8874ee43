"""The storage side of a consent purpose: what it holds about a resident, and how it goes.

Each purpose's data module implements `PurposeData`; the purpose registry (handlers) pairs it
with the conversation side. /mydata, /forget, withdrawals and retention iterate the registry,
so a new purpose is covered by declaring it once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlmodel import SQLModel, col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import as_record


@dataclass(frozen=True)
class Erased:
    count: int = 0
    # Submissions whose copies staff hold (e.g. "BO-2027-0004"): they are asked to delete them.
    references: list[str] = field(default_factory=list)
    # Events whose seats the erasure freed: the first waiting people get them.
    freed_events: list[str] = field(default_factory=list)


class PurposeData(Protocol):
    """Everything one purpose stores about a resident (pseudonymous `subject`)."""

    export_name: str  # the section of /mydata's file

    async def export(self, session: AsyncSession, subject: str) -> list[dict[str, Any]]: ...

    async def submissions(self, session: AsyncSession, subject: str) -> list[str]:
        """References of what erasure would delete that staff have seen (asked before)."""
        ...

    async def erase(self, session: AsyncSession, subject: str) -> Erased: ...

    async def purge(self, session: AsyncSession, *, older_than: datetime) -> int:
        """Delete what is past retention (records dated before `older_than`)."""
        ...


SUBJECT_COLUMN = "subject"


class TableData:
    """A purpose whose data is the rows of one table with `subject` and a date column."""

    def __init__(self, model: type[SQLModel], dated_by: str, export_name: str) -> None:
        self._model = model
        self._dated_by = dated_by
        self.export_name = export_name

    def _subject(self) -> Any:
        return getattr(self._model, SUBJECT_COLUMN)

    async def export(self, session: AsyncSession, subject: str) -> list[dict[str, Any]]:
        rows = await session.exec(select(self._model).where(self._subject() == subject))
        return [as_record(row) for row in rows.all()]

    async def submissions(self, session: AsyncSession, subject: str) -> list[str]:
        return []

    async def erase(self, session: AsyncSession, subject: str) -> Erased:
        result = await session.exec(delete(self._model).where(self._subject() == subject))
        return Erased(result.rowcount or 0)

    async def purge(self, session: AsyncSession, *, older_than: datetime) -> int:
        dated = col(getattr(self._model, self._dated_by))
        result = await session.exec(delete(self._model).where(dated < older_than))
        return result.rowcount or 0


def cutoff(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)
