"""How events are shown: the list, an event's card, dates in the resident's language, .ics.

Dates are Gdynia time, written the Babel way for each locale ("wtorek, 3 marca 2027, 17:00")
with how far off they are ("za 3 dni"). The calendar file is RFC 5545 with a VTIMEZONE for
Europe/Warsaw (icalendar), one VEVENT with a UID stable per sign-up.
"""

from __future__ import annotations

import html
from datetime import datetime

from aiogram.filters.callback_data import CallbackData
from aiogram.utils.i18n import gettext as _
from babel.dates import format_datetime, format_timedelta
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from knowledge.model import GDYNIA, Event, localized

LIST_LIMIT = 8


class EventCallback(CallbackData, prefix="ev"):
    action: str  # show | signup | list
    event: str


class SignupCallback(CallbackData, prefix="su"):
    action: str  # cancel
    signup: int


def when(moment: datetime, now: datetime, locale: str) -> str:
    """'wtorek, 3 marca 2027, 17:00 (za 3 dni)'."""
    local = moment.astimezone(GDYNIA)
    text = format_datetime(local, "EEEE, d MMMM y, HH:mm", tzinfo=GDYNIA, locale=locale)
    delta = moment - now
    if delta.total_seconds() > 0:
        text += " (" + format_timedelta(delta, add_direction=True, threshold=1.1,
                                        locale=locale) + ")"
    return text


def where(event: Event, locale: str) -> str:
    parts = []
    if event.place is not None:
        name = localized(event.place.name, locale) if event.place.name else ""
        address = event.place.address or ""
        district = f" ({event.place.district})" if event.place.district else ""
        parts.append(html.escape(", ".join(p for p in (name, address) if p) + district))
    if event.online:
        parts.append(_("online: {link}").format(
            link=f'<a href="{html.escape(event.online, quote=True)}">'
                 f'{html.escape(event.online)}</a>'))
    return "; ".join(p for p in parts if p)


def seats_line(event: Event, free: int | None) -> str:
    if not event.signup:
        return _("no sign-up needed")
    if event.capacity is None or free is None:
        return _("sign-up open")
    if free == 0:
        return _("full: you can join the waiting list")
    return _("{free} of {capacity} places free").format(free=free, capacity=event.capacity)


def title(event: Event, locale: str) -> str:
    return html.escape(localized(event.title, locale))


def card(event: Event, now: datetime, locale: str, free: int | None) -> str:
    lines = [f"<b>{title(event, locale)}</b>"]
    if event.status == "cancelled":
        lines.append("⛔ " + _("This event is cancelled."))
    elif event.status == "moved":
        lines.append("🔁 " + _("Moved to a new date:"))
    lines.append("🗓 " + html.escape(when(event.start, now, locale)))
    if (place := where(event, locale)):
        lines.append("📍 " + place)
    if event.description:
        lines += ["", html.escape(localized(event.description, locale))]
    if event.accessibility:
        lines.append("♿ " + html.escape(localized(event.accessibility, locale)))
    if event.status != "cancelled" and event.start > now:
        lines.append("👥 " + seats_line(event, free))
        if event.signup and event.closes > now and event.signup_deadline:
            lines.append(_("Sign-up closes: {moment}").format(
                moment=html.escape(when(event.closes, now, locale))))
    return "\n".join(lines)


def calendar_file(event: Event, signup_id: int, locale: str, cancel_hint: str) -> bytes:
    """One VEVENT for this sign-up, with its time zone; the UID is the same on every resend."""
    calendar = Calendar()
    calendar.add("prodid", "-//LIS Gdynia//residents' assistant//PL")
    calendar.add("version", "2.0")
    item = CalendarEvent()
    item.add("uid", f"signup-{signup_id}-{event.id}@lis-gdynia-bot")
    item.add("dtstamp", datetime.now(GDYNIA))
    item.add("dtstart", event.start.astimezone(GDYNIA))
    item.add("dtend", event.finish.astimezone(GDYNIA))
    item.add("summary", localized(event.title, locale))
    if event.place is not None:
        place = ", ".join(p for p in (localized(event.place.name, locale) if event.place.name
                                      else "", event.place.address or "") if p)
        item.add("location", place or (event.online or ""))
    elif event.online:
        item.add("location", event.online)
    if event.online:
        item.add("url", event.online)
    description = localized(event.description, locale) if event.description else ""
    item.add("description", "\n\n".join(p for p in (description, cancel_hint) if p))
    calendar.add_component(item)
    calendar.add_missing_timezones()
    return calendar.to_ical()
