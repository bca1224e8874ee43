"""`python -m bot knowledge check`: what staff need to fix, as `path:line: message`."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import yaml

from knowledge.loader import ParsedFile, Problem, read_knowledge
from knowledge.model import LOCALES, KnowledgeBase
from knowledge.render import TIMELINE_PLACEHOLDER, markup_to_html
from knowledge.text import fold

TOPICS_FILE = "topics.yaml"
ANSWER_WARNING_LENGTH = 3500  # Telegram's limit is 4096 characters after formatting
_MARKUP_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\n]*)\)")
_GOOD_URL = re.compile(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/\S*)?$")


def contract_topics(directory: Path) -> list[str]:
    path = directory / TOPICS_FILE
    if not path.exists():
        return []
    return list((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).keys())


def check_knowledge(directory: Path, today: date) -> list[Problem]:
    base, problems, parsed_files = read_knowledge(directory)
    if base is None:
        return problems
    by_path = {parsed.path: parsed for parsed in parsed_files}
    problems += _contract(directory, base)
    for topic_id in base.entries:
        parsed = by_path[base.paths[topic_id]]
        problems += _entry_problems(base, topic_id, parsed, today)
    problems += _shared_phrasings(base, by_path)
    problems += _consent_problems(directory, base)
    for timeline in base.timelines.values():
        if timeline.review_by and timeline.review_by < today:
            path = directory / "timelines" / f"{timeline.id}.yaml"
            problems.append(Problem(path, 1, f"review_by {timeline.review_by} has passed: check "
                                    "the dates and amounts", "warning"))
    return problems


def _contract(directory: Path, base: KnowledgeBase) -> list[Problem]:
    path = directory / TOPICS_FILE
    return [
        Problem(path, 1, f"topic '{topic}' from the contract has no entry (entries/{topic}.yaml)")
        for topic in contract_topics(directory)
        if topic not in base.entries
    ]


def _entry_problems(
    base: KnowledgeBase, topic_id: str, parsed: ParsedFile, today: date
) -> list[Problem]:
    entry = base.entries[topic_id]
    path = parsed.path
    found: list[Problem] = []
    for field in ("title", "answer"):
        for locale in LOCALES:
            if not (getattr(entry, field).get(locale) or "").strip():
                found.append(Problem(path, parsed.line_of(field), f"{field} in '{locale}' is missing"))
    for locale in LOCALES:
        if not entry.phrasings.get(locale):
            found.append(Problem(path, parsed.line_of("phrasings"),
                                 f"no phrasings in '{locale}': residents asking in it won't be matched",
                                 "warning"))
    for index, related in enumerate(entry.related):
        if related not in base.entries:
            found.append(Problem(path, parsed.line_of("related", index),
                                 f"related topic '{related}' does not exist"))
    for index, source in enumerate(entry.sources):
        if not _GOOD_URL.match(source):
            found.append(Problem(path, parsed.line_of("sources", index),
                                 f"source '{source}' is not a well-formed https:// link"))
    for locale, answer in entry.answer.items():
        line = parsed.line_of("answer", locale)
        for _text, url in _MARKUP_LINK.findall(answer):
            if not _GOOD_URL.match(url):
                found.append(Problem(path, line, f"link '{url}' in the '{locale}' answer is broken"))
        if TIMELINE_PLACEHOLDER in answer and entry.timeline not in base.timelines:
            found.append(Problem(path, line, f"the '{locale}' answer uses {TIMELINE_PLACEHOLDER} "
                                 f"but timeline '{entry.timeline}' does not exist"))
        if len(markup_to_html(answer)) > ANSWER_WARNING_LENGTH:
            found.append(Problem(path, line, f"the '{locale}' answer is very long; Telegram cuts "
                                 "messages at 4096 characters", "warning"))
    if entry.timeline and entry.timeline not in base.timelines:
        found.append(Problem(path, parsed.line_of("timeline"),
                             f"timeline '{entry.timeline}' does not exist in knowledge/timelines"))
    if entry.review_by and entry.review_by < today:
        found.append(Problem(path, parsed.line_of("review_by"),
                             f"review_by {entry.review_by} has passed: check the facts, then "
                             "update last_reviewed and review_by", "warning"))
    return found


def _shared_phrasings(base: KnowledgeBase, by_path: dict[Path, ParsedFile]) -> list[Problem]:
    owners: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for topic_id, entry in base.entries.items():
        for locale, phrasings in entry.phrasings.items():
            for index, phrasing in enumerate(phrasings):
                owners[" ".join(fold(phrasing).split())].append((topic_id, locale, index))
    found: list[Problem] = []
    for phrasing, places in owners.items():
        topics = sorted({topic for topic, _, _ in places})
        if len(topics) < 2:
            continue
        for topic_id, locale, index in places:
            parsed = by_path[base.paths[topic_id]]
            others = ", ".join(t for t in topics if t != topic_id)
            found.append(Problem(parsed.path, parsed.line_of("phrasings", locale, index),
                                 f"phrasing '{phrasing}' is also used by {others}: keep it in one entry"))
    return found


CONSENT_PURPOSES = ("bo_idea", "urbanlab_signup", "handoff", "preferences", "news")


def _consent_problems(directory: Path, base: KnowledgeBase) -> list[Problem]:
    path = directory / "consents.yaml"
    if base.consents is None:
        return [Problem(path, 1, "consents.yaml is missing: the bot cannot ask for consent")]
    found = []
    for purpose in CONSENT_PURPOSES:
        policy = base.consents.purposes.get(purpose)
        if policy is None:
            found.append(Problem(path, 1, f"consent purpose '{purpose}' is missing"))
            continue
        for locale in LOCALES:
            if not (policy.notice.get(locale) or "").strip():
                found.append(Problem(path, 1, f"the '{purpose}' notice in '{locale}' is missing"))
    return found
