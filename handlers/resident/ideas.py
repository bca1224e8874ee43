"""The BO idea form and /moje: from a resident's idea to the coordinators' chat.

/pomysl, /idea, the menu or "chcę zgłosić pomysł..." -> consent (bo_idea, with the age check)
-> level -> district and size (district projects) -> title -> description -> kind -> place
(optional for soft projects) -> cost -> name -> e-mail, phone or "reply here" -> summary ->
confirm -> stored with a reference number of its edition, queued for the coordinators.

The edition is the one whose filing is open or next (knowledge/timelines); after the last known
edition's filing closed, ideas are for the next year's, checked against last year's limits.
Navigation, drafts, edits and cross-field checks are the form abstraction's (platform.forms).
"""

from __future__ import annotations

import html
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.dates import format_date

from handlers.platform.clock import GDYNIA
from handlers.platform.consent import current_consent
from handlers.platform.context import Turn
from handlers.platform.facts import contact_line
from handlers.platform.forms import Choice, Form, FormData, Invalid, Problem, Step
from handlers.platform.purposes import Purpose
from handlers.platform.telegram_html import utf16_len
from handlers.platform.telegram_ops import usable
from handlers.resident.menu import MenuCallback
from handlers.views.ideas import KINDS, LEVELS, SIZES, STATUS_LABELS, describe, money, staff_view
from knowledge.editions import CLOSED, NEXT, UPCOMING, Edition, edition_for_ideas, limits_for
from knowledge.form_input import clean_email, clean_phone, match_district, parse_amount
from knowledge.model import localized
from storage import ideas as idea_store
from storage.consents import ActiveConsent
from storage.models import Idea
from storage.outbox import Outgoing, is_pending

PURPOSE = idea_store.PURPOSE
LARGE_SHARE = "large_project_share_of_district_pool_percent"


class IdeaDraft(FormData):
    edition: int
    minor: bool = False
    level: str | None = None
    district: str | None = None
    size: str | None = None
    title: str | None = None
    description: str | None = None
    kind: str | None = None
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    place_skipped: bool | None = None
    cost: int | None = None
    contact_name: str | None = None
    contact_mode: str | None = None  # email | phone | telegram
    contact_email: str | None = None
    contact_phone: str | None = None


# -- rules ------------------------------------------------------------------------------------

def _limits(draft: IdeaDraft, turn: Turn) -> Edition | None:
    return limits_for(turn.base, draft.edition)


def _last_years(edition: Edition) -> str:
    if not edition.limits_are_last_years:
        return ""
    return " " + _("(BO{year} limits: those for BO{next} are not published yet)").format(
        year=edition.amounts_year, next=edition.year)


def cost_problem(draft: IdeaDraft, turn: Turn) -> str | None:
    """Why the cost does not fit the level and size, in words saying what to change."""
    edition, cost, locale = _limits(draft, turn), draft.cost, draft.locale
    if edition is None or cost is None:
        return None
    amounts, note = edition.amounts, _last_years(edition)
    small_max = amounts.get("small_project_max")
    if draft.level == "city" and (city_max := amounts.get("city_project_max")) and cost > city_max:
        return _("{amount} is over the limit: a city-wide project may cost at most {limit}.{note} "
                 "Please lower the cost.").format(amount=money(cost, locale),
                                                 limit=money(city_max, locale), note=note)
    if draft.level == "district" and draft.size == "small" and small_max and cost > small_max:
        return _("{amount} is more than a small district project may cost ({limit}).{note} Lower "
                 "the cost, or change the level to a large project.").format(
                     amount=money(cost, locale), limit=money(small_max, locale), note=note)
    if draft.level == "district" and draft.size == "large":
        if small_max and cost <= small_max:
            return _("Up to {limit} it is a small project: please change the size to small, or "
                     "check the cost.").format(limit=money(small_max, locale))
        cap = _large_cap(edition, draft.district)
        if cap is not None and cost > cap:
            return _("{amount} is more than a large project in this district may cost ({limit}, "
                     "{share}% of the district's pool).{note} Please lower the cost.").format(
                         amount=money(cost, locale), limit=money(cap, locale), note=note,
                         share=edition.amounts.get(LARGE_SHARE))
    return None


def _large_cap(edition: Edition, district: str | None) -> int | None:
    """The edition's share of the district's own pool when staff have published the district
    pools; until then, of all district pools together (the most any district could get)."""
    share = edition.amounts.get(LARGE_SHARE)
    pool = edition.district_pools.get(district or "") or edition.amounts.get("district_pool")
    return pool * share // 100 if pool and share else None


