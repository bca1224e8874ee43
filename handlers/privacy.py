"""The resident's data rights, each one step away.

/privacy  -> the information notice (privacy.notice) and the rights (privacy.rights)
/mydata   -> everything held, as a JSON file plus a readable summary (Art. 15 and 20)
/consents -> consents in force, each with a one-tap withdraw that deletes its data (Art. 7(3))
/forget   -> after one confirmation, erase everything; only pseudonymous proof of consent stays
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.dates import format_datetime
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import LanguageChoices
from bot.outbox import deliver_due
from bot.services import GDYNIA, Services
from handlers.answers import answer_view
from handlers.callbacks import MenuCallback, tell
from handlers.consent import purpose_name
from storage.consents import ConsentRepository, PersonalData
from storage.ideas import ideas_of
from storage.models import as_record
from storage.outbox import drop_pending_for_chat, enqueue


class WithdrawCallback(CallbackData, prefix="withdraw"):
    purpose: str


async def cmd_privacy(message: Message, services: Services, locale: str) -> None:
    """/privacy -> the full information notice, then the rights."""
    for topic in ("privacy.notice", "privacy.rights"):
        text, keyboard = answer_view(services, topic, locale)
        await message.answer(text, reply_markup=keyboard)


async def cmd_mydata(
    message: Message, bot: Bot, services: Services, session: AsyncSession, state: FSMContext,
    languages: LanguageChoices, locale: str,
) -> None:
    """/mydata -> a JSON file of everything held and a readable summary. Writes nothing."""
    if message.from_user is None:
        return
    subject = services.pseudonyms.subject(message.from_user.id)
    events = await ConsentRepository(session).events(subject=subject)
    held = await PersonalData(session).export(subject)
    form = {"step": await state.get_state(), "answers": await state.get_data()}
    document = {
        "generated_at": datetime.now(UTC).isoformat(),
        "controller": "Laboratorium Innowacji Społecznych, ul. Żeromskiego 31, 81-346 Gdynia",
        "pseudonym": subject,
        "consent_events": [as_record(event) for event in events],
        **held,
        "form_in_progress": form if form["step"] or form["answers"] else None,
        "language_chosen_in_this_session": languages.get(message.from_user.id),
    }
    payload = json.dumps(document, ensure_ascii=False, indent=2).encode()
    await message.answer(_summary(events, held, form, locale))
    await bot.send_document(
        message.chat.id, BufferedInputFile(payload, filename="lis-bot-my-data.json"),
        caption=_("Everything I hold about you, as a file."),
    )


def _summary(events: list[Any], held: dict[str, Any], form: dict[str, Any], locale: str) -> str:
    lines = ["<b>" + _("What I hold about you") + "</b>"]
    if not events and not any(held.values()) and not (form["step"] or form["answers"]):
        lines.append(_("Nothing: you have not agreed to anything that needs storing data."))
        return "\n".join(lines)
    for event in events:
        when = format_datetime(event.recorded_at, "d MMMM y, HH:mm", tzinfo=GDYNIA, locale=locale)
        verb = _("consent given") if event.event == "given" else _("consent withdrawn")
        lines.append(f"• {purpose_name(event.purpose)}: {verb} ({when})")
    if held.get("language_preference"):
        lines.append("• " + _("remembered language: {language}").format(
            language=held["language_preference"]["locale"]))
    if held.get("news_subscription"):
        lines.append("• " + _("subscribed to LIS news"))
    for idea in held.get("bo_ideas", []):
        lines.append("• " + _("BO idea {reference}").format(reference=idea["reference"]))
    if form["step"] or form["answers"]:
        lines.append("• " + _("an unfinished form"))
    return "\n".join(lines)


async def cmd_consents(
    message: Message, services: Services, session: AsyncSession, locale: str
) -> None:
    """/consents -> what is agreed to, with a withdraw button for each."""
    if message.from_user is None:
        return
    subject = services.pseudonyms.subject(message.from_user.id)
    active = await ConsentRepository(session).all_active(subject=subject)
    if not active:
        await message.answer(_("You have not given any consent, so I store nothing about you."))
        return
    keyboard = InlineKeyboardBuilder()
    lines = ["<b>" + _("Your consents") + "</b>"]
    for consent in active:
        when = format_datetime(consent.event.recorded_at, "d MMMM y", tzinfo=GDYNIA, locale=locale)
        lines.append(f"• {purpose_name(consent.purpose)} ({when})")
        keyboard.button(text=_("Withdraw: {purpose}").format(purpose=purpose_name(consent.purpose)),
                        callback_data=WithdrawCallback(purpose=consent.purpose))
    keyboard.adjust(1)
    await message.answer("\n".join(lines), reply_markup=keyboard.as_markup())


async def on_withdraw(
    query: CallbackQuery, callback_data: WithdrawCallback, bot: Bot, services: Services,
    session: AsyncSession, languages: LanguageChoices, i18n: I18n, locale: str,
    callback_answer: CallbackAnswer,
) -> None:
    """Withdraw one consent and delete the data held for it."""
    subject = services.pseudonyms.subject(query.from_user.id)
    purpose = callback_data.purpose
    withdrawn = await ConsentRepository(session).withdraw(
        subject=subject, purpose=purpose, locale=locale, button=_("Withdraw"))
    if not withdrawn:
        tell(callback_answer, _("This consent is no longer in force."), alert=True)
        return
    references = [idea.reference for idea in await ideas_of(session, subject)]
    erased = await PersonalData(session).erase_purpose(subject, purpose)
    if purpose == "bo_idea":
        await ask_coordinators_to_erase(session, services, i18n, references)
        await deliver_due(bot, services.db.sessions)
    if purpose == "preferences":
        languages.forget(query.from_user.id)
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(_(
            "Consent withdrawn ({purpose}); {count} record(s) held for it were deleted."
        ).format(purpose=purpose_name(purpose), count=erased))


async def ask_coordinators_to_erase(
    session: AsyncSession, services: Services, i18n: I18n, references: list[str]
) -> None:
    """Art. 17/19: tell coordinators to delete their copies of erased ideas (via the outbox)."""
    coordinators = services.settings.coordinator_chat_id
    if not references or coordinators is None:
        return
    with i18n.use_locale(services.settings.default_locale):
        text = _("A resident withdrew consent: please delete every copy of {references} "
                 "(messages, exports, notes).").format(references=", ".join(references))
    enqueue(session, chat_id=coordinators, text=text)
    await session.commit()


def forget_keyboard() -> InlineKeyboardMarkup:
    keyboard = InlineKeyboardBuilder()
    keyboard.button(text=_("🗑 Yes, erase everything"), callback_data=MenuCallback(action="forget"))
    keyboard.button(text=_("Cancel"), callback_data=MenuCallback(action="keep"))
    keyboard.adjust(1)
    return keyboard.as_markup()


async def cmd_forget(message: Message) -> None:
    """/forget -> ask for one confirmation."""
    await message.answer(
        _("Erase everything I hold about you? Forms in progress, remembered language, "
          "subscriptions and consents will be deleted. This cannot be undone."),
        reply_markup=forget_keyboard(),
    )


async def on_forget(
    query: CallbackQuery, bot: Bot, services: Services, session: AsyncSession, state: FSMContext,
    languages: LanguageChoices, i18n: I18n, locale: str,
) -> None:
    """Confirmed -> erase everything; keep only the pseudonymous proof of consent."""
    subject = services.pseudonyms.subject(query.from_user.id)
    consents = ConsentRepository(session)
    for consent in await consents.all_active(subject=subject):
        await consents.withdraw(subject=subject, purpose=consent.purpose, locale=locale,
                                button=_("🗑 Yes, erase everything"))
    references = [idea.reference for idea in await ideas_of(session, subject)]
    erased = await PersonalData(session).erase_all(subject)
    if isinstance(query.message, Message):
        await drop_pending_for_chat(session, query.message.chat.id)
        await session.commit()
    await ask_coordinators_to_erase(session, services, i18n, references)
    await deliver_due(bot, services.db.sessions)
    had_form = bool(await state.get_state() or await state.get_data())
    await state.clear()
    languages.forget(query.from_user.id)
    if not isinstance(query.message, Message):
        return
    await query.message.edit_reply_markup(reply_markup=None)
    lines = [
        "<b>" + _("Done: your data is erased.") + "</b>",
        "• " + _("remembered language: {count}").format(count=erased["preferences"]),
        "• " + _("news subscriptions: {count}").format(count=erased["news"]),
        "• " + _("BO ideas: {count}").format(count=erased["bo_idea"]),
        "• " + _("unfinished forms: {count}").format(count=int(had_form)),
        _("I keep only the record that you once gave and withdrew consent, under a pseudonym, "
          "because the law requires proof of consent; it is deleted after the retention period. "
          "If anything of yours was passed to LIS coordinators, they are asked to delete their "
          "copies too."),
    ]
    await query.message.answer("\n".join(lines))


async def on_keep(query: CallbackQuery) -> None:
    """Cancelled /forget."""
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(_("Nothing was erased."))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_privacy, Command("privacy"))
    router.message.register(cmd_mydata, Command("mydata"))
    router.message.register(cmd_consents, Command("consents"))
    router.message.register(cmd_forget, Command("forget", "delete"))
    router.callback_query.register(on_withdraw, WithdrawCallback.filter())
    router.callback_query.register(on_forget, MenuCallback.filter(F.action == "forget"))
    router.callback_query.register(on_keep, MenuCallback.filter(F.action == "keep"))
    return router
