"""`knowledge eval`: accuracy of the matcher on a labelled TSV (topic, lang, question).

Uses exactly the matcher the bot uses. A row labelled '-' is out of scope: the right outcome
is abstaining (no confident answer).
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.model import KnowledgeBase
from knowledge.search import Matcher

OUT_OF_SCOPE_LABEL = "-"


@dataclass
class EvalReport:
    in_scope: int = 0
    in_scope_correct: int = 0
    out_of_scope: int = 0
    abstained: int = 0
    language_correct: int = 0
    total: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)

    @staticmethod
    def _share(part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    @property
    def top1(self) -> float:
        return self._share(self.in_scope_correct, self.in_scope)

    @property
    def abstention(self) -> float:
        return self._share(self.abstained, self.out_of_scope)

    @property
    def language(self) -> float:
        return self._share(self.language_correct, self.total)

    def lines(self) -> list[str]:
        lines = [
            f"in-scope top-1 accuracy:      {self.top1:6.1%}  "
            f"({self.in_scope_correct}/{self.in_scope})",
            f"out-of-scope abstention:      {self.abstention:6.1%}  "
            f"({self.abstained}/{self.out_of_scope})",
            f"answer language accuracy:     {self.language:6.1%}  "
            f"({self.language_correct}/{self.total})",
        ]
        if self.confusions:
            lines.append("confusions (expected -> answered: count):")
            for (expected, got), count in self.confusions.most_common():
                lines.append(f"  {expected} -> {got}: {count}")
        return lines


def read_rows(path: Path) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(row["topic"], row["lang"], row["question"]) for row in reader]


def evaluate(matcher: Matcher, rows: list[tuple[str, str, str]]) -> EvalReport:
    report = EvalReport()
    for expected, lang, question in rows:
        match = matcher.search(question)
        report.total += 1
        report.language_correct += match.lang == lang
        answered = match.topic or "(abstained)"
        if expected == OUT_OF_SCOPE_LABEL:
            report.out_of_scope += 1
            report.abstained += match.topic is None
            if match.topic is not None:
                report.confusions[("-", answered)] += 1
        else:
            report.in_scope += 1
            report.in_scope_correct += match.topic == expected
            if match.topic != expected:
                report.confusions[(expected, answered)] += 1
    return report


def holdout_split(base: KnowledgeBase, fraction: float, seed: int
                  ) -> tuple[KnowledgeBase, list[tuple[str, str, str]]]:
    """The base without a random `fraction` of each entry's phrasings per language (and of the
    out-of-scope examples), and those phrasings as labelled rows: questions the index has not
    seen, worded the way staff word them. Titles and keywords stay."""
    chooser = random.Random(seed)
    rows: list[tuple[str, str, str]] = []

    def split(label: str, by_lang: dict[str, list[str]]) -> dict[str, list[str]]:
        kept: dict[str, list[str]] = {}
        for lang, phrasings in by_lang.items():
            count = int(len(phrasings) * fraction) if len(phrasings) > 2 else 0
            held = set(chooser.sample(range(len(phrasings)), count))
            kept[lang] = [p for i, p in enumerate(phrasings) if i not in held]
            rows.extend((label, lang, phrasings[i]) for i in sorted(held))
        return kept

    entries = {topic: entry.model_copy(update={"phrasings": split(topic, entry.phrasings)})
               for topic, entry in base.entries.items()}
    out_of_scope = base.out_of_scope.model_copy(update={
        "phrasings": split(OUT_OF_SCOPE_LABEL, base.out_of_scope.phrasings)})
    return base.model_copy(update={"entries": entries, "out_of_scope": out_of_scope}), rows


@dataclass
class HoldoutReport:
    fraction: float
    reports: list[EvalReport]

    def lines(self) -> list[str]:
        def mean(values: list[float]) -> float:
            return sum(values) / len(values)

        top1 = [r.top1 for r in self.reports]
        abstention = [r.abstention for r in self.reports]
        language = [r.language for r in self.reports]
        return [
            f"held-out phrasings ({self.fraction:.0%} of each entry, {len(self.reports)} seeds, "
            f"{self.reports[0].total} questions each):",
            f"in-scope top-1 accuracy:      {mean(top1):6.1%}  "
            f"(per seed: {', '.join(f'{v:.1%}' for v in top1)})",
            f"out-of-scope abstention:      {mean(abstention):6.1%}  "
            f"(per seed: {', '.join(f'{v:.1%}' for v in abstention)})",
            f"answer language accuracy:     {mean(language):6.1%}",
        ]


def evaluate_holdout(base: KnowledgeBase, fraction: float, seeds: int,
                     build: Callable[[KnowledgeBase], Matcher] = Matcher) -> HoldoutReport:
    reports = []
    for seed in range(seeds):
        reduced, rows = holdout_split(base, fraction, seed)
        reports.append(evaluate(build(reduced), rows))
    return HoldoutReport(fraction, reports)
