"""Events: find what is coming up, take a seat, get reminded, cancel with one tap.

/wydarzenia, /events (all), /konsultacje (UrbanLab), or a question about consultations or
help with BO -> upcoming events, soonest first, with free seats and a details button; nothing
ahead -> the recent ones, where else to look, and news subscriptions.
Details -> the event's card -> [Sign up] -> consent (urbanlab_signup) -> name -> contact
(optional) -> accessibility needs (optional) -> confirm -> a seat or the waiting list; the
confirmation brings an .ics file and a cancel button; reminders come 24 h and 1 h before.
Staff move or cancel an event in its file; everyone signed up or waiting is told once.
"""

from __future__ import annotations

import html
import logging
from datetime import timedelta
from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlmodel import col, update

from handlers.platform.consent import current_consent
from handlers.platform.context import Services, Turn
from handlers.platform.forms import Form, FormData, Invalid, Step
from handlers.platform.keyboards import Keyboard
from handlers.platform.purposes import Purpose
from handlers.platform.telegram_html import utf16_len
from handlers.platform.telegram_ops import tell, usable
from handlers.resident.menu import MenuCallback
from handlers.views.events import (
    LIST_LIMIT,
    EventCallback,
    SignupCallback,
    calendar_file,
    card,
    seats_line,
    title,
    when,
    where,
)
from knowledge.form_input import clean_email, clean_phone, match_district
from knowledge.model import Event, localized
from knowledge.text import fold
from storage import signups as signup_store
from storage.consents import ActiveConsent
from storage.models import EventState, Signup
from storage.outbox import Outgoing, drop_pending
from storage.purposes import Erased

log = logging.getLogger(__name__)
PURPOSE = signup_store.PURPOSE
RECENT_DAYS = 400
RECENT_LIMIT = 5


# -- finding events ---------------------------------------------------------------------------

def upcoming(turn: Turn, programme: str | None = None, district: str | None = None
             ) -> list[Event]:
    events = [e for e in turn.base.events.values()
              if e.start > turn.now and e.status != "cancelled"
              and (programme is None or e.programme == programme)
              and (district is None or (e.place is not None and e.place.district == district))]
    return sorted(events, key=lambda e: e.start)


def recent(turn: Turn, programme: str | None = None) -> list[Event]:
    since = turn.now - timedelta(days=RECENT_DAYS)
    events = [e for e in turn.base.events.values()
              if since < e.start <= turn.now and not e.example
              and (programme is None or e.programme == programme)]
    return sorted(events, key=lambda e: e.start, reverse=True)[:RECENT_LIMIT]


async def _free(turn: Turn, event: Event) -> int | None:
    if not event.signup or event.capacity is None:
        return None
    return await signup_store.free_seats(turn.session, event)


async def show_events(message: Message, turn: Turn, *, programme: str | None = None,
                      district: str | None = None) -> None:
    """The upcoming events (or, when none, the recent ones and where else to look)."""
    events = upcoming(turn, programme, district)[:LIST_LIMIT]
    locale = turn.locale
    if not events:
        await message.answer(_no_upcoming(turn, programme, district),
                             reply_markup=_news_keyboard())
        return
    lines = ["<b>" + _("Coming up") + "</b>"]
    keyboard = Keyboard()
    for number, event in enumerate(events, 1):
        lines += ["", f"{number}. <b>{title(event, locale)}</b>",
                  "🗓 " + html.escape(when(event.start, turn.now, locale))]
        if (place := where(event, locale)):
            lines.append("📍 " + place)
        lines.append("👥 " + seats_line(event, await _free(turn, event)))
        label = f"{number}. {localized(event.title, locale)}"
        keyboard.button(text=label[:60], callback_data=EventCallback(action="show",
                                                                     event=event.id))
    keyboard.adjust(1)
    await message.answer("\n".join(lines), reply_markup=keyboard.as_markup())


