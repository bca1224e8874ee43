"""Typed shapes of the knowledge files."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# The languages the bot speaks: the one list everything else (catalogs, settings, the
# validator, language buttons) uses.
LOCALES = ("pl", "uk", "en")
Localized = dict[str, str]
GDYNIA = ZoneInfo("Europe/Warsaw")
PROGRAMMES = ("bo", "urbanlab", "wymiennikownia", "przystan", "odnowa", "lis")
EVENT_ID = r"^[a-z0-9][a-z0-9-]{2,14}$"  # short: it travels in buttons (64 bytes at most)


def localized(texts: Localized, locale: str) -> str:
    """The text in `locale`, else Polish (every file has Polish)."""
    return texts.get(locale) or texts.get("pl") or next(iter(texts.values()), "")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Entry(_Strict):
    id: str
    title: Localized
    answer: Localized
    phrasings: dict[str, list[str]] = Field(default_factory=dict)
    keywords: dict[str, list[str]] = Field(default_factory=dict)
    related: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)  # shown under the answer: at most three
    # Where else the facts come from, and what staff must re-check: never shown to residents.
    staff_sources: list[str] = Field(default_factory=list)
    staff_notes: str | None = None
    last_reviewed: date
    review_by: date | None = None
    timeline: str | None = None


class Stage(_Strict):
    id: str
    name: Localized
    start: date | None = None
    end: date


class Timeline(_Strict):
    id: str
    title: Localized
    stages: list[Stage]
    phrases: dict[str, Localized]
    programme: str | None = None  # "bo": a Budżet Obywatelski edition
    edition: int | None = None  # its year
    amounts: dict[str, int] = Field(default_factory=dict)
    # Each district's own pool when staff have copied them from bo.gdynia.pl ("Pula środków").
    district_pools: dict[str, int] = Field(default_factory=dict)
    # When the edition after this one is expected, while its dates are not published.
    next_expected: Localized = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)
    review_by: date | None = None

    def stage(self, stage_id: str) -> Stage | None:
        return next((stage for stage in self.stages if stage.id == stage_id), None)


class OutOfScope(_Strict):
    phrasings: dict[str, list[str]] = Field(default_factory=dict)


class Place(_Strict):
    """Somewhere that is not Gdynia: the bot says it knows LIS Gdynia only."""

    name: Localized
    words: list[str]


class Office(_Strict):
    """Another office's business (elections, taxes, doctors...), by its words."""

    id: str
    words: list[str]
    ask: str | None = None  # a contact of contacts.yaml to point to


class Sense(_Strict):
    """One of our words in its everyday meaning: `ours` together with a word `around` it (or,
    with no `around`, a form of `ours` that always has that meaning), unless `unless` shows it
    is about LIS after all."""

    id: str
    ours: list[str]
    around: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)


class ScopeRules(_Strict):
    """knowledge/scope.yaml. Words are folded (no diacritics, lower case); `stem*` matches any
    word beginning so, several words match consecutive words."""

    gdynia: list[str] = Field(default_factory=list)  # the question is about Gdynia or LIS
    programmes: list[str] = Field(default_factory=list)  # ...about one of LIS's programmes
    lis: list[str] = Field(default_factory=list)  # ...about LIS itself or the bot's data
    places: list[Place] = Field(default_factory=list)
    offices: list[Office] = Field(default_factory=list)
    senses: list[Sense] = Field(default_factory=list)


class SmallTalk(_Strict):
    """Greetings, thanks, goodbyes, insults: whole messages (`phrases`) or, for insults, words
    anywhere (`words`), answered with a short `reply`."""

    phrases: dict[str, list[str]] = Field(default_factory=dict)
    words: dict[str, list[str]] = Field(default_factory=dict)
    reply: Localized


class Centre(_Strict):
    """A Przystań neighbourhood centre on the map (knowledge/centres.yaml)."""

    name: str
    address: str
    district: str
    latitude: float = Field(ge=54.3, le=54.7)  # Gdynia and around
    longitude: float = Field(ge=18.2, le=18.8)


class District(_Strict):
    name: str
    aliases: list[str] = Field(default_factory=list)


class Retention(_Strict):
    drafts_days: int = Field(ge=1)
    unanswered_days: int = Field(ge=1)
    proof_days: int = Field(ge=1)


class ConsentPurpose(_Strict):
    retention_days: int | None = Field(ge=1)
    age_check: bool
    data: list[str]
    recipients: str
    notice: Localized

    @property
    def version(self) -> str:
        """Changes whenever any language's notice changes: residents are then asked again."""
        text = "\n".join(f"{locale}:{self.notice.get(locale, '')}" for locale in LOCALES)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


class ConsentPolicy(_Strict):
    retention: Retention
    purposes: dict[str, ConsentPurpose]


class Reason(_Strict):
    """A reason coordinators can give (e.g. why an idea is not eligible) and what to do next."""

    label: Localized
    advice: Localized


