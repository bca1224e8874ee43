"""The knowledge files: the contract with topics.yaml, the staff validator, hot reload."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from knowledge.loader import load_knowledge
from knowledge.model import LOCALES
from knowledge.render import render_answer
from knowledge.store import KnowledgeStore
from knowledge.validator import check_knowledge, contract_topics

SHARED = Path(__file__).resolve().parents[2] / "shared"


def copy_knowledge(repo_root: Path, tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(repo_root / "knowledge", target,
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def test_every_contract_topic_has_an_entry_in_every_language(repo_root: Path) -> None:
    base = load_knowledge(repo_root / "knowledge")
    topics = contract_topics(repo_root / "knowledge")
    assert len(topics) == 32
    for topic in topics:
        entry = base.entries[topic]
        for locale in LOCALES:
            assert entry.title[locale].strip() and entry.answer[locale].strip()
            assert len(entry.phrasings.get(locale, [])) >= 15, (topic, locale)
        assert entry.sources, topic


@pytest.mark.skipif(not SHARED.exists(), reason="../shared is not beside this clone")
@pytest.mark.parametrize(("copy", "original"), [
    ("knowledge/topics.yaml", "topics.yaml"), ("tests/data/dev.tsv", "eval/dev.tsv"),
])
def test_copies_from_shared_are_current(repo_root: Path, copy: str, original: str) -> None:
    assert (repo_root / copy).read_bytes() == (SHARED / original).read_bytes()


def test_the_repository_passes_the_check(repo_root: Path) -> None:
    problems = check_knowledge(repo_root / "knowledge", date(2026, 11, 24))
    assert [str(p) for p in problems if p.severity == "error"] == []


def test_check_command_fails_on_a_broken_copy_with_path_and_line(
    repo_root: Path, tmp_path: Path
) -> None:
    knowledge = copy_knowledge(repo_root, tmp_path)
    entry = knowledge / "entries" / "bo.voting.yaml"
    lines = entry.read_text(encoding="utf-8").splitlines()
    related_line = next(i for i, line in enumerate(lines) if line.startswith("related:"))
    lines[related_line] = "related: [bo.no-such-topic]"
    entry.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (knowledge / "entries" / "lis.statute.yaml").unlink()

    result = subprocess.run(
        [sys.executable, "-m", "bot", "knowledge", "check", "--dir", str(knowledge)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    expected = f"{entry}:{related_line + 1}: error: related topic 'bo.no-such-topic' does not exist"
    assert expected in result.stdout
    assert "topic 'lis.statute' from the contract has no entry" in result.stdout


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda text: text.replace("answer:", "answr:", 1), "'answr' is not a known field"),
    (lambda text: text.replace("title:", "title: {broken", 1), "this is not valid YAML"),
    (lambda text: re.sub(r"last_reviewed: .*", "last_reviewed: soon", text), "must be a date"),
    (lambda text: re.sub(r"last_reviewed: .*", "last_reviewed: 2026-13-45", text),
     "this is not a real date"),
])
def test_schema_errors_name_the_line(repo_root: Path, tmp_path: Path, mutate, message: str) -> None:
    knowledge = copy_knowledge(repo_root, tmp_path)
    entry = knowledge / "entries" / "bo.about.yaml"
    entry.write_text(mutate(entry.read_text(encoding="utf-8")), encoding="utf-8")
    problems = check_knowledge(knowledge, date(2026, 11, 24))
    assert any(str(entry) in str(p) and message in p.message for p in problems), problems


def test_shared_phrasings_and_passed_review_dates_are_reported(
    repo_root: Path, tmp_path: Path
) -> None:
    knowledge = copy_knowledge(repo_root, tmp_path)
    voting = knowledge / "entries" / "bo.voting.yaml"
    data = yaml.safe_load(voting.read_text(encoding="utf-8"))
    results = yaml.safe_load((knowledge / "entries" / "bo.results.yaml").read_text())
    shared = results["phrasings"]["pl"][0]
    voting.write_text(voting.read_text(encoding="utf-8").replace(
        data["phrasings"]["pl"][0], shared, 1), encoding="utf-8")
    problems = check_knowledge(knowledge, date(2027, 6, 1))
    assert any("also used by bo.results" in p.message for p in problems)
    assert any(p.severity == "warning" and "review_by" in p.message for p in problems)


def test_bo_schedule_says_what_is_on_now_and_next(repo_root: Path) -> None:
    base = load_knowledge(repo_root / "knowledge")
    entry = base.entries["bo.schedule"]
    during_vote = render_answer(base, entry, "pl", date(2026, 9, 10))
    assert "Teraz: głosowanie mieszkańców (7–21 września 2026)" in during_vote
    assert "Następny etap: ogłoszenie wyników (25 września 2026)" in during_vote
    in_spring = render_answer(base, entry, "en", date(2026, 3, 1))
    assert "Now: project submission (23 February – 23 March 2026)" in in_spring
    in_uk = render_answer(base, entry, "uk", date(2026, 11, 24))
    assert "Зараз:" in in_uk and "2027" in in_uk


def test_edits_are_picked_up_and_broken_edits_keep_the_last_valid_answer(
    repo_root: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    knowledge = copy_knowledge(repo_root, tmp_path)
    store = KnowledgeStore(knowledge)
    entry = knowledge / "entries" / "lis.contact.yaml"
    original = entry.read_text(encoding="utf-8")

    edited = original.replace("ul. Żeromskiego 31", "ul. Testowa 99", 1)
    assert edited != original
    entry.write_text(edited, encoding="utf-8")
    assert "ul. Testowa 99" not in store.current.base.entries["lis.contact"].answer["pl"]
    assert store.refresh()  # what the bot's job runner calls every few seconds
    answer = store.current.base.entries["lis.contact"].answer["pl"]
    assert "ul. Testowa 99" in answer

    with caplog.at_level(logging.ERROR):
        entry.write_text(edited + "\nanswer: [broken\n", encoding="utf-8")
        assert not store.refresh()
        still = store.current.base.entries["lis.contact"].answer["pl"]
    assert "ul. Testowa 99" in still
    assert "knowledge edit rejected" in caplog.text and "lis.contact.yaml" in caplog.text
