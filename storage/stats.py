"""Counts for /stats and `python -m bot stats`: no identifiers, no texts, only numbers."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge.model import GDYNIA
from storage.models import Idea, QuestionStat, Signup, Ticket, TopicFeedback
from storage.sql import add_to_count

ANSWERED, UNSURE, ABSTAINED = "answered", "unsure", "abstained"


QuestionKey = tuple[date, str, str]  # day, locale, outcome


class QuestionTally:
    """Questions counted in memory and added to `question_stat` every few seconds.

    Every question counted in its own update would make one row per day the hottest row of the
    database: each update would hold its lock until it commits, so residents' updates (and
    workers) would queue behind each other. A worker killed without stopping loses at most the
    counts since its last flush; nothing personal is ever in here.
    """

    def __init__(self) -> None:
        self._pending: Counter[QuestionKey] = Counter()

    def count(self, day: date, locale: str, outcome: str) -> None:
        self._pending[(day, locale, outcome)] += 1

    def pending(self) -> int:
        return sum(self._pending.values())

    async def write(self, session: AsyncSession) -> int:
        """Add the pending counts to the session's transaction (the caller commits)."""
        taken, self._pending = self._pending, Counter()
        try:
            for (day, locale, outcome), count in sorted(taken.items()):
                await add_to_count(session, QuestionStat, {"day": day, "locale": locale,
                                                           "outcome": outcome}, count)
        except BaseException:
            self._pending.update(taken)  # counted again at the next flush
            raise
        return sum(taken.values())

    async def flush(self, sessions: async_sessionmaker[AsyncSession]) -> int:
        if not self._pending:
            return 0
        async with sessions() as session:
            written = await self.write(session)
            await session.commit()
        return written


@dataclass
class Stats:
    since: date
    questions: dict[str, dict[str, int]] = field(default_factory=dict)  # day -> outcome -> n
    languages: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    helpful: dict[str, tuple[int, int]] = field(default_factory=dict)  # topic -> (yes, no)
    ideas: dict[str, dict[str, int]] = field(default_factory=dict)  # district -> status -> n
    signups: dict[str, tuple[int, int]] = field(default_factory=dict)  # event -> (in, waiting)
    tickets: int = 0
    tickets_answered: int = 0
    median_first_answer_hours: float | None = None
    unanswered_themes: list[tuple[str, int]] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "since": self.since.isoformat(), "questions_per_day": self.questions,
            "languages": self.languages, "outcomes": self.outcomes,
            "helpful_votes": {t: {"helpful": y, "not_helpful": n}
                              for t, (y, n) in self.helpful.items()},
            "ideas_per_district_and_status": self.ideas,
            "signups_per_event": {e: {"signed_up": a, "waiting": w}
                                  for e, (a, w) in self.signups.items()},
            "tickets": {"total": self.tickets, "answered": self.tickets_answered,
                        "median_first_answer_hours": self.median_first_answer_hours},
            "top_unanswered_themes": [{"theme": t, "count": c} for t, c in self.unanswered_themes],
        }


async def collect(session: AsyncSession, since: date) -> Stats:
    stats = Stats(since=since)
    rows = await session.exec(select(QuestionStat).where(col(QuestionStat.day) >= since))
    for row in rows.all():
        day = stats.questions.setdefault(row.day.isoformat(), {})
        day[row.outcome] = day.get(row.outcome, 0) + row.count
        stats.languages[row.locale] = stats.languages.get(row.locale, 0) + row.count
        stats.outcomes[row.outcome] = stats.outcomes.get(row.outcome, 0) + row.count
    for feedback in (await session.exec(select(TopicFeedback))).all():
        stats.helpful[feedback.topic_id] = (feedback.helpful, feedback.not_helpful)
    since_moment = datetime.combine(since, time(), GDYNIA)
    ideas = await session.exec(select(Idea.district, Idea.status, func.count())
                               .where(col(Idea.created_at) >= since_moment)
                               .group_by(Idea.district, Idea.status))
    for district, status, count in ideas.all():
        stats.ideas.setdefault(district or "city-wide", {})[status] = count
    signups = await session.exec(select(Signup.event_id, Signup.status, func.count())
                                 .group_by(Signup.event_id, Signup.status))
    for event_id, status, count in signups.all():
        confirmed, waiting = stats.signups.get(event_id, (0, 0))
        stats.signups[event_id] = (confirmed + count, waiting) if status == "confirmed" else (
            confirmed, waiting + count)
    tickets = (await session.exec(select(Ticket).where(
        col(Ticket.created_at) >= since_moment))).all()
    stats.tickets = len(tickets)
    waits = [(t.first_answer_at - t.created_at).total_seconds() / 3600 for t in tickets
             if t.first_answer_at is not None]
    stats.tickets_answered = len(waits)
    stats.median_first_answer_hours = round(statistics.median(waits), 1) if waits else None
    return stats
