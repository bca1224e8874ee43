"""Match a resident's question to a knowledge entry, or abstain.

Every phrasing, title and keyword of every entry (and every out-of-scope example) becomes a
TF-IDF vector of lemmas, folded words, lemma bigrams and character n-grams. A question is
scored against all of them through an inverted index (cost grows with the postings the
question touches, not with the size of the base). An entry's score blends its nearest
phrasing (kNN) with its centroid (all its phrasings together). Out-of-scope examples compete
as one more class: when they win, or the best score is low, the matcher abstains.
"""

from __future__ import annotations

import hashlib
import math
import re
from array import array
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from knowledge import lemmas
from knowledge.analyzer import detect_language, features, lemma, sublinear
from knowledge.encoder import ClassifierCache, Encoder, VectorCache, text_key
from knowledge.model import KnowledgeBase
from knowledge.scope import ScopeGuard, SmallTalkReader, Verdict
from knowledge.text import fold, words

OUT_OF_SCOPE = "__out_of_scope__"
# Share of the nearest phrasing in an entry's lexical score; the rest is its centroid.
NEAREST_WEIGHT = 0.45
CLASSIFIER_WEIGHT = 0.3  # how much the linear SVM's margin adds to the lexical score
CLASSIFIER_C = 1.0
CLASSIFIER_MAX_CELLS = 50_000_000  # classes x features; 200 MB of float32 weights
# The dense side (knowledge/encoder.py): a linear SVM on sentence vectors, scaled so that its
# margins and the lexical scores are of one size, then added with this weight.
DENSE_SCALE = 3.0
DENSE_C = 6.0
DENSE_WEIGHT = 0.5


@dataclass(frozen=True)
class Thresholds:
    """When to answer, when to offer "did you mean", and when to abstain."""

    answer_score: float  # the best entry's score must reach this...
    out_of_scope_margin: float  # ...and beat the out-of-scope examples by this much
    suggest_score: float  # below answering, entries from this score are offered
    named_margin: float | None = None  # the margin when a programme is named (scope.yaml)


# Measured with `knowledge eval` on the dev set and on phrasings held out from the index.
WITH_ENCODER = Thresholds(answer_score=-0.3, out_of_scope_margin=0.9, suggest_score=-0.3,
                          named_margin=0.3)
WITH_CLASSIFIER = Thresholds(answer_score=0.0, out_of_scope_margin=0.2, suggest_score=0.0)
LEXICAL_ONLY = Thresholds(answer_score=0.2, out_of_scope_margin=0.06, suggest_score=0.15)
MAX_SUGGESTIONS = 3
# An insult with only a weak answer gets the insult's reply: "jesteście bandą darmozjadów"
# is no question about LIS, however its words score.
INSULT_BEATS_SCORE = 0.5
SEGMENT_MIN_WORDS = 3  # a sentence this long may be a question of its own
SEGMENT_RESCUE_GAP = 1.0
_ABBREVIATION = re.compile(r"\b(tel|ul|nr|np|godz|ok|al|os|pl|tzw|im|św|sw|m\.in|ds|wg|ref)\.$",
                           re.IGNORECASE)
# Encoding costs ~0.4 ms a character (p99 <= 50 ms allows ~80): a message is encoded in pieces
# of at most DENSE_PIECE_WORDS words, side by side on two cores, each scored on its own (the
# best piece counts: the one that asks); of a longer message only its question is encoded (the
# last sentence with "?"), up to DENSE_MAX_WORDS words from its end, clause by clause.
DENSE_PIECE_WORDS = 14
DENSE_MAX_WORDS = 28
_CLAUSE_END = re.compile(r"(?<=[,;:–—-])\s+")
_SENTENCE_END = re.compile(r"(?<=[?!.;])\s+|\n+")
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
    also: list[str] = field(default_factory=list)  # another question's topic in the message
    small_talk: str | None = None  # greeting | thanks | goodbye | insult
    scope: Verdict | None = None  # outside LIS Gdynia: why, and whom to ask
    out_of_scope_gap: float = field(default=0.0, compare=False)  # examples' lead over the best

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
    def by_feature(cls, matrix: Any) -> _Postings:
        """From a CSR matrix (rows x features): its CSC form is exactly the postings."""
        by_column = matrix.tocsc()
        return cls(by_column.indptr, by_column.indices.astype(np.int32, copy=False),
                   by_column.data.astype(np.float32, copy=False))

    def scores(self, query: dict[int, float], size: int) -> np.ndarray:
        if not query:
            return np.zeros(size, dtype=np.float32)
        slices = [(self.ptr[f], self.ptr[f + 1], w) for f, w in query.items()]
        rows = np.concatenate([self.rows[a:b] for a, b, _ in slices])
        weights = np.concatenate([self.weights[a:b] * w for a, b, w in slices])
        return np.bincount(rows, weights=weights, minlength=size).astype(np.float32)


