"""Read the knowledge folder into a `KnowledgeBase`, reporting problems as `path:line`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from knowledge.model import (
    GDYNIA,
    Centre,
    ConsentPolicy,
    Contact,
    District,
    Entry,
    Event,
    FormText,
    HandoffPolicy,
    KnowledgeBase,
    OutOfScope,
    ScopeRules,
    SmallTalk,
    Timeline,
)

M = TypeVar("M", bound=BaseModel)

ENTRIES_DIR = "entries"
TIMELINES_DIR = "timelines"
OUT_OF_SCOPE_FILE = "out_of_scope.yaml"
DISTRICTS_FILE = "districts.yaml"
CONSENTS_FILE = "consents.yaml"
CONTACTS_FILE = "contacts.yaml"
HANDOFF_FILE = "handoff.yaml"
SCOPE_FILE = "scope.yaml"
CENTRES_FILE = "centres.yaml"
SMALL_TALK_FILE = "small_talk.yaml"
FORMS_DIR = "forms"
EVENTS_DIR = "events"
EXAMPLE_EVENTS_DIR = "examples/events"
# Sample events are dated relative to the moment they are loaded: "+7d 17:00", "+3d", "+2h".
_RELATIVE = re.compile(r"^\+(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d{1,2}):(\d{2}))?$")


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


class KnowledgeError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class ParsedFile:
    """A YAML file's data plus its node tree, kept to find the line of any field."""

    path: Path
    data: Any
    root: yaml.Node | None

    def line_of(self, *location: str | int) -> int:
        node = self.root
        for step in location:
            child = _child(node, step)
            if child is None:
                break
            node = child
        return node.start_mark.line + 1 if node is not None else 1


