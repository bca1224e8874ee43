"""The composition root: the one place that builds the bot, its services and its dispatcher.

Production (`python -m bot run`), the console channel and the tests all call these functions,
so they run the same routers, middlewares, storage and background jobs.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.utils.callback_answer import CallbackAnswerMiddleware

import handlers
from bot.config import Settings
from bot.i18n import build_i18n
from bot.json_session import JsonAiohttpSession
from handlers.platform.clock import Clock, SystemClock
from handlers.platform.context import Services, StaffConfig
from handlers.platform.delivery import Delivery
from handlers.platform.errors import on_error
from handlers.platform.flood import FloodGuard, FloodMiddleware
from handlers.platform.i18n import LanguageChoices, LocaleMiddleware
from handlers.platform.jobs import JobRunner
from handlers.platform.long_messages import LongMessages
from handlers.platform.middlewares import CommitMiddleware, FormStateMiddleware, TurnMiddleware
from handlers.platform.purposes import Purposes
from handlers.platform.response_types import KeepResponseTypes
from handlers.platform.routing import run_filters_on_the_loop
from knowledge.encoder import load_encoder
from knowledge.store import KnowledgeStore
from storage.db import Database
from storage.fsm import SqlStorage
from storage.locks import exclusively
from storage.preferences import all_remembered, remembered_language
from storage.pseudonyms import PseudonymizedKeyBuilder, Pseudonymizer
from storage.retention import purge
from storage.updates import MemoryUpdateLedger, RedisUpdateLedger, UpdateLedger

log = logging.getLogger(__name__)

# A syntactically valid token for the console and tests, where no request leaves the process.
OFFLINE_TOKEN = "42:OFFLINE"
KNOWLEDGE_RELOAD_SECONDS = 3.0
DELIVERY_SECONDS = 1.0
PURGE_SECONDS = 24 * 60 * 60
STATS_SECONDS = 10.0
# Remembered languages are read into memory this often: what another worker stored shows here
# within this many seconds (what this worker stores, at once).
LANGUAGES_SECONDS = 30.0


def create_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    token = settings.telegram_bot_token
    if session is None:
        session = JsonAiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    if not any(isinstance(middleware, LongMessages) for middleware in session.middleware):
        # A session reused after a restart has them already.
        session.middleware(KeepResponseTypes())
        session.middleware(LongMessages())
    return Bot(
        token.get_secret_value() if token else OFFLINE_TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def build_fsm_storage(settings: Settings, database: Database, pseudonyms: Pseudonymizer,
                      drafts_days: int | None) -> tuple[BaseStorage, BaseEventIsolation]:
    """Redis when configured (several workers); otherwise the database. Keys are pseudonymous."""
    key_builder = PseudonymizedKeyBuilder(pseudonyms)
    if settings.redis_url is not None:
        from storage.redis_fsm import PseudonymousRedisStorage  # needs the [redis] extra

        # Unfinished forms expire in Redis by themselves; `purge` does it for the database.
        ttl = timedelta(days=drafts_days) if drafts_days else None
        storage = PseudonymousRedisStorage.from_url(
            settings.redis_url.get_secret_value(), key_builder=key_builder, state_ttl=ttl,
            data_ttl=ttl)
        return storage, storage.create_isolation()
    return SqlStorage(database.sessions, key_builder), SimpleEventIsolation()


def build_services(
    settings: Settings, *, clock: Clock | None = None, knowledge: KnowledgeStore | None = None,
    purposes: Purposes | None = None,
) -> Services:
    """Process-wide objects; an already loaded `knowledge` store can be shared (tests)."""
    database = Database(settings.database_url)
    knowledge = knowledge or KnowledgeStore(settings.knowledge_dir,
                                            encoder=load_encoder(settings.dense_matching))
    pseudonyms = Pseudonymizer(settings.pseudonym_secret)
    consents = knowledge.current.base.consents
    fsm, isolation = build_fsm_storage(settings, database, pseudonyms,
                                       consents.retention.drafts_days if consents else None)
    return Services(
        staff=StaffConfig(settings.coordinator_chat_id, frozenset(settings.coordinator_ids),
                          settings.default_locale),
        default_locale=settings.default_locale,
        db=database,
        knowledge=knowledge,
        i18n=build_i18n(settings.default_locale),
        languages=LanguageChoices(subject_of=pseudonyms.subject),
        pseudonyms=pseudonyms,
        clock=clock or SystemClock(),
        fsm=fsm,
        isolation=isolation,
        purposes=purposes or handlers.purposes(),
        jobs=JobRunner(),
        flood=FloodGuard(settings.flood_burst, settings.flood_window),
        updates=_update_ledger(settings, fsm),
        outbox_lease=timedelta(seconds=settings.outbox_lease_seconds),
    )


def _update_ledger(settings: Settings, fsm: BaseStorage) -> UpdateLedger:
    """Shared in Redis when several workers may run; otherwise this process's memory."""
    redis = getattr(fsm, "redis", None)
    if redis is None:
        return MemoryUpdateLedger()
    token = settings.telegram_bot_token
    bot_id = token.get_secret_value().split(":", 1)[0] if token else "0"
    return RedisUpdateLedger(redis, int(bot_id) if bot_id.isdigit() else 0)