NORMALISE_CHUNK = 1 << 20  # values per step: temporaries of ~20 MB, whatever the base's size


def _normalise_rows(pointers: np.ndarray, values: np.ndarray) -> None:
    """Scale a CSR matrix's `values` in place so each row's vector has length 1 (in chunks of
    whole rows: a row id and a float64 square for every value at once would cost gigabytes)."""
    rows = len(pointers) - 1
    first = 0
    while first < rows:
        last = int(np.searchsorted(pointers, pointers[first] + NORMALISE_CHUNK, side="right"))
        last = min(max(last - 1, first + 1), rows)
        start, end = int(pointers[first]), int(pointers[last])
        row_ids = np.repeat(np.arange(last - first, dtype=np.int32),
                            np.diff(pointers[first:last + 1]))
        chunk = values[start:end]
        norms = np.sqrt(np.bincount(row_ids, weights=np.square(chunk), minlength=last - first))
        norms[norms == 0] = 1.0
        chunk /= norms.astype(np.float32)[row_ids]
        first = last


def _row_pointers(lengths: np.ndarray) -> np.ndarray:
    """CSR row pointers from each row's count (int32 like the indices when they fit, so scipy
    keeps both as they are instead of widening them)."""
    total = int(lengths.sum())
    kind = np.int32 if total < np.iinfo(np.int32).max else np.int64
    pointers = np.zeros(len(lengths) + 1, dtype=kind)
    np.cumsum(lengths, out=pointers[1:])
    return pointers


def _csr(data: np.ndarray, indices: np.ndarray, pointers: np.ndarray,
         shape: tuple[int, int]) -> Any:
    from scipy.sparse import csr_matrix

    return csr_matrix((data, indices, pointers), shape=shape, copy=False)


def _sentences(text: str) -> list[str]:
    """Sentences of a message; "tel.", "ul.", "np." end no sentence."""
    found: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if found and _ABBREVIATION.search(found[-1]):
            found[-1] = f"{found[-1]} {piece}"
        else:
            found.append(piece)
    return found


def dense_focus(text: str, max_words: int = DENSE_MAX_WORDS) -> str:
    """What of a message the encoder reads: residents end a long message with its question."""
    if len(words(text)) <= max_words:
        return text
    sentences = [s for s in _sentences(text.strip()) if words(s)]
    asked = [s for s in sentences if s.rstrip().endswith("?")]
    sentence = asked[-1] if asked else sentences[-1]
    kept: list[str] = []
    for clause in reversed(_CLAUSE_END.split(sentence)):
        if kept and len(words(" ".join([clause, *kept]))) > max_words:
            break
        kept.insert(0, clause)
    focus = " ".join(kept)
    return focus if len(words(focus)) <= max_words else " ".join(focus.split()[:max_words])


@lru_cache(maxsize=1)
def _encoding_thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(1, thread_name_prefix="dense-query")


