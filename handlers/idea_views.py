"""What the BO idea form shows: step prompts, the summary, and the coordinators' message."""

from __future__ import annotations

import html
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.numbers import format_decimal

from knowledge.model import District, IdeaFormText

STEPS = ("level", "district", "title", "description", "kind", "location", "cost",
         "contact_name", "contact_details")
QUESTIONS = {
    "level": __("Is it a district project or a city-wide one?"),
    "district": __("Which district?"),
    "title": __("What is the idea's title?"),
    "description": __("Describe the idea."),
    "kind": __("Is it an investment or a soft project?"),
    "location": __("Where exactly?"),
    "cost": __("How much might it cost, roughly?"),
    "contact_name": __("What is your name?"),
    "contact_details": __("How can the coordinator reach you?"),
}
LEVELS = {"district": __("🏘 District project"), "city": __("🏙 City-wide project")}
KINDS = {"investment": __("🏗 Investment"), "soft": __("🎭 Soft (classes, events)")}
STATUS_LABELS = {
    "new": __("sent to coordinators"),
    "accepted": __("accepted for follow-up"),
    "needs_info": __("coordinators need more information"),
    "not_eligible": __("not eligible for BO"),
}
STATUS_BUTTONS = {
    "accepted": __("✅ Accepted for follow-up"),
    "needs_info": __("❓ Needs more information"),
    "not_eligible": __("⛔ Not eligible"),
}


class IdeaCallback(CallbackData, prefix="idea"):
    action: str  # choose | back | cancel | skip | edit | confirm
    step: str
    value: str = ""


class IdeaStatusCallback(CallbackData, prefix="ideastatus"):
    idea_id: int
    status: str


def applies(step: str, data: dict[str, Any]) -> bool:
    return step != "district" or data.get("level", "district") == "district"


def _navigation(keyboard: InlineKeyboardBuilder, step: str) -> None:
    keyboard.button(text=_("⬅ Back"), callback_data=IdeaCallback(action="back", step=step))
    keyboard.button(text=_("✖ Cancel"), callback_data=IdeaCallback(action="cancel", step=step))