def _child(node: yaml.Node | None, step: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(step):
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
        return node.value[step]
    return None


# libyaml's parser where PyYAML was built with it: ten times faster on a large base.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data, from one parse."""
    loader = _SafeLoader(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def _line_of_text(path: Path) -> int:
    """The first line holding a date that is not one (the parser does not say where)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for found in re.findall(r"\b(\d{4})-(\d{2})-(\d{2})\b", line):
            try:
                date(*map(int, found))
            except ValueError:
                return number
    return 1


def parse_yaml(path: Path) -> tuple[ParsedFile | None, list[Problem]]:
    try:
        root, data = _read_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, [Problem(path, 1, "the file is not UTF-8 text; save it as UTF-8")]
    except ValueError as error:  # a date such as 2026-13-45: YAML reads it, the calendar not
        line = _line_of_text(path)
        return None, [Problem(path, line, f"this is not a real date ({error})")]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(error, "problem", None) or str(error)
        return None, [Problem(path, line, f"this is not valid YAML ({reason})")]
    return ParsedFile(path, data, root), []


def validate_model(
    parsed: ParsedFile, model: type[M]
) -> tuple[M | None, list[Problem]]:
    if not isinstance(parsed.data, dict):
        return None, [Problem(parsed.path, 1, "the file must hold named fields (key: value)")]
    try:
        return model.model_validate(parsed.data), []
    except ValidationError as error:
        return None, [
            Problem(parsed.path, parsed.line_of(*issue["loc"]), _describe(dict(issue)))
            for issue in error.errors()
        ]


def _field_name(location: tuple[Any, ...]) -> str:
    """('stages', 2, 'end') -> "'end' of item 3 of 'stages'": how staff read it."""
    words: list[str] = []
    for part in location:
        if isinstance(part, int):
            words.append(f"item {part + 1}")
        else:
            words.append(f"'{part}'")
    return " of ".join(reversed(words)) or "the file"


def _describe(issue: dict[str, Any]) -> str:
    field = _field_name(tuple(issue["loc"]))
    kind = issue["type"]
    if kind == "missing":
        return f"{field} is missing"
    if kind == "extra_forbidden":
        return f"{field} is not a known field (check the spelling; see knowledge/FORMAT.md)"
    if kind.startswith("date"):
        return f"{field} must be a date written as YYYY-MM-DD"
    if kind in ("greater_than_equal", "greater_than"):
        limit = issue.get("ctx", {}).get("ge", issue.get("ctx", {}).get("gt"))
        return f"{field} must be at least {limit} (it is {issue.get('input')})"
    if kind.startswith("int"):
        return f"{field} must be a whole number"
    if kind in ("dict_type", "model_type"):
        return f"{field} must hold named fields (key: value)"
    if kind == "list_type":
        return f"{field} must be a list (lines starting with '- ')"
    if kind == "string_type":
        return f"{field} must be text"
    return f"{field}: {issue['msg']}"


def read_knowledge(directory: Path, *, examples: bool = False, today: date | None = None
                   ) -> tuple[KnowledgeBase | None, list[Problem], list[ParsedFile]]:
    """Load everything; return the base, the problems, and the parsed files.

    The base holds whatever loaded even when some files have errors, so the validator can
    report every problem in one run; `load_knowledge` refuses a base with errors.
    """
    problems: list[Problem] = []
    parsed_files: list[ParsedFile] = []
    entries: dict[str, Entry] = {}
    paths = {}
    entry_dir = directory / ENTRIES_DIR
    if not entry_dir.is_dir():
        problem = Problem(directory, 1, f"no '{ENTRIES_DIR}' folder in the knowledge folder")
        return None, [problem], []
    for path in sorted(entry_dir.glob("*.yaml")):
        parsed, file_problems = parse_yaml(path)
        problems += file_problems
        if parsed is None:
            continue
        parsed_files.append(parsed)
        entry, file_problems = validate_model(parsed, Entry)
        problems += file_problems
        if entry is None:
            continue
        if path.stem != entry.id:
            problems.append(
                Problem(path, parsed.line_of("id"), f"the id '{entry.id}' must match the file name")
            )
        if entry.id in entries:
            problems.append(Problem(path, parsed.line_of("id"), f"duplicate id '{entry.id}'"))
        entries[entry.id] = entry
        paths[entry.id] = path

    timelines: dict[str, Timeline] = {}
    for path in sorted((directory / TIMELINES_DIR).glob("*.yaml")):
        timeline, file_problems = _load_one(path, Timeline, parsed_files)
        problems += file_problems
        if timeline is not None:
            timelines[timeline.id] = timeline

    def optional(name: str, model: type[M]) -> M | None:
        """A single file that may be absent; its problems are collected."""
        if not (directory / name).exists():
            return None
        loaded, file_problems = _load_one(directory / name, model, parsed_files)
        problems.extend(file_problems)
        return loaded

    out_of_scope = optional(OUT_OF_SCOPE_FILE, OutOfScope) or OutOfScope()
    listed = optional(DISTRICTS_FILE, _Districts)
    districts: list[District] = listed.districts if listed else []
    consents = optional(CONSENTS_FILE, ConsentPolicy)
    forms: dict[str, FormText] = {}
    for path in sorted((directory / FORMS_DIR).glob("*.yaml")):
        form, file_problems = _load_one(path, FormText, parsed_files)
        problems += file_problems
        if form is not None:
            forms[path.stem] = form

    loaded_contacts = optional(CONTACTS_FILE, _Contacts)
    contacts: dict[str, Contact] = loaded_contacts.contacts if loaded_contacts else {}
    handoff = optional(HANDOFF_FILE, HandoffPolicy) or HandoffPolicy()
    scope = optional(SCOPE_FILE, ScopeRules) or ScopeRules()
    loaded_centres = optional(CENTRES_FILE, _Centres)
    centres: list[Centre] = loaded_centres.centres if loaded_centres else []
    loaded_talk = optional(SMALL_TALK_FILE, _SmallTalkFile)
    small_talk: dict[str, SmallTalk] = loaded_talk.kinds if loaded_talk else {}

    events: dict[str, Event] = {}
    folders = [directory / EVENTS_DIR] + ([directory / EXAMPLE_EVENTS_DIR] if examples else [])
    for path in sorted(p for folder in folders for p in folder.glob("*.yaml")):
        event, file_problems = _load_event(path, parsed_files, today or date.today())
        problems += file_problems
        if event is None:
            continue
        if event.id in events:
            problems.append(Problem(path, 1, f"duplicate event id '{event.id}'"))
        events[event.id] = event

    base = KnowledgeBase(
        entries=entries,
        timelines=timelines,
        out_of_scope=out_of_scope,
        districts=districts,
        consents=consents,
        forms=forms,
        contacts=contacts,
        events=events,
        handoff=handoff,
        scope=scope,
        centres=centres,
        small_talk=small_talk,
        paths=paths,
    )
    return base, problems, parsed_files


class _Districts(BaseModel):
    districts: list[District]


class _Centres(BaseModel):
    model_config = ConfigDict(extra="forbid")
    centres: list[Centre]


class _SmallTalkFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kinds: dict[str, SmallTalk]


class _Contacts(BaseModel):
    contacts: dict[str, Contact]


def _load_one(
    path: Path, model: type[M], parsed_files: list[ParsedFile]
) -> tuple[M | None, list[Problem]]:
    parsed, problems = parse_yaml(path)
    if parsed is None:
        return None, problems
    parsed_files.append(parsed)
    return validate_model(parsed, model)


def _load_event(path: Path, parsed_files: list[ParsedFile], today: date
                ) -> tuple[Event | None, list[Problem]]:
    parsed, problems = parse_yaml(path)
    if parsed is None:
        return None, problems
    parsed_files.append(parsed)
    if not isinstance(parsed.data, dict):
        return None, [Problem(path, 1, "the file must hold named fields (key: value)")]
    data = dict(parsed.data)
    example = EXAMPLE_EVENTS_DIR in path.as_posix()
    for key in ("start", "end", "signup_deadline"):
        value = data.get(key)
        if isinstance(value, str) and value.startswith("+"):
            moment = _relative(value, today)
            if moment is None:
                return None, [Problem(path, parsed.line_of(key),
                                      f"'{key}' must be a date and time, or '+7d 17:00'")]
            data[key] = moment
    if example:
        data["example"] = True
    event, problems = validate_model(ParsedFile(path, data, parsed.root), Event)
    if event is not None and path.stem != event.id:
        problems.append(Problem(path, parsed.line_of("id"),
                                f"the id '{event.id}' must match the file name"))
    return event, problems


def _relative(text: str, today: date) -> datetime | None:
    match = _RELATIVE.match(text.strip())
    if match is None or not any(match.groups()):
        return None
    days, hours, hour, minute = match.groups()
    moment = datetime.combine(today, time(int(hour or 12), int(minute or 0)), GDYNIA)
    return moment + timedelta(days=int(days or 0), hours=int(hours or 0))


def load_knowledge(directory: Path, *, examples: bool = False, today: date | None = None
                   ) -> KnowledgeBase:
    """The knowledge base in `directory`; raises `KnowledgeError` listing every problem."""
    base, problems, _ = read_knowledge(directory, examples=examples, today=today)
    errors = [p for p in problems if p.severity == "error"]
    if base is None or errors:
        raise KnowledgeError(errors)
    return base
