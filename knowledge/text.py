"""Text normalisation shared by the matcher, the validator and the bot."""

from __future__ import annotations

import re
import unicodedata

# 'ł' has no Unicode decomposition, so NFKD alone would keep it.
_LETTERS_WITHOUT_DECOMPOSITION = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O"})
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def fold(text: str) -> str:
    """Lower-case and strip Latin diacritics: 'Zgłoś ŁAWKĘ' -> 'zglos lawke'. Cyrillic stays."""
    if text.isascii():
        return text.casefold()
    return text.translate(_FOLDED).casefold()


def _fold_char(char: str) -> str:
    char = char.translate(_LETTERS_WITHOUT_DECOMPOSITION)
    if char.isascii() or _CYRILLIC.match(char):
        return char  # Ukrainian й and ї are letters of their own, not accented ones
    return "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))


class _FoldTable(dict[int, str]):
    """Each character's folded form, worked out the first time `str.translate` meets it: the
    matcher folds every word of every message, and a Python loop per character cost more than
    the rest of matching. Bounded, so text full of rare characters cannot grow it for good."""

    LIMIT = 20_000

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if len(self) < self.LIMIT:
            self[code] = folded
        return folded


_FOLDED = _FoldTable()


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))
