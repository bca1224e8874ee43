"""The consent step every flow that stores personal data starts with.

notice + [I agree] [No, thanks] [Full notice]
  agree   -> (flows that collect personal data) "Are you 16 or older?"
               16+       -> record, continue the flow
               under 16  -> a parent or guardian must agree -> [My parent/guardian agrees] -> record
  no      -> a polite goodbye; nothing is stored
  full    -> the full information notice (privacy.notice), with the same buttons

Nothing is stored until the consent is recorded: the purpose and the notice version travel in
the buttons' callback data, not in the FSM. A flow registers what happens after consent in
`handlers.build_consent_flows()`.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import SUPPORTED_LOCALES
from bot.services import Services
from handlers.answers import answer_view
from handlers.callbacks import tell
from knowledge.model import ConsentPurpose
from storage.consents import ActiveConsent, ConsentRepository, ShownNotice

FULL_NOTICE_TOPIC = "privacy.notice"
ADULT, MINOR = "16+", "under-16"
PURPOSE_NAMES = {
    "bo_idea": __("describing a participatory-budget idea"),
    "urbanlab_signup": __("signing up for UrbanLab meetings"),
    "handoff": __("passing your question to LIS staff"),
    "preferences": __("remembering your language"),
    "news": __("LIS news"),
}

# What a flow does once consent is recorded: (query, consent, **handler data) -> None.
ConsentContinuation = Callable[..., Awaitable[None]]
ConsentFlows = dict[str, ConsentContinuation]


class ConsentCallback(CallbackData, prefix="consent"):
    action: str  # agree | decline | notice | adult | minor | guardian
    purpose: str
    version: str
    lang: str  # the language the notice was shown in: the proof must name that text


def purpose_name(purpose: str) -> str:
    return str(PURPOSE_NAMES.get(purpose, purpose))


def _policy(services: Services, purpose: str) -> ConsentPurpose | None:
    consents = services.knowledge.current.base.consents
    return consents.purposes.get(purpose) if consents else None


def consent_prompt(policy: ConsentPurpose, purpose: str, locale: str
                   ) -> tuple[str, InlineKeyboardMarkup]:
    text = "\n\n".join([
        "<b>" + _("Your consent: {purpose}").format(purpose=purpose_name(purpose)) + "</b>",
        html.escape((policy.notice.get(locale) or policy.notice["pl"]).strip()),
        _("Do you agree?"),
    ])
    choices = [(_("✅ I agree"), "agree"), (_("❌ No, thanks"), "decline"),
               (_("📄 Full notice"), "notice")]
    return text, _choices_keyboard(choices, purpose, policy.version, locale, widths=(2, 1))


def _choices_keyboard(
    choices: list[tuple[str, str]], purpose: str, version: str, lang: str, widths: tuple[int, ...]
) -> InlineKeyboardMarkup:
    """Buttons of one consent step; each carries the purpose, notice version and language."""
    keyboard = InlineKeyboardBuilder()
    for label, action in choices:
        keyboard.button(text=label, callback_data=ConsentCallback(
            action=action, purpose=purpose, version=version, lang=lang))
    keyboard.adjust(*widths)
    return keyboard.as_markup()


def shown_hash(text: str, keyboard: InlineKeyboardMarkup) -> str:
    """The exact text and button labels shown, as proof of what the resident read."""
    labels = [button.text for row in keyboard.inline_keyboard for button in row]
    return hashlib.sha256("\n".join([text, *labels]).encode()).hexdigest()


async def ask_consent(message: Message, services: Services, purpose: str, locale: str) -> None:
    """Start the consent step for `purpose` (called by the flows)."""
    policy = _policy(services, purpose)
    if policy is None:
        raise LookupError(f"consent purpose '{purpose}' is not in knowledge/consents.yaml")
    text, keyboard = consent_prompt(policy, purpose, locale)
    await message.answer(text, reply_markup=keyboard)


def _age_keyboard(purpose: str, version: str, lang: str) -> InlineKeyboardMarkup:
    choices = [(_("I am 16 or older"), "adult"), (_("I am under 16"), "minor")]
    return _choices_keyboard(choices, purpose, version, lang, widths=(2,))


def _guardian_keyboard(purpose: str, version: str, lang: str) -> InlineKeyboardMarkup:
    choices = [(_("👪 My parent or guardian agrees"), "guardian"), (_("❌ No, thanks"), "decline")]
    return _choices_keyboard(choices, purpose, version, lang, widths=(1,))


async def on_consent(
    query: CallbackQuery,
    callback_data: ConsentCallback,
    services: Services,
    session: AsyncSession,
    i18n: I18n,
    consent_flows: ConsentFlows,
    callback_answer: CallbackAnswer,
    **data: Any,
) -> None:
    """A button of the consent step: agree, decline, full notice, age, guardian."""
    purpose, locale = callback_data.purpose, callback_data.lang
    policy = _policy(services, purpose)
    message = query.message
    if (policy is None or purpose not in consent_flows or not isinstance(message, Message)
            or locale not in SUPPORTED_LOCALES):
        tell(callback_answer, _("This button is out of date. Type /start for the menu."), alert=True)
        return
    data.pop("locale", None)
    with i18n.use_locale(locale):
        await _consent_step(query, message, callback_data, policy, services, session, locale,
                            consent_flows, callback_answer, data)


async def _consent_step(
    query: CallbackQuery, message: Message, callback_data: ConsentCallback,
    policy: ConsentPurpose, services: Services, session: AsyncSession, locale: str,
    consent_flows: ConsentFlows, callback_answer: CallbackAnswer, data: dict[str, Any],
) -> None:
    purpose, action = callback_data.purpose, callback_data.action
    text, keyboard = consent_prompt(policy, purpose, locale)
    if callback_data.version != policy.version:
        await message.answer(_("The information below has changed since. Please read it again:"))
        await message.answer(text, reply_markup=keyboard)
        return
    if action == "decline":
        await message.edit_reply_markup(reply_markup=None)
        await message.answer(_(
            "No problem: nothing has been saved. You can still ask me anything, and LIS is "
            "available without the bot: phone 58 727 39 00, sekretariat@lis.gdynia.pl."))
    elif action == "notice":
        full_text, _related = answer_view(services, FULL_NOTICE_TOPIC, locale)
        await message.answer(full_text, reply_markup=keyboard)
    elif action == "agree" and policy.age_check:
        await message.edit_reply_markup(reply_markup=None)
        await message.answer(_("One more question: how old are you?"),
                             reply_markup=_age_keyboard(purpose, policy.version, locale))
    elif action == "minor":
        await message.edit_reply_markup(reply_markup=None)
        await message.answer(
            _("Under 16, a parent or legal guardian must agree to this (GDPR Art. 8). Please "
              "show them the information above; press the button only if they agree."),
            reply_markup=_guardian_keyboard(purpose, policy.version, locale))
    elif action in ("agree", "adult", "guardian"):
        await message.edit_reply_markup(reply_markup=None)
        notice = ShownNotice(
            purpose=purpose, version=policy.version, text_hash=shown_hash(text, keyboard),
            locale=locale, button=_pressed_label(query) or action,
            age={"adult": ADULT, "guardian": MINOR}.get(action),
            guardian_agreed=action == "guardian",
        )
        subject = services.pseudonyms.subject(query.from_user.id)
        consent = await ConsentRepository(session).give(subject=subject, notice=notice)
        await message.answer(_(
            "Thank you, your consent is recorded ({purpose}). You can withdraw it at any time "
            "with /consents.").format(purpose=purpose_name(purpose)))
        await consent_flows[purpose](
            query, consent, services=services, session=session, locale=locale, **data
        )
    else:
        tell(callback_answer, _("This button is out of date. Type /start for the menu."), alert=True)


def _pressed_label(query: CallbackQuery) -> str | None:
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return None
    return next((button.text for row in message.reply_markup.inline_keyboard for button in row
                 if button.callback_data == query.data), None)


async def current_consent(
    services: Services, session: AsyncSession, user_id: int, purpose: str
) -> ActiveConsent | None:
    """The consent in force for the current notice version (None: ask again)."""
    policy = _policy(services, purpose)
    if policy is None:
        return None
    return await ConsentRepository(session).active(
        subject=services.pseudonyms.subject(user_id), purpose=purpose, version=policy.version)


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_consent, ConsentCallback.filter())
    return router
