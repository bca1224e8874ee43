"""Free-text questions in the bot: answers, suggestions, the honest fallback, feedback."""

from __future__ import annotations

import pytest

from handlers.platform.answers import with_sources
from handlers.platform.telegram_html import parse_html, utf16_len
from knowledge.masking import mask_personal_data
from knowledge.render import render_answer
from tests.conftest import TODAY
from tests.driver import BotHarness


async def test_question_without_diacritics_and_with_a_typo_gets_the_answer(
    harness: BotHarness,
) -> None:
    [answer] = await harness.chat().send("gdzie jest wymienikownia, jaki adres?")
    assert "Kartuskiej 20B" in answer.text
    assert "👍 Pomocne" in answer.labels
    assert "<i>Źródła: <a href=\"https://" in answer.html  # where the facts come from


async def test_ukrainian_question_gets_a_ukrainian_answer(harness: BotHarness) -> None:
    [answer] = await harness.chat(language_code="pl").send("Що таке громадський бюджет у Гдині?")
    assert "Budżet Obywatelski" in answer.text
    assert "👍 Корисно" in answer.labels


async def test_out_of_scope_question_gets_the_honest_fallback_and_is_kept_masked(
    harness: BotHarness,
) -> None:
    chat = harness.chat(user_id=424242, language_code="en")
    [reply] = await chat.send("what's the weather tomorrow? call me at 601 234 567, Jan Kowalski")
    assert "I don't know the answer" in reply.text
    assert "58 727 39 00" in reply.text
    assert reply.labels == ["👤 Ask LIS staff", "📞 Contact LIS", "📋 Menu"]
    rows = await harness.table_rows()
    [(_, masked, locale, _created, kind, topic)] = rows["unanswered_question"]
    assert (kind, topic) == ("unanswered", None)
    assert locale == "en"
    assert "601" not in masked and "Kowalski" not in masked and "[phone]" in masked
    assert "424242" not in repr(rows)


async def test_feedback_is_counted_per_topic_without_user_and_only_once(
    harness: BotHarness,
) -> None:
    chat = harness.chat(user_id=7_000_777_001)
    [answer] = await chat.send("ile pieniędzy jest w budżecie obywatelskim?")
    await chat.press("👍 Pomocne")
    assert "Pomocne" not in " ".join(chat.last.labels)  # the pair is gone: one vote per answer
    rows = await harness.table_rows()
    assert rows["topic_feedback"] == [("bo.budget", 1, 0)]
    assert "7000777001" not in repr(rows)


async def test_answers_are_escaped_html_within_telegram_limits(harness: BotHarness) -> None:
    """Every answer, with its sources, is HTML Telegram accepts, within 4,096 UTF-16 units."""
    base, i18n = harness.services.knowledge.current.base, harness.services.i18n
    for entry in base.entries.values():
        for locale in ("pl", "uk", "en"):
            with i18n.context(), i18n.use_locale(locale):
                html = with_sources(render_answer(base, entry, locale, TODAY), entry.sources)
            assert utf16_len(parse_html(html)) <= 4096, (entry.id, locale)


@pytest.mark.parametrize(("text", "expected"), [
    ("mój mail to ala.nowak@example.com", "mój mail to [e-mail]"),
    ("pesel 90010112345 prosze", "pesel [pesel] prosze"),
    ("tel. +48 601-234-567", "tel. [phone]"),
    ("Rozmawiałam z Anną Nowak o Oksywiu", "Rozmawiałam z [name] [name] o Oksywiu"),
])
def test_masking_personal_data(text: str, expected: str) -> None:
    assert mask_personal_data(text, known_words={"oksywiu"}) == expected


async def test_unsure_question_offers_up_to_three_topics(harness: BotHarness) -> None:
    matcher = harness.services.knowledge.current.matcher
    candidates = ("gdzie jest", "jak", "gdzie")
    unsure = next((q for q in candidates if matcher.search(q).unsure), None)
    assert unsure is not None, "a one-word, ambiguous question should not get a confident answer"
    [reply] = await harness.chat().send(unsure)
    assert "Czy chodzi" in reply.text
    assert 1 <= len(reply.labels) <= 3