def _no_upcoming(turn: Turn, programme: str | None, district: str | None) -> str:
    lines = [_("I know of no upcoming meetings right now.") if district is None else
             _("I know of no upcoming meetings in {district} right now.").format(
                 district=html.escape(district))]
    past = recent(turn, programme)
    if past:
        lines += ["", "<b>" + _("Recently:") + "</b>"]
        lines += [f"• {title(e, turn.locale)} — {html.escape(when(e.start, turn.now, turn.locale))}"
                  for e in past]
    platform = turn.base.contacts.get("consultations")
    if platform is not None and platform.web:
        lines += ["", _("Public consultations of the city are announced on {link}.").format(
            link=f'<a href="{html.escape(platform.web, quote=True)}">'
                 f'{html.escape(platform.web)}</a>')]
    lines.append(_("Subscribe to LIS news to hear about new meetings."))
    return "\n".join(lines)


def _news_keyboard() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("🔔 LIS news"), callback_data=MenuCallback(action="news"))
    return keyboard.as_markup()


# How residents name the programmes (folded word beginnings), to filter the list by one.
PROGRAMME_WORDS = {"wymiennikown": "wymiennikownia", "przystan": "przystan",
                   "urbanlab": "urbanlab", "budzet": "bo", "odnow": "odnowa",
                   "rewitaliz": "odnowa", "вимінник": "wymiennikownia", "пшистан": "przystan",
                   "konsultac": "urbanlab", "консультац": "urbanlab", "consultation": "urbanlab"}


def programme_in(text: str) -> str | None:
    """A programme a resident names ("warsztaty w Wymiennikowni"), if exactly one."""
    words = fold(text).replace("?", " ").replace(",", " ").split()
    found = {programme for word in words for start, programme in PROGRAMME_WORDS.items()
             if word.startswith(start)} | ({"bo"} if "bo" in words else set())
    return found.pop() if len(found) == 1 else None


def district_in(text: str, turn: Turn) -> str | None:
    """A district a resident names in a question ("co się dzieje na Chyloni?")."""
    words = text.replace("?", " ").replace(",", " ").split()
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            found = match_district(" ".join(words[start:start + size]), turn.base.districts)
            if found is not None:
                return found.name
    return None


async def offer_signup(message: Message, turn: Turn, state: FSMContext, user_id: int,
                       form_data: dict[str, Any] | None) -> None:
    """"I want to sign up": straight to the form when one meeting is open, else the list."""
    open_events = [e for e in upcoming(turn) if signup_open(e, turn)]
    urbanlab = [e for e in open_events if e.programme == "urbanlab"]
    choice = urbanlab if len(urbanlab) == 1 else open_events
    if len(choice) == 1:
        await start_signup(message, turn, state, user_id, choice[0], form_data)
        return
    await show_events(message, turn)


async def cmd_events(message: Message, turn: Turn) -> None:
    """/wydarzenia, /events -> every programme's upcoming events."""
    await show_events(message, turn)


async def cmd_consultations(message: Message, turn: Turn) -> None:
    """/konsultacje -> UrbanLab's consultations and meetings."""
    await show_events(message, turn, programme="urbanlab")


def _event_keyboard(event: Event, turn: Turn) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    if signup_open(event, turn):
        keyboard.button(text=_("✍️ Sign up"), callback_data=EventCallback(action="signup",
                                                                         event=event.id))
    keyboard.button(text=_("⬅ All events"), callback_data=EventCallback(action="list",
                                                                       event=event.id))
    keyboard.adjust(1)
    return keyboard.as_markup()


def signup_open(event: Event, turn: Turn) -> bool:
    return event.signup and event.status != "cancelled" and turn.now < event.closes


async def on_event(query: CallbackQuery, callback_data: EventCallback, turn: Turn,
                   state: FSMContext, form_data: dict[str, Any] | None,
                   callback_answer: CallbackAnswer) -> None:
    """An event's details, the whole list again, or the start of a sign-up."""
    message = usable(query.message)
    event = turn.base.events.get(callback_data.event)
    if message is None or (event is None and callback_data.action != "list"):
        tell(callback_answer, _("This event is no longer listed. /wydarzenia shows what is "
                                "coming up."), alert=True)
        return
    if callback_data.action == "list":
        await show_events(message, turn)
    elif callback_data.action == "show" and event is not None:
        await message.answer(card(event, turn.now, turn.locale, await _free(turn, event)),
                             reply_markup=_event_keyboard(event, turn))
    elif callback_data.action == "signup" and event is not None:
        await start_signup(message, turn, state, query.from_user.id, event, form_data)
    else:
        tell(callback_answer, _("This button is out of date. Type /start for the menu."),
             alert=True)


