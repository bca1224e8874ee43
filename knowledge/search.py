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
from array import array
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.analyzer import detect_language, features, lemma, sublinear
from knowledge.model import KnowledgeBase
from knowledge.text import fold, words

OUT_OF_SCOPE = "__out_of_scope__"
# Share of the nearest phrasing in an entry's lexical score; the rest is its centroid.
NEAREST_WEIGHT = 0.45
CLASSIFIER_WEIGHT = 0.3  # how much the linear SVM's margin adds to the lexical score
CLASSIFIER_C = 1.0
CLASSIFIER_MAX_CELLS = 50_000_000  # classes x features; 200 MB of float32 weights


@dataclass(frozen=True)
class Thresholds:
    """When to answer, when to offer "did you mean", and when to abstain."""

    answer_score: float  # the best entry's score must reach this...
    out_of_scope_margin: float  # ...and beat the out-of-scope examples by this much
    suggest_score: float  # below answering, entries from this score are offered


# Measured with `knowledge eval` on the dev set and on phrasings held out from the index.
WITH_CLASSIFIER = Thresholds(answer_score=0.0, out_of_scope_margin=0.2, suggest_score=0.0)
LEXICAL_ONLY = Thresholds(answer_score=0.2, out_of_scope_margin=0.06, suggest_score=0.15)
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
    def from_triples(
        cls, rows: np.ndarray, features: np.ndarray, weights: np.ndarray, vocabulary_size: int
    ) -> _Postings:
        order = np.lexsort((rows, features))
        ptr = np.zeros(vocabulary_size + 1, dtype=np.int64)
        np.cumsum(np.bincount(features, minlength=vocabulary_size), out=ptr[1:])
        return cls(ptr, rows[order].astype(np.int32), weights[order].astype(np.float32))

    def scores(self, query: dict[int, float], size: int) -> np.ndarray:
        if not query:
            return np.zeros(size, dtype=np.float32)
        slices = [(self.ptr[f], self.ptr[f + 1], w) for f, w in query.items()]
        rows = np.concatenate([self.rows[a:b] for a, b, _ in slices])
        weights = np.concatenate([self.weights[a:b] * w for a, b, w in slices])
        return np.bincount(rows, weights=weights, minlength=size).astype(np.float32)


