"""The consent step every flow that stores personal data starts with.

notice + [I agree] [No, thanks] [Full notice]
  agree  -> (flows that collect personal data) the same message asks the age:
              [I am 16 or older] -> recorded, the flow continues
              [I am under 16]    -> the same message asks for a parent's or guardian's agreement
                                    -> [My parent or guardian agrees] -> recorded
  no     -> a polite goodbye; nothing is stored
  full   -> the full information notice, then the short notice again

Nothing is stored until the consent is recorded: the purpose, notice version and language
travel in the buttons. The proof is taken from the message the resident actually pressed
under: its text must be the notice of that purpose, version and language (a forged button
under another message is refused), and the hash covers that text and its buttons.
"""

from __future__ import annotations

import hashlib
import html
from typing import Any

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.platform.answers import answer_view
from handlers.platform.context import Turn
from handlers.platform.facts import reach_lis
from handlers.platform.keyboards import Keyboard
from handlers.platform.telegram_html import visible_text
from handlers.platform.telegram_ops import remove_buttons, replace_message, tell, usable
from knowledge.model import LOCALES, ConsentPurpose, localized
from storage.consents import ActiveConsent, ConsentRepository, ShownNotice

FULL_NOTICE_TOPIC = "privacy.notice"
ADULT, MINOR = "16+", "under-16"
NOTICE, AGE, GUARDIAN = "notice", "age", "guardian"
# Which stage of the prompt each button belongs to.
STAGE_OF_ACTION = {"agree": NOTICE, "notice": NOTICE, "adult": AGE, "minor": AGE,
                   "guardian": GUARDIAN}


class ConsentCallback(CallbackData, prefix="consent"):
    action: str  # agree | decline | notice | adult | minor | guardian
    purpose: str
    version: str
    lang: str  # the language the notice was shown in
    ref: str = ""  # what the flow is about (e.g. an event id), carried through the consent


def policy_of(turn: Turn, purpose: str) -> ConsentPurpose | None:
    consents = turn.base.consents
    return consents.purposes.get(purpose) if consents else None


def prompt(turn: Turn, policy: ConsentPurpose, purpose: str, locale: str, stage: str,
           ref: str = "") -> tuple[str, InlineKeyboardMarkup]:
    """The consent message at one stage, in `locale` (call inside that locale)."""
    parts = [
        "<b>" + _("Your consent: {purpose}").format(
            purpose=html.escape(turn.services.purposes.name(purpose))) + "</b>",
        html.escape(localized(policy.notice, locale).strip()),
    ]
    if stage == NOTICE:
        parts.append(_("Do you agree?"))
        choices = [(_("✅ I agree"), "agree"), (_("❌ No, thanks"), "decline"),
                   (_("📄 Full notice"), "notice")]
        widths: tuple[int, ...] = (2, 1)
    elif stage == AGE:
        parts.append("<b>" + _("One more question: how old are you?") + "</b>")
        choices = [(_("I am 16 or older"), "adult"), (_("I am under 16"), "minor"),
                   (_("❌ No, thanks"), "decline")]
        widths = (2, 1)
    else:
        parts.append("<b>" + _("Under 16, a parent or legal guardian must agree to this (GDPR "
                               "Art. 8). Please show them the information above; press the "
                               "button only if they agree.") + "</b>")
        choices = [(_("👪 My parent or guardian agrees"), "guardian"),
                   (_("❌ No, thanks"), "decline")]
        widths = (1,)
    keyboard = Keyboard()
    for label, action in choices:
        keyboard.button(text=label, callback_data=ConsentCallback(
            action=action, purpose=purpose, version=policy.version, lang=locale, ref=ref))
    keyboard.adjust(*widths)
    return "\n\n".join(parts), keyboard.as_markup()


async def ask_consent(message: Message, turn: Turn, purpose: str, ref: str = "") -> None:
    """Start the consent step for `purpose` (called by the flows), in the turn's language."""
    policy = policy_of(turn, purpose)
    if policy is None:
        raise LookupError(f"consent purpose '{purpose}' is not in knowledge/consents.yaml")
    text, keyboard = prompt(turn, policy, purpose, turn.locale, NOTICE, ref)
    await message.answer(text, reply_markup=keyboard)


def shown_hash(message: Message) -> str:
    """The exact text and button labels the resident saw, as Telegram delivered them."""
    labels = [b.text for row in (message.reply_markup.inline_keyboard
                                 if message.reply_markup else []) for b in row]
    return hashlib.sha256("\n".join([message.text or "", *labels]).encode()).hexdigest()


