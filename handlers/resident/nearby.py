"""A location pin outside a form: the nearest Przystań neighbourhood centres, and what is on
near them. The pin is used for this answer only and never stored."""

from __future__ import annotations

import html

from aiogram import F, Router
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal

from handlers.platform.context import Turn
from handlers.resident import events
from handlers.resident.menu import menu_keyboard
from knowledge.geo import nearest

NEAREST_COUNT = 2
FAR_FROM_GDYNIA_KM = 15.0


async def on_location(message: Message, turn: Turn) -> None:
    pin = message.location
    found = nearest(turn.base.centres, pin.latitude, pin.longitude, NEAREST_COUNT) if pin else []
    if not found:
        await message.answer(_("I can only read text messages. Type your question, or pick a "
                               "programme:"), reply_markup=menu_keyboard())
        return
    if found[0][1] > FAR_FROM_GDYNIA_KM:
        await message.answer(_("That place is outside Gdynia; I know about LIS in Gdynia. Type "
                               "a district's name, e.g. “Przystań Chylonia”, or pick a "
                               "programme:"), reply_markup=menu_keyboard())
        return
    lines = ["<b>" + _("The nearest Przystań neighbourhood centres:") + "</b>"]
    for centre, km in found:
        distance = format_decimal(round(km, 1), locale=turn.locale)
        lines.append("📍 " + _("{name}, {address} ({district}), about {distance} km away").format(
            name=html.escape(centre.name), address=html.escape(centre.address),
            district=html.escape(centre.district), distance=distance))
    lines.append(_("What happens there, and the other centres: /start → Przystań."))
    await message.answer("\n".join(lines))
    await events.show_events(message, turn, district=found[0][0].district)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_location, F.location)
    return router
