"""From a question to weighted features: language, lemmas, folded words and character n-grams.

Residents write without diacritics, with typos and in inflected forms. Lemmas (simplemma)
catch inflection of correctly spelt words; character n-grams of folded words catch the rest
(missing diacritics, typos, unknown forms). Both go into one sparse feature space.
"""

from __future__ import annotations

import math
from collections import defaultdict
from functools import lru_cache

from knowledge import lemmas
from knowledge.text import fold, has_cyrillic, words

NGRAM_SIZES = (3, 4, 5)
WORD_WEIGHT = 1.0
NGRAM_WEIGHT = 0.45
BIGRAM_WEIGHT = 0.6
_POLISH_LETTERS = set("ąćęłńóśźż")


@lru_cache(maxsize=50_000)
def folded_word(word: str) -> str:
    return fold(word)


@lru_cache(maxsize=50_000)
def lemma(word: str, lang: str) -> str:
    """The folded dictionary form of a word (simplemma), or the folded word itself."""
    return fold(lemmas.lemmatizer().lemmatize(word.lower(), lang))


def detect_language(text: str, fallback: str = "pl") -> str:
    """'uk' for Cyrillic; otherwise English or Polish; `fallback` when the words don't tell."""
    if has_cyrillic(text):
        return "uk"
    # Known words decide; Polish letters in names ("Redłowo", "Przystań") must not.
    scores = lemmas.language_shares(text, ("pl", "en"))
    english, polish = scores.get("en", 0.0), scores.get("pl", 0.0)
    if english != polish:
        return "en" if english > polish else "pl"
    if _POLISH_LETTERS & set(text.lower()):
        return "pl"
    return fallback if fallback in ("pl", "en") else "pl"


def warm_up() -> None:
    """Open the lemma dictionaries now rather than on a resident's first question."""
    lemmas.prepare()


def features(text: str, lang: str) -> defaultdict[str, float]:
    """Weighted sparse features of a text written in `lang`."""
    counts: defaultdict[str, float] = defaultdict(float)
    previous: str | None = None
    for word in words(text):
        folded = folded_word(word)
        base = lemma(word, lang)
        counts[f"w:{base}"] += WORD_WEIGHT
        if folded != base:
            counts[f"w:{folded}"] += WORD_WEIGHT / 2
        if previous is not None:
            counts[f"b:{previous}_{base}"] += BIGRAM_WEIGHT
        previous = base
        for gram in char_ngrams(folded):
            counts[f"c:{gram}"] += NGRAM_WEIGHT
    return counts


# The word caches here are sized for what residents write, not for a base being indexed: a
# 10,000-entry build meets 200,000 words, and caches that large kept ~250 MB for good (an
# n-gram tuple is about 1.5 kB) while its misses cost only seconds of build time.
@lru_cache(maxsize=20_000)
def char_ngrams(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    return tuple(
        padded[i : i + n] for n in NGRAM_SIZES for i in range(len(padded) - n + 1)
    )


def sublinear(weight: float) -> float:
    return 1.0 + math.log(weight) if weight >= 1.0 else weight