async def purge_once(services: Services) -> dict[str, int]:
    """Delete what is past retention (the daily job and `python -m bot purge`)."""
    consents = services.knowledge.current.base.consents
    if consents is None:
        raise RuntimeError("knowledge/consents.yaml is missing: no retention periods to apply")
    async with exclusively(services.db, "purge") as mine:
        if not mine:  # several workers run the daily job; one of them does it
            log.info("retention purge: another process is purging; skipped here")
            return {}
        async with services.db.sessions() as session:
            counts = await purge(session, consents, services.purposes.data(),
                                 services.clock.now())
            await session.commit()
    log.info("retention purge: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


async def load_remembered_languages(services: Services) -> int:
    async with services.db.sessions() as session:
        remembered = await all_remembered(session)
    services.languages.load_directory(remembered)
    return len(remembered)


def _remembered(services: Services) -> Any:
    async def remembered(user_id: int, data: dict[str, Any]) -> str | None:
        turn = data.get("turn")
        if turn is None:
            return None
        return await remembered_language(turn.session, services.pseudonyms.subject(user_id))

    return remembered


def add_background_jobs(services: Services, bot: Bot) -> Delivery:
    """The jobs every process runs: delivery, knowledge reload, retention purge."""
    delivery = Delivery(bot=bot, sessions=services.db.sessions, clock=services.clock,
                        lease=services.outbox_lease,
                        on_delivered=handlers.delivery_hooks(), on_gone=handlers.gone_hooks())
    jobs = services.jobs
    jobs.add("outbox", delivery.drain, every=DELIVERY_SECONDS)
    jobs.add("knowledge", lambda: asyncio.to_thread(services.knowledge.refresh),
             every=KNOWLEDGE_RELOAD_SECONDS, first_after=KNOWLEDGE_RELOAD_SECONDS)
    jobs.add("purge", lambda: purge_once(services), every=PURGE_SECONDS, first_after=60.0)
    jobs.add("stats", lambda: services.tally.flush(services.db.sessions), every=STATS_SECONDS,
             first_after=STATS_SECONDS)
    jobs.add("languages", lambda: load_remembered_languages(services), every=LANGUAGES_SECONDS)
    for name, run, every in handlers.background_jobs(services):
        jobs.add(name, run, every=every, first_after=every)
    return delivery


def create_dispatcher(services: Services) -> Dispatcher:
    # aiogram's own FSM middleware is replaced by one inside the update's transaction.
    dispatcher = Dispatcher(storage=services.fsm, events_isolation=services.isolation,
                            disable_fsm=True, services=services)
    dispatcher.update.outer_middleware(FloodMiddleware(
        lambda: services.flood, services.i18n, services.languages, services.default_locale))
    dispatcher.update.outer_middleware(TurnMiddleware(services))
    dispatcher.update.outer_middleware(FormStateMiddleware(services.fsm, services.isolation))
    dispatcher.update.outer_middleware(CommitMiddleware())
    LocaleMiddleware(services.i18n, services.languages, _remembered(services)).setup(dispatcher)
    dispatcher.callback_query.middleware(CallbackAnswerMiddleware())
    dispatcher.errors.register(on_error)
    dispatcher.include_routers(*handlers.build_routers())
    run_filters_on_the_loop(dispatcher)

    async def on_startup(bot: Bot) -> None:
        if not services.jobs.has("outbox"):
            add_background_jobs(services, bot)
        await services.jobs.start()

    async def on_shutdown() -> None:
        await services.jobs.stop()
        await services.jobs.tick("stats")  # the last seconds' question counts

    dispatcher.startup.register(on_startup)
    dispatcher.shutdown.register(on_shutdown)
    return dispatcher
