"""Matching quality on the public dev set, the `ask` and `eval` commands, and UI catalogs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot import catalogs
from knowledge.evaluation import evaluate, read_rows
from knowledge.store import KnowledgeStore


def test_dev_set_accuracy_meets_the_acceptance_bar(
    knowledge_store: KnowledgeStore, repo_root: Path
) -> None:
    report = evaluate(knowledge_store.current.matcher, read_rows(repo_root / "tests/data/dev.tsv"))
    summary = "\n".join(report.lines())
    assert report.top1 >= 0.95, summary
    assert report.abstention >= 0.90, summary
    assert report.language >= 0.95, summary


def test_ask_json_reads_stdin_and_does_not_import_aiogram(repo_root: Path) -> None:
    code = (
        "import runpy, sys; sys.argv = ['bot', 'ask', '--json']\n"
        "try:\n    runpy.run_module('bot', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('AIOGRAM' if 'aiogram' in sys.modules else 'NO-AIOGRAM')\n"
    )
    questions = "kiedy glosowanie w budzecie obywatelskim\nЯк проголосувати?\nwhat's the weather\n"
    result = subprocess.run([sys.executable, "-c", code], input=questions, capture_output=True,
                            text=True, cwd=repo_root, timeout=120, check=True)
    *records, marker = result.stdout.splitlines()
    assert marker == "NO-AIOGRAM"
    first, second, third = (json.loads(line) for line in records)
    assert set(first) == {"question", "topic", "score", "lang", "suggestions", "also",
                          "small_talk", "outside"}
    assert first["lang"] == "pl" and first["topic"] in ("bo.schedule", "bo.voting")
    assert second["lang"] == "uk" and second["topic"] == "bo.voting"
    assert third["topic"] is None and third["lang"] == "en"


def test_eval_command_prints_the_three_figures(repo_root: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "knowledge", "eval", "tests/data/dev.tsv"],
        capture_output=True, text=True, cwd=repo_root, timeout=120, check=True,
    )
    for label in ("in-scope top-1 accuracy", "out-of-scope abstention", "answer language accuracy"):
        assert label in result.stdout


def test_ui_catalogs_are_complete_and_compiled() -> None:
    assert catalogs.problems() == []


def test_catalog_check_notices_an_untranslated_string(monkeypatch) -> None:
    template = catalogs.extract_template()
    template.add("A brand new button")
    monkeypatch.setattr(catalogs, "extract_template", lambda: template)
    assert any("A brand new button" in problem for problem in catalogs.problems())