async def start_signup(message: Message, turn: Turn, state: FSMContext, user_id: int,
                       event: Event, form_data: dict[str, Any] | None) -> None:
    if not signup_open(event, turn):
        await message.answer(_closed(event, turn))
        return
    existing = await signup_store.signup_of(turn.session, turn.subject(user_id), event.id)
    if existing is not None:
        await message.answer(_already(existing), reply_markup=cancel_keyboard(existing))
        return
    await FORM.open(message, turn, state, user_id, form_data, ref=event.id)


def _closed(event: Event, turn: Turn) -> str:
    if event.status == "cancelled":
        return _("This meeting was cancelled, so sign-up is closed.")
    return _("Sign-up for this meeting has closed (it closed on {moment}). You can still come "
             "if the organisers allow it, or see other meetings with /wydarzenia.").format(
                 moment=html.escape(when(event.closes, event.closes, turn.locale)))


def _already(signup: Signup) -> str:
    if signup.status == signup_store.WAITING:
        return _("You are already on the waiting list for this meeting.")
    return _("You are already signed up for this meeting.")


def cancel_keyboard(signup: Signup) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("✖ Cancel my sign-up"),
                    callback_data=SignupCallback(action="cancel", signup=signup.id or 0))
    return keyboard.as_markup()


# -- the sign-up form -------------------------------------------------------------------------

class SignupDraft(FormData):
    event_id: str
    minor: bool = False
    name: str | None = None
    contact: str | None = None
    contact_skipped: bool | None = None
    needs: str | None = None
    needs_skipped: bool | None = None


def _event_of(draft: SignupDraft, turn: Turn) -> Event | None:
    return turn.base.events.get(draft.event_id)


def _text(text: str, turn: Turn, field: str) -> str:
    limits = turn.base.form("event_signup").limits
    value = " ".join(text.split())
    shortest, longest = limits.get(f"{field}_min", 1), limits.get(f"{field}_max", 300)
    if utf16_len(value) < shortest:
        raise Invalid(_("That is too short: please write at least {count} characters.")
                      .format(count=shortest))
    if utf16_len(value) > longest:
        raise Invalid(_("That is too long: please keep it under {count} characters (now {length}; "
                        "an emoji counts as two).").format(count=longest, length=utf16_len(value)))
    return value


def _contact(text: str, draft: SignupDraft, turn: Turn) -> dict[str, Any]:
    value = clean_email(text) or clean_phone(text)
    if value is None:
        raise Invalid(_("That is neither an e-mail address nor a phone number (9 digits). Type "
                        "one, or press \"Skip\"."))
    return {"contact": value, "contact_skipped": None}


SIGNUP_STEPS: list[Step[SignupDraft]] = [
    Step("name", __("What is your name?"), ("name",),
         parse=lambda text, draft, turn: {"name": _text(text, turn, "name")},
         edit_label=__("Name")),
    Step("contact", __("An e-mail or phone number, in case the meeting changes? (optional)"),
         ("contact", "contact_skipped"), parse=_contact, skip_label=__("Skip"),
         skip=lambda draft: {"contact": None, "contact_skipped": True},
         edit_label=__("Contact")),
    Step("needs", __("Anything we should prepare for you, e.g. step-free access or a sign "
                     "language interpreter? (optional)"), ("needs", "needs_skipped"),
         parse=lambda text, draft, turn: {"needs": _text(text, turn, "needs"),
                                          "needs_skipped": None},
         skip_label=__("Nothing needed"),
         skip=lambda draft: {"needs": None, "needs_skipped": True},
         edit_label=__("Needs")),
]


def signup_intro(draft: SignupDraft, turn: Turn) -> str:
    event = _event_of(draft, turn)
    name = title(event, draft.locale) if event else ""
    return _("Signing up for: <b>{event}</b>. Three short questions; /cancel stops at any "
             "time.").format(event=name)


