"""`ask` and `knowledge check|eval`: the knowledge base from the command line, without aiogram."""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from datetime import date, datetime
from pathlib import Path

from bot.config import load_settings
from knowledge.analyzer import warm_up
from knowledge.encoder import Encoder, load_encoder
from knowledge.evaluation import evaluate, evaluate_holdout, read_rows
from knowledge.loader import KnowledgeError, load_knowledge
from knowledge.model import GDYNIA, KnowledgeBase
from knowledge.render import render_answer
from knowledge.search import Match, Matcher
from knowledge.validator import check_knowledge


def _directory(args: argparse.Namespace) -> Path:
    return args.dir or load_settings().knowledge_dir


def _matcher(base: KnowledgeBase, directory: Path, encoder: Encoder | None,
             partial_base: bool = False) -> Matcher:
    return Matcher(base, encoder=encoder, vectors_dir=directory, partial_base=partial_base)


def _encoder() -> Encoder | None:
    return load_encoder(load_settings().dense_matching)


def _load(directory: Path) -> KnowledgeBase | None:
    try:
        return load_knowledge(directory)
    except KnowledgeError as error:
        print(error, file=sys.stderr)
        return None


def run_knowledge_command(args: argparse.Namespace) -> int:
    directory = _directory(args)
    if args.knowledge_command == "check":
        import handlers  # the declared purposes and forms (imports aiogram: a few seconds)

        problems = check_knowledge(directory, date.today(), purposes=handlers.purposes().ids(),
                                   forms=handlers.form_names(), examples=True)
        for problem in problems:
            print(problem)
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        print(f"{errors} error(s), {warnings} warning(s) in {directory}")
        return 1 if errors or (args.strict and warnings) else 0
    if not args.file and args.holdout is None:
        print("knowledge eval: give a TSV file, --holdout 0.2, or both", file=sys.stderr)
        return 2
    base = _load(directory)
    if base is None:
        return 1
    warm_up()
    encoder = _encoder()
    if args.file:
        matcher = _matcher(base, directory, encoder)
        for path in args.file:
            print(f"{path}:")
            print("\n".join(evaluate(matcher, read_rows(path)).lines()))
    if args.holdout is not None:
        if not 0 < args.holdout < 1:
            print("--holdout: a share between 0 and 1, e.g. 0.2", file=sys.stderr)
            return 2
        report = evaluate_holdout(base, args.holdout, args.seeds,
                                  build=lambda reduced: _matcher(reduced, directory, encoder,
                                                                 partial_base=True))
        print("\n".join(report.lines()))
    return 0


def run_ask(args: argparse.Namespace) -> int:
    directory = _directory(args)
    base = _load(directory)
    if base is None:
        return 1
    warm_up()
    matcher = _matcher(base, directory, _encoder())
    try:
        today = _today(args.now)
    except ValueError:
        print("--now: write the moment as 2027-03-01T10:00 (Gdynia time)", file=sys.stderr)
        return 2
    questions = [" ".join(args.question)] if args.question else (
        line.strip() for line in sys.stdin if line.strip()
    )
    for question in questions:
        match = matcher.search(question, lang=args.lang, explain=args.explain)
        print(_format(match, as_json=args.json, explain=args.explain), flush=True)
        if args.answer and match.topic is not None:
            entry = base.entries[match.topic]
            print(_plain(render_answer(base, entry, match.lang, today)), flush=True)
    return 0


def _today(now: str | None) -> date:
    """The date in Gdynia (`--now` previews what residents will read on another day)."""
    if not now:
        return datetime.now(GDYNIA).date()
    moment = datetime.fromisoformat(now)
    return (moment if moment.tzinfo is None else moment.astimezone(GDYNIA)).date()


def _plain(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def _format(match: Match, *, as_json: bool, explain: bool) -> str:
    record: dict[str, object] = {
        "question": match.question,
        "topic": match.topic,
        "score": match.score,
        "lang": match.lang,
        "suggestions": match.suggestions,
        "also": match.also,
        "small_talk": match.small_talk,
        "outside": f"{match.scope.kind}: {match.scope.rule}" if match.scope else None,
    }
    if explain:
        record["explain"] = match.explanation
    if as_json:
        return json.dumps(record, ensure_ascii=False)
    outcome = (f"small talk ({match.small_talk})" if match.small_talk and not match.topic
               else f"outside LIS: {match.scope.kind} ({match.scope.rule})" if match.scope
               else match.topic or ("unsure: " + ", ".join(match.suggestions)
                                    if match.suggestions else "no answer (fallback)"))
    if match.also:
        outcome += " + also " + ", ".join(match.also)
    lines = [f"{match.question}\n  -> {outcome}  (score {match.score:.3f}, {match.lang})"]
    if explain:
        lines += [f"     {key}: {value}" for key, value in match.explanation.items()]
    return "\n".join(lines)
