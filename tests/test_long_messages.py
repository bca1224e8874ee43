"""Messages over Telegram's 4,096 characters arrive as several, whatever sends them."""

from __future__ import annotations

import html

from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.platform.telegram_html import TEXT_LIMIT, visible_length
from tests.driver import BotHarness
from tests.test_people import coordinator, open_ticket, resident

PARAGRAPH = ("Zimą psy mogą być na plaży w Orłowie tylko na smyczy 🐕. Latem – od 1 czerwca do "
             "30 września – wstęp mają wyłącznie na wyznaczone odcinki. Pytaj śmiało & pisz: "
             "<nie> ma głupich pytań!")


async def test_a_long_html_message_goes_out_in_valid_parts_with_the_buttons_last(
    harness: BotHarness,
) -> None:
    chat_id = 7_100_000_555
    body = "\n\n".join(f"<b>Punkt {n}.</b> <i>{html.escape(PARAGRAPH)}</i>"
                       for n in range(1, 46))
    assert visible_length(body) > 2 * TEXT_LIMIT
    keyboard = InlineKeyboardBuilder()
    keyboard.button(text="📋 Menu", callback_data="menu:menu")
    last = await harness.bot.send_message(chat_id, body, reply_markup=keyboard.as_markup())
    parts = harness.telegram.chat_history(chat_id)  # the fake refuses bad HTML and >4,096
    assert len(parts) == 3
    assert all(visible_length(part.html) <= TEXT_LIMIT for part in parts)
    assert [bool(part.buttons) for part in parts] == [False, False, True]
    assert last.message_id == parts[-1].message_id  # later edits find the buttons
    read = "\n\n".join(part.text for part in parts)
    for n in range(1, 46):  # nothing lost, nothing cut mid-paragraph
        assert f"Punkt {n}. {PARAGRAPH}" in read


async def test_a_coordinators_long_answer_reaches_the_resident_whole(harness: BotHarness) -> None:
    chat, anna = resident(harness), coordinator(harness)
    ticket_message = await open_ticket(harness, chat)
    answer = "\n\n".join([PARAGRAPH] * 22)  # as long as Telegram lets a coordinator write
    assert 3_900 < len(answer) <= TEXT_LIMIT
    await anna.send(answer, reply_to=ticket_message)
    relayed = [m for m in chat.history() if "Anna (LIS)" in m.text or "Orłowie" in m.text]
    assert len(relayed) == 2  # the header made it too long for one message
    read = "\n\n".join(m.text for m in relayed)
    assert "Anna (LIS)" in relayed[0].text and "T-0001" in relayed[0].text
    assert read.count(PARAGRAPH) == 22
    assert not harness.telegram.refusals
