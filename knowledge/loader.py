"""Read the knowledge folder into a `KnowledgeBase`, reporting problems as `path:line`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.model import (
    ConsentPolicy,
    District,
    Entry,
    IdeaFormText,
    KnowledgeBase,
    OutOfScope,
    Timeline,
)

M = TypeVar("M", bound=BaseModel)

ENTRIES_DIR = "entries"
TIMELINES_DIR = "timelines"
OUT_OF_SCOPE_FILE = "out_of_scope.yaml"
DISTRICTS_FILE = "districts.yaml"
CONSENTS_FILE = "consents.yaml"
IDEA_FORM_FILE = "idea_form.yaml"


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


def parse_yaml(path: Path) -> tuple[ParsedFile | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except UnicodeDecodeError:
        return None, [Problem(path, 1, "the file is not UTF-8 text; save it as UTF-8")]
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
            Problem(parsed.path, parsed.line_of(*issue["loc"]), _describe(issue))
            for issue in error.errors()
        ]


def _describe(issue: dict[str, Any]) -> str:
    field = ".".join(str(part) for part in issue["loc"]) or "the file"
    kind = issue["type"]
    if kind == "missing":
        return f"'{field}' is missing"
    if kind == "extra_forbidden":
        return f"'{field}' is not a known field (check the spelling; see knowledge/FORMAT.md)"
    if kind.startswith("date"):
        return f"'{field}' must be a date written as YYYY-MM-DD"
    return f"'{field}': {issue['msg']}"


def read_knowledge(directory: Path) -> tuple[KnowledgeBase | None, list[Problem], list[ParsedFile]]:
    """Load everything; return the base (None on errors), the problems, and the parsed files."""
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

    out_of_scope = OutOfScope()
    if (directory / OUT_OF_SCOPE_FILE).exists():
        loaded, file_problems = _load_one(directory / OUT_OF_SCOPE_FILE, OutOfScope, parsed_files)
        problems += file_problems
        out_of_scope = loaded or out_of_scope

    districts: list[District] = []
    if (directory / DISTRICTS_FILE).exists():
        loaded, file_problems = _load_one(directory / DISTRICTS_FILE, _Districts, parsed_files)
        problems += file_problems
        districts = loaded.districts if loaded else []

    consents: ConsentPolicy | None = None
    if (directory / CONSENTS_FILE).exists():
        consents, file_problems = _load_one(directory / CONSENTS_FILE, ConsentPolicy, parsed_files)
        problems += file_problems

    idea_form: IdeaFormText | None = None
    if (directory / IDEA_FORM_FILE).exists():
        idea_form, file_problems = _load_one(directory / IDEA_FORM_FILE, IdeaFormText, parsed_files)
        problems += file_problems

    if any(problem.severity == "error" for problem in problems):
        return None, problems, parsed_files
    base = KnowledgeBase(
        entries=entries,
        timelines=timelines,
        out_of_scope=out_of_scope,
        districts=districts,
        consents=consents,
        idea_form=idea_form,
        paths=paths,
    )
    return base, problems, parsed_files


class _Districts(BaseModel):
    districts: list[District]


def _load_one(
    path: Path, model: type[M], parsed_files: list[ParsedFile]
) -> tuple[M | None, list[Problem]]:
    parsed, problems = parse_yaml(path)
    if parsed is None:
        return None, problems
    parsed_files.append(parsed)
    return validate_model(parsed, model)


def load_knowledge(directory: Path) -> KnowledgeBase:
    """The knowledge base in `directory`; raises `KnowledgeError` listing every problem."""
    base, problems, _ = read_knowledge(directory)
    if base is None:
        raise KnowledgeError([p for p in problems if p.severity == "error"])
    return base
