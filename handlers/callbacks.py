"""Callback data of every button. Telegram returns it untouched by us: treat it as untrusted.

aiogram's `CallbackData.filter()` only matches well-formed data; handlers still check that a
topic or language exists before using it, and `fallback` answers anything else.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.utils.callback_answer import CallbackAnswer


class TopicCallback(CallbackData, prefix="topic"):
    topic: str


class FeedbackCallback(CallbackData, prefix="fb"):
    topic: str
    helpful: bool


class LanguageCallback(CallbackData, prefix="lang"):
    code: str


class MenuCallback(CallbackData, prefix="menu"):
    action: str


def tell(callback_answer: CallbackAnswer, text: str, *, alert: bool = False) -> None:
    """Set the text of the answer `CallbackAnswerMiddleware` sends once the handler is done."""
    callback_answer.text = text
    callback_answer.show_alert = alert
