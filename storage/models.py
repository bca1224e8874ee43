"""All database tables.

Datetimes are timezone-aware UTC (SQLModel 0.0.50 maps `datetime` to a UTC type and rejects
naive values). No table holds a raw Telegram id: residents appear only as pseudonyms.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


def utc_now() -> datetime:
    return datetime.now(UTC)


class FsmRecord(SQLModel, table=True):
    """A resident's position and answers in a multi-step flow (aiogram FSM)."""

    __tablename__ = "fsm_record"

    key: str = Field(primary_key=True, max_length=200)
    state: str | None = Field(default=None, max_length=200)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utc_now)


class TopicFeedback(SQLModel, table=True):
    """'Was this helpful?' counts per topic; deliberately without any user id."""

    __tablename__ = "topic_feedback"

    topic_id: str = Field(primary_key=True, max_length=100)
    helpful: int = 0
    not_helpful: int = 0


class UnansweredQuestion(SQLModel, table=True):
    """A question the bot could not answer, masked of personal data, for staff to review."""

    __tablename__ = "unanswered_question"

    id: int | None = Field(default=None, primary_key=True)
    masked_text: str = Field(max_length=1000)
    locale: str = Field(max_length=5)
    created_at: datetime = Field(default_factory=utc_now)
