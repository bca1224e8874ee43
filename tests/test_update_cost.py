"""What one update costs the database: the round trips the issue counted, held down.

Statements are counted, not timed (the machine is shared): a typed form answer reads its FSM
row once and writes it once; a question from a resident who stored nothing writes nothing and,
after their first message, asks nothing about their language.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from tests.driver import BotHarness
from tests.flows import ANSWERS, answer, resident, start_with_consent


@contextmanager
def statements(harness: BotHarness) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(" ".join(statement.split())[:80])

    engine = harness.services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_a_typed_form_answer_reads_and_writes_its_draft_once(harness: BotHarness) -> None:
    harness.auto_deliver = False
    chat = resident(harness)
    await start_with_consent(chat)
    for _step, how in ANSWERS[:3]:
        await answer(chat, how)
    with statements(harness) as seen:
        await chat.send("Ławki w parku 🌳")  # the title step: typed text
    assert "Step 5 of" in chat.last.text  # the answer was taken
    assert len([s for s in seen if s.startswith("SELECT fsm_record")]) == 1, seen
    assert len([s for s in seen if s.startswith("UPDATE fsm_record")]) == 1, seen
    assert len(seen) == 2, seen
    assert (await chat.data())["title"] == "Ławki w parku 🌳"


async def test_a_question_from_someone_who_stored_nothing_writes_nothing(
    harness: BotHarness,
) -> None:
    harness.auto_deliver = False
    chat = harness.chat(7_200_000_001, language_code="uk")
    await chat.send("Що таке UrbanLab?")
    with statements(harness) as seen:
        answered = await chat.send("А що таке Wymiennikownia? 🔁")
    assert "Wymiennikowni" in answered[0].text
    assert not [s for s in seen if not s.startswith("SELECT")], seen  # counted in memory
    assert not [s for s in seen if "language_preference" in s], seen  # remembered: cached
    assert len(seen) == 1, seen  # the FSM state (in Redis when several workers run)
