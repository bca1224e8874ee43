"""What handlers work with: process-wide `Services`, and a `Turn` for each update.

The composition root (`bot/app.py`) builds `Services` from the settings; the turn middleware
makes a `Turn` per update: its database session (one transaction, committed once at the end),
the knowledge snapshot it answers from (resolved once, so a reload never changes it halfway),
the moment it happens, the resident's language, and what it queued for the outbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.utils.i18n import I18n
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.platform.clock import Clock, today_in_gdynia
from handlers.platform.flood import FloodGuard
from handlers.platform.i18n import LanguageChoices
from handlers.platform.memory import ShortMemory
from knowledge.model import KnowledgeBase
from knowledge.search import Match
from knowledge.store import KnowledgeStore, Snapshot
from storage import outbox
from storage.db import Database
from storage.drafts import DraftStore
from storage.models import OutboxMessage
from storage.outbox import Outgoing, enqueue
from storage.pseudonyms import Pseudonymizer
from storage.stats import QuestionTally
from storage.updates import MemoryUpdateLedger, UpdateLedger

if TYPE_CHECKING:
    from handlers.platform.jobs import JobRunner
    from handlers.platform.purposes import Purposes


@dataclass(frozen=True)
class StaffConfig:
    """Who the coordinators are and where they work."""

    chat_id: int | None
    coordinator_ids: frozenset[int]
    locale: str  # coordinators read the bot's messages in this language

    def is_coordinator(self, user_id: int, chat_id: int | None) -> bool:
        return self.chat_id is not None and chat_id == self.chat_id and (
            user_id in self.coordinator_ids)


@dataclass
class Services:
    """Process-wide objects shared by every update."""

    staff: StaffConfig
    default_locale: str
    db: Database
    knowledge: KnowledgeStore
    i18n: I18n
    languages: LanguageChoices
    pseudonyms: Pseudonymizer
    clock: Clock
    fsm: BaseStorage  # SqlStorage or PseudonymousRedisStorage: both are also a DraftStore
    isolation: BaseEventIsolation
    purposes: Purposes
    jobs: JobRunner
    recent: ShortMemory = field(default_factory=ShortMemory)  # last questions, minutes only
    flood: FloodGuard = field(default_factory=FloodGuard)  # bursts of messages, seconds only
    tally: QuestionTally = field(default_factory=QuestionTally)  # flushed by the "stats" job
    updates: UpdateLedger = field(default_factory=MemoryUpdateLedger)  # webhook: each once
    outbox_lease: timedelta = outbox.LEASE
    # Matching encodes the question (~20 ms of CPU): off the event loop, one at a time.
    matching: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(
        max_workers=1, thread_name_prefix="matcher"))

    @property
    def drafts(self) -> DraftStore:
        return cast(DraftStore, self.fsm)


AfterCommit = Callable[[], Awaitable[None]]


@dataclass
class Turn:
    """One update being handled."""

    services: Services
    session: AsyncSession
    knowledge: Snapshot
    now: datetime
    locale: str
    storage_unavailable: bool = False  # the FSM storage could not be read for this update
    queued: list[OutboxMessage] = field(default_factory=list)
    after_commit: list[AfterCommit] = field(default_factory=list)

    @property
    def base(self) -> KnowledgeBase:
        return self.knowledge.base

    @property
    def today(self) -> date:
        return today_in_gdynia(self.services.clock)

    @property
    def staff(self) -> StaffConfig:
        return self.services.staff

    def subject(self, user_id: int) -> str:
        """The resident's pseudonym: what storage knows them by."""
        return self.services.pseudonyms.subject(user_id)

    async def match(self, question: str, **options: Any) -> Match:
        """The knowledge snapshot's answer to a question: off the event loop when it encodes
        the question (~20 ms); on it when it matches words only (~1 ms, less than the hop to a
        thread and back would cost)."""
        matcher = self.knowledge.matcher
        if not matcher.encodes:
            return matcher.search(question, **options)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.services.matching, partial(
            matcher.search, question, **options))

    def enqueue(self, outgoing: Outgoing) -> OutboxMessage:
        """Queue a message; delivery is woken once this update's transaction commits."""
        message = enqueue(self.session, outgoing, self.now)
        self.queued.append(message)
        return message
