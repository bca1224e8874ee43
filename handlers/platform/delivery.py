"""Delivering the outbox through the Bot API, within Telegram's limits, at least once.

Each round claims due messages with a lease (see storage.outbox), sends each when the rate
limiter allows, and records the outcome while still holding the lease. Failures are sorted:
- blocked by the user, chat not found, kicked: nobody to deliver to, stop at once (`stopped`);
- 429 "retry after N": wait exactly N seconds (not counted as a failed attempt);
- 5xx, network errors, timeouts: exponential backoff with jitter, up to `max_attempts`,
  then `dead`, which staff see with /outbox;
- other 400s (Telegram refuses the message itself): retrying cannot help, `dead`.
A message whose send succeeded but whose answer was lost is sent again: at least once.
"""

from __future__ import annotations

import logging
import os
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.platform.clock import Clock
from handlers.platform.ratelimit import RateLimiter
from handlers.platform.telegram_ops import NOT_MODIFIED
from storage import outbox
from storage.models import OutboxMessage

log = logging.getLogger(__name__)
LEASE_PER_SEND = 3  # a send times out at a third of the lease: a slow send is not taken over
MAX_WAIT_IN_ROUND = 1.0  # a message that must wait longer for its chat goes back to the queue
GONE = ("chat not found", "bot was blocked", "user is deactivated", "bot was kicked",
        "not enough rights", "have no rights", "group chat was deactivated", "PEER_ID_INVALID")

# After a message of some role is delivered: (session, message, telegram message id, now).
DeliveredHook = Callable[[AsyncSession, OutboxMessage, int | None, datetime], Awaitable[None]]
# After a chat turned out to be gone (blocked, deleted): (session, chat id).
GoneHook = Callable[[AsyncSession, int], Awaitable[None]]


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    stopped: int = 0
    dead: int = 0
    deferred: int = 0
    expired: int = 0


