"""How a BO idea is shown: its fields, its status, and the coordinators' copy.

The coordinators' message is always rendered from the stored idea (never by editing its own
earlier HTML), so changing the status any number of times, in any language, shows one status.
"""

from __future__ import annotations

import html
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.numbers import format_decimal

from knowledge.model import KnowledgeBase, localized
from storage.models import Idea

LEVELS = {"district": __("🏘 District project"), "city": __("🏙 City-wide project")}
SIZES = {"small": __("🔹 Small project"), "large": __("🔷 Large project")}
KINDS = {"investment": __("🏗 Investment"), "soft": __("🎭 Soft (classes, events)")}
STATUS_LABELS = {
    "new": __("sent to coordinators"),
    "waiting": __("waiting to be delivered to coordinators"),
    "unsent": __("saved, not passed to coordinators yet"),
    "accepted": __("accepted for follow-up"),
    "needs_info": __("coordinators need more information"),
    "not_eligible": __("not eligible for BO"),
}
STATUS_BUTTONS = {
    "accepted": __("✅ Accepted for follow-up"),
    "needs_info": __("❓ Needs more information"),
    "not_eligible": __("⛔ Not eligible"),
}


class IdeaStatusCallback(CallbackData, prefix="ideastatus"):
    idea_id: int
    status: str
    reason: str = ""


def money(amount: int, locale: str) -> str:
    return f"{format_decimal(amount, locale=locale)} zł"


def describe(answers: dict[str, Any], locale: str) -> list[tuple[str, str, str]]:
    """(field to edit, label, escaped value) for each answer, in form order."""
    level = str(LEVELS.get(answers.get("level") or "", ""))
    if answers.get("district"):
        level += f" — {html.escape(answers['district'])}"
    if answers.get("size"):
        level += f", {SIZES.get(answers['size'], '')}"
    if answers.get("location"):
        place = html.escape(answers["location"])
    elif answers.get("latitude") is not None:
        place = _("pin {lat:.5f}, {lon:.5f}").format(lat=answers["latitude"],
                                                      lon=answers["longitude"])
    else:
        place = _("no particular place")
    contact = html.escape(answers.get("contact_name") or "")
    reach = answers.get("contact_email") or answers.get("contact_phone")
    contact += ", " + (html.escape(reach) if reach else _("reply here in Telegram"))
    return [
        ("level", _("Level"), level),
        ("title", _("Title"), html.escape(answers.get("title") or "")),
        ("description", _("Description"), html.escape(answers.get("description") or "")),
        ("kind", _("Kind"), str(KINDS.get(answers.get("kind") or "", ""))),
        ("location", _("Place"), place),
        ("cost", _("Estimated cost"), money(answers.get("cost") or 0, locale)),
        ("contact_name", _("Contact"), contact),
    ]


def idea_answers(idea: Idea) -> dict[str, Any]:
    return idea.model_dump()


def staff_view(idea: Idea, base: KnowledgeBase, locale: str
               ) -> tuple[str, list[list[dict[str, str]]]]:
    """The coordinators' copy of an idea (call inside the staff locale), everything escaped."""
    lines = ["<b>" + _("BO idea {reference}").format(reference=idea.reference) + "</b>",
             _("Edition: BO{year}").format(year=idea.edition), ""]
    lines += [f"<b>{label}:</b> {value}"
              for _f, label, value in describe(idea_answers(idea), locale)]
    if idea.latitude is not None and idea.longitude is not None:
        lines.append(f'<a href="https://www.openstreetmap.org/?mlat={idea.latitude:.6f}'
                     f'&amp;mlon={idea.longitude:.6f}">{_("map")}</a>')
    if idea.minor:
        lines.append(_("Under 16: a parent or guardian agreed."))
    if idea.reply_in_telegram:
        lines.append(_("The resident asked to be answered here: reply to this message."))
    if idea.status != "new":
        status = str(STATUS_LABELS.get(idea.status, idea.status))
        reason = _reason_label(base, idea.status_reason, locale)
        by = html.escape(idea.status_by or "")
        lines += ["", f"<b>{_('Status')}:</b> {status}{reason} — {by}"]
    return "\n".join(lines), status_buttons(idea.id or 0)


def status_buttons(idea_id: int) -> list[list[dict[str, str]]]:
    return [[{"text": str(label),
              "data": IdeaStatusCallback(idea_id=idea_id, status=status).pack()}]
            for status, label in STATUS_BUTTONS.items()]


def _reason_label(base: KnowledgeBase, reason: str | None, locale: str) -> str:
    form = base.forms.get("bo_idea")
    if not reason or form is None or reason not in form.reasons:
        return ""
    return f" ({html.escape(localized(form.reasons[reason].label, locale))})"