def check(draft: IdeaDraft, turn: Turn) -> list[Problem]:
    problems = []
    if (problem := cost_problem(draft, turn)) is not None:
        problems.append(Problem("cost", problem))
    if draft.kind == "investment" and draft.location is None and draft.latitude is None:
        problems.append(Problem("location", _("An investment needs a place: please say where.")))
    return problems


def adjust(draft: IdeaDraft, step: str) -> IdeaDraft:
    """Answers that make other answers stale: they are asked again."""
    if step == "level" and draft.level == "city":
        return draft.model_copy(update={"district": None, "size": None})
    if step == "kind" and draft.kind == "investment" and draft.place_skipped:
        return draft.model_copy(update={"place_skipped": None})
    return draft


# -- steps ------------------------------------------------------------------------------------

def _length(text: str, turn: Turn, field: str) -> str:
    limits = turn.base.form("bo_idea").limits
    value = " ".join(text.split()) if field != "description" else text.strip()
    shortest, longest = limits.get(f"{field}_min", 1), limits.get(f"{field}_max", 1000)
    length = utf16_len(value)  # what Telegram counts: an emoji is two
    if length < shortest:
        raise Invalid(_("That is too short: please write at least {count} characters.")
                      .format(count=shortest))
    if length > longest:
        raise Invalid(_("That is too long: please keep it under {count} characters (now {length}; "
                        "an emoji counts as two).").format(count=longest, length=length))
    return value


def _choices(options: dict[str, Any]) -> Any:
    return lambda draft, turn: [Choice(value, str(label)) for value, label in options.items()]


def _pick(field: str, options: dict[str, Any]) -> Any:
    return lambda value, draft, turn: {field: value} if value in options else None


def _districts(draft: IdeaDraft, turn: Turn) -> list[Choice]:
    return [Choice(str(index), district.name) for index, district in enumerate(turn.base.districts)]


def _pick_district(value: str, draft: IdeaDraft, turn: Turn) -> dict[str, Any] | None:
    districts = turn.base.districts
    if value.isascii() and value.isdecimal() and int(value) < len(districts):
        return {"district": districts[int(value)].name}
    return None  # forged


def _typed_district(text: str, draft: IdeaDraft, turn: Turn) -> dict[str, Any]:
    district = match_district(text, turn.base.districts)
    if district is None:
        raise Invalid(_("I don't know the district \"{text}\". Please pick it from the buttons.")
                      .format(text=html.escape(text[:40])))
    return {"district": district.name}


def _typed_place(text: str, draft: IdeaDraft, turn: Turn) -> dict[str, Any]:
    return {"location": _length(text, turn, "location"), "latitude": None, "longitude": None,
            "place_skipped": None}


def _typed_cost(text: str, draft: IdeaDraft, turn: Turn) -> dict[str, Any]:
    amount = parse_amount(text)
    if amount is None:
        raise Invalid(_("I could not read the amount. Please write it like "
                        "\"45 tys\", \"50 000 zł\" or \"1,2 mln\"."))
    problem = cost_problem(draft.model_copy(update={"cost": amount}), turn)
    if problem is not None:
        raise Invalid(problem)
    return {"cost": amount}


def _typed_contact(text: str, draft: IdeaDraft, turn: Turn) -> dict[str, Any]:
    if (email := clean_email(text)) is not None:
        return {"contact_mode": "email", "contact_email": email, "contact_phone": None}
    if (phone := clean_phone(text)) is not None:
        return {"contact_mode": "phone", "contact_phone": phone, "contact_email": None}
    raise Invalid(_("That is neither an e-mail address nor a phone number (9 digits). Type one, "
                    "or press \"Reply to me here in Telegram\"."))


def _is_district(draft: IdeaDraft) -> bool:
    return draft.level in (None, "district")


