"""The console channel's contract, through `python -m bot chat` as a real process."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import REPO_ROOT

pytestmark = pytest.mark.slow


def run_chat(tmp_path: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "REDIS_URL"))}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'console.sqlite3'}"
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", *args],
        input=script, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
        check=True,
    )


def test_jsonl_prints_messages_and_one_idle_per_line(tmp_path: Path) -> None:
    result = run_chat(tmp_path, "/start\n#1\n/language\n", "--jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sum(r == {"event": "idle"} for r in records) == 3
    start, programme = [r for r in records if "text" in r][:2]
    assert start["chat_id"] == 1001 and "Cześć" in start["text"]
    assert len([label for row in start["buttons"] for label in row]) == 8
    assert start["document"] is None
    assert "Budżet Obywatelski" in programme["text"]
    assert records[-2]["buttons"] == [["🇵🇱 Polski", "🇺🇦 Українська", "🇬🇧 English"]]


def test_text_mode_greets_in_ukrainian_with_lang_uk(tmp_path: Path) -> None:
    result = run_chat(tmp_path, "/start\n", "--lang", "uk")
    assert "Привіт" in result.stdout
    assert "[1] 🏛 Громадський бюджет (BO)" in result.stdout


def test_button_labels_other_users_replies_and_locations(tmp_path: Path) -> None:
    script = "\n".join([
        "/start",
        "budzet obywatelski (bo)",           # a label, typed without diacritics, presses it
        "@7000002002/-1001234567890 /start@lis_gdynia_bot",  # another user, in a group chat
        "@loc 54.52,18.53",                   # a location pin
        "^ dziekuje",                         # a reply to the latest bot message
        "#99",                                # no such button: a clear message, no crash
    ]) + "\n"
    result = run_chat(tmp_path, script, "--jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sum(r == {"event": "idle"} for r in records) == 6
    texts = [r for r in records if "text" in r]
    assert "Budżet Obywatelski" in texts[1]["text"]
    assert texts[2]["chat_id"] == -1001234567890 and "prywatnym" in texts[2]["text"]
    assert "Najbliższe Przystanie" in texts[3]["text"]  # a pin outside a form: the nearest
    assert "there is no button 99" in result.stderr


def test_text_mode_marks_messages_to_other_chats(tmp_path: Path) -> None:
    result = run_chat(tmp_path, "@7000002002/-1001234567890 /start@lis_gdynia_bot\n")
    assert result.stdout.startswith("[→ chat -1001234567890] bot> ")


def test_a_whole_session_stores_nothing_about_the_user(tmp_path: Path) -> None:
    """No consent was given: no row may hold the user's id (nor its pseudonym's source)."""
    script = "/start\n#1\n#5\n/help\n/language\n#2\n/start\n#3\n#1\n"
    run_chat(tmp_path, script, "--user-id", "55501234")
    with sqlite3.connect(tmp_path / "console.sqlite3") as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")]
        assert "fsm_record" in tables
        dump = "\n".join(connection.iterdump())
        assert connection.execute("SELECT count(*) FROM fsm_record").fetchone() == (0,)
    assert "55501234" not in dump
    assert REPO_ROOT.exists()


def test_console_answers_and_picks_up_knowledge_edits_while_running(tmp_path: Path) -> None:
    """Staff preview: edit an answer while `chat` runs; a broken edit keeps the old answer."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(REPO_ROOT / "knowledge", knowledge,
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    entry = knowledge / "entries" / "wymiennikownia.contact.yaml"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "REDIS_URL"))}
    env |= {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'console.sqlite3'}",
            "KNOWLEDGE_DIR": str(knowledge)}
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--jsonl"], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env,
    ) as process:
        errors = _talk_and_edit(process, entry)
    assert "knowledge edit rejected" in errors and "wymiennikownia.contact.yaml" in errors


def _talk_and_edit(process: subprocess.Popen[str], entry: Path) -> str:
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None

    def ask(line: str) -> list[dict]:
        process.stdin.write(line + "\n")
        process.stdin.flush()
        records = []
        while (record := json.loads(process.stdout.readline())) != {"event": "idle"}:
            records.append(record)
        return records

    try:
        [typo] = ask("gdzie jest wymienikownia, jaki adres?")  # no diacritics, a typo
        assert "Kartuskiej 20B" in typo["text"]
        [ukrainian] = ask("Як проголосувати за проєкт у громадському бюджеті?")
        assert "голос" in ukrainian["text"]
        [weather] = ask("jaka będzie pogoda jutro w Gdyni?")
        assert "nie znam odpowiedzi" in weather["text"]

        entry.write_text(entry.read_text(encoding="utf-8").replace("Kartuskiej 20B", "Testowej 1"),
                         encoding="utf-8")
        [edited] = ask("gdzie jest wymiennikownia?")
        assert "Testowej 1" in edited["text"]

        entry.write_text("answer: [this is broken\n", encoding="utf-8")
        [kept] = ask("gdzie jest wymiennikownia?")
        assert "Testowej 1" in kept["text"]
    finally:
        process.stdin.close()
        process.wait(timeout=60)
    return process.stderr.read()


