"""The unanswered-questions inbox: masked questions grouped by what they ask.

Questions are compared as the matcher sees them (the same lemmas, folded words and character
n-grams), so paraphrases of one question fall into one group; each group gets the topic that
comes closest, for staff to map it to (its phrasings then improve that entry) or dismiss it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.search import Matcher

GROUP_SIMILARITY = 0.2  # measured on paraphrases of unanswered questions: no false merges


@dataclass(frozen=True)
class Question:
    id: int
    text: str
    locale: str
    kind: str = "unanswered"  # unanswered | not_helpful
    topic: str | None = None  # for not_helpful: the answer that did not help


@dataclass
class Group:
    questions: list[Question] = field(default_factory=list)
    suggestion: str | None = None

    @property
    def key(self) -> int:
        """Stable enough to act on: the oldest question's id."""
        return min(q.id for q in self.questions)

    @property
    def sample(self) -> str:
        return self.questions[0].text

    @property
    def count(self) -> int:
        return len(self.questions)


def _similarity(a: dict[int, float], b: dict[int, float]) -> float:
    small, large = (a, b) if len(a) < len(b) else (b, a)
    return sum(weight * large.get(feature, 0.0) for feature, weight in small.items())


def _centroid(vectors: list[dict[int, float]]) -> dict[int, float]:
    summed: dict[int, float] = {}
    for vector in vectors:
        for feature, weight in vector.items():
            summed[feature] = summed.get(feature, 0.0) + weight
    norm = sum(w * w for w in summed.values()) ** 0.5 or 1.0
    return {feature: weight / norm for feature, weight in summed.items()}


def group_questions(questions: list[Question], matcher: Matcher,
                    threshold: float = GROUP_SIMILARITY) -> list[Group]:
    """Groups of similar questions, largest first, each with its closest topic."""
    groups: list[tuple[Group, list[dict[int, float]]]] = []
    for question in sorted(questions, key=lambda q: q.id):
        vector = matcher.vector(question.text, question.locale)
        best, best_score = None, threshold
        for group, vectors in groups:
            score = _similarity(vector, _centroid(vectors))
            if score >= best_score:
                best, best_score = (group, vectors), score
        if best is None:
            groups.append((Group([question]), [vector]))
        else:
            best[0].questions.append(question)
            best[1].append(vector)
    result = []
    for group, _vectors in groups:
        group.suggestion = _closest_topic(group, matcher)
        result.append(group)
    return sorted(result, key=lambda g: (-g.count, g.key))


def _closest_topic(group: Group, matcher: Matcher) -> str | None:
    votes: dict[str, int] = {}
    for question in group.questions:
        if question.topic:
            votes[question.topic] = votes.get(question.topic, 0) + 1
            continue
        closest = matcher.closest_topic(question.text, question.locale)
        if closest is not None:
            votes[closest] = votes.get(closest, 0) + 1
    return max(votes, key=lambda topic: votes[topic]) if votes else None
