"""All database tables.

Datetimes are timezone-aware UTC (SQLModel 0.0.50 maps `datetime` to a UTC type and rejects
naive values). No table holds a raw Telegram id: residents appear only as pseudonyms.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel

# Telegram ids do not fit 32 bits: user ids pass 2**31 and supergroups are -100xxxxxxxxxx.
TELEGRAM_ID = BigInteger


def utc_now() -> datetime:
    return datetime.now(UTC)


class FsmRecord(SQLModel, table=True):
    """A resident's position and answers in a multi-step flow (aiogram FSM)."""

    __tablename__ = "fsm_record"

    key: str = Field(primary_key=True, max_length=200)
    # The resident's pseudonym, so /mydata, /forget and withdrawals find drafts in any chat.
    subject: str | None = Field(default=None, index=True, max_length=64)
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
    kind: str = Field(default="unanswered", max_length=12)  # unanswered | not_helpful
    topic: str | None = Field(default=None, max_length=100)  # the answer marked 👎
    created_at: datetime = Field(default_factory=utc_now)


class PhrasingSuggestion(SQLModel, table=True):
    """A masked question staff mapped to a topic from the inbox: a phrasing to add to its file."""

    __tablename__ = "phrasing_suggestion"

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(index=True, max_length=100)
    locale: str = Field(max_length=5)
    text: str = Field(max_length=1000)
    created_at: datetime = Field(default_factory=utc_now)


class QuestionStat(SQLModel, table=True):
    """Questions per day, language and outcome: counts only, nothing about who asked."""

    __tablename__ = "question_stat"

    day: date = Field(primary_key=True)
    locale: str = Field(primary_key=True, max_length=5)
    outcome: str = Field(primary_key=True, max_length=12)  # answered | unsure | abstained
    count: int = 0


class ConsentEvent(SQLModel, table=True):
    """Proof of consent (GDPR Art. 7(1)): one append-only row per consent given or withdrawn.

    Never updated: a withdrawal is a new 'withdrawn' row. The resident appears only as the
    pseudonymous `subject`.
    """

    __tablename__ = "consent_event"

    id: str = Field(primary_key=True, max_length=36)
    subject: str = Field(index=True, max_length=64)
    purpose: str = Field(max_length=40)
    event: str = Field(max_length=12)  # given | withdrawn
    notice_version: str = Field(max_length=16)
    notice_hash: str = Field(max_length=64)  # sha256 of the exact text and buttons shown
    locale: str = Field(max_length=5)
    channel: str = Field(max_length=20)
    button: str = Field(max_length=100)  # the label the resident pressed
    age: str | None = Field(default=None, max_length=10)  # 16+ | under-16 | None (not asked)
    guardian_agreed: bool = False
    recorded_at: datetime = Field(default_factory=utc_now)


class LanguagePreference(SQLModel, table=True):
    """The remembered language (purpose `preferences`)."""

    __tablename__ = "language_preference"

    subject: str = Field(primary_key=True, max_length=64)
    locale: str = Field(max_length=5)
    updated_at: datetime = Field(default_factory=utc_now)


class NewsSubscription(SQLModel, table=True):
    """Opt-in announcements (purpose `news`); the chat id is needed to deliver them."""

    __tablename__ = "news_subscription"

    subject: str = Field(primary_key=True, max_length=64)
    chat_id: int = Field(sa_type=TELEGRAM_ID)
    locale: str = Field(max_length=5)
    # What the resident wants to hear about: programmes (empty: all) and one district (or all).
    programmes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    district: str | None = Field(default=None, max_length=60)
    created_at: datetime = Field(default_factory=utc_now)


class Broadcast(SQLModel, table=True):
    """An announcement coordinators sent to news subscribers (its copies go by the outbox)."""

    __tablename__ = "broadcast"

    id: int | None = Field(default=None, primary_key=True)
    programme: str | None = Field(default=None, max_length=20)
    districts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    audience: int = 0
    status: str = Field(default="sending", max_length=10)  # sending | done
    staff_chat_id: int | None = Field(default=None, sa_type=TELEGRAM_ID)
    progress_message_id: int | None = Field(default=None, sa_type=TELEGRAM_ID)
    progress_shown: str | None = Field(default=None, max_length=60)
    created_at: datetime = Field(default_factory=utc_now)


