"""Which Budżet Obywatelski edition an idea described today is for, and with what limits.

An edition whose filing is open (or has not opened yet) is the target. Once filing for the
latest known edition has closed, ideas go to the next year's edition, numbered by that year,
with the latest known limits marked as last year's until staff add the new timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from knowledge.model import KnowledgeBase, Localized, Timeline

BO = "bo"
SUBMISSION = "submission"
REQUIRED_AMOUNTS = ("small_project_max", "city_project_max", "district_pool",
                    "large_project_share_of_district_pool_percent")
OPEN, UPCOMING, CLOSED, NEXT = "open", "upcoming", "closed", "next"


@dataclass(frozen=True)
class Edition:
    year: int
    status: str  # open | upcoming | closed (a pinned edition) | next (no timeline yet)
    amounts: dict[str, int]
    amounts_year: int  # the edition the limits come from (earlier than `year` when NEXT)
    district_pools: dict[str, int] = field(default_factory=dict)
    opens: date | None = None
    closes: date | None = None
    expected: Localized = field(default_factory=dict)  # when a NEXT edition is expected
    last_closed: date | None = None  # when filing for the previous edition ended

    @property
    def limits_are_last_years(self) -> bool:
        return self.amounts_year != self.year


def bo_timelines(base: KnowledgeBase) -> list[Timeline]:
    """BO editions with a submission stage, oldest first."""
    found = [t for t in base.timelines.values()
             if t.programme == BO and t.edition is not None and t.stage(SUBMISSION) is not None]
    return sorted(found, key=lambda t: t.edition or 0)


def _from_timeline(timeline: Timeline, status: str) -> Edition:
    submission = timeline.stage(SUBMISSION)
    assert submission is not None and timeline.edition is not None
    return Edition(
        year=timeline.edition, status=status, amounts=dict(timeline.amounts),
        amounts_year=timeline.edition, district_pools=dict(timeline.district_pools),
        opens=submission.start, closes=submission.end,
    )


def edition_for_ideas(base: KnowledgeBase, today: date) -> Edition | None:
    form = base.forms.get("bo_idea")
    timelines = bo_timelines(base)
    if form is not None and form.edition is not None:
        pinned = next((t for t in timelines if t.edition == form.edition), None)
        return _from_timeline(pinned, _status(pinned, today)) if pinned else None
    for timeline in timelines:
        submission = timeline.stage(SUBMISSION)
        if submission is not None and today <= submission.end:
            return _from_timeline(timeline, _status(timeline, today))
    if not timelines:
        return None
    latest = timelines[-1]
    latest_submission = latest.stage(SUBMISSION)
    return Edition(
        year=(latest.edition or today.year) + 1, status=NEXT, amounts=dict(latest.amounts),
        amounts_year=latest.edition or today.year, expected=dict(latest.next_expected),
        last_closed=latest_submission.end if latest_submission else None,
    )


def _status(timeline: Timeline, today: date) -> str:
    submission = timeline.stage(SUBMISSION)
    if submission is None or today > submission.end:
        return CLOSED
    return UPCOMING if submission.start is not None and today < submission.start else OPEN


def missing_amounts(timeline: Timeline) -> list[str]:
    return [name for name in REQUIRED_AMOUNTS if name not in timeline.amounts]


def limits_for(base: KnowledgeBase, year: int) -> Edition | None:
    """The limits an idea for edition `year` is checked against (last known if not out yet)."""
    timelines = bo_timelines(base)
    exact = next((t for t in timelines if t.edition == year), None)
    if exact is not None:
        return _from_timeline(exact, OPEN)
    earlier = [t for t in timelines if (t.edition or 0) < year]
    if not earlier:
        return None
    latest = earlier[-1]
    return Edition(year=year, status=NEXT, amounts=dict(latest.amounts),
                   amounts_year=latest.edition or year, expected=dict(latest.next_expected))
