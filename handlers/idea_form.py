"""The BO idea form: from a resident's idea to the coordinators' chat.

/pomysl, /idea, the menu or "chcę zgłosić pomysł..." -> consent (bo_idea, with the age check)
-> level -> district (district projects) -> title -> description -> kind -> location (optional
for soft projects) -> cost -> name -> e-mail, phone or "reply here" -> summary (edit any field)
-> confirm -> stored with a reference number, forwarded through the outbox.

Every step has Back and Cancel (and /cancel); answers live in the FSM storage, so a restart at
any step loses nothing. Nothing is stored before the consent.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.outbox import deliver_due
from bot.services import Services
from handlers.callbacks import MenuCallback, tell
from handlers.consent import ask_consent, current_consent
from handlers.idea_views import (
    STEPS,
    IdeaCallback,
    applies,
    coordinator_view,
    money,
    step_prompt,
    summary_view,
)
from knowledge.form_input import clean_email, clean_phone, match_district, parse_amount
from knowledge.model import IdeaFormText
from storage.consents import ActiveConsent
from storage.ideas import create_idea
from storage.outbox import enqueue

log = logging.getLogger(__name__)
PURPOSE = "bo_idea"


class IdeaForm(StatesGroup):
    level = State()
    district = State()
    title = State()
    description = State()
    kind = State()
    location = State()
    cost = State()
    contact_name = State()
    contact_details = State()
    summary = State()


STATE_OF = {step: getattr(IdeaForm, step) for step in (*STEPS, "summary")}


class InvalidAnswer(ValueError):
    """The resident's answer cannot be used; the message says what to fix."""


def _texts(services: Services) -> IdeaFormText:
    form = services.knowledge.current.base.idea_form
    if form is None:
        raise LookupError("knowledge/idea_form.yaml is missing")
    return form


async def show_step(message: Message, services: Services, state: FSMContext, step: str,
                    locale: str) -> None:
    await state.set_state(STATE_OF[step])
    data = await state.get_data()
    if step == "summary":
        text, keyboard = summary_view(data, locale)
    else:
        text, keyboard = step_prompt(step, data, _texts(services), locale,
                                     services.knowledge.current.base.districts)
    await message.answer(text, reply_markup=keyboard)


def following_step(step: str, data: dict[str, Any]) -> str:
    """Next unanswered step when editing from the summary, else the next step in order."""
    order = [s for s in STEPS if applies(s, data)]
    if data.get("editing"):
        return next((s for s in order if s not in data), "summary")
    later = order[order.index(step) + 1:] if step in order else []
    return later[0] if later else "summary"


def preceding_step(step: str, data: dict[str, Any]) -> str:
    order = [s for s in STEPS if applies(s, data)]
    if step == "summary":
        return order[-1]
    earlier = order[: order.index(step)] if step in order else []
    return earlier[-1] if earlier else order[0]


async def start_idea_form(message: Message, services: Services, session: AsyncSession,
                          state: FSMContext, locale: str, user_id: int) -> None:
    """Continue a draft, start with consent in force, or ask for consent first."""
    current = await state.get_state()
    if current and current.startswith(IdeaForm.__name__):
        await message.answer(_("Let's continue your idea where you left off."))
        await show_step(message, services, state, current.split(":")[1], locale)
        return
    consent = await current_consent(services, session, user_id, PURPOSE)
    if consent is None:
        await ask_consent(message, services, PURPOSE, locale)
        return
    await _begin(message, services, state, consent, locale)


async def _begin(message: Message, services: Services, state: FSMContext,
                 consent: ActiveConsent, locale: str) -> None:
    await state.set_data({"minor": consent.event.age == "under-16", "locale": locale})
    await message.answer(_(
        "Let's describe your idea. It takes a few minutes; /cancel stops at any time. This does "
        "not replace the official BO filing: at the end I will tell you how to file it."))
    await show_step(message, services, state, "level", locale)


async def cmd_idea(message: Message, services: Services, session: AsyncSession,
                   state: FSMContext, locale: str) -> None:
    """/pomysl, /idea -> the form."""
    if message.from_user is not None:
        await start_idea_form(message, services, session, state, locale, message.from_user.id)


async def on_menu_idea(query: CallbackQuery, services: Services, session: AsyncSession,
                       state: FSMContext, locale: str) -> None:
    """The menu's 'Describe an idea' button -> the form."""
    if isinstance(query.message, Message):
        await start_idea_form(query.message, services, session, state, locale, query.from_user.id)


async def on_idea_consent(query: CallbackQuery, consent: ActiveConsent, *, services: Services,
                          state: FSMContext, locale: str, **_data: Any) -> None:
    """After the bo_idea consent -> the first step."""
    if isinstance(query.message, Message):
        await _begin(query.message, services, state, consent, locale)