def signup_summary(draft: SignupDraft, turn: Turn) -> str:
    event = _event_of(draft, turn)
    lines = ["<b>" + _("Your sign-up — please check it:") + "</b>", ""]
    if event is not None:
        lines += [f"<b>{title(event, draft.locale)}</b>",
                  "🗓 " + html.escape(when(event.start, turn.now, draft.locale)), ""]
    lines += [f"<b>{_('Name')}:</b> {html.escape(draft.name or '')}",
              f"<b>{_('Contact')}:</b> " + (html.escape(draft.contact) if draft.contact
                                              else _("only here in Telegram")),
              f"<b>{_('Needs')}:</b> " + (html.escape(draft.needs) if draft.needs
                                            else _("none"))]
    return "\n".join(lines)


def signup_check(draft: SignupDraft, turn: Turn) -> list[Any]:
    return []


async def confirm_signup(draft: SignupDraft, query: CallbackQuery, message: Message, turn: Turn,
                         state: FSMContext) -> None:
    event = _event_of(draft, turn)
    await state.clear()
    if event is None or not signup_open(event, turn):
        await message.answer(_closed(event, turn) if event else _("This event is no longer "
                                                                  "listed."))
        return
    consent = await current_consent(turn, query.from_user.id, PURPOSE)
    if consent is None:
        raise PermissionError("the sign-up consent vanished during confirmation")
    if await signup_store.signup_of(turn.session, consent.subject, event.id) is not None:
        await message.answer(_("You are already signed up for this meeting."))
        return
    signup = await signup_store.sign_up(
        turn.session, consent, event, chat_id=message.chat.id, locale=draft.locale,
        name=draft.name or "", contact=draft.contact, needs=draft.needs)
    tell_staff(turn, event, signup, joined=True)
    if signup.status == signup_store.CONFIRMED:
        schedule_reminders(turn, event, signup)
        await message.answer(_confirmed_text(event, turn, draft.locale),
                             reply_markup=cancel_keyboard(signup))
        await send_calendar(message, event, signup, draft.locale)
    else:
        await message.answer(_("The meeting is full, so you are on the waiting list. If a place "
                               "frees up, it is yours and I will tell you here."),
                             reply_markup=cancel_keyboard(signup))


def _confirmed_text(event: Event, turn: Turn, locale: str) -> str:
    return _("You are signed up for <b>{event}</b>, {moment}. I will remind you before it "
             "starts; the calendar file below adds it to your phone. To cancel, use the "
             "button or /moje.").format(event=title(event, locale),
                                        moment=html.escape(when(event.start, turn.now, locale)))


async def send_calendar(message: Message, event: Event, signup: Signup, locale: str) -> None:
    data = calendar_file(event, signup.id or 0, locale,
                         _("To cancel your place, open the chat with the LIS bot and type /moje."))
    await message.answer_document(BufferedInputFile(data, filename=f"{event.id}.ics"),
                                  caption=_("Add it to your calendar."))


FORM: Form[SignupDraft] = Form(
    name="event_signup", purpose=PURPOSE, draft_model=SignupDraft, steps=SIGNUP_STEPS,
    intro=signup_intro, summary=signup_summary, confirm=confirm_signup,
    confirm_label=__("✅ Sign me up"), title=__("sign-up"), check=signup_check,
    begin_fields=lambda consent, turn, ref: {"event_id": ref,
                                          "minor": bool(consent and consent.minor)},
)


async def after_consent(query: CallbackQuery, message: Message, consent: ActiveConsent,
                        turn: Turn, state: FSMContext, ref: str) -> None:
    """After the sign-up consent: the form for the event the resident chose."""
    event = turn.base.events.get(ref)
    if event is None:
        await show_events(message, turn)
        return
    if not signup_open(event, turn):
        await message.answer(_closed(event, turn))
        return
    await FORM.begin(message, consent, turn, state, ref)


# -- messages the bot sends on its own --------------------------------------------------------

def _in(turn: Turn, locale: str) -> Any:
    return turn.services.i18n.use_locale(locale)


