"""Process-wide objects shared by every update, built once from the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n

from bot.config import Settings
from bot.i18n import LanguageChoices, build_i18n
from knowledge.store import KnowledgeStore
from storage.db import Database
from storage.pseudonyms import Pseudonymizer

GDYNIA = ZoneInfo("Europe/Warsaw")


def today_in_gdynia() -> date:
    return datetime.now(GDYNIA).date()


@dataclass
class Services:
    """Process-wide objects shared by every update."""

    settings: Settings
    db: Database
    knowledge: KnowledgeStore
    i18n: I18n
    languages: LanguageChoices
    pseudonyms: Pseudonymizer
    today: Callable[[], date] = today_in_gdynia


def build_services(
    settings: Settings,
    *,
    today: Callable[[], date] | None = None,
    knowledge: KnowledgeStore | None = None,
) -> Services:
    """`today` and an already loaded `knowledge` store can be passed in (tests share one)."""
    return Services(
        settings=settings,
        db=Database(settings.database_url),
        knowledge=knowledge or KnowledgeStore(settings.knowledge_dir),
        i18n=build_i18n(settings.default_locale),
        languages=LanguageChoices(),
        pseudonyms=Pseudonymizer(settings.pseudonym_key.get_secret_value()),
        today=today or today_in_gdynia,
    )