STEPS: list[Step[IdeaDraft]] = [
    Step("level", __("Is it a district project or a city-wide one?"), ("level",),
         choices=_choices(LEVELS), pick=_pick("level", LEVELS), columns=2, edit_label=__("Level")),
    Step("district", __("Which district?"), ("district",), parse=_typed_district,
         choices=_districts, pick=_pick_district, applies=_is_district, columns=3),
    Step("size", __("A small or a large district project?"), ("size",), choices=_choices(SIZES),
         pick=_pick("size", SIZES), applies=_is_district, columns=2, edit_label=__("Size")),
    Step("title", __("What is the idea's title?"), ("title",),
         parse=lambda text, draft, turn: {"title": _length(text, turn, "title")},
         edit_label=__("Title")),
    Step("description", __("Describe the idea."), ("description",),
         parse=lambda text, draft, turn: {"description": _length(text, turn, "description")},
         edit_label=__("Description")),
    Step("kind", __("Is it an investment or a soft project?"), ("kind",), choices=_choices(KINDS),
         pick=_pick("kind", KINDS), edit_label=__("Kind")),
    Step("location", __("Where exactly?"), ("location", "latitude", "place_skipped"),
         parse=_typed_place,
         pin=lambda lat, lon, draft, turn: {"location": None, "latitude": lat, "longitude": lon,
                                            "place_skipped": None},
         skip_label=__("Skip: no particular place"),
         skip=lambda draft: ({"location": None, "latitude": None, "longitude": None,
                              "place_skipped": True} if draft.kind == "soft" else None),
         edit_label=__("Place")),
    Step("cost", __("How much might it cost, roughly?"), ("cost",), parse=_typed_cost,
         edit_label=__("Estimated cost")),
    Step("contact_name", __("What is your name?"), ("contact_name",),
         parse=lambda text, draft, turn: {"contact_name": _length(text, turn, "name")},
         edit_label=__("Contact")),
    Step("contact_details", __("How can the coordinator reach you?"), ("contact_mode",),
         parse=_typed_contact,
         choices=lambda draft, turn: [Choice("telegram", _("💬 Reply to me here in Telegram"))],
         pick=lambda value, draft, turn: (
             {"contact_mode": "telegram", "contact_email": None, "contact_phone": None}
             if value == "telegram" else None)),
]


# -- texts ------------------------------------------------------------------------------------

def _date(day: Any, locale: str) -> str:
    return format_date(day, "d MMMM y", locale=locale)


def intro(draft: IdeaDraft, turn: Turn) -> str:
    edition = edition_for_ideas(turn.base, turn.today)
    locale = draft.locale
    lines = [_("Let's describe your idea. It takes a few minutes; /cancel stops at any time. "
               "This does not replace the official BO filing: at the end I will tell you how "
               "to file it.")]
    if edition is None:
        return lines[0]
    if edition.status == NEXT:
        if edition.last_closed is not None:
            lines.append(_("Filing for BO{year} ended on {date}.").format(
                year=edition.amounts_year, date=_date(edition.last_closed, locale)))
        if edition.expected:
            lines.append(html.escape(localized(edition.expected, locale)))
        lines.append(_("You can still describe your idea now, for BO{year}; the limits I check "
                       "are last year's until the new ones are published.").format(
                           year=edition.year))
    elif edition.status == UPCOMING and edition.opens is not None:
        lines.append(_("Filing for BO{year} opens on {date}; you can describe your idea now.")
                     .format(year=edition.year, date=_date(edition.opens, locale)))
    elif edition.status == CLOSED and edition.closes is not None:
        lines.append(_("Filing for BO{year} ended on {date}.").format(
            year=edition.year, date=_date(edition.closes, locale)))
    elif edition.closes is not None:
        lines.append(_("Filing for BO{year} is open until {date}.").format(
            year=edition.year, date=_date(edition.closes, locale)))
    return "\n\n".join(lines)


def readiness(draft: IdeaDraft) -> list[str]:
    """What the official filing will also need, as a checklist."""
    items = [_("the official form (online, or on paper at LIS or a Przystań) during the "
               "submission window"),
             _("supporters' signatures, if the current rules require them")]
    if draft.kind == "investment":
        items.append(_("the plot number and a map of the place (investments)"))
        items.append(_("the owner's consent if the land is not the city's (e.g. a school)"))
    if draft.minor:
        items.append(_("a parent's or guardian's consent (you are under 16)"))
    return items


def summary(draft: IdeaDraft, turn: Turn) -> str:
    lines = ["<b>" + _("Your idea for BO{year} — please check it:").format(year=draft.edition)
             + "</b>", ""]
    lines += [f"<b>{label}:</b> {value}" for _field, label, value in
              describe(draft.model_dump(), draft.locale)]
    lines += ["", "<b>" + _("For the official filing you will also need:") + "</b>"]
    lines += [f"☐ {item}" for item in readiness(draft)]
    return "\n".join(lines)