def tell_staff(turn: Turn, event: Event, signup: Signup, *, joined: bool) -> None:
    chat_id = turn.staff.chat_id
    if chat_id is None:
        return
    with _in(turn, turn.staff.locale):
        if joined:
            status = (_("confirmed") if signup.status == signup_store.CONFIRMED
                      else _("waiting list"))
            text = _("New sign-up for {event}: {name} ({status}). Contact: {contact}. Needs: "
                     "{needs}.").format(event=title(event, turn.staff.locale),
                                        name=html.escape(signup.name), status=status,
                                        contact=html.escape(signup.contact or "—"),
                                        needs=html.escape(signup.needs or "—"))
        else:
            text = _("{name} cancelled their sign-up for {event}.").format(
                name=html.escape(signup.name), event=title(event, turn.staff.locale))
    turn.enqueue(Outgoing(chat_id=chat_id, text=text, subject=signup.subject, purpose=PURPOSE,
                          ref_kind=signup_store.REF_KIND, ref_id=str(signup.id),
                          role="signup.staff"))


def schedule_reminders(turn: Turn, event: Event, signup: Signup) -> None:
    """One queued reminder per configured hour, none for moments already past. A reminder
    that could not go out in time (the bot was down) still goes while the event is ahead,
    unless the next reminder is due by then: residents get the latest one only."""
    moments = sorted(event.start - timedelta(hours=h) for h in set(event.reminders_hours))
    for index, moment in enumerate(moments):
        if moment <= turn.now:
            continue
        expires = moments[index + 1] if index + 1 < len(moments) else event.start
        with _in(turn, signup.locale):
            text = _("Reminder: <b>{event}</b>, {moment}.").format(
                event=title(event, signup.locale),
                moment=html.escape(when(event.start, moment, signup.locale)))
            text += _place_line(event, signup.locale)
            buttons = _cancel_buttons(signup)
        turn.enqueue(Outgoing(chat_id=signup.chat_id, text=text, buttons=buttons,
                              subject=signup.subject, purpose=PURPOSE,
                              ref_kind=signup_store.REF_KIND, ref_id=str(signup.id),
                              role=signup_store.REMINDER_ROLE, not_before=moment,
                              expires_at=expires))


def _place_line(event: Event, locale: str) -> str:
    place = where(event, locale)
    return f"\n📍 {place}" if place else ""


def _cancel_buttons(signup: Signup) -> list[list[dict[str, str]]]:
    return [[{"text": _("✖ Cancel my sign-up"),
              "data": SignupCallback(action="cancel", signup=signup.id or 0).pack()}]]


def tell_resident(turn: Turn, signup: Signup, text_of: Any, *, cancel_button: bool = True
                  ) -> None:
    """A message to a signed-up resident, written in their language."""
    with _in(turn, signup.locale):
        text = text_of(signup.locale)
        buttons = _cancel_buttons(signup) if cancel_button else []
    turn.enqueue(Outgoing(chat_id=signup.chat_id, text=text, buttons=buttons,
                          subject=signup.subject, purpose=PURPOSE,
                          ref_kind=signup_store.REF_KIND, ref_id=str(signup.id),
                          role="signup.notice"))


async def promote(turn: Turn, event: Event) -> None:
    """Freed seats go to the first waiting people, who are told (with a cancel button)."""
    for signup in await signup_store.promote_waiting(turn.session, event):
        schedule_reminders(turn, event, signup)
        tell_resident(turn, signup, lambda locale, e=event: _(
            "Good news: a place freed up at <b>{event}</b>, {moment}, and it is yours. If you "
            "cannot come, please cancel so someone else can.").format(
                event=title(e, locale), moment=html.escape(when(e.start, turn.now, locale))))


async def after_erase(turn: Turn, erased: Erased) -> None:
    for event_id in erased.freed_events:
        event = turn.base.events.get(event_id)
        if event is not None:
            await promote(turn, event)


# -- cancelling -------------------------------------------------------------------------------

async def on_signup_button(query: CallbackQuery, callback_data: SignupCallback, turn: Turn,
                           callback_answer: CallbackAnswer) -> None:
    """'Cancel my sign-up' (under the confirmation, a reminder or /moje)."""
    message = usable(query.message)
    signup = await signup_store.find_signup(turn.session, callback_data.signup)
    if message is None or signup is None or signup.subject != turn.subject(query.from_user.id):
        tell(callback_answer, _("This sign-up is no longer there."), alert=True)
        return
    event = turn.base.events.get(signup.event_id)
    freed = await signup_store.cancel(turn.session, signup)
    if event is not None:
        tell_staff(turn, event, signup, joined=False)
        if freed:
            await promote(turn, event)
    tell(callback_answer, _("Cancelled."))
    name = title(event, turn.locale) if event else html.escape(signup.event_id)
    await message.answer(_("Your sign-up for <b>{event}</b> is cancelled and your details are "
                           "deleted. Thank you for letting us know.").format(event=name))


