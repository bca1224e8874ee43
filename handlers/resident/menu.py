"""The programme menu and its buttons, shared by /start, the fallback and other answers."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from handlers.platform.answers import TopicCallback
from handlers.platform.keyboards import Keyboard

# The five programmes of LIS and the entry that introduces each.
PROGRAMMES = (
    (__("🏛 Participatory Budget (BO)"), "bo.about"),
    (__("🏙 UrbanLab Gdynia"), "urbanlab.about"),
    (__("🎨 Wymiennikownia (youth)"), "wymiennikownia.about"),
    (__("🏠 Przystań neighbourhood centres"), "przystan.about"),
    (__("🌱 Gdynia OdNowa (revitalisation)"), "odnowa.about"),
)


# Programme ids (as in knowledge/events) and how residents see them on buttons.
PROGRAMME_LABELS = {
    "bo": __("🏛 Participatory Budget (BO)"),
    "urbanlab": __("🏙 UrbanLab Gdynia"),
    "wymiennikownia": __("🎨 Wymiennikownia (youth)"),
    "przystan": __("🏠 Przystań neighbourhood centres"),
    "odnowa": __("🌱 Gdynia OdNowa (revitalisation)"),
}


class MenuCallback(CallbackData, prefix="menu"):
    action: str


def menu_keyboard(*, language_button: bool = False) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for label, topic_id in PROGRAMMES:
        keyboard.button(text=str(label), callback_data=TopicCallback(topic=topic_id))
    keyboard.button(text=_("💡 Describe a BO idea"), callback_data=MenuCallback(action="idea"))
    keyboard.button(text=_("❓ Ask a question"), callback_data=MenuCallback(action="ask"))
    if language_button:  # the same in every language: findable by someone who can't read this
        keyboard.button(text="🌐 Język · Мова · Language",
                        callback_data=MenuCallback(action="language"))
    keyboard.adjust(1)
    return keyboard.as_markup()