def _check_length(text: str, services: Services, field: str) -> str:
    limits = _texts(services).limits
    value = " ".join(text.split()) if field != "description" else text.strip()
    if len(value) < limits[f"{field}_min"]:
        raise InvalidAnswer(_("That is too short: please write at least {count} characters.")
                            .format(count=limits[f"{field}_min"]))
    if len(value) > limits[f"{field}_max"]:
        raise InvalidAnswer(_("That is too long: please keep it under {count} characters "
                              "(now {length}).").format(count=limits[f"{field}_max"],
                                                        length=len(value)))
    return value


def _cost(text: str, services: Services, data: dict[str, Any], locale: str) -> dict[str, Any]:
    amount = parse_amount(text)
    if amount is None:
        raise InvalidAnswer(_("I could not read the amount. Please write it like "
                              "\"45 tys\", \"50 000 zł\" or \"1,2 mln\"."))
    base = services.knowledge.current.base
    timeline = base.timelines.get(_texts(services).edition)
    amounts = timeline.amounts if timeline else {}
    city_max = amounts.get("city_project_max")
    if data.get("level") == "city" and city_max and amount > city_max:
        raise InvalidAnswer(_("{amount} is over the limit: a city-wide project may cost at most "
                              "{limit}.").format(amount=money(amount, locale),
                                                 limit=money(city_max, locale)))
    pool = amounts.get("district_pool")
    if data.get("level") == "district" and pool and amount > pool:
        raise InvalidAnswer(_("{amount} is more than all districts' pools together ({limit}); "
                              "please check the amount.").format(
                                  amount=money(amount, locale), limit=money(pool, locale)))
    return {"cost": amount}


def parse_answer(step: str, text: str, services: Services, data: dict[str, Any],
                 locale: str) -> dict[str, Any]:
    """The fields a typed answer sets, or InvalidAnswer saying what to fix."""
    if step == "district":
        district = match_district(text, services.knowledge.current.base.districts)
        if district is None:
            raise InvalidAnswer(_("I don't know the district \"{text}\". Please pick it from the "
                                  "buttons.").format(text=text[:40]))
        return {"district": district.name}
    if step in ("title", "description", "contact_name"):
        field = "name" if step == "contact_name" else step
        return {step: _check_length(text, services, field)}
    if step == "location":
        return {"location": _check_length(text, services, "location"),
                "latitude": None, "longitude": None}
    if step == "cost":
        return _cost(text, services, data, locale)
    if step == "contact_details":
        if (email := clean_email(text)) is not None:
            return {"contact_details": "email", "contact_email": email, "contact_phone": None}
        if (phone := clean_phone(text)) is not None:
            return {"contact_details": "phone", "contact_phone": phone, "contact_email": None}
        raise InvalidAnswer(_("That is neither an e-mail address nor a phone number (9 digits). "
                              "Type one, or press \"Reply to me here in Telegram\"."))
    raise InvalidAnswer(_("Please use the buttons above for this step."))


async def _accept(message: Message, services: Services, state: FSMContext, step: str,
                  fields: dict[str, Any], locale: str) -> None:
    data = await state.get_data()
    if step == "level" and fields["level"] == "city":
        fields["district"] = None
    elif step == "level" and data.get("level") != "district":
        data.pop("district", None)  # newly a district project: ask which district
    data.update(fields)
    if step == "kind" and fields.get("kind") == "investment" and "location" in data \
            and not (data.get("location") or data.get("latitude") is not None):
        data.pop("location")  # an investment needs a place: ask for it
    following = following_step(step, data)
    if following == "summary":
        data.pop("editing", None)
    await state.set_data(data)
    await show_step(message, services, state, following, locale)


async def on_typed_answer(message: Message, services: Services, state: FSMContext,
                          locale: str) -> None:
    """Text typed at a step -> validated, stored, next step; or what to fix."""
    step = (await state.get_state() or "").split(":")[-1]
    if step == "summary":
        await message.answer(_("Please use the buttons under the summary."))
        return
    try:
        fields = parse_answer(step, message.text or "", services, await state.get_data(), locale)
    except InvalidAnswer as problem:
        await message.answer(f"⚠️ {problem}")
        await show_step(message, services, state, step, locale)
        return
    await _accept(message, services, state, step, fields, locale)


async def on_location_pin(message: Message, services: Services, state: FSMContext,
                          locale: str) -> None:
    """A location pin at the location step."""
    pin = message.location
    if pin is None:
        return
    await _accept(message, services, state, "location",
                  {"location": None, "latitude": pin.latitude, "longitude": pin.longitude}, locale)


async def on_other_input(message: Message, services: Services, state: FSMContext,
                         locale: str) -> None:
    """A photo, sticker or pin where it does not fit -> say so and ask again."""
    step = (await state.get_state() or "").split(":")[-1]
    await message.answer(_("⚠️ I can't use that here."))
    await show_step(message, services, state, step, locale)