async def signup_lines(turn: Turn, user_id: int) -> tuple[list[str], list[Signup]]:
    """Lines for /moje, and the sign-ups that get a cancel button."""
    lines, mine = [], []
    for signup in await signup_store.signups_of(turn.session, turn.subject(user_id)):
        event = turn.base.events.get(signup.event_id)
        if event is None:
            continue
        status = (_("signed up") if signup.status == signup_store.CONFIRMED
                  else _("on the waiting list"))
        lines.append(f"• <b>{title(event, turn.locale)}</b> — "
                     f"{html.escape(when(event.start, turn.now, turn.locale))}: {status}")
        mine.append(signup)
    return lines, mine


# -- staff edits of event files ---------------------------------------------------------------

async def sync_events(services: Services) -> int:
    """Tell residents once when staff move or cancel an event, and fill seats added later.

    Several workers may run this: the change is claimed with a compare-and-set UPDATE of the
    event's state, so only the worker that claims it sends the notices.
    """
    base = services.knowledge.current.base
    changed = 0
    with services.i18n.context():
        changed = await _sync(services, base)
    if changed:
        services.jobs.wake("outbox")
    return changed


async def _sync(services: Services, base: Any) -> int:
    changed = 0
    async with services.db.sessions() as session:
        turn = Turn(services=services, session=session, knowledge=services.knowledge.current,
                    now=services.clock.now(), locale=services.default_locale)
        for event in base.events.values():
            state = await session.get(EventState, event.id)
            if state is None:
                continue  # nobody has signed up: nothing to tell
            if state.capacity != event.capacity:
                state.capacity = event.capacity
                session.add(state)
                await session.flush()
                await promote(turn, event)
            if state.start == event.start and state.status == event.status:
                continue
            claim = await session.exec(
                update(EventState).where(col(EventState.event_id) == event.id,
                                         col(EventState.start) == state.start,
                                         col(EventState.status) == state.status)
                .values(start=event.start, status=event.status, updated_at=turn.now))
            if (claim.rowcount or 0) != 1:
                continue  # another worker took this change
            changed += 1
            await _tell_change(turn, event)
        await session.commit()
    return changed


async def _tell_change(turn: Turn, event: Event) -> None:
    for signup in await signup_store.attendees(turn.session, event.id):
        await drop_pending(turn.session, ref_kind=signup_store.REF_KIND,
                           ref_ids=[str(signup.id)])
        if event.status == "cancelled":
            await signup_store.cancel(turn.session, signup)  # (it drops what was queued)
            tell_resident(turn, signup, lambda locale, e=event: _(
                "<b>{event}</b> is cancelled. We are sorry; your sign-up and details are "
                "deleted.").format(event=title(e, locale)), cancel_button=False)
            continue
        signup.event_end = event.finish
        turn.session.add(signup)
        tell_resident(turn, signup, lambda locale, e=event: _(
            "<b>{event}</b> has moved: it is now {moment}.").format(
                event=title(e, locale), moment=html.escape(when(e.start, turn.now, locale)))
            + _place_line(e, locale) + "\n" + _("If you cannot come then, please cancel."))
        if signup.status == signup_store.CONFIRMED:
            schedule_reminders(turn, event, signup)


DECLARATION = Purpose(
    id=PURPOSE, label=__("signing up for meetings and events"), data=signup_store.DATA,
    after_consent=after_consent, after_erase=after_erase,
)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_events, Command("wydarzenia", "events", "spotkania",
                                                ignore_case=True))
    router.message.register(cmd_consultations, Command("konsultacje", "consultations",
                                                       ignore_case=True))
    router.callback_query.register(on_event, EventCallback.filter())
    router.callback_query.register(on_signup_button, SignupCallback.filter())
    router.include_router(FORM.build_router())
    return router