async def confirm(draft: IdeaDraft, query: CallbackQuery, message: Message, turn: Turn,
                  state: FSMContext) -> None:
    consent = await idea_consent(turn, query.from_user.id)
    fields = draft.model_dump(include={
        "level", "district", "size", "title", "description", "kind", "location", "latitude",
        "longitude", "cost", "contact_name", "contact_email", "contact_phone", "minor"})
    idea = await idea_store.create_idea(turn.session, consent, edition=draft.edition, fields={
        **fields, "reply_in_telegram": draft.contact_mode == "telegram",
        "chat_id": message.chat.id, "locale": draft.locale})
    forwarded = forward_to_staff(turn, idea)
    await state.clear()
    if forwarded:
        text = _("Thank you! Your idea is number <b>{reference}</b>. It is on its way to the LIS "
                 "coordinators; /moje shows when they have it and what happens next.")
    else:
        text = _("Thank you! Your idea is saved as number <b>{reference}</b>, but I cannot pass "
                 "it to the coordinators right now. /moje shows its status; you can also send it "
                 "to the BO team yourself: {contact}.")
    await message.answer(text.format(reference=idea.reference,
                                     contact=contact_line(turn, "bo_team")))
    await message.answer(_("This is not yet an official BO submission: file it on the official "
                           "site, by post or in person at LIS during the submission window. The "
                           "checklist above says what you will need."))


async def idea_consent(turn: Turn, user_id: int) -> ActiveConsent:
    consent = await current_consent(turn, user_id, PURPOSE)
    if consent is None:  # the form checked it a moment ago, in this very transaction
        raise PermissionError("the bo_idea consent vanished during confirmation")
    return consent


def forward_to_staff(turn: Turn, idea: Idea) -> bool:
    """Queue the coordinators' copy; False when there is no coordinators' chat."""
    chat_id = turn.staff.chat_id
    if chat_id is None:
        return False
    with turn.services.i18n.use_locale(turn.staff.locale):
        text, buttons = staff_view(idea, turn.base, turn.staff.locale)
    turn.enqueue(Outgoing(chat_id=chat_id, text=text, buttons=buttons, subject=idea.subject,
                          purpose=PURPOSE, ref_kind=idea_store.REF_KIND, ref_id=str(idea.id),
                          role=idea_store.FORWARD_ROLE))
    return True


FORM: Form[IdeaDraft] = Form(
    name="bo_idea", purpose=PURPOSE, draft_model=IdeaDraft, steps=STEPS, intro=intro,
    summary=summary, confirm=confirm, confirm_label=__("✅ Send to coordinators"),
    title=__("BO idea"), check=check, adjust=adjust,
    begin_fields=lambda consent, turn, ref: {
        "minor": bool(consent and consent.minor), "edition": _target_year(turn)},
)


def _target_year(turn: Turn) -> int:
    edition = edition_for_ideas(turn.base, turn.today)
    return edition.year if edition is not None else turn.today.year


# -- handlers ---------------------------------------------------------------------------------

async def cmd_idea(message: Message, turn: Turn, state: FSMContext,
                   form_data: dict[str, Any] | None) -> None:
    """/pomysl, /idea -> the form."""
    if message.from_user is not None:
        await FORM.open(message, turn, state, message.from_user.id, form_data)


async def on_menu_idea(query: CallbackQuery, turn: Turn, state: FSMContext,
                       form_data: dict[str, Any] | None) -> None:
    """The menu's 'Describe a BO idea' button -> the form."""
    message = usable(query.message)
    if message is not None:
        await FORM.open(message, turn, state, query.from_user.id, form_data)


async def status_of(turn: Turn, idea: Idea) -> str:
    if idea.status != "new":
        return str(STATUS_LABELS.get(idea.status, idea.status))
    if idea.forwarded_at is not None:
        return str(STATUS_LABELS["new"])
    if await is_pending(turn.session, ref_kind=idea_store.REF_KIND, ref_id=str(idea.id),
                        role=idea_store.FORWARD_ROLE):
        return str(STATUS_LABELS["waiting"])
    return str(STATUS_LABELS["unsent"])


async def idea_lines(turn: Turn, user_id: int) -> list[str]:
    """One line per idea of the resident, for /moje."""
    lines = []
    for idea in await idea_store.ideas_of(turn.session, turn.subject(user_id)):
        sent = format_date(idea.created_at.astimezone(GDYNIA).date(), "d MMM y", locale=turn.locale)
        lines.append(f"• <b>{idea.reference}</b> {html.escape(idea.title)} ({sent}): "
                     f"{await status_of(turn, idea)}")
    return lines


DECLARATION = Purpose(
    id=PURPOSE, label=__("describing a participatory-budget idea"), data=idea_store.DATA,
    after_consent=FORM.after_consent, tell_staff_on_erase=True,
)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_idea, Command("pomysl", "pomysł", "idea", ignore_case=True))
    router.callback_query.register(on_menu_idea, MenuCallback.filter(F.action == "idea"))
    router.include_router(FORM.build_router())
    return router
