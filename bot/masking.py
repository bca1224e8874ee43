"""Masks what looks like personal data before a question's text is kept for staff."""

from __future__ import annotations

import re
from collections.abc import Collection

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_URL = re.compile(r"https?://\S+")
_PESEL = re.compile(r"(?<!\d)\d{11}(?!\d)")
# 7+ digits, allowing the spaces, dashes, dots and brackets people put in phone numbers.
_PHONE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{5,}\d(?![\w])")
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZĄĆĘŁŃÓŚŹŻА-ЯІЇЄҐ][\w'’-]+")


def mask_personal_data(text: str, known_words: Collection[str] = ()) -> str:
    """Replace e-mails, PESEL numbers, phone numbers and likely names with placeholders.

    A capitalised word not at the start of a sentence counts as a possible name unless it
    is a word the knowledge base knows (district and programme names, for example).
    """
    masked = _EMAIL.sub("[e-mail]", text)
    masked = _URL.sub("[link]", masked)
    masked = _PESEL.sub("[pesel]", masked)
    masked = _PHONE.sub("[phone]", masked)

    def name_or_word(match: re.Match[str]) -> str:
        word = match.group(0)
        return word if word.casefold() in known_words else "[name]"

    return _CAPITALISED.sub(name_or_word, masked)