async def on_button(
    query: CallbackQuery, callback_data: IdeaCallback, bot: Bot, services: Services,
    session: AsyncSession, state: FSMContext, i18n: I18n, locale: str,
    callback_answer: CallbackAnswer,
) -> None:
    """Choices, Back, Cancel, Skip, Edit and Confirm."""
    message = query.message
    current = (await state.get_state() or "").split(":")
    step = current[-1] if current[0] == IdeaForm.__name__ else None
    if not isinstance(message, Message) or step is None or (
            callback_data.step != step and callback_data.action != "edit"):
        tell(callback_answer, _("This button belongs to an earlier step."), alert=True)
        return
    action, value = callback_data.action, callback_data.value
    data = await state.get_data()
    if action == "cancel":
        await state.clear()
        await message.answer(_("Cancelled: your draft is deleted. /pomysl starts again."))
    elif action == "back":
        await show_step(message, services, state, preceding_step(step, data), locale)
    elif action == "edit" and step == "summary" and callback_data.step in STEPS:
        await state.update_data(editing=True)
        await show_step(message, services, state, callback_data.step, locale)
    elif action == "skip" and step == "location" and data.get("kind") == "soft":
        await _accept(message, services, state, step,
                      {"location": None, "latitude": None, "longitude": None}, locale)
    elif action == "choose" and (fields := _chosen(step, value, services)) is not None:
        await _accept(message, services, state, step, fields, locale)
    elif action == "confirm" and step == "summary":
        await _confirm(query, message, bot, services, session, state, i18n, locale, data)
    else:
        tell(callback_answer, _("This button belongs to an earlier step."), alert=True)


def _chosen(step: str, value: str, services: Services) -> dict[str, Any] | None:
    """Validate a pressed choice (callback data is untrusted)."""
    if step == "level" and value in ("district", "city"):
        return {"level": value}
    if step == "kind" and value in ("investment", "soft"):
        return {"kind": value}
    if step == "contact_details" and value == "telegram":
        return {"contact_details": "telegram", "contact_email": None, "contact_phone": None}
    districts = services.knowledge.current.base.districts
    if step == "district" and value.isdigit() and int(value) < len(districts):
        return {"district": districts[int(value)].name}
    return None


async def _confirm(query: CallbackQuery, message: Message, bot: Bot, services: Services,
                   session: AsyncSession, state: FSMContext, i18n: I18n, locale: str,
                   data: dict[str, Any]) -> None:
    consent = await current_consent(services, session, query.from_user.id, PURPOSE)
    if consent is None:
        await ask_consent(message, services, PURPOSE, locale)
        return
    form = _texts(services)
    fields = {key: data.get(key) for key in (
        "level", "district", "title", "description", "kind", "location", "latitude",
        "longitude", "cost", "contact_name", "contact_email", "contact_phone", "minor")}
    idea = await create_idea(session, consent, edition=form.year, fields={
        **fields, "chat_id": message.chat.id, "locale": locale})
    coordinators = services.settings.coordinator_chat_id
    if coordinators is not None:
        with i18n.use_locale(services.settings.default_locale):
            text, buttons = coordinator_view(idea.id or 0, idea.reference, data,
                                             services.settings.default_locale)
        enqueue(session, chat_id=coordinators, text=text, buttons=buttons, idea_id=idea.id)
    else:
        log.warning("COORDINATOR_CHAT_ID is not set: idea %s is stored but not forwarded",
                    idea.reference)
    await session.commit()
    await state.clear()
    await message.edit_reply_markup(reply_markup=None)
    await message.answer(_(
        "Thank you! Your idea is number <b>{reference}</b>; LIS coordinators have received it "
        "and will tell you here what happens next (/mine shows its status).\n\nThis is not yet "
        "an official BO submission: file it on bo.gdynia.pl, by post or in person at LIS during "
        "the next submission window (usually January–March). The checklist above says what "
        "you will need.").format(reference=idea.reference))
    await deliver_due(bot, services.db.sessions)  # now if possible; the outbox retries otherwise


async def cmd_cancel(message: Message, state: FSMContext) -> None:
    """/cancel inside the form -> drop the draft."""
    await state.clear()
    await message.answer(_("Cancelled: your draft is deleted. /pomysl starts again."))


def build_router() -> Router:
    router = Router(name=__name__)
    in_form = StateFilter(IdeaForm)
    router.message.register(cmd_idea, Command("pomysl", "idea"))
    router.message.register(cmd_cancel, Command("cancel"), in_form)
    router.callback_query.register(on_menu_idea, MenuCallback.filter(F.action == "idea"))
    router.callback_query.register(on_button, IdeaCallback.filter())
    router.message.register(on_location_pin, F.location, StateFilter(IdeaForm.location))
    router.message.register(on_typed_answer, F.text, ~F.text.startswith("/"), in_form)
    router.message.register(on_other_input, in_form, ~F.text)
    return router