class Ticket(SQLModel, table=True):
    """A resident's question passed to LIS staff (purpose `handoff`)."""

    __tablename__ = "ticket"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(index=True, max_length=64)
    chat_id: int = Field(sa_type=TELEGRAM_ID)
    locale: str = Field(max_length=5)
    question: str = Field(max_length=2000)
    guesses: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="open", max_length=10)  # open | answered | closed
    rating: int | None = None  # 1 helped, 0 did not
    created_at: datetime = Field(default_factory=utc_now)
    first_answer_at: datetime | None = None
    closed_at: datetime | None = None
    reannounced_at: datetime | None = None

    @property
    def reference(self) -> str:
        return f"T-{self.id or 0:04d}"


class TicketMessage(SQLModel, table=True):
    """One message of a hand-off thread (purpose `handoff`), from either side."""

    __tablename__ = "ticket_message"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(index=True)
    side: str = Field(max_length=10)  # resident | staff
    author: str | None = Field(default=None, max_length=80)  # a coordinator's first name
    text: str = Field(max_length=4000)
    created_at: datetime = Field(default_factory=utc_now)


class ThreadMessage(SQLModel, table=True):
    """Which conversation a Telegram message belongs to, so a reply to it can be relayed.

    Staff reply to the forwarded idea, sign-up or question in their chat; residents reply to
    the relayed answer in theirs.
    """

    __tablename__ = "thread_message"

    chat_id: int = Field(primary_key=True, sa_type=TELEGRAM_ID)
    message_id: int = Field(primary_key=True, sa_type=TELEGRAM_ID)
    ref_kind: str = Field(max_length=20)  # idea | signup | ticket
    ref_id: str = Field(max_length=40)
    side: str = Field(max_length=10)  # staff | resident
    subject: str | None = Field(default=None, index=True, max_length=64)
    created_at: datetime = Field(default_factory=utc_now)


class ExportLog(SQLModel, table=True):
    """Who exported what and when (a coordinator's pseudonym, never the exported data)."""

    __tablename__ = "export_log"

    id: int | None = Field(default=None, primary_key=True)
    by: str = Field(max_length=64)
    what: str = Field(max_length=20)
    format: str = Field(max_length=5)
    filters: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    rows: int = 0
    created_at: datetime = Field(default_factory=utc_now)


