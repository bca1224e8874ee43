"""Showing a knowledge entry: the answer, buttons for related topics, 'was this helpful?'."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services import Services
from handlers.callbacks import FeedbackCallback, TopicCallback
from knowledge.model import Entry
from knowledge.render import TELEGRAM_TEXT_LIMIT, render_answer

BUTTON_LABEL_LIMIT = 60


def entry_title(entry: Entry, locale: str) -> str:
    title = entry.title.get(locale) or entry.title["pl"]
    return title if len(title) <= BUTTON_LABEL_LIMIT else title[: BUTTON_LABEL_LIMIT - 1] + "…"


def with_sources(text: str, sources: list[str]) -> str:
    """The answer followed by links to where its facts come from, if Telegram's limit allows."""
    if not sources:
        return text
    links = ", ".join(
        f'<a href="{html.escape(url, quote=True)}">{html.escape(urlsplit(url).hostname or url)}</a>'
        for url in sources
    )
    footer = "\n\n<i>" + _("Sources: {links}").format(links=links) + "</i>"
    return text + footer if len(text) + len(footer) <= TELEGRAM_TEXT_LIMIT else text


def answer_view(services: Services, topic_id: str, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    snapshot = services.knowledge.current
    entry = snapshot.base.entries[topic_id]
    text = with_sources(
        render_answer(snapshot.base, entry, locale, services.today()), entry.sources
    )
    keyboard = InlineKeyboardBuilder()
    related = [(rid, snapshot.base.entry(rid)) for rid in entry.related]
    related = [(rid, found) for rid, found in related if found is not None]
    for related_id, related_entry in related:
        keyboard.button(
            text=entry_title(related_entry, locale), callback_data=TopicCallback(topic=related_id)
        )
    keyboard.button(
        text=_("👍 Helpful"), callback_data=FeedbackCallback(topic=topic_id, helpful=True)
    )
    keyboard.button(
        text=_("👎 Not helpful"), callback_data=FeedbackCallback(topic=topic_id, helpful=False)
    )
    keyboard.adjust(*([1] * len(related)), 2)
    return text, keyboard.as_markup()


def topics_keyboard(services: Services, topic_ids: list[str], locale: str) -> InlineKeyboardMarkup:
    base = services.knowledge.current.base
    keyboard = InlineKeyboardBuilder()
    for topic_id in topic_ids:
        entry = base.entry(topic_id)
        if entry is not None:
            keyboard.button(text=entry_title(entry, locale), callback_data=TopicCallback(topic=topic_id))
    keyboard.adjust(1)
    return keyboard.as_markup()
