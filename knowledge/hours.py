"""Office hours: are they open now, and when do they open next (Gdynia time)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from knowledge.model import GDYNIA, WEEKDAYS


def _span(text: str) -> tuple[time, time]:
    start, end = text.split("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def is_open(hours: dict[str, str], moment: datetime) -> bool:
    local = moment.astimezone(GDYNIA)
    span = hours.get(WEEKDAYS[local.weekday()])
    if not span:
        return False
    start, end = _span(span)
    return start <= local.time() < end


def next_opening(hours: dict[str, str], moment: datetime) -> datetime | None:
    """The next moment the office opens after `moment` (None when no hours are known)."""
    if not hours:
        return None
    local = moment.astimezone(GDYNIA)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        span = hours.get(WEEKDAYS[day.weekday()])
        if not span:
            continue
        opening = datetime.combine(day, _span(span)[0], GDYNIA)
        if opening > local:
            return opening
    return None
