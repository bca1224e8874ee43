"""The composition root: the one place that builds the bot and its dispatcher.

Production (`python -m bot run`), the console channel and the tests all call these functions,
so they run the same routers, middlewares and storage.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.utils.callback_answer import CallbackAnswerMiddleware

from bot.config import Settings
from bot.i18n import LocaleMiddleware, RememberedLanguage
from bot.middlewares import DbSessionMiddleware
from bot.services import Services
from handlers import build_consent_flows, build_routers
from storage.consents import PersonalData
from storage.fsm import SqlStorage
from storage.pseudonyms import PseudonymizedKeyBuilder

log = logging.getLogger(__name__)

# A syntactically valid token for the console and tests, where no request leaves the process.
OFFLINE_TOKEN = "42:OFFLINE"
def create_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    token = settings.telegram_bot_token
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    return Bot(
        token.get_secret_value() if token else OFFLINE_TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def build_fsm_storage(services: Services) -> tuple[BaseStorage, BaseEventIsolation]:
    """Redis when configured (several workers); otherwise the database. Keys are pseudonymous."""
    key_builder = PseudonymizedKeyBuilder(services.pseudonyms)
    redis_url = services.settings.redis_url
    if redis_url is not None:
        from aiogram.fsm.storage.redis import RedisStorage  # needs the [redis] extra

        # Unfinished forms expire in Redis by themselves; `purge` does it for the database.
        consents = services.knowledge.current.base.consents
        ttl = timedelta(days=consents.retention.drafts_days) if consents else None
        storage = RedisStorage.from_url(
            redis_url.get_secret_value(), key_builder=key_builder, state_ttl=ttl, data_ttl=ttl
        )
        return storage, storage.create_isolation()
    return SqlStorage(services.db.sessions, key_builder), SimpleEventIsolation()


def _remembered_language(services: Services) -> RememberedLanguage:
    async def remembered(user_id: int, data: dict[str, Any]) -> str | None:
        session = data.get("session")
        if session is None:
            return None
        return await PersonalData(session).remembered_language(services.pseudonyms.subject(user_id))

    return remembered


def create_dispatcher(
    services: Services,
    *,
    storage: BaseStorage | None = None,
    events_isolation: BaseEventIsolation | None = None,
) -> Dispatcher:
    if storage is None:
        storage, default_isolation = build_fsm_storage(services)
        events_isolation = events_isolation or default_isolation
    dispatcher = Dispatcher(
        storage=storage,
        events_isolation=events_isolation or SimpleEventIsolation(),
        services=services,
        settings=services.settings,
        knowledge=services.knowledge,
        languages=services.languages,
        consent_flows=build_consent_flows(),
    )
    dispatcher.update.outer_middleware(DbSessionMiddleware(services.db.sessions))
    LocaleMiddleware(services.i18n, services.languages, _remembered_language(services)).setup(
        dispatcher
    )
    dispatcher.callback_query.middleware(CallbackAnswerMiddleware())
    dispatcher.include_routers(*build_routers())
    return dispatcher