def _normalise_rows(rows: np.ndarray, weights: np.ndarray, row_count: int) -> np.ndarray:
    norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=row_count))
    norms[norms == 0] = 1.0
    return weights / norms[rows]


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
        texts = documents + keywords

        # One (row, feature, weight) triple per distinct feature of every text, kept in flat
        # arrays: per-text dictionaries would cost gigabytes on large bases.
        self._feature_ids: dict[str, int] = {}
        row_ids, feature_ids, term_weights = array("i"), array("i"), array("f")
        for row, (_, lang, text) in enumerate(texts):
            for name, weight in features(text, lang).items():
                row_ids.append(row)
                feature_ids.append(self._feature_id(name))
                term_weights.append(sublinear(weight))
        rows = np.frombuffer(row_ids, dtype=np.int32).astype(np.int64)
        feats = np.frombuffer(feature_ids, dtype=np.int32).astype(np.int64)
        vocabulary_size = len(self._feature_ids)
        document_frequency = np.bincount(feats, minlength=vocabulary_size)
        self._idf = (np.log((len(texts) + 1) / (document_frequency + 1)) + 1.0).astype(np.float32)
        weights = np.frombuffer(term_weights, dtype=np.float32) * self._idf[feats]
        weights = _normalise_rows(rows, weights, len(texts))

        self._documents = documents
        self._classes = sorted({doc[0] for doc in documents})
        class_index = {name: i for i, name in enumerate(self._classes)}
        self._out_of_scope_index = class_index.get(OUT_OF_SCOPE)
        text_class = np.array([class_index[doc[0]] for doc in texts], dtype=np.int64)
        self._class_starts = np.searchsorted(
            text_class[: len(documents)], np.arange(len(self._classes))
        )
        is_document = rows < len(documents)
        self._documents_index = _Postings.from_triples(
            rows[is_document], feats[is_document], weights[is_document], vocabulary_size
        )
        # Centroid of a class: the sum of its texts' vectors (keywords included), normalised.
        cells, positions = np.unique(text_class[rows] * vocabulary_size + feats,
                                     return_inverse=True)
        centroid_weights = np.bincount(positions, weights=weights)
        centroid_rows, centroid_feats = cells // vocabulary_size, cells % vocabulary_size
        self._centroid_index = _Postings.from_triples(
            centroid_rows,
            centroid_feats,
            _normalise_rows(centroid_rows, centroid_weights, len(self._classes)),
            vocabulary_size,
        )
        self._vocabulary = sorted({fold(w) for _, _, text in texts for w in words(text)})
        self._known_words = frozenset(self._vocabulary)
        # Typo candidates by first letter: a typo rarely hits the first letter, and scanning
        # one bucket instead of the whole vocabulary keeps large bases fast.
        self._words_by_initial: dict[str, list[str]] = {}
        for word in self._vocabulary:
            self._words_by_initial.setdefault(word[:1], []).append(word)
        self._related = {entry.id: list(entry.related) for entry in base.entries.values()}
        self._classifier = _train_classifier(
            rows, feats, weights, text_class, len(texts), vocabulary_size, len(self._classes)
        )

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
        query, corrections = self._query(question, lang)
        nearest = self._documents_index.scores(query, len(self._documents))
        per_class_nearest = np.maximum.reduceat(nearest, self._class_starts)
        centroid = self._centroid_index.scores(query, len(self._classes))
        combined = NEAREST_WEIGHT * per_class_nearest + (1 - NEAREST_WEIGHT) * centroid
        if self._classifier is not None:
            coefficients, intercepts = self._classifier
            features_of_query = np.fromiter(query.keys(), dtype=np.int64, count=len(query))
            values = np.fromiter(query.values(), dtype=np.float32, count=len(query))
            margins = coefficients[:, features_of_query] @ values + intercepts
            combined = combined + CLASSIFIER_WEIGHT * margins
        out_of_scope = 0.0
        if self._out_of_scope_index is not None:
            out_of_scope = float(combined[self._out_of_scope_index])
            combined[self._out_of_scope_index] = -np.inf  # it competes, but is no topic
        topics = self._top(combined, MAX_SUGGESTIONS + 1)
        best_topic, best = topics[0] if topics else (None, 0.0)
        limits = WITH_CLASSIFIER if self._classifier is not None else LEXICAL_ONLY
        if best >= limits.answer_score and best - out_of_scope >= limits.out_of_scope_margin:
            topic = best_topic
            suggestions = self._related.get(best_topic or "", [])[:MAX_SUGGESTIONS]
        elif best > out_of_scope and best >= limits.suggest_score:
            topic = None
            suggestions = [
                name for name, score in topics[:MAX_SUGGESTIONS]
                if score >= limits.suggest_score and score > out_of_scope
            ]
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
                "top": [(name, round(score, 3)) for name, score in topics],
                "out_of_scope_score": round(out_of_scope, 3),
            }
        return Match(question, lang, topic, round(best, 4), suggestions, explanation)

    def _query(self, text: str, lang: str) -> tuple[dict[int, float], dict[str, str]]:
        """The text as a normalised TF-IDF vector over the index's features (typos corrected)."""
        counts = features(text, lang)
        corrections = self._typo_corrections(text, lang, counts)
        query = _normalise({
            self._feature_ids[name]: sublinear(w) * self._idf[self._feature_ids[name]]
            for name, w in counts.items() if name in self._feature_ids
        })
        return query, corrections

    def closest_topic(self, text: str, lang: str | None = None) -> str | None:
        """The entry that comes closest, answered or not (the inbox's suggestion)."""
        match = self.search(text, lang=lang, explain=True)
        top = match.explanation.get("top")
        return top[0][0] if isinstance(top, list) and top else match.topic

    def vector(self, text: str, lang: str | None = None) -> dict[int, float]:
        """What grouping similar questions compares (cosine of two vectors is their dot)."""
        return self._query(text, lang or detect_language(text))[0]

    def _top(self, scores: np.ndarray, count: int) -> list[tuple[str, float]]:
        """The `count` best classes, best first (ties by name), without sorting them all."""
        count = min(count, int(np.isfinite(scores).sum()))
        if count == 0:
            return []
        candidates = np.argpartition(-scores, count - 1)[:count]
        ordered = candidates[np.lexsort((candidates, -scores[candidates]))]
        return [(self._classes[i], float(scores[i])) for i in ordered]

    def _typo_corrections(self, question: str, lang: str, counts: defaultdict[str, float]
                          ) -> dict[str, str]:
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


def _train_classifier(
    rows: np.ndarray,
    feats: np.ndarray,
    weights: np.ndarray,
    labels: np.ndarray,
    row_count: int,
    vocabulary_size: int,
    class_count: int,
) -> tuple[np.ndarray, np.ndarray] | None:
    """A linear SVM on the same vectors: it learns which words tell neighbouring topics apart.

    Its weights are a dense classes x features matrix, so very large bases go without it.
    """
    if class_count < 2 or class_count * vocabulary_size > CLASSIFIER_MAX_CELLS:
        return None
    from scipy.sparse import csr_matrix
    from sklearn.svm import LinearSVC

    matrix = csr_matrix((weights, (rows, feats)), shape=(row_count, vocabulary_size))
    model = LinearSVC(C=CLASSIFIER_C).fit(matrix, labels)
    coefficients = model.coef_.astype(np.float32)
    intercepts = model.intercept_.astype(np.float32)
    if class_count == 2:  # binary SVMs keep one row: the second class's side
        coefficients = np.vstack([-coefficients, coefficients])
        intercepts = np.array([-intercepts[0], intercepts[0]], dtype=np.float32)
    return coefficients, intercepts


def _normalise(vector: dict[int, float]) -> dict[int, float]:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {f: w / norm for f, w in vector.items()} if norm else {}
