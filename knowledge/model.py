"""Typed shapes of the knowledge files."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

LOCALES = ("pl", "uk", "en")
Localized = dict[str, str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Entry(_Strict):
    id: str
    title: Localized
    answer: Localized
    phrasings: dict[str, list[str]] = Field(default_factory=dict)
    keywords: dict[str, list[str]] = Field(default_factory=dict)
    related: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
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
    amounts: dict[str, int] = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)
    review_by: date | None = None


class OutOfScope(_Strict):
    phrasings: dict[str, list[str]] = Field(default_factory=dict)


class District(_Strict):
    name: str
    aliases: list[str] = Field(default_factory=list)


class Retention(_Strict):
    drafts_days: int
    unanswered_days: int
    proof_days: int


class ConsentPurpose(_Strict):
    retention_days: int | None
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


class IdeaFormText(_Strict):
    edition: str
    year: int
    limits: dict[str, int]
    hints: dict[str, Localized]

    def hint(self, step: str, locale: str) -> str:
        texts = self.hints.get(step, {})
        return texts.get(locale) or texts.get("pl", "")


class KnowledgeBase(BaseModel):
    """Everything loaded from one knowledge folder."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    entries: dict[str, Entry]
    timelines: dict[str, Timeline] = Field(default_factory=dict)
    out_of_scope: OutOfScope = OutOfScope()
    districts: list[District] = Field(default_factory=list)
    consents: ConsentPolicy | None = None
    idea_form: IdeaFormText | None = None
    paths: dict[str, Path] = Field(default_factory=dict)

    def entry(self, topic_id: str) -> Entry | None:
        return self.entries.get(topic_id)