def dense_pieces(text: str) -> list[str]:
    """What the encoder reads of a message: one piece, or its focus cut in near-equal pieces."""
    focus = dense_focus(text)
    tokens = focus.split()
    if len(tokens) <= DENSE_PIECE_WORDS:
        return [focus]
    count = math.ceil(len(tokens) / DENSE_PIECE_WORDS)
    bounds = [round(i * len(tokens) / count) for i in range(count + 1)]
    return [" ".join(tokens[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]


def indexed_texts(base: KnowledgeBase
                  ) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(class, lang, text) of the phrasings and titles (sorted by class: one class's rows are
    contiguous), and of the keywords (single words describe an entry, not a question)."""
    documents: list[tuple[str, str, str]] = []
    keywords: list[tuple[str, str, str]] = []
    for entry in base.entries.values():
        for lang, title in entry.title.items():
            documents.append((entry.id, lang, title))
        for lang, phrasings in entry.phrasings.items():
            documents += [(entry.id, lang, text) for text in phrasings]
        for lang, words_of_entry in entry.keywords.items():
            keywords += [(entry.id, lang, text) for text in words_of_entry]
    for lang, phrasings in base.out_of_scope.phrasings.items():
        documents += [(OUT_OF_SCOPE, lang, text) for text in phrasings]
    documents.sort(key=lambda doc: doc[0])
    return documents, keywords


def dense_fingerprint(base: KnowledgeBase) -> str:
    return _dense_fingerprint(indexed_texts(base)[0])


class Matcher:
    """An index over one knowledge base; build once per loaded base. With an `encoder`, the
    phrasings' sentence vectors (from `vectors_dir`'s cache when given) add a dense score;
    `partial_base` (a base with phrasings held out) leaves the cache's other texts alone."""

    def __init__(self, base: KnowledgeBase, *, encoder: Encoder | None = None,
                 vectors_dir: Path | None = None, partial_base: bool = False) -> None:
        documents, keywords = indexed_texts(base)
        texts = documents + keywords

        # One (feature, weight) pair per distinct feature of every text, in flat arrays with
        # each text's count: already a CSR matrix (texts x features), documents first. int32
        # ids, float32 weights, in-place and chunked arithmetic and no sort over all pairs keep
        # the 10,000-entry base (28 M pairs) within a gigabyte.
        self._feature_ids: dict[str, int] = {}
        feature_ids, term_weights = array("i"), array("f")
        lengths = np.zeros(len(texts), dtype=np.int64)
        for row, (_, lang, text) in enumerate(texts):
            found = features(text, lang)
            lengths[row] = len(found)
            for name, weight in found.items():
                feature_ids.append(self._feature_id(name))
                term_weights.append(sublinear(weight))
        feats = np.frombuffer(feature_ids, dtype=np.int32)
        vocabulary_size = len(self._feature_ids)
        document_frequency = np.bincount(feats, minlength=vocabulary_size)
        self._idf = (np.log((len(texts) + 1) / (document_frequency + 1)) + 1.0).astype(np.float32)
        del document_frequency
        weights = np.frombuffer(term_weights, dtype=np.float32)  # weighted in place
        for start in range(0, len(weights), NORMALISE_CHUNK):
            end = start + NORMALISE_CHUNK
            weights[start:end] *= self._idf[feats[start:end]]
        indptr = _row_pointers(lengths)
        del lengths
        _normalise_rows(indptr, weights)
        matrix = _csr(weights, feats, indptr, (len(texts), vocabulary_size))

        self._documents = documents
        self._classes = sorted({doc[0] for doc in documents})
        class_index = {name: i for i, name in enumerate(self._classes)}
        self._out_of_scope_index = class_index.get(OUT_OF_SCOPE)
        text_class = np.array([class_index[doc[0]] for doc in texts], dtype=np.int32)
        self._class_starts = np.searchsorted(
            text_class[: len(documents)], np.arange(len(self._classes))
        )
        # Centroid of a class: the sum of its texts' vectors (keywords included), normalised.
        membership = _csr(np.ones(len(texts), dtype=np.float32), text_class,
                          np.arange(len(texts) + 1, dtype=np.int32),
                          (len(texts), len(self._classes))).T.tocsr()
        centroids = (membership @ matrix).tocsr()
        del membership
        _normalise_rows(centroids.indptr, centroids.data)
        self._centroid_index = _Postings.by_feature(centroids)
        del centroids
        self._vocabulary = sorted({fold(w) for _, _, text in texts for w in words(text)})
        self._known_words = frozenset(self._vocabulary)
        # Typo candidates by first letter: a typo rarely hits the first letter, and scanning
        # one bucket instead of the whole vocabulary keeps large bases fast.
        self._words_by_initial: dict[str, list[str]] = {}
        for word in self._vocabulary:
            self._words_by_initial.setdefault(word[:1], []).append(word)
        self._related = {entry.id: list(entry.related) for entry in base.entries.values()}
        self._scope = ScopeGuard(base)
        self._small_talk = SmallTalkReader(base.small_talk)
        self._classifier = _train_classifier(matrix, text_class, vocabulary_size,
                                             len(self._classes))
        # Last, so the whole matrix is freed as soon as its document part is copied by feature.
        documents_end = int(indptr[len(documents)])
        self._documents_index = _Postings.by_feature(_csr(
            weights[:documents_end], feats[:documents_end], indptr[: len(documents) + 1],
            (len(documents), vocabulary_size)))
        del matrix, weights, feats, feature_ids, term_weights
        self._encoder = encoder
        self._dense: tuple[np.ndarray, np.ndarray] | None = None
        if encoder is not None and len(self._classes) > 1:
            texts_only = [text for _, _, text in documents]
            labels = text_class[: len(documents)]
            if vectors_dir is None:
                self._dense = _train_dense(encoder.encode(texts_only), labels,
                                           len(self._classes))
            else:
                cache = ClassifierCache(vectors_dir, encoder)
                fingerprint = _dense_fingerprint(documents)
                self._dense = cache.load(fingerprint)
                if self._dense is None:
                    vectors = VectorCache(vectors_dir, encoder).vectors(
                        texts_only, keep_unused=partial_base)
                    self._dense = _train_dense(vectors, labels, len(self._classes))
                    if not partial_base:
                        cache.save(fingerprint, *self._dense)

    def _feature_id(self, name: str) -> int:
        return self._feature_ids.setdefault(name, len(self._feature_ids))

    @property
    def encodes(self) -> bool:
        """Questions go through the sentence encoder (~20 ms of CPU each), not words alone."""
        return self._encoder is not None and self._dense is not None

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
        dense: bool = True,
    ) -> Match:
        """Match a question; `lang` forces its language, else it is detected; `dense=False`
        skips the encoder (quick guesses, grouping).

        Small talk and questions outside LIS Gdynia (scope.yaml) are told apart first; a
        greeting before a question is dropped; in a message of several sentences, a second
        question gets its own topic (`also`), and a question in the middle of a chatty
        message is found when the whole message matches nothing."""
        lang = lang or detect_language(question, fallback_lang)
        talk, rest = self._small_talk.read(question)
        if talk and not rest:
            return Match(question, lang, None, 0.0, [], small_talk=talk[-1])
        verdict = self._scope.check(rest)
        if verdict is not None:
            return Match(question, lang, None, 0.0, [], scope=verdict,
                         explanation={"scope": f"{verdict.kind}: {verdict.rule}"} if explain
                         else {})
        whole = self._score(rest, lang, explain, dense)
        segments = [s for s in _sentences(rest) if len(words(s)) >= SEGMENT_MIN_WORDS]
        # A message the out-of-scope examples clearly win is not rescued by one of its pieces.
        rescuable = whole.topic is None and whole.out_of_scope_gap < SEGMENT_RESCUE_GAP
        if len(segments) > 1 and (rescuable or rest.count("?") > 1):
            # Sentence by sentence on words only: one encoding per message keeps it fast.
            found = [m for m in (self._score(s, lang, False, dense=False) for s in segments)
                     if m.topic]
            topics = list(dict.fromkeys(m.topic for m in found if m.topic))
            if len(topics) > 1 or (rescuable and topics):
                # Sentence by sentence: each question gets its own answer, the first first.
                best = next(m for m in found if m.topic == topics[0])
                whole = replace(best, explanation=whole.explanation, also=topics[1:2])
        if (whole.topic is None or whole.score < INSULT_BEATS_SCORE) \
                and self._small_talk.is_insult(rest):
            whole = replace(whole, topic=None, small_talk="insult", suggestions=[], also=[])
        return replace(whole, question=question)

    def _score(self, question: str, lang: str, explain: bool, dense: bool = True) -> Match:
        use_dense = dense and self._dense is not None and self._encoder is not None
        # The encoder (C, no GIL) works while the words are scored here.
        encoding = (_encoding_thread().submit(self._encoder.encode, dense_pieces(question))
                    if use_dense and self._encoder is not None else None)
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
        if encoding is not None and self._dense is not None:
            dense_coefficients, dense_intercepts = self._dense
            pieces = encoding.result() * DENSE_SCALE
            margins = pieces @ dense_coefficients.T + dense_intercepts  # pieces x classes
            combined = combined + DENSE_WEIGHT * margins.max(axis=0)  # the piece that asks
        out_of_scope = 0.0
        if self._out_of_scope_index is not None:
            out_of_scope = float(combined[self._out_of_scope_index])
            combined[self._out_of_scope_index] = -np.inf  # it competes, but is no topic
        topics = self._top(combined, MAX_SUGGESTIONS + 1)
        best_topic, best = topics[0] if topics else (None, 0.0)
        limits = (WITH_ENCODER if use_dense
                  else WITH_CLASSIFIER if self._classifier is not None else LEXICAL_ONLY)
        margin = limits.out_of_scope_margin
        if limits.named_margin is not None and self._scope.names_programme(question):
            margin = limits.named_margin
        if best >= limits.answer_score and best - out_of_scope >= margin:
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
        return Match(question, lang, topic, round(best, 4), suggestions, explanation,
                     out_of_scope_gap=out_of_scope - best)

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
        match = self.search(text, lang=lang, explain=True, dense=False)
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


