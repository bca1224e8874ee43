"""The resident's language: a form's, the one chosen now, the remembered one, Telegram's.

Gettext catalogs of UI strings live in bot/locales; `LocaleMiddleware` decides which one an
update uses. A failing database or FSM storage never stops it: the bot then speaks the
language Telegram reports, and the turn is marked so handlers can be honest about it.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware

from knowledge.model import LOCALES

log = logging.getLogger(__name__)
REMEMBERED_TTL = 300.0  # seconds a looked-up remembered language is trusted without asking again


# Client languages the bot does not speak, and the one it answers them in: Russian- and
# Belarusian-language clients in Gdynia are mostly Ukrainians (a language button is offered).
CLOSEST_LOCALE = {"ru": "uk", "be": "uk"}


def locale_from_language_code(language_code: str | None) -> str | None:
    """Telegram's client language ('uk', 'en-GB', 'pl', 'ru') mapped to a supported locale."""
    code = (language_code or "").split("-")[0].lower()
    return code if code in LOCALES else CLOSEST_LOCALE.get(code)


class LanguageChoices:
    """Languages residents picked in this process, and the remembered (stored) ones.

    The choice itself is kept only in memory: storing it needs the `preferences` consent.
    Remembered languages come from a directory of all of them (pseudonym -> locale), loaded
    and refreshed by the "languages" job, so a resident who stored nothing costs no query;
    until it is loaded (or if it cannot be), each resident's is looked up and cached for a few
    minutes. Bounded, so a busy bot cannot grow the per-resident maps without limit.
    """

    def __init__(self, capacity: int = 50_000, clock: Callable[[], float] = time.monotonic,
                 subject_of: Callable[[int], str] | None = None) -> None:
        self._capacity = capacity
        self._clock = clock
        self._subject_of = subject_of
        self._choices: OrderedDict[int, str] = OrderedDict()
        self._remembered: OrderedDict[int, tuple[float, str | None]] = OrderedDict()
        self._directory: dict[str, str] | None = None

    def get(self, user_id: int) -> str | None:
        return self._choices.get(user_id)

    def set(self, user_id: int, locale: str) -> None:
        self._put(self._choices, user_id, locale)

    def forget(self, user_id: int) -> None:
        self._choices.pop(user_id, None)
        self._remembered.pop(user_id, None)
        if (directory := self._directory_of(user_id)) is not None:
            directory[0].pop(directory[1], None)

    def load_directory(self, remembered: dict[str, str]) -> None:
        """Every stored language (the "languages" job, every few seconds)."""
        self._directory = remembered

    def cached_remembered(self, user_id: int) -> tuple[bool, str | None]:
        """(known, locale): known is False when the database must be asked."""
        if (directory := self._directory_of(user_id)) is not None:
            return True, directory[0].get(directory[1])
        entry = self._remembered.get(user_id)
        if entry is None or self._clock() - entry[0] > REMEMBERED_TTL:
            return False, None
        return True, entry[1]

    def cache_remembered(self, user_id: int, locale: str | None) -> None:
        """What is stored for the resident now (just stored, or just looked up)."""
        self._put(self._remembered, user_id, (self._clock(), locale))
        if (directory := self._directory_of(user_id)) is not None:
            remembered, subject = directory
            if locale is None:
                remembered.pop(subject, None)
            else:
                remembered[subject] = locale

    def _directory_of(self, user_id: int) -> tuple[dict[str, str], str] | None:
        """The loaded directory and the resident's pseudonym in it, or None before loading."""
        if self._directory is None or self._subject_of is None:
            return None
        return self._directory, self._subject_of(user_id)

    def _put(self, mapping: OrderedDict[int, Any], user_id: int, value: Any) -> None:
        mapping[user_id] = value
        mapping.move_to_end(user_id)
        while len(mapping) > self._capacity:
            mapping.popitem(last=False)


# Looks up a stored language for a user id, with the update's data.
RememberedLanguage = Callable[[int, dict[str, Any]], Awaitable[str | None]]


class LocaleMiddleware(I18nMiddleware):
    """The language of a form in progress, else the one chosen now, else the remembered one,
    else Telegram's, else the default."""

    def __init__(self, i18n: I18n, choices: LanguageChoices,
                 remembered: RememberedLanguage) -> None:
        super().__init__(i18n=i18n)
        self._choices = choices
        self._remembered = remembered

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        locale = self.i18n.default_locale
        if user is not None:
            chosen = (_form_locale(data) or self._choices.get(user.id)
                      or await self._remembered_safely(user.id, data))
            locale = chosen or locale_from_language_code(user.language_code) or locale
        data["locale"] = locale  # handlers that render knowledge answers need it by name
        turn = data.get("turn")
        if turn is not None:
            turn.locale = locale
        return locale

    async def _remembered_safely(self, user_id: int, data: dict[str, Any]) -> str | None:
        known, locale = self._choices.cached_remembered(user_id)
        if known:
            return locale
        try:
            locale = await self._remembered(user_id, data)
        except Exception as error:  # the database is down: speak Telegram's language
            log.warning("remembered language unavailable: %s", type(error).__name__)
            turn = data.get("turn")
            if turn is not None:
                await turn.session.rollback()
            return None
        self._choices.cache_remembered(user_id, locale)
        return locale


def _form_locale(data: dict[str, Any]) -> str | None:
    """A multi-step form keeps the language it was started in (read once by the FSM step)."""
    form = data.get("form_data")
    locale = form.get("locale") if isinstance(form, dict) else None
    return locale if locale in LOCALES else None
