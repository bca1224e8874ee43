"""Match a resident's question to a knowledge entry, or abstain.

Every phrasing, title and keyword of every entry (and every out-of-scope example) becomes a
TF-IDF vector of lemmas, folded words, lemma bigrams and character n-grams. A question is
scored against all of them through an inverted index (cost grows with the postings the
question touches, not with the size of the base). An entry's score blends its nearest
phrasing (kNN) with its centroid (all its phrasings together). Out-of-scope examples compete
as one more class: when they win, or the best score is low, the matcher abstains.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.analyzer import detect_language, features, lemma, sublinear
from knowledge.model import KnowledgeBase
from knowledge.text import fold, words

OUT_OF_SCOPE = "__out_of_scope__"
NEAREST_WEIGHT = 0.45  # share of the nearest phrasing in an entry's score; the rest is centroid
CONFIDENT_SCORE = 0.2
SUGGEST_SCORE = 0.15
# How far the best entry must beat the nearest out-of-scope example to be answered.
OUT_OF_SCOPE_MARGIN = 0.06
# How far the best entry must beat the second: vague questions get "did you mean" instead.
CONFIDENT_MARGIN = 0.0
MAX_SUGGESTIONS = 3
TYPO_CUTOFF = 84
TYPO_MIN_LENGTH = 4


@dataclass(frozen=True)
class Match:
    question: str
    lang: str
    topic: str | None  # the entry to answer with; None when abstaining or unsure
    score: float
    suggestions: list[str]
    explanation: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def unsure(self) -> bool:
        return self.topic is None and bool(self.suggestions)


@dataclass
class _Postings:
    """A sparse matrix stored by feature: for feature f, rows[ptr[f]:ptr[f+1]] and weights."""

    ptr: np.ndarray
    rows: np.ndarray
    weights: np.ndarray

    @classmethod
    def build(cls, vectors: list[dict[int, float]], vocabulary_size: int) -> _Postings:
        by_feature: list[list[tuple[int, float]]] = [[] for _ in range(vocabulary_size)]
        for row, vector in enumerate(vectors):
            for feature, weight in vector.items():
                by_feature[feature].append((row, weight))
        lengths = np.fromiter((len(p) for p in by_feature), dtype=np.int64, count=vocabulary_size)
        ptr = np.zeros(vocabulary_size + 1, dtype=np.int64)
        np.cumsum(lengths, out=ptr[1:])
        rows = np.fromiter((r for p in by_feature for r, _ in p), dtype=np.int32, count=ptr[-1])
        weights = np.fromiter(
            (w for p in by_feature for _, w in p), dtype=np.float32, count=ptr[-1]
        )
        return cls(ptr, rows, weights)

    def scores(self, query: dict[int, float], size: int) -> np.ndarray:
        if not query:
            return np.zeros(size, dtype=np.float32)
        slices = [(self.ptr[f], self.ptr[f + 1], w) for f, w in query.items()]
        rows = np.concatenate([self.rows[a:b] for a, b, _ in slices])
        weights = np.concatenate([self.weights[a:b] * w for a, b, w in slices])
        return np.bincount(rows, weights=weights, minlength=size).astype(np.float32)


class Matcher:
    """An index over one knowledge base; build once per loaded base."""

    def __init__(self, base: KnowledgeBase) -> None:
        documents: list[tuple[str, str, str]] = []  # (class, lang, text): nearest candidates
        keywords: list[tuple[str, str, str]] = []  # single words: describe an entry, not a question
        for entry in base.entries.values():
            for lang, title in entry.title.items():
                documents.append((entry.id, lang, title))
            for lang, phrasings in entry.phrasings.items():
                documents += [(entry.id, lang, text) for text in phrasings]
            for lang, words_of_entry in entry.keywords.items():
                keywords += [(entry.id, lang, text) for text in words_of_entry]
        for lang, phrasings in base.out_of_scope.phrasings.items():
            documents += [(OUT_OF_SCOPE, lang, text) for text in phrasings]
        documents.sort(key=lambda doc: doc[0])  # rows of one class are contiguous

        self._feature_ids: dict[str, int] = {}
        document_frequency: Counter[int] = Counter()
        indexed: list[dict[int, float]] = []
        for _, lang, text in documents + keywords:
            counts = features(text, lang)
            vector = {self._feature_id(name): sublinear(w) for name, w in counts.items()}
            document_frequency.update(vector.keys())
            indexed.append(vector)
        total = len(indexed)
        self._idf = np.array(
            [math.log((total + 1) / (document_frequency[i] + 1)) + 1.0
             for i in range(len(self._feature_ids))],
            dtype=np.float32,
        )
        all_vectors = [_normalise({f: w * self._idf[f] for f, w in v.items()}) for v in indexed]
        doc_vectors = all_vectors[: len(documents)]

        self._documents = documents
        self._classes = sorted({doc[0] for doc in documents})
        class_index = {name: i for i, name in enumerate(self._classes)}
        self._doc_class = np.array([class_index[doc[0]] for doc in documents], dtype=np.int32)
        self._class_starts = np.searchsorted(self._doc_class, np.arange(len(self._classes)))
        centroids: list[dict[int, float]] = [dict() for _ in self._classes]
        for vector, doc in zip(all_vectors, documents + keywords):
            centroid = centroids[class_index[doc[0]]]
            for f, w in vector.items():
                centroid[f] = centroid.get(f, 0.0) + w
        self._documents_index = _Postings.build(doc_vectors, len(self._feature_ids))
        self._centroid_index = _Postings.build(
            [_normalise(c) for c in centroids], len(self._feature_ids)
        )
        self._vocabulary = sorted(
            {fold(w) for _, _, text in documents + keywords for w in words(text)}
        )
        self._known_words = frozenset(self._vocabulary)
        # Typo candidates by first letter: a typo rarely hits the first letter, and scanning
        # one bucket instead of the whole vocabulary keeps large bases fast.
        self._words_by_initial: dict[str, list[str]] = {}
        for word in self._vocabulary:
            self._words_by_initial.setdefault(word[:1], []).append(word)
        self._related = {entry.id: list(entry.related) for entry in base.entries.values()}

    def _feature_id(self, name: str) -> int:
        return self._feature_ids.setdefault(name, len(self._feature_ids))

    @property
    def known_words(self) -> frozenset[str]:
        return self._known_words

    def search(
        self,
        question: str,
        *,
        lang: str | None = None,
        fallback_lang: str = "pl",
        explain: bool = False,
    ) -> Match:
        """Match a question; `lang` forces its language, else it is detected."""
        lang = lang or detect_language(question, fallback_lang)
        counts = features(question, lang)
        corrections = self._typo_corrections(question, lang, counts)
        query = _normalise(
            {
                self._feature_ids[name]: sublinear(w) * self._idf[self._feature_ids[name]]
                for name, w in counts.items()
                if name in self._feature_ids
            }
        )
        nearest = self._documents_index.scores(query, len(self._documents))
        per_class_nearest = np.maximum.reduceat(nearest, self._class_starts)
        centroid = self._centroid_index.scores(query, len(self._classes))
        combined = NEAREST_WEIGHT * per_class_nearest + (1 - NEAREST_WEIGHT) * centroid
        ranking = [int(i) for i in np.argsort(-combined, kind="stable")]
        ranked = [(self._classes[i], float(combined[i])) for i in ranking]
        topics = [(name, score) for name, score in ranked if name != OUT_OF_SCOPE]
        out_of_scope = next((s for name, s in ranked if name == OUT_OF_SCOPE), 0.0)
        best_topic, best = topics[0] if topics else (None, 0.0)
        runner_up = topics[1][1] if len(topics) > 1 else 0.0
        beats_out_of_scope = best > out_of_scope
        confident = (
            best >= CONFIDENT_SCORE
            and best - out_of_scope >= OUT_OF_SCOPE_MARGIN
            and best - runner_up >= CONFIDENT_MARGIN
        )
        if confident:
            topic, suggestions = best_topic, self._related.get(best_topic or "", [])[:MAX_SUGGESTIONS]
        elif beats_out_of_scope and best >= SUGGEST_SCORE:
            topic = None
            suggestions = [name for name, s in topics[:MAX_SUGGESTIONS] if s >= SUGGEST_SCORE]
        else:
            topic, suggestions = None, []

        explanation: dict[str, object] = {}
        if explain:
            best_doc = int(np.argmax(nearest)) if len(nearest) else -1
            explanation = {
                "lemmas": [lemma(w, lang) for w in words(question)],
                "typo_corrections": corrections,
                "nearest_phrasing": self._documents[best_doc][2] if best_doc >= 0 else None,
                "nearest_phrasing_topic": self._documents[best_doc][0] if best_doc >= 0 else None,
                "top": [(name, round(score, 3)) for name, score in ranked[:5]],
                "out_of_scope_score": round(out_of_scope, 3),
            }
        return Match(question, lang, topic, round(best, 4), suggestions, explanation)

    def _typo_corrections(self, question: str, lang: str, counts: Counter[str]) -> dict[str, str]:
        """Add the features of the closest known word for each unknown, longer word."""
        corrections: dict[str, str] = {}
        for word in words(question):
            folded = fold(word)
            if len(folded) < TYPO_MIN_LENGTH or folded in self._known_words:
                continue
            if f"w:{lemma(word, lang)}" in self._feature_ids:
                continue
            found = process.extractOne(
                folded,
                self._words_by_initial.get(folded[:1], ()),
                scorer=fuzz.ratio,
                score_cutoff=TYPO_CUTOFF,
            )
            if found is not None:
                corrections[folded] = found[0]
                counts[f"w:{found[0]}"] += 1.0
        return corrections


def _normalise(vector: dict[int, float]) -> dict[int, float]:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {f: w / norm for f, w in vector.items()} if norm else {}
