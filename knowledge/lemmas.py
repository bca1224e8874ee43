"""simplemma's dictionaries, kept as memory-mapped tries in a disk cache.

The tries (marisa-trie, simplemma's own `TrieDictionaryFactory`) load in milliseconds and cost
a few MB of memory each; simplemma's other backends spend 0.1–1.6 s per language decoding on
every start, or keep hundreds of MB. A trie is built once per machine and simplemma version
(about 8 s and 0.7 GB for Polish, at the release step or on the first question).
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path

import simplemma
from simplemma import LanguageDetector, MostCommonTokenSampler, RelaxedMostCommonTokenSampler
from simplemma.strategies import DefaultStrategy
from simplemma.strategies.dictionaries import DictionaryFactory, StreamDictionaryFactory

LANGUAGES = ("pl", "uk", "en")
_cache_dir: Path | None = None  # where the tries live; the user's cache directory by default

try:
    from marisa_trie import BytesTrie
    from simplemma.strategies.dictionaries import TrieDictionaryFactory
except ImportError:  # pragma: no cover - the extra is a dependency; keep working without it
    TrieDictionaryFactory = None  # type: ignore[assignment,misc]


if TrieDictionaryFactory is not None:

    class AtomicTrieFactory(TrieDictionaryFactory):
        """Writes a trie under a temporary name first: several workers starting at once
        never read one another's half-written file."""

        def _write_trie_to_disk(self, lang: str, trie: BytesTrie) -> None:
            self._cache_dir.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self._cache_dir, suffix=".part")
            os.close(handle)
            try:
                trie.save(temporary)
                os.replace(temporary, self._cache_dir / f"{lang}.dic")
            finally:
                Path(temporary).unlink(missing_ok=True)


def use_cache_dir(folder: Path | None) -> None:
    """Where to build and find the tries (LEMMA_CACHE_DIR); before the first lemma."""
    global _cache_dir  # noqa: PLW0603 - one process-wide setting, fixed at start
    _cache_dir = folder
    dictionaries.cache_clear()
    strategy.cache_clear()
    lemmatizer.cache_clear()


def cache_folder() -> Path:
    """Where the bot keeps what it builds once per machine (LEMMA_CACHE_DIR, else the user's
    cache directory)."""
    if _cache_dir is not None:
        return _cache_dir
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lis-bot"


@lru_cache(maxsize=1)
def dictionaries() -> DictionaryFactory:
    if TrieDictionaryFactory is None:
        return StreamDictionaryFactory()
    folder = _cache_dir
    return AtomicTrieFactory(disk_cache_dir=str(folder / simplemma.__version__)
                             if folder else None)


@lru_cache(maxsize=1)
def strategy() -> DefaultStrategy:
    return DefaultStrategy(dictionary_factory=dictionaries())


@lru_cache(maxsize=1)
def lemmatizer() -> simplemma.Lemmatizer:
    return simplemma.Lemmatizer(lemmatization_strategy=strategy())


def language_shares(text: str, languages: tuple[str, ...]) -> dict[str, float]:
    """The share of a text's words each language knows (simplemma's `langdetect`)."""
    shares: dict[str, float] = {}
    for sampler in (MostCommonTokenSampler(), RelaxedMostCommonTokenSampler()):
        shares = LanguageDetector(languages, sampler, strategy()).proportion_in_each_language(
            text)
        ranked = sorted((v for k, v in shares.items() if k != "unk"), reverse=True)
        if len(ranked) < 2 or ranked[0] != ranked[1]:
            break
    return shares


def prepare(languages: tuple[str, ...] = LANGUAGES) -> None:
    """Build or open every language's trie now (the release step; the bot's start)."""
    for lang in languages:
        dictionaries().get_dictionary(lang)