class FormText(_Strict):
    """Staff-editable texts of one form: a hint per step, length limits, reasons."""

    hints: dict[str, Localized]
    limits: dict[str, int] = Field(default_factory=dict)
    edition: int | None = None  # BO form only: pin an edition instead of the one in force
    reasons: dict[str, Reason] = Field(default_factory=dict)

    def hint(self, step: str, locale: str) -> str:
        return localized(self.hints.get(step, {}), locale)


class HandoffPolicy(_Strict):
    """Passing questions to LIS staff (knowledge/handoff.yaml)."""

    # Weekday (mon..sun) -> "08:00-16:00". Outside these hours residents are told when to
    # expect an answer; empty when the hours are not known.
    office_hours: dict[str, str] = Field(default_factory=dict)
    reannounce_after_hours: int = Field(default=24, ge=1)
    # Topics whose answer carries the [👤 Ask LIS staff] button ("can I talk to a person?").
    offer_with: list[str] = Field(default_factory=list)

    @field_validator("office_hours")
    @classmethod
    def _hours(cls, value: dict[str, str]) -> dict[str, str]:
        for day, span in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"'{day}' is not a weekday (use {', '.join(WEEKDAYS)})")
            if not _SPAN.match(span):
                raise ValueError(f"'{span}' must look like 08:00-16:00")
        return value


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^\d{2}:\d{2}-\d{2}:\d{2}$")


class Contact(_Strict):
    """A place or team the bot points residents to; `hours` only where a source gives them."""

    name: Localized
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    web: str | None = None
    hours: Localized = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)


class EventPlace(_Strict):
    name: Localized = Field(default_factory=dict)  # "Przystań Śmidowicza 49"
    address: str | None = None
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class Event(_Strict):
    """A meeting residents can find, and sign up for when `signup` is true.

    Times are Gdynia time. Staff move an event by changing `start` (and setting
    `status: moved`), cancel it with `status: cancelled`; everyone signed up is told.
    """

    id: str = Field(pattern=EVENT_ID)
    programme: Literal["bo", "urbanlab", "wymiennikownia", "przystan", "odnowa", "lis"]
    title: Localized
    description: Localized = Field(default_factory=dict)
    start: datetime
    end: datetime | None = None
    place: EventPlace | None = None
    online: str | None = None  # a link, for online meetings
    capacity: int | None = Field(default=None, ge=1)
    signup: bool = False  # residents sign up through the bot
    signup_deadline: datetime | None = None
    accessibility: Localized = Field(default_factory=dict)
    status: Literal["planned", "moved", "cancelled"] = "planned"
    reminders_hours: list[int] = Field(default_factory=lambda: [24, 1])
    sources: list[str] = Field(default_factory=list)
    example: bool = False  # a sample (knowledge/examples/): never shown as a real event

    @field_validator("start", "end", "signup_deadline")
    @classmethod
    def _gdynia_time(cls, value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=GDYNIA) if value is not None and value.tzinfo is None else value

    @model_validator(mode="after")
    def _end_after_start(self) -> Event:
        if self.end is not None and self.end <= self.start:
            raise ValueError("'end' must be after 'start'")
        return self

    @property
    def finish(self) -> datetime:
        """When it ends (two hours after the start when the file does not say)."""
        return self.end or self.start + timedelta(hours=2)

    @property
    def closes(self) -> datetime:
        """Sign-up closes at the deadline, and at the latest when the event starts."""
        return min(self.signup_deadline, self.start) if self.signup_deadline else self.start


class KnowledgeBase(BaseModel):
    """Everything loaded from one knowledge folder."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    entries: dict[str, Entry]
    timelines: dict[str, Timeline] = Field(default_factory=dict)
    out_of_scope: OutOfScope = OutOfScope()
    districts: list[District] = Field(default_factory=list)
    consents: ConsentPolicy | None = None
    forms: dict[str, FormText] = Field(default_factory=dict)
    contacts: dict[str, Contact] = Field(default_factory=dict)
    events: dict[str, Event] = Field(default_factory=dict)
    handoff: HandoffPolicy = HandoffPolicy()
    scope: ScopeRules = ScopeRules()
    centres: list[Centre] = Field(default_factory=list)
    small_talk: dict[str, SmallTalk] = Field(default_factory=dict)
    paths: dict[str, Path] = Field(default_factory=dict)

    def entry(self, topic_id: str) -> Entry | None:
        return self.entries.get(topic_id)

    def form(self, name: str) -> FormText:
        if name not in self.forms:
            raise LookupError(f"knowledge/forms/{name}.yaml is missing")
        return self.forms[name]

    def contact(self, name: str) -> Contact:
        if name not in self.contacts:
            raise LookupError(f"contact '{name}' is missing from knowledge/contacts.yaml")
        return self.contacts[name]
