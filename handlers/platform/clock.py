"""What time it is for the bot: the real clock, a shifted one for previews, a manual one for tests.

Everything that depends on the date (BO stages, upcoming events, reminders, retention, the
outbox's backoff and leases) asks a `Clock`, so `python -m bot chat --now 2027-03-01T10:00`
shows staff what residents will see then, and tests move time without waiting.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

GDYNIA = ZoneInfo("Europe/Warsaw")


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (rate limits)."""

    async def sleep(self, seconds: float) -> None: ...


def today_in_gdynia(clock: Clock) -> date:
    return clock.now().astimezone(GDYNIA).date()


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(seconds, 0.0))


class ShiftedClock(SystemClock):
    """Real time flowing from a chosen moment: previews of another date."""

    def __init__(self, start: datetime) -> None:
        self._offset = start.astimezone(UTC) - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


class ManualClock:
    """Time that moves only when told to; `sleep` moves it at once."""

    def __init__(self, start: datetime) -> None:
        self._now = start.astimezone(UTC)
        self._monotonic = 1_000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._monotonic += seconds

    def set(self, moment: datetime) -> None:
        self.advance((moment.astimezone(UTC) - self._now).total_seconds())

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.advance(seconds)
        await asyncio.sleep(0)


def parse_moment(text: str) -> datetime:
    """'2027-03-01T10:00' or '2027-03-01' in Gdynia time (a `--now` value)."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=GDYNIA) if moment.tzinfo is None else moment