class Idea(SQLModel, table=True):
    """A participatory-budget idea described with the bot (purpose `bo_idea`)."""

    __tablename__ = "idea"
    __table_args__ = (UniqueConstraint("edition", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, max_length=20)  # BO-2026-0042
    edition: int
    number: int
    subject: str = Field(index=True, max_length=64)
    chat_id: int = Field(sa_type=TELEGRAM_ID)  # where to tell the resident about their idea
    locale: str = Field(max_length=5)
    level: str = Field(max_length=10)  # district | city
    district: str | None = Field(default=None, max_length=60)
    size: str | None = Field(default=None, max_length=10)  # small | large (district projects)
    title: str = Field(max_length=150)
    description: str = Field(max_length=2000)
    kind: str = Field(max_length=12)  # investment | soft
    location: str | None = Field(default=None, max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    cost: int
    contact_name: str = Field(max_length=80)
    contact_email: str | None = Field(default=None, max_length=120)
    contact_phone: str | None = Field(default=None, max_length=20)
    reply_in_telegram: bool = False  # the resident chose to be answered here
    minor: bool = False
    status: str = Field(default="new", max_length=20)  # new | accepted | needs_info | not_eligible
    status_by: str | None = Field(default=None, max_length=100)  # the coordinator's name
    status_reason: str | None = Field(default=None, max_length=40)  # why not eligible
    status_at: datetime | None = None
    # Where the forwarded copy landed in the coordinators' chat (set once it is delivered).
    staff_chat_id: int | None = Field(default=None, sa_type=TELEGRAM_ID)
    staff_message_id: int | None = Field(default=None, sa_type=TELEGRAM_ID)
    forwarded_at: datetime | None = None
    created_at: datetime = Field(default_factory=utc_now)


class IdeaCounter(SQLModel, table=True):
    """The last reference number given in an edition (one row per edition)."""

    __tablename__ = "idea_counter"

    edition: int = Field(primary_key=True)
    last_number: int = 0


class OutboxMessage(SQLModel, table=True):
    """Something the bot sends on its own initiative: stored first, delivered at least once.

    `kind` is text (optionally with buttons or as a reply), document, or edit (of a message
    the bot sent earlier). `subject`, `purpose` and the reference (`ref_kind`, `ref_id`) let
    erasure and retention find a resident's queued messages without knowing their content.
    Content (text, buttons, document) is dropped once delivered.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
        Index("ix_outbox_message_ref", "ref_kind", "ref_id"),
        # The claim query's own index: only queued messages, in the order they fall due, so
        # claiming stays as cheap at 100,000 kept delivery records as at ten.
        Index("ix_outbox_message_queue", "next_attempt_at", "id",
              sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=TELEGRAM_ID)
    kind: str = Field(default="text", max_length=10)  # text | document | edit
    text: str = ""
    buttons: list[list[dict[str, str]]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False))
    reply_to_message_id: int | None = Field(default=None, sa_type=TELEGRAM_ID)
    edit_message_id: int | None = Field(default=None, sa_type=TELEGRAM_ID)
    document: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    document_name: str | None = Field(default=None, max_length=100)
    subject: str | None = Field(default=None, index=True, max_length=64)
    purpose: str | None = Field(default=None, max_length=40)
    ref_kind: str | None = Field(default=None, max_length=20)  # idea | signup | ticket | ...
    ref_id: str | None = Field(default=None, max_length=40)
    role: str | None = Field(default=None, max_length=40)  # what it is for: idea.forward, ...
    status: str = Field(default="pending", max_length=10)  # pending | sent | stopped | dead
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utc_now)
    lease_owner: str | None = Field(default=None, max_length=40)
    lease_until: datetime | None = None
    sent_message_id: int | None = Field(default=None, sa_type=TELEGRAM_ID)
    last_error: str | None = Field(default=None, max_length=300)
    expires_at: datetime | None = None  # not sent after this (a reminder once the event began)
    created_at: datetime = Field(default_factory=utc_now)
    sent_at: datetime | None = None


class EventState(SQLModel, table=True):
    """What the bot last knew of an event's file, and its seats.

    `start` and `status` are compared with the file to tell residents once when staff move or
    cancel an event; `taken` counts confirmed seats (changed only by atomic UPDATEs).
    """

    __tablename__ = "event_state"

    event_id: str = Field(primary_key=True, max_length=20)
    start: datetime
    status: str = Field(max_length=12)
    capacity: int | None = None
    taken: int = 0
    updated_at: datetime = Field(default_factory=utc_now)


class Signup(SQLModel, table=True):
    """A resident's place at an event, or on its waiting list (purpose `urbanlab_signup`).

    A cancelled sign-up is deleted at once: nothing is kept about who cancelled.
    """

    __tablename__ = "signup"
    __table_args__ = (UniqueConstraint("event_id", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(index=True, max_length=20)
    subject: str = Field(index=True, max_length=64)
    chat_id: int = Field(sa_type=TELEGRAM_ID)
    locale: str = Field(max_length=5)
    name: str = Field(max_length=80)
    contact: str | None = Field(default=None, max_length=120)  # e-mail or phone, if given
    needs: str | None = Field(default=None, max_length=300)  # accessibility needs, if any
    status: str = Field(default="confirmed", max_length=10)  # confirmed | waiting
    minor: bool = False
    event_end: datetime  # retention counts from the end of the event
    created_at: datetime = Field(default_factory=utc_now)


def as_record(row: SQLModel, *, exclude: frozenset[str] = frozenset({"subject"})) -> dict[str, Any]:
    """A row as plain JSON-ready data for /mydata (the pseudonym is left out)."""
    return {key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in row.model_dump(exclude=set(exclude)).items()}