def _same_text(message: Message, expected_html: str) -> bool:
    return " ".join((message.text or "").split()) == " ".join(visible_text(expected_html).split())


async def current_consent(turn: Turn, user_id: int, purpose: str) -> ActiveConsent | None:
    """The consent in force for the current notice version (None: ask again)."""
    policy = policy_of(turn, purpose)
    if policy is None:
        return None
    return await ConsentRepository(turn.session).active(
        subject=turn.subject(user_id), purpose=purpose, version=policy.version)


async def on_consent(
    query: CallbackQuery, callback_data: ConsentCallback, turn: Turn, state: FSMContext,
    i18n: I18n, callback_answer: CallbackAnswer, **_data: Any,
) -> None:
    """A button of the consent step: agree, decline, full notice, age, guardian."""
    purpose_id, locale, action = callback_data.purpose, callback_data.lang, callback_data.action
    policy = policy_of(turn, purpose_id)
    message = usable(query.message)
    stale = _("This button is out of date. Type /start for the menu.")
    if (policy is None or purpose_id not in turn.services.purposes or message is None
            or locale not in LOCALES or (action not in STAGE_OF_ACTION and action != "decline")):
        tell(callback_answer, stale, alert=True)
        return
    with i18n.use_locale(locale):
        turn.locale = locale
        if callback_data.version != policy.version:
            await remove_buttons(message)
            await message.answer(
                _("The information below has changed since. Please read it again:"))
            await ask_consent(message, turn, purpose_id, callback_data.ref)
            return
        stages = [STAGE_OF_ACTION[action]] if action in STAGE_OF_ACTION else [NOTICE, AGE, GUARDIAN]
        if not any(_same_text(message, prompt(turn, policy, purpose_id, locale, s)[0])
                   for s in stages):
            tell(callback_answer, stale, alert=True)  # a forged button, or one already used
            return
        await _step(query, message, callback_data, policy, turn, state, callback_answer)


async def _step(query: CallbackQuery, message: Message, data: ConsentCallback,
                policy: ConsentPurpose, turn: Turn, state: FSMContext,
                callback_answer: CallbackAnswer) -> None:
    purpose_id, locale, action = data.purpose, data.lang, data.action
    if action == "decline":
        await remove_buttons(message)
        await message.answer(_("No problem: nothing has been saved. You can still ask me "
                               "anything, and LIS is available without the bot: {contact}.")
                             .format(contact=reach_lis(turn)))
    elif action == "notice":
        full_text, _keyboard = answer_view(turn, FULL_NOTICE_TOPIC, locale, feedback=False)
        await remove_buttons(message)
        await message.answer(full_text)
        await ask_consent(message, turn, purpose_id, data.ref)
    elif action == "agree" and policy.age_check:
        text, keyboard = prompt(turn, policy, purpose_id, locale, AGE, data.ref)
        await replace_message(message, text, keyboard)
    elif action == "minor":
        text, keyboard = prompt(turn, policy, purpose_id, locale, GUARDIAN, data.ref)
        await replace_message(message, text, keyboard)
    else:  # agree (no age check), adult, guardian: record the consent
        await _record(query, message, data, policy, turn, state, callback_answer)


async def _record(query: CallbackQuery, message: Message, data: ConsentCallback,
                  policy: ConsentPurpose, turn: Turn, state: FSMContext,
                  callback_answer: CallbackAnswer) -> None:
    purpose = turn.services.purposes.get(data.purpose)
    assert purpose is not None
    if await current_consent(turn, query.from_user.id, data.purpose) is not None:
        await remove_buttons(message)
        tell(callback_answer, _("Your consent is already recorded."))
        return
    notice = ShownNotice(
        purpose=data.purpose, version=policy.version, text_hash=shown_hash(message),
        locale=data.lang, button=_pressed_label(query, message) or data.action,
        age={"adult": ADULT, "guardian": MINOR}.get(data.action),
        guardian_agreed=data.action == "guardian",
    )
    consent = await ConsentRepository(turn.session).give(
        subject=turn.subject(query.from_user.id), notice=notice)
    await remove_buttons(message)
    await message.answer(_("Thank you, your consent is recorded ({purpose}). You can withdraw it "
                           "at any time with /consents.").format(purpose=html.escape(purpose.name)))
    if purpose.after_consent is not None:
        await purpose.after_consent(query, message, consent, turn, state, data.ref)


def _pressed_label(query: CallbackQuery, message: Message) -> str | None:
    if message.reply_markup is None:
        return None
    return next((button.text for row in message.reply_markup.inline_keyboard for button in row
                 if button.callback_data == query.data), None)


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_consent, ConsentCallback.filter())
    return router
