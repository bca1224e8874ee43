"""`python -m bot knowledge check`: what staff need to fix, as `path:line: message`."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection
from datetime import date
from pathlib import Path

import yaml

from knowledge.editions import bo_timelines, missing_amounts
from knowledge.loader import (
    CENTRES_FILE,
    CONTACTS_FILE,
    EVENTS_DIR,
    EXAMPLE_EVENTS_DIR,
    FORMS_DIR,
    HANDOFF_FILE,
    ParsedFile,
    Problem,
    read_knowledge,
)
from knowledge.model import LOCALES, KnowledgeBase
from knowledge.render import TIMELINE_PLACEHOLDER, markup_to_html
from knowledge.text import fold

TOPICS_FILE = "topics.yaml"
ANSWER_WARNING_LENGTH = 3500  # Telegram's limit is 4096 characters after formatting
_MARKUP_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\n]*)\)")
MAX_SHOWN_SOURCES = 3
# Token and login endpoints of the voting system are no reading for residents.
_NOT_A_PAGE = re.compile(r"/(gettoken|absence|login|logout|api)(\b|/|$)", re.IGNORECASE)
# Research notes that belong in staff_notes, not in what residents read (folded text).
_STAFF_NOTE = re.compile(
    r"nie znalaz\w*|nie znaleziono|w zrodlach|niezweryfikowan\w*|warto potwierdzic|"
    r"do potwierdzenia|unverified|not found in|no source|the sources|may have changed|"
    r"moze sie zmienic|mogl\w* sie zmienic|не знайден\w*|у джерелах|неперевірен\w*|"
    r"могл\w* змінит\w*")
_GOOD_URL = re.compile(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/\S*)?$")


def contract_topics(directory: Path) -> list[str]:
    path = directory / TOPICS_FILE
    if not path.exists():
        return []
    return list((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).keys())


# Contacts the bot's own messages name (see knowledge/contacts.yaml).
REQUIRED_CONTACTS = ("lis", "bo_team", "city_hall")


def check_knowledge(
    directory: Path, today: date, *, purposes: Collection[str] = (), forms: Collection[str] = (),
    examples: bool = False,
) -> list[Problem]:
    """Every problem in the folder, in one run. `purposes` and `forms` are the ones the bot
    declares: each needs its notice in consents.yaml and its texts in forms/. `examples` checks
    the sample events too."""
    base, problems, parsed_files = read_knowledge(directory, examples=examples, today=today)
    if base is None:
        return problems
    by_path = {parsed.path: parsed for parsed in parsed_files}
    problems += _contract(directory, base)
    for topic_id in base.entries:
        parsed = by_path[base.paths[topic_id]]
        problems += _entry_problems(base, topic_id, parsed, today)
    problems += _shared_phrasings(base, by_path)
    problems += _consent_problems(directory, base, purposes)
    problems += _form_problems(directory, base, forms)
    problems += _contact_problems(directory, base)
    problems += _event_problems(directory, base)
    known_districts = {d.name for d in base.districts}
    problems += [Problem(directory / CENTRES_FILE, 1, f"{centre.name}: there is no district "
                         f"'{centre.district}' in districts.yaml") for centre in base.centres
                 if known_districts and centre.district not in known_districts]
    problems += [Problem(directory / HANDOFF_FILE, 1, f"offer_with: there is no topic "
                         f"'{topic}'") for topic in base.handoff.offer_with
                 if topic not in base.entries]
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
                found.append(Problem(path, parsed.line_of(field),
                                     f"{field} in '{locale}' is missing"))
    for locale in LOCALES:
        if not entry.phrasings.get(locale):
            found.append(Problem(path, parsed.line_of("phrasings"),
                                 f"no phrasings in '{locale}': residents asking in it "
                                 "won't be matched",
                                 "warning"))
    for index, related in enumerate(entry.related):
        if related not in base.entries:
            found.append(Problem(path, parsed.line_of("related", index),
                                 f"related topic '{related}' does not exist"))
    for index, source in enumerate(entry.sources):
        if not _GOOD_URL.match(source):
            found.append(Problem(path, parsed.line_of("sources", index),
                                 f"source '{source}' is not a well-formed https:// link"))
        elif _NOT_A_PAGE.search(source):
            found.append(Problem(path, parsed.line_of("sources", index),
                                 f"source '{source}' is not a page residents can read (a "
                                 "system endpoint): move it to staff_sources"))
    if len(entry.sources) > MAX_SHOWN_SOURCES:
        found.append(Problem(path, parsed.line_of("sources"),
                             f"{len(entry.sources)} sources: residents see them all under the "
                             f"answer, keep at most {MAX_SHOWN_SOURCES} and move the rest to "
                             "staff_sources"))
    if len(set(entry.sources)) != len(entry.sources):
        found.append(Problem(path, parsed.line_of("sources"), "a source is listed twice"))
    for locale, answer in entry.answer.items():
        line = parsed.line_of("answer", locale)
        for _text, url in _MARKUP_LINK.findall(answer):
            if not _GOOD_URL.match(url):
                found.append(Problem(path, line,
                                     f"link '{url}' in the '{locale}' answer is broken"))
        if (note := _STAFF_NOTE.search(fold(answer))) is not None:
            found.append(Problem(path, line, f"the '{locale}' answer reads like a note for staff "
                                 f"(“{note.group(0)}”): say what is known, and put what must be "
                                 "checked in staff_notes"))
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
                                 f"phrasing '{phrasing}' is also used by {others}: keep it "
                                 "in one entry"))
    return found


def _consent_problems(directory: Path, base: KnowledgeBase, purposes: Collection[str]
                      ) -> list[Problem]:
    path = directory / "consents.yaml"
    if base.consents is None:
        return [Problem(path, 1, "consents.yaml is missing: the bot cannot ask for consent")]
    found = []
    for purpose in purposes:
        policy = base.consents.purposes.get(purpose)
        if policy is None:
            found.append(Problem(path, 1, f"the bot asks consent for '{purpose}', but "
                                 "consents.yaml has no notice for it"))
            continue
        for locale in LOCALES:
            if not (policy.notice.get(locale) or "").strip():
                found.append(Problem(path, 1, f"the '{purpose}' notice in '{locale}' is missing"))
    return found


def _form_problems(directory: Path, base: KnowledgeBase, forms: Collection[str]) -> list[Problem]:
    found = [Problem(directory / FORMS_DIR / f"{form}.yaml", 1,
                     f"the bot's '{form}' form has no texts file (hints for each step)")
             for form in forms if form not in base.forms]
    bo_form = base.forms.get("bo_idea")
    if bo_form is None:
        return found
    path = directory / FORMS_DIR / "bo_idea.yaml"
    editions = bo_timelines(base)
    if bo_form.edition is not None and bo_form.edition not in {t.edition for t in editions}:
        found.append(Problem(path, 1, f"the form is pinned to BO edition {bo_form.edition}, but no "
                             "file in knowledge/timelines has 'programme: bo', "
                             f"'edition: {bo_form.edition}' and a 'submission' stage"))
    if not editions:
        found.append(Problem(path, 1, "no BO edition in knowledge/timelines (a file with "
                             "'programme: bo', 'edition: YEAR' and a 'submission' stage): the "
                             "form cannot say which edition an idea is for"))
    for timeline in editions:
        for amount in missing_amounts(timeline):
            found.append(Problem(directory / "timelines" / f"{timeline.id}.yaml", 1,
                                 f"BO edition {timeline.edition} has no '{amount}' under "
                                 "'amounts': the form needs it to check costs"))
    return found


def _event_problems(directory: Path, base: KnowledgeBase) -> list[Problem]:
    districts = {district.name for district in base.districts}
    found: list[Problem] = []
    for event in base.events.values():
        folder = EXAMPLE_EVENTS_DIR if event.example else EVENTS_DIR
        path = directory / folder / f"{event.id}.yaml"
        if event.place and event.place.district and event.place.district not in districts:
            found.append(Problem(path, 1, f"district '{event.place.district}' is not in "
                                 "districts.yaml (check the spelling)"))
        if event.signup and event.place is None and not event.online:
            found.append(Problem(path, 1, "a sign-up event needs a 'place' or an 'online' link"))
        for url in event.sources:
            if not _GOOD_URL.match(url.replace("http://", "https://", 1)):
                found.append(Problem(path, 1, f"source '{url}' is not a well-formed link"))
        if event.online and not _GOOD_URL.match(event.online):
            found.append(Problem(path, 1, f"'{event.online}' is not a well-formed https:// link"))
        if any(hours <= 0 for hours in event.reminders_hours):
            found.append(Problem(path, 1, "reminders_hours must be hours before the start (> 0)"))
        marked = any(mark in text for text in event.title.values()
                     for mark in ("[PRZYKŁAD]", "[EXAMPLE]", "[ПРИКЛАД]"))
        if marked and not event.example:
            found.append(Problem(path, 1, "a sample event belongs in knowledge/examples/events, "
                                 "where only `chat --demo` shows it"))
        if not event.example and not event.sources:
            found.append(Problem(path, 1, "an event needs its sources (where it was announced)",
                                 "warning"))
    return found


def _contact_problems(directory: Path, base: KnowledgeBase) -> list[Problem]:
    return [Problem(directory / CONTACTS_FILE, 1,
                    f"contact '{name}' is missing: the bot's messages point residents to it")
            for name in REQUIRED_CONTACTS if name not in base.contacts]