def _train_classifier(matrix: Any, labels: np.ndarray, vocabulary_size: int, class_count: int
                      ) -> tuple[np.ndarray, np.ndarray] | None:
    """A linear SVM on the same vectors: it learns which words tell neighbouring topics apart.

    Its weights are a dense classes x features matrix, so very large bases go without it.
    """
    if class_count < 2 or class_count * vocabulary_size > CLASSIFIER_MAX_CELLS:
        return None
    # Trained once per machine and knowledge version: scikit-learn's import and the training
    # cost more than the rest of a worker's start-up.
    digest = hashlib.sha1(f"{CLASSIFIER_C}|{matrix.shape}|{class_count}".encode())
    for part in (matrix.indptr, matrix.indices, matrix.data, labels):
        digest.update(np.ascontiguousarray(part).tobytes())
    fingerprint = digest.hexdigest()
    cache = ClassifierCache(lemmas.cache_folder(), name="lexical.classifier.npz")
    cached = cache.load(fingerprint)
    if cached is not None:
        return cached
    trained = _linear_svm(matrix, labels, CLASSIFIER_C, class_count)
    cache.save(fingerprint, *trained)
    return trained


def _linear_svm(matrix: Any, labels: np.ndarray, c: float, class_count: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """(classes x features coefficients, intercepts) of a one-vs-rest linear SVM."""
    from sklearn.svm import LinearSVC

    model = LinearSVC(C=c).fit(matrix, labels)
    coefficients = model.coef_.astype(np.float32)
    intercepts = model.intercept_.astype(np.float32)
    if class_count == 2:  # binary SVMs keep one row: the second class's side
        coefficients = np.vstack([-coefficients, coefficients])
        intercepts = np.array([-intercepts[0], intercepts[0]], dtype=np.float32)
    return coefficients, intercepts


def _dense_fingerprint(documents: list[tuple[str, str, str]]) -> str:
    """What the dense classifier depends on: its settings and every (topic, text) pair."""
    digest = hashlib.sha1(f"{DENSE_SCALE}|{DENSE_C}".encode())
    for topic, _lang, text in documents:
        digest.update(f"\n{topic}\t{text_key(text)}".encode())
    return digest.hexdigest()


def _train_dense(vectors: np.ndarray, labels: np.ndarray, class_count: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """A linear SVM on the phrasings' sentence vectors: paraphrases without shared words."""
    return _linear_svm(vectors * DENSE_SCALE, labels, DENSE_C, class_count)


def _normalise(vector: dict[int, float]) -> dict[int, float]:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {f: w / norm for f, w in vector.items()} if norm else {}