def step_prompt(step: str, data: dict[str, Any], texts: IdeaFormText, locale: str,
                districts: list[District]) -> tuple[str, InlineKeyboardMarkup]:
    steps = [s for s in STEPS if applies(s, data)]
    number = steps.index(step) + 1 if step in steps else 1
    text = "\n".join([
        "<b>" + _("Step {number} of {total}: {question}").format(
            number=number, total=len(steps), question=QUESTIONS[step]) + "</b>",
        f"<i>{html.escape(texts.hint(step, locale))}</i>",
    ])
    keyboard = InlineKeyboardBuilder()
    widths: list[int] = []
    if step == "level":
        for value, label in LEVELS.items():
            keyboard.button(text=str(label), callback_data=IdeaCallback(
                action="choose", step=step, value=value))
        widths.append(2)
    elif step == "district":
        for index, district in enumerate(districts):
            keyboard.button(text=district.name, callback_data=IdeaCallback(
                action="choose", step=step, value=str(index)))
        widths += [3] * ((len(districts) + 2) // 3)
    elif step == "kind":
        for value, label in KINDS.items():
            keyboard.button(text=str(label), callback_data=IdeaCallback(
                action="choose", step=step, value=value))
        widths.append(1)
        widths.append(1)
    elif step == "location" and data.get("kind") == "soft":
        keyboard.button(text=_("Skip: no particular place"),
                        callback_data=IdeaCallback(action="skip", step=step))
        widths.append(1)
    elif step == "contact_details":
        keyboard.button(text=_("💬 Reply to me here in Telegram"),
                        callback_data=IdeaCallback(action="choose", step=step, value="telegram"))
        widths.append(1)
    _navigation(keyboard, step)
    keyboard.adjust(*widths, 2)
    return text, keyboard.as_markup()


def money(amount: int, locale: str) -> str:
    return f"{format_decimal(amount, locale=locale)} zł"


def describe(data: dict[str, Any], locale: str) -> list[tuple[str, str, str]]:
    """(field to edit, label, escaped value) for each answer, in form order."""
    level = str(LEVELS.get(data.get("level", ""), ""))
    if data.get("district"):
        level += f" — {html.escape(data['district'])}"
    if data.get("location"):
        place = html.escape(data["location"])
    elif data.get("latitude") is not None:
        place = _("pin {lat:.5f}, {lon:.5f}").format(lat=data["latitude"], lon=data["longitude"])
    else:
        place = _("no particular place")
    contact = html.escape(data.get("contact_name", ""))
    reach = data.get("contact_email") or data.get("contact_phone")
    contact += ", " + (html.escape(reach) if reach else _("reply here in Telegram"))
    return [
        ("level", _("Level"), level),
        ("title", _("Title"), html.escape(data.get("title", ""))),
        ("description", _("Description"), html.escape(data.get("description", ""))),
        ("kind", _("Kind"), str(KINDS.get(data.get("kind", ""), ""))),
        ("location", _("Place"), place),
        ("cost", _("Estimated cost"), money(data.get("cost", 0), locale)),
        ("contact_name", _("Contact"), contact),
    ]


def readiness(data: dict[str, Any]) -> list[str]:
    """What the official filing will also need, as a checklist."""
    items = [_("the official form on bo.gdynia.pl (or on paper at LIS or a Przystań) during "
               "the submission window"),
             _("supporters' signatures, if the current rules require them")]
    if data.get("kind") == "investment":
        items.append(_("the plot number and a map of the place (investments)"))
        items.append(_("the owner's consent if the land is not the city's (e.g. a school)"))
    if data.get("minor"):
        items.append(_("a parent's or guardian's consent (you are under 16)"))
    return items


def summary_view(data: dict[str, Any], locale: str) -> tuple[str, InlineKeyboardMarkup]:
    lines = ["<b>" + _("Your idea — please check it:") + "</b>", ""]
    keyboard = InlineKeyboardBuilder()
    for field, label, value in describe(data, locale):
        lines.append(f"<b>{label}:</b> {value}")
        keyboard.button(text=_("✏️ {field}").format(field=label),
                        callback_data=IdeaCallback(action="edit", step=field))
    lines += ["", "<b>" + _("For the official filing you will also need:") + "</b>"]
    lines += [f"☐ {item}" for item in readiness(data)]
    keyboard.button(text=_("✅ Send to coordinators"),
                    callback_data=IdeaCallback(action="confirm", step="summary"))
    keyboard.button(text=_("✖ Cancel"), callback_data=IdeaCallback(action="cancel", step="summary"))
    keyboard.adjust(2, 2, 2, 1, 1, 1)
    return "\n".join(lines), keyboard.as_markup()


def coordinator_view(idea_id: int, reference: str, data: dict[str, Any], locale: str
                     ) -> tuple[str, list[list[dict[str, str]]]]:
    """The forwarded idea (text and buttons as stored in the outbox), everything escaped."""
    lines = ["<b>" + _("New BO idea {reference}").format(reference=reference) + "</b>", ""]
    lines += [f"<b>{label}:</b> {value}" for _field, label, value in describe(data, locale)]
    if data.get("latitude") is not None:
        map_label = _("map")
        lines.append(f'<a href="https://www.openstreetmap.org/?mlat={data["latitude"]:.6f}'
                     f'&amp;mlon={data["longitude"]:.6f}">{map_label}</a>')
    if data.get("minor"):
        lines.append(_("Under 16: a parent or guardian agreed."))
    buttons = [[{"text": str(label),
                 "data": IdeaStatusCallback(idea_id=idea_id, status=status).pack()}]
               for status, label in STATUS_BUTTONS.items()]
    return "\n".join(lines), buttons
