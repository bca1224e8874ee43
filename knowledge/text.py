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
    return "".join(_fold_char(c) for c in text.translate(_LETTERS_WITHOUT_DECOMPOSITION)).casefold()


def _fold_char(char: str) -> str:
    if char.isascii() or _CYRILLIC.match(char):
        return char  # Ukrainian й and ї are letters of their own, not accented ones
    return "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))
