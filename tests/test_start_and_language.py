"""/start, /help, programme buttons and /language, through the real dispatcher."""

from __future__ import annotations

import pytest

from tests.driver import BotHarness

PROGRAMME_WORDS = ("Budżet Obywatelski", "UrbanLab", "Wymiennikownia", "Przystań", "OdNowa")


async def test_start_greets_in_polish_with_programme_buttons(harness: BotHarness) -> None:
    chat = harness.chat(language_code="pl")
    [reply] = await chat.send("/start")
    assert "Cześć, Resident!" in reply.text
    assert "Laboratorium Innowacji Społecznych" in reply.text
    assert len(reply.labels) == 8
    for word, label in zip(PROGRAMME_WORDS, reply.labels[:5], strict=True):
        assert word in label
    assert "Zadaj pytanie" in reply.labels[-2]
    assert reply.labels[-1] == "🌐 Język · Мова · Language"  # readable whatever the language


@pytest.mark.parametrize(
    ("language_code", "greeting", "ask_label"),
    [("uk", "Привіт", "Поставити запитання"), ("en", "Hello", "Ask a question"),
     ("de", "Cześć", "Zadaj pytanie"), (None, "Cześć", "Zadaj pytanie")],
)
async def test_start_follows_telegram_language_else_polish(
    harness: BotHarness, language_code: str | None, greeting: str, ask_label: str
) -> None:
    [reply] = await harness.chat(language_code=language_code).send("/start")
    assert greeting in reply.text
    assert ask_label in reply.labels[-2]


async def test_programme_button_shows_its_answer_with_related_topics(harness: BotHarness) -> None:
    chat = harness.chat()
    await chat.send("/start")
    [answer] = await chat.press(1)
    assert "Budżet Obywatelski" in answer.text
    assert answer.labels[-2:] == ["👍 Pomocne", "👎 Niepomocne"]
    assert "Harmonogram" in " ".join(answer.labels)  # related topic bo.schedule
    assert harness.telegram.callback_answers, "the button press was answered"


async def test_user_names_are_escaped_in_the_greeting(harness: BotHarness) -> None:
    chat = harness.chat()
    chat.person = chat.person.__class__(1001, 1001, "pl", first_name="<b>Ala</b> & co")
    [reply] = await chat.send("/start")
    assert "&lt;b&gt;Ala&lt;/b&gt; &amp; co" in reply.html


async def test_help_lists_commands_from_the_knowledge_base(harness: BotHarness) -> None:
    [reply] = await harness.chat().send("/help")
    for command in ("/start", "/language", "/privacy"):
        assert command in reply.text


async def test_ask_button_explains_how_to_ask(harness: BotHarness) -> None:
    chat = harness.chat(language_code="en")
    await chat.send("/start")
    [reply] = await chat.press("❓ Ask a question")
    assert "Type your question" in reply.text


async def test_language_switch_changes_the_interface(harness: BotHarness) -> None:
    chat = harness.chat(language_code="pl")
    [menu] = await chat.send("/language")
    assert menu.labels == ["🇵🇱 Polski", "🇺🇦 Українська", "🇬🇧 English"]
    [confirmation] = await chat.press("🇺🇦 Українська")
    assert "українською" in confirmation.text
    [greeting] = await chat.send("/start")
    assert "Привіт" in greeting.text


async def test_forged_language_button_changes_nothing(harness: BotHarness) -> None:
    chat = harness.chat(language_code="pl")
    await chat.send("/language")
    await harness.conversation.feed_raw(
        {"callback_query": {"id": "x", "from": chat.person.as_user(), "chat_instance": "1",
                            "data": "lang:de"}}
    )
    assert harness.telegram.callback_answers[-1].show_alert
    [greeting] = await chat.send("/start")
    assert "Cześć" in greeting.text


@pytest.mark.parametrize("data", ["topic:no.such-topic", "garbage", "fb:bo.about:maybe", ""])
async def test_stale_or_forged_buttons_get_a_polite_alert(harness: BotHarness, data: str) -> None:
    chat = harness.chat()
    outputs = await harness.conversation.feed_raw(
        {"callback_query": {"id": "q", "from": chat.person.as_user(), "chat_instance": "1",
                            "data": data}}
    )
    assert outputs == []
    answer = harness.telegram.callback_answers[-1]
    assert answer.show_alert and "nieaktualny" in (answer.text or "")


async def test_unknown_command_and_stickers_get_guidance(harness: BotHarness) -> None:
    chat = harness.chat()
    [reply] = await chat.send("/nonsense")
    assert "/help" in reply.text
    sticker = {"file_id": "CAACAgIAAxkBAAIBYmZ", "file_unique_id": "AgADYmZ", "type": "regular",
               "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "🙂"}
    message = harness.conversation._incoming(chat.person)  # noqa: SLF001 - a raw sticker
    [reply] = await harness.conversation.feed_raw({"update_id": 900001,
                                                   "message": {**message, "sticker": sticker}})
    assert "tekstowe" in reply.text and len(reply.labels) == 7  # the menu, without language
