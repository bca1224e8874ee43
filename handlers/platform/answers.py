"""Showing a knowledge entry: the answer, its sources, related topics, 'was this helpful?'."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from handlers.platform.context import Turn
from handlers.platform.keyboards import Keyboard
from handlers.platform.telegram_html import TEXT_LIMIT, utf16_len, visible_length
from knowledge.model import Entry, localized
from knowledge.render import render_answer

BUTTON_LABEL_LIMIT = 60
MAX_SOURCES = 3


class TopicCallback(CallbackData, prefix="topic"):
    topic: str


class FeedbackCallback(CallbackData, prefix="fb"):
    topic: str
    helpful: bool


def entry_title(entry: Entry, locale: str) -> str:
    title = localized(entry.title, locale)
    return title if len(title) <= BUTTON_LABEL_LIMIT else title[: BUTTON_LABEL_LIMIT - 1] + "…"


def with_sources(text: str, sources: list[str]) -> str:
    """The answer followed by links to where its facts come from, if Telegram's limit allows."""
    shown = list(dict.fromkeys(sources))[:MAX_SOURCES]
    if not shown:
        return text
    links = ", ".join(
        f'<a href="{html.escape(url, quote=True)}">{html.escape(urlsplit(url).hostname or url)}</a>'
        for url in shown
    )
    footer = "\n\n<i>" + _("Sources: {links}").format(links=links) + "</i>"
    with_sources = text + footer
    if utf16_len(with_sources) <= TEXT_LIMIT:  # markup only adds characters: no parse needed
        return with_sources
    return with_sources if visible_length(with_sources) <= TEXT_LIMIT else text


def answer_view(turn: Turn, topic_id: str, locale: str, *, feedback: bool = True
                ) -> tuple[str, InlineKeyboardMarkup]:
    base = turn.base
    entry = base.entries[topic_id]
    text = with_sources(render_answer(base, entry, locale, turn.today), entry.sources)
    keyboard = Keyboard()
    related = [(rid, found) for rid in entry.related if (found := base.entry(rid)) is not None]
    for related_id, related_entry in related:
        keyboard.button(text=entry_title(related_entry, locale),
                        callback_data=TopicCallback(topic=related_id))
    if feedback:
        keyboard.button(text=_("👍 Helpful"),
                        callback_data=FeedbackCallback(topic=topic_id, helpful=True))
        keyboard.button(text=_("👎 Not helpful"),
                        callback_data=FeedbackCallback(topic=topic_id, helpful=False))
    keyboard.adjust(*([1] * len(related)), 2)
    return text, keyboard.as_markup()


def topics_keyboard(turn: Turn, topic_ids: list[str], locale: str) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for topic_id in topic_ids:
        entry = turn.base.entry(topic_id)
        if entry is not None:
            keyboard.button(text=entry_title(entry, locale),
                            callback_data=TopicCallback(topic=topic_id))
    keyboard.adjust(1)
    return keyboard.as_markup()