def test_privacy_script_stores_nothing_about_the_user(tmp_path: Path) -> None:
    """/start, questions, /language with 'remember' declined, /privacy, /mydata: no trace."""
    script = "\n".join([
        "/start", "kiedy jest glosowanie w bo?", "gdzie jest przystan na oksywiu",
        "jaka pogoda jutro", "/language", "#3", "💾 Remember my choice", "❌ No, thanks",
        "/privacy", "/mydata",
    ]) + "\n"
    result = run_chat(tmp_path, script, "--user-id", "55507777", "--jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {"lis-bot-my-data.json"} == {r.get("document") for r in records if r.get("document")}
    my_data = json.loads((tmp_path / "data/out/lis-bot-my-data.json").read_text(encoding="utf-8"))
    assert my_data["consent_events"] == [] and my_data["language_preference"] == []
    with sqlite3.connect(tmp_path / "console.sqlite3") as connection:
        dump = "\n".join(connection.iterdump())
    assert "55507777" not in dump
    assert my_data["pseudonym"] not in dump


def test_bo_idea_script_reaches_coordinators_and_back(tmp_path: Path) -> None:
    """tests/data/bo_idea_console.txt: the whole form, a coordinator's decision, /moje."""
    script = (REPO_ROOT / "tests/data/bo_idea_console.txt").read_text(encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "REDIS_URL"))}
    env |= {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'console.sqlite3'}",
            "COORDINATOR_CHAT_ID": "-1001234567890", "COORDINATOR_IDS": "7000000701"}
    result = subprocess.run([sys.executable, "-m", "bot", "chat", "--jsonl"], input=script,
                            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
                            check=True)
    assert result.stderr == ""
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sum(r == {"event": "idle"} for r in records) == len(script.splitlines())
    messages = [r for r in records if "text" in r]
    forwarded = next(r for r in messages if r["chat_id"] == -1001234567890)
    assert "BO-2027-0001" in forwarded["text"] and "Oksywie" in forwarded["text"]
    assert "45\u00a0000 zł" in forwarded["text"]
    told = next(r for r in messages if r["chat_id"] == 1001 and "BO-2027-0001" in r["text"]
                and "informacji" in r["text"] and "•" not in r["text"])
    assert told is not None
    assert "BO-2027-0001" in messages[-1]["text"] and "informacji" in messages[-1]["text"]


def test_handoff_script_relays_replies_both_ways(tmp_path: Path) -> None:
    """tests/data/handoff_console.txt: a question passed to staff, answered, answered back and
    closed; then a BO idea with "reply here", answered by a coordinator, and back."""
    script = (REPO_ROOT / "tests/data/handoff_console.txt").read_text(encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "REDIS_URL"))}
    env |= {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'console.sqlite3'}",
            "COORDINATOR_CHAT_ID": "-1001234567890", "COORDINATOR_IDS": "7000000701"}
    result = subprocess.run([sys.executable, "-m", "bot", "chat", "--jsonl", "--lang", "en"],
                            input=script, capture_output=True, text=True, cwd=tmp_path, env=env,
                            timeout=120, check=True)
    assert result.stderr == ""
    messages = [r for r in map(json.loads, result.stdout.splitlines()) if "text" in r]
    staff = [m["text"] for m in messages if m["chat_id"] == -1001234567890]
    resident = [m["text"] for m in messages if m["chat_id"] == 1001]
    assert any("T-0001" in t and "Orłowo in winter" in t for t in staff)
    assert any("Coordinator (LIS)" in t and "on a lead in winter" in t for t in resident)
    assert any("T-0001" in t and "And in summer?" in t for t in staff)
    assert any("Did it help?" in t for t in resident)
    assert any("BO-2027-0001" in t and "which part of the park" in t for t in resident)
    assert any("BO-2027-0001" in t and "The south corner" in t for t in staff)
    with sqlite3.connect(tmp_path / "console.sqlite3") as connection:
        assert connection.execute("SELECT status, rating FROM ticket").fetchall() == [
            ("closed", 1)]
