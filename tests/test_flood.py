"""A burst of messages from one resident: one polite "slow down", not an answer each, and a
form in progress keeps everything entered before the burst."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from handlers.platform.flood import FloodGuard
from knowledge.store import KnowledgeStore
from tests.conftest import NOW
from tests.driver import BotHarness
from tests.flows import ANSWERS, answer, resident, start_with_consent

SLOW_DOWN = "You are writing faster than I can read"


class Ticking:
    """A monotonic clock the test moves: 0.1 s per message, as a burst arrives."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 0.1
        return self.now


@pytest.fixture
async def guarded(settings: Settings, knowledge_store: KnowledgeStore
                  ) -> AsyncIterator[tuple[BotHarness, Ticking]]:
    harness = await BotHarness.start(settings.model_copy(update={"flood_burst": 8}),
                                     knowledge=knowledge_store, now=NOW)
    clock = Ticking()
    harness.services.flood = FloodGuard(burst=8, window=10.0, clock=clock)
    yield harness, clock
    await harness.close()


async def test_thirty_messages_at_once_get_eight_answers_and_one_slow_down(
        guarded: tuple[BotHarness, Ticking]) -> None:
    harness, _clock = guarded
    chat = harness.chat(7_100_000_777, language_code="uk")
    for number in range(30):
        await chat.send(f"коли голосування в бюджеті? 🙂 {number}")
    texts = [message.text for message in chat.history()]
    slow_downs = [text for text in texts if "Ви пишете швидше" in text]
    assert len(slow_downs) == 1  # in the resident's language, once
    assert len(texts) - 1 <= 8 * 2  # the first eight answered (an answer may take two messages)


async def test_after_a_pause_the_resident_is_answered_again(
        guarded: tuple[BotHarness, Ticking]) -> None:
    harness, clock = guarded
    chat = harness.chat(7_100_000_778, language_code="en")
    for _ in range(12):
        await chat.send("when is the voting?")
    assert sum(SLOW_DOWN in m.text for m in chat.history()) == 1
    clock.now += 11.0  # the window has passed
    replies = await chat.send("what is UrbanLab?")
    assert replies and "UrbanLab" in replies[0].text


async def test_a_burst_in_the_middle_of_a_form_loses_nothing_entered(
        guarded: tuple[BotHarness, Ticking]) -> None:
    harness, clock = guarded
    chat = resident(harness)
    await start_with_consent(chat)
    for _step, how in ANSWERS[:4]:  # level, district, size, title
        await answer(chat, how)
    assert await chat.step() == "description"
    clock.now += 11.0
    for _ in range(20):  # a paste gone wrong: twenty copies
        await chat.send("x")
    assert sum(SLOW_DOWN in m.text for m in chat.history()) == 1
    clock.now += 11.0
    assert await chat.step() == "description"  # "x" is no description: still asked for one
    assert "Ławki" in str(await chat.data())
    await answer(chat, ANSWERS[4][1])  # the description, sent again after the pause
    assert await chat.step() == "kind"
    assert "Ławki" in str(await chat.data())  # the title entered before the burst is kept
