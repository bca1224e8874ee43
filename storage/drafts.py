"""Unfinished forms (drafts) of one resident, wherever the FSM storage keeps them.

Both FSM storages (SQL and Redis) can list and delete a resident's drafts by pseudonym, so
/mydata shows them, and /forget and a withdrawal delete them, whatever chat they were started in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Draft:
    key: str
    state: str | None
    data: dict[str, Any]

    @property
    def purpose(self) -> str | None:
        """The consent purpose the draft's form belongs to (forms store it in their data)."""
        value = self.data.get("purpose")
        return value if isinstance(value, str) else None


class DraftStore(Protocol):
    async def drafts_of(self, subject: str) -> list[Draft]: ...

    async def delete_drafts(self, subject: str, keys: list[str]) -> int: ...