@dataclass
class Delivery:
    bot: Bot
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    limiter: RateLimiter = field(default_factory=RateLimiter)
    on_delivered: dict[str, DeliveredHook] = field(default_factory=dict)
    on_gone: list[GoneHook] = field(default_factory=list)
    max_attempts: int = 8
    batch: int = 20
    base_backoff: float = 2.0
    max_backoff: float = 3600.0
    jitter: Callable[[], float] = random.random
    # Which worker holds a lease: its process id (for whoever reads the table) and a nonce.
    owner: str = field(default_factory=lambda: f"pid{os.getpid()}-{uuid.uuid4().hex[:12]}")
    lease: timedelta = outbox.LEASE

    @property
    def send_timeout(self) -> int:
        return max(1, int(self.lease.total_seconds() / LEASE_PER_SEND))

    async def run_once(self) -> DeliveryReport:
        """One round: every message due now, as far as the limits allow."""
        report = DeliveryReport()
        async with self.sessions() as session:
            claimed = await outbox.claim_due(session, owner=self.owner, now=self.clock.now(),
                                             limit=self.batch, lease=self.lease)
            for message in claimed:
                await self._deliver(session, message, report)
        return report

    async def drain(self, rounds: int = 50) -> DeliveryReport:
        """Rounds until nothing is due (tests and the console: 'settle')."""
        total = DeliveryReport()
        for _ in range(rounds):
            report = await self.run_once()
            for name in ("sent", "retried", "stopped", "dead", "deferred", "expired"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            if not (report.sent or report.stopped or report.dead or report.expired):
                break
        return total

    async def _deliver(self, session: AsyncSession, message: OutboxMessage,
                       report: DeliveryReport) -> None:
        if message.expires_at is not None and self.clock.now() >= message.expires_at:
            report.expired += 1  # e.g. a reminder whose event began while the bot was down
            await outbox.give_up(session, message, owner=self.owner, status=outbox.EXPIRED,
                                 error="its moment passed")
            return
        slot = self.limiter.next_slot(message.chat_id, self.clock.monotonic())
        wait = slot - self.clock.monotonic()
        if wait > MAX_WAIT_IN_ROUND:
            report.deferred += 1
            await outbox.retry_later(session, message, owner=self.owner,
                                     at=self.clock.now() + timedelta(seconds=wait),
                                     error="waiting for the rate limit", counts_as_attempt=False)
            return
        if wait > 0:
            await self.clock.sleep(wait)
        self.limiter.record(message.chat_id, self.clock.monotonic())
        try:
            sent_id = await self._send(message)
        except TelegramRetryAfter as error:
            report.retried += 1
            self.limiter.pause(message.chat_id, self.clock.monotonic() + error.retry_after)
            await outbox.retry_later(
                session, message, owner=self.owner, counts_as_attempt=False, error="429",
                at=self.clock.now() + timedelta(seconds=error.retry_after))
        except TelegramMigrateToChat as error:
            report.retried += 1
            message.chat_id = error.migrate_to_chat_id
            session.add(message)
            await outbox.retry_later(session, message, owner=self.owner, at=self.clock.now(),
                                     error="chat migrated", counts_as_attempt=False)
        except (TelegramForbiddenError, TelegramNotFound) as error:
            await self._stop(session, message, error, report)
        except TelegramBadRequest as error:
            if NOT_MODIFIED in str(error):  # an edit that was already applied
                await self._sent(session, message, message.edit_message_id, report)
            elif any(reason in str(error) for reason in GONE):
                await self._stop(session, message, error, report)
            else:
                report.dead += 1
                log.error("outbox message %s refused by Telegram: %s", message.id,
                          _describe(error))
                await outbox.give_up(session, message, owner=self.owner, status=outbox.DEAD,
                                     error=_describe(error))
        except (TimeoutError, TelegramAPIError, TelegramNetworkError, OSError) as error:
            await self._failed(session, message, error, report)
        else:
            await self._sent(session, message, sent_id, report)

    async def _send(self, message: OutboxMessage) -> int | None:
        markup = _markup(message.buttons)
        if message.kind == "edit" and message.edit_message_id is not None:
            result = await self.bot.edit_message_text(
                text=message.text, chat_id=message.chat_id, message_id=message.edit_message_id,
                reply_markup=markup, request_timeout=self.send_timeout)
            return result.message_id if isinstance(result, Message) else message.edit_message_id
        reply = (ReplyParameters(message_id=message.reply_to_message_id,
                                 allow_sending_without_reply=True)
                 if message.reply_to_message_id else None)
        if message.kind == "document":
            sent = await self.bot.send_document(
                message.chat_id,
                BufferedInputFile(message.document or b"",
                                  filename=message.document_name or "file"),
                caption=message.text or None, reply_markup=markup, reply_parameters=reply,
                request_timeout=self.send_timeout)
        else:
            sent = await self.bot.send_message(message.chat_id, message.text, reply_markup=markup,
                                               reply_parameters=reply,
                                               request_timeout=self.send_timeout)
        return sent.message_id

    async def _sent(self, session: AsyncSession, message: OutboxMessage, sent_id: int | None,
                    report: DeliveryReport) -> None:
        report.sent += 1
        hook = self.on_delivered.get(message.role or "")
        if hook is not None:
            await hook(session, message, sent_id, self.clock.now())
        if not await outbox.mark_sent(session, message, owner=self.owner,
                                      telegram_message_id=sent_id, now=self.clock.now()):
            log.warning("outbox message %s was delivered after its lease expired; another worker "
                        "may deliver it again", message.id)

    async def _stop(self, session: AsyncSession, message: OutboxMessage, error: Exception,
                    report: DeliveryReport) -> None:
        report.stopped += 1
        log.info("outbox message %s stopped: %s", message.id, _describe(error))
        for hook in self.on_gone:
            await hook(session, message.chat_id)
        await outbox.give_up(session, message, owner=self.owner, status=outbox.STOPPED,
                             error=_describe(error))

    async def _failed(self, session: AsyncSession, message: OutboxMessage, error: BaseException,
                      report: DeliveryReport) -> None:
        attempts = message.attempts + 1
        if attempts >= self.max_attempts:
            report.dead += 1
            log.error("outbox message %s gave up after %d attempts: %s", message.id, attempts,
                      _describe(error))
            await outbox.give_up(session, message, owner=self.owner, status=outbox.DEAD,
                                 error=_describe(error))
            return
        report.retried += 1
        delay = min(self.base_backoff * 2 ** (attempts - 1), self.max_backoff)
        delay *= 0.5 + self.jitter() / 2  # jitter: workers that failed together spread out
        log.warning("outbox message %s not delivered (attempt %d): %s", message.id, attempts,
                    _describe(error))
        await outbox.retry_later(session, message, owner=self.owner, error=_describe(error),
                                 at=self.clock.now() + timedelta(seconds=delay))


def _markup(buttons: list[list[dict[str, str]]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=b["text"], url=b["url"]) if "url" in b else
         InlineKeyboardButton(text=b["text"], callback_data=b["data"]) for b in row]
        for row in buttons
    ])


def _describe(error: BaseException) -> str:
    """The error's kind and Telegram's words, never the message's content."""
    if isinstance(error, TelegramAPIError):
        return f"{type(error).__name__}: {error.message}"[:300]
    return type(error).__name__
