"""The live knowledge base: reloads edited files, and keeps serving the last valid version.

Staff edit files while the bot runs. `refresh()` (called every few seconds by the bot's job
runner, off the event loop) compares the files' modification times and, on a change, loads and
indexes the folder again; readers keep using `current`, the last loaded snapshot, and never
wait for a reload. An edit that does not load is logged with its `path:line` problems and the
previous version stays in use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from knowledge.encoder import Encoder
from knowledge.loader import KnowledgeError, load_knowledge
from knowledge.model import KnowledgeBase
from knowledge.search import Matcher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    base: KnowledgeBase
    matcher: Matcher


class KnowledgeStore:
    """`examples=True` adds the sample events of knowledge/examples/ (`chat --demo`), dated
    relative to `today()` at each load so that they stay upcoming; with an `encoder`, matching
    uses sentence vectors too (cached beside the files, knowledge/.vectors/)."""

    def __init__(self, directory: Path, *, examples: bool = False,
                 today: Callable[[], date] = date.today, encoder: Encoder | None = None) -> None:
        self.directory = directory
        self.encoder = encoder
        self.examples = examples
        self._today = today
        self._signature = self._current_signature()
        base = self._load()  # at start-up an invalid folder is fatal
        self._snapshot = Snapshot(base, self._matcher(base))
        self._rejected_signature: tuple[tuple[str, int, int], ...] | None = None

    @property
    def current(self) -> Snapshot:
        return self._snapshot

    def refresh(self) -> bool:
        """Reload if any file changed; True when a new version was taken into use."""
        signature = self._current_signature()
        if signature == self._signature or signature == self._rejected_signature:
            return False
        try:
            base = self._load()
        except KnowledgeError as error:
            self._rejected_signature = signature
            log.error(
                "knowledge edit rejected, still serving the previous version:\n%s", error
            )
            return False
        self._snapshot = Snapshot(base, self._matcher(base))
        self._signature = signature
        self._rejected_signature = None
        log.info("knowledge reloaded: %d entries", len(base.entries))
        return True

    def _matcher(self, base: KnowledgeBase) -> Matcher:
        return Matcher(base, encoder=self.encoder, vectors_dir=self.directory)

    def _load(self) -> KnowledgeBase:
        return load_knowledge(self.directory, examples=self.examples, today=self._today())

    def _current_signature(self) -> tuple[tuple[str, int, int], ...]:
        files = sorted(p for p in self.directory.rglob("*.yaml") if p.is_file())
        return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
