"""The fakes are as strict as Telegram: what Telegram refuses, they refuse."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import OFFLINE_TOKEN
from bot.local_telegram import (
    LOST_RESPONSE,
    TIMEOUT,
    LocalTelegram,
    blocked,
    server_error,
    too_many_requests,
)
from handlers.platform.telegram_html import (
    TelegramHtmlError,
    parse_html,
    split_message,
    visible_length,
)
from tests.fake_bot_api import FakeBotApi

CHAT = 7_123_456_789


@pytest.fixture
def telegram() -> LocalTelegram:
    return LocalTelegram()


@pytest.fixture
async def bot(telegram: LocalTelegram) -> Bot:
    from aiogram.client.default import DefaultBotProperties

    return Bot(OFFLINE_TOKEN, session=telegram, default=DefaultBotProperties(parse_mode="HTML"))


@pytest.mark.parametrize("markup", [
    "<b>bold", "a < b", "x </b>", "<br>", "<a href='x'><a href='y'>z</a></a>", "a & b", "&nbsp;",
    "<script>", "",
])
async def test_html_telegram_refuses_is_refused(bot: Bot, markup: str) -> None:
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(CHAT, markup)


@pytest.mark.parametrize("markup", [
    "<b>bold</b> <i>i</i> <a href=\"https://lis.gdynia.pl/\">LIS</a>", "a &lt; b &amp; c",
    "&#128512; &#x1F600;", "<tg-spoiler>x</tg-spoiler>", "a > b",
])
async def test_html_telegram_accepts_is_accepted(bot: Bot, markup: str) -> None:
    await bot.send_message(CHAT, markup)


async def test_length_is_counted_in_utf16_units_after_entities(bot: Bot) -> None:
    await bot.send_message(CHAT, "<b>" + "a" * 4096 + "</b>")  # tags do not count
    with pytest.raises(TelegramBadRequest, match="too long"):
        await bot.send_message(CHAT, "😀" * 2049)  # 4,098 units
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        from aiogram.types import BufferedInputFile

        await bot.send_document(CHAT, BufferedInputFile(b"x", "x.txt"), caption="a" * 1025)


async def test_callback_data_over_64_bytes_is_refused(bot: Bot) -> None:
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text="ą", callback_data="ą" * 33)]])  # 66 bytes
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "x", reply_markup=markup)


async def test_an_edit_that_changes_nothing_is_refused(bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "<b>ok</b>")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("<b>ok</b>", chat_id=CHAT, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=CHAT, message_id=sent.message_id)


async def test_a_button_press_is_answered_once(bot: Bot) -> None:
    await bot.answer_callback_query("q1")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("q1")


async def test_failures_can_be_injected(bot: Bot, telegram: LocalTelegram) -> None:
    telegram.fail_next(CHAT, too_many_requests(7), server_error(), blocked(), TIMEOUT,
                       LOST_RESPONSE)
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(CHAT, "1")
    assert retry.value.retry_after == 7
    with pytest.raises(TelegramServerError):
        await bot.send_message(CHAT, "2")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(CHAT, "3")
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(CHAT, "4")
    assert telegram.chat_history(CHAT) == []
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(CHAT, "5")
    assert [m.text for m in telegram.chat_history(CHAT)] == ["5"]  # delivered, answer lost


async def test_the_http_fake_is_as_strict() -> None:
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    api = FakeBotApi()
    await api.start()
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
    bot = Bot(api.token, session=session)
    try:
        with pytest.raises(TelegramBadRequest, match="parse entities"):
            await bot.send_message(CHAT, "a < b", parse_mode="HTML")
        with pytest.raises(TelegramBadRequest, match="too long"):
            await bot.send_message(CHAT, "x" * 4097)
        sent = await bot.send_message(CHAT, "ok")
        with pytest.raises(TelegramBadRequest, match="not modified"):
            await bot.edit_message_text("ok", chat_id=CHAT, message_id=sent.message_id)
        assert api.unexpected == []
    finally:
        await session.close()
        await api.stop()


def test_the_parser_reports_what_telegram_would() -> None:
    assert parse_html("<b>a</b> &lt;3") == "a <3"
    with pytest.raises(TelegramHtmlError, match="end tag"):
        parse_html("<b><i>x</b></i>")


def test_long_messages_split_at_paragraphs_with_tags_closed() -> None:
    paragraph = "<b>Ławki</b> i kosze. " * 60
    text = "\n\n".join([paragraph] * 6)
    parts = split_message(text)
    assert len(parts) > 1
    for part in parts:
        parse_html(part)
        assert visible_length(part) <= 4096
    one_paragraph = "<i>" + "Zdanie pierwsze, dość długie. " * 400 + "</i>"
    for part in split_message(one_paragraph):
        parse_html(part)  # a tag open at a cut is closed, and reopened in the next part
        assert visible_length(part) <= 4096
