"""Telegram's sending limits, kept by the outbox's delivery loop.

About 30 messages a second overall (we stay at 25), one a second to a chat, 20 a minute to a
group. `next_slot` says when a message to a chat may go; `record` books the slot once sent.
Times come from a monotonic clock, so tests drive it by hand.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    per_second: int = 25
    chat_interval: float = 1.0
    group_per_minute: int = 20


class RateLimiter:
    def __init__(self, limits: Limits = Limits()) -> None:
        self.limits = limits
        self._recent: deque[float] = deque()  # send times within the last second
        self._last_in_chat: dict[int, float] = {}
        self._group_recent: dict[int, deque[float]] = {}
        self._paused_until: dict[int, float] = {}

    def next_slot(self, chat_id: int, now: float) -> float:
        """The earliest moment (>= now) at which a message to `chat_id` keeps every limit."""
        slot = max(now, self._paused_until.get(chat_id, now))
        if chat_id in self._last_in_chat:
            slot = max(slot, self._last_in_chat[chat_id] + self.limits.chat_interval)
        group = self._group_recent.get(chat_id)
        if chat_id < 0 and group and len(group) >= self.limits.group_per_minute:
            slot = max(slot, group[-self.limits.group_per_minute] + 60.0)
        if len(self._recent) >= self.limits.per_second:
            slot = max(slot, self._recent[-self.limits.per_second] + 1.0)
        return slot

    def record(self, chat_id: int, at: float) -> None:
        self._recent.append(at)
        while self._recent and self._recent[0] <= at - 1.0:
            self._recent.popleft()
        self._last_in_chat[chat_id] = at
        if chat_id < 0:
            group = self._group_recent.setdefault(chat_id, deque())
            group.append(at)
            while group and group[0] <= at - 60.0:
                group.popleft()
        self._forget_idle(at)

    def pause(self, chat_id: int, until: float) -> None:
        """Telegram said 'retry after N seconds' for this chat."""
        self._paused_until[chat_id] = max(until, self._paused_until.get(chat_id, until))

    def _forget_idle(self, now: float) -> None:
        """Keep memory bounded on long runs: chats idle for over a minute need no state."""
        if len(self._last_in_chat) < 10_000:
            return
        for chat_id in [c for c, t in self._last_in_chat.items() if t < now - 60.0]:
            self._last_in_chat.pop(chat_id, None)
            self._group_recent.pop(chat_id, None)
            self._paused_until.pop(chat_id, None)
