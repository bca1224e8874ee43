"""What one update costs the database: the round trips the issue counted, held down.

Statements are counted, not timed (the machine is shared): a typed form answer reads its FSM
row once and writes it once; a question from a resident who stored nothing writes nothing and,
after their first message, asks nothing about their language.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event

from knowledge.store import KnowledgeStore
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


def test_no_filter_is_run_in_a_thread(harness: BotHarness) -> None:
    """aiogram sends a synchronous filter to a thread on every check; ours run on the loop."""
    from handlers.platform.routing import filters_in_threads

    assert filters_in_threads(harness.dispatcher) == 0


async def test_remembered_languages_are_known_without_asking_the_database(
    harness: BotHarness,
) -> None:
    from storage.models import LanguagePreference

    harness.auto_deliver = False
    elsewhere = 7_200_000_077  # stored their language through another worker
    async with harness.services.db.sessions() as session:
        session.add(LanguagePreference(subject=harness.services.pseudonyms.subject(elsewhere),
                                       locale="uk"))
        await session.commit()
    await harness.services.jobs.tick("languages")  # what every worker does every 30 s

    with statements(harness) as seen:
        fresh = await harness.chat(7_200_000_078, language_code="pl").send("Co to jest LIS?")
        remembered = await harness.chat(elsewhere, language_code="pl").send("/start")
    assert "Laboratorium" in fresh[0].text
    assert "Привіт" in remembered[0].text  # their stored language, not Telegram's
    assert not [s for s in seen if "language_preference" in s], seen

    chat = harness.chat(7_200_000_079, language_code="pl")  # stores one here, then erases
    await chat.send("/language")
    await chat.press("🇬🇧 English")
    await chat.press("💾 Remember my choice")
    await chat.press("✅ I agree")
    assert "I will remember your language" in chat.last.text
    await chat.send("/forget")
    await chat.press("🗑 Yes, erase everything")
    assert "Cześć" in (await chat.send("/start"))[0].text  # forgotten at once, not in 30 s


def test_the_word_classifier_is_trained_once_and_then_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, knowledge_store: KnowledgeStore,
) -> None:
    """A worker's start must not pay scikit-learn's import and training: `migrate` (or the
    first start) trains it, the next starts read it."""
    from knowledge import lemmas
    from knowledge.search import Matcher

    monkeypatch.setattr(lemmas, "cache_folder", lambda: tmp_path)
    base = knowledge_store.current.base
    first = Matcher(base)
    stored = tmp_path / "lexical.classifier.npz"
    assert stored.exists()
    written = stored.stat().st_mtime_ns
    second = Matcher(base)
    assert stored.stat().st_mtime_ns == written  # read, not trained and written again
    question = "Jak zgłosić pomysł do budżetu obywatelskiego?"
    assert first.search(question).topic == second.search(question).topic
    assert first.search(question).score == pytest.approx(second.search(question).score)
