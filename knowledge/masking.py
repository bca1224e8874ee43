"""Mask what looks like personal data before a question's text is kept for staff.

What goes: e-mail addresses (also written "jan.kowalski @ gmail.com" or "jan(at)wp.pl"),
Telegram @handles, links, PESEL numbers, phone numbers however they are grouped (601/234/567,
+48 601-234-567), postal codes, house and flat numbers, and people's names: after an
introduction ("nazywam się…", "my name is…", "мене звати…"), common first names in any case
(with the surname after them), and capitalised words the knowledge base does not know.
What stays: the words the knowledge base knows (districts, places, programmes), amounts of
money and years, so that staff can still read what the question was about.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from knowledge.text import fold

EMAIL, LINK, USER, PESEL, PHONE, POSTCODE, NUMBER, NAME = (
    "[e-mail]", "[link]", "[user]", "[pesel]", "[phone]", "[postcode]", "[nr]", "[name]")

_AT = r"(?:\s*@\s*|\s*\((?:at|małpa|malpa)\)\s*|\s*\[(?:at|małpa|malpa)\]\s*|\s+(?:małpa|malpa)\s+)"
_DOT = r"(?:\s*\.\s*|\s*\(dot\)\s*|\s+dot\s+|\s+kropka\s+)"
_EMAIL = re.compile(rf"[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[a-z]{{2,}}\b", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}\b")
_PESEL = re.compile(r"(?<!\d)\d{11}(?!\d)")
# Seven or more digits with the separators people use; amounts of money are left alone.
_PHONE = re.compile(
    r"(?<![\w/])\+?\(?\d{1,4}\)?(?:[\s./-]*\(?\d\)?){6,}(?![\w/])"
    r"(?!\s*(?:zł|zl|pln|złotych|zlotych|tys|mln|euro|eur|грн|злотих))",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"(?<!\d)\d{2}-\d{3}(?!\d)")
_STREET = (r"(?:ul\.?|ulica|ulicy|ulicę|al\.?|aleja|alei|aleję|os\.?|osiedle|osiedlu|pl\.?|plac|"
           r"placu|вул\.?|вулиця|вулиці|вулицю|street|st\.|road|rd\.)")
_HOUSE = (r"\d{1,4}[a-zA-Z]?(?:\s*/\s*\d{1,4}[a-zA-Z]?)?"
          r"(?:\s*(?:m\.?|lok\.?|кв\.?|apt\.?)\s*\d{1,4})?")
_STREET_NUMBER = re.compile(rf"(\b{_STREET}\s+(?:[^\W\d_][\w'’.-]*\s+){{1,3}}){_HOUSE}\b",
                            re.IGNORECASE)
_FLAT_NUMBER = re.compile(r"(?<![\d.,])\d{1,4}[a-zA-Z]?\s*/\s*\d{1,4}[a-zA-Z]?(?![\d%])"
                          r"|\b(?:m\.|lok\.|кв\.|apt\.)\s*\d{1,4}\b", re.IGNORECASE)
_INTRODUCTION = re.compile(
    r"(\b(?:nazywam\s+się|nazywam\s+sie|mam\s+na\s+imię|mam\s+na\s+imie|z\s+tej\s+strony|"
    r"tu\s+(?:pisze|mówi|mowi)|pozdrawiam|z\s+poważaniem|podpisano|my\s+name\s+is|"
    r"this\s+is|regards|cheers|sincerely|мене\s+звати|моє\s+ім'я|моє\s+ім’я|з\s+повагою|"
    r"меня\s+зовут)[\s,:;-]+)((?:[^\W\d_][\w'’-]*)(?:\s+[^\W\d_][\w'’-]*)?)",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZĄĆĘŁŃÓŚŹŻА-ЯІЇЄҐ][\w'’-]+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")

# Common first names (and their usual short forms) in Poland, Ukraine and English-speaking
# countries, folded. Ambiguous ones that are also everyday words ("maja" in "3 maja",
# "róża", "wiktoria") are left out.
FIRST_NAMES = frozenset(fold(name) for name in """
    adam adrian agata agnieszka aleksander aleksandra alicja amelia anna ania andrzej antoni
    arkadiusz artur barbara basia bartek bartosz beata bogdan bożena cezary dagmara damian
    daniel danuta dariusz dawid dominik dorota edyta elżbieta emil emilia ewa ewelina filip
    franciszek gabriela gosia grażyna grzegorz halina hanna henryk hubert igor irena iwona
    jacek jadwiga jakub jan janek janina janusz jarosław jerzy joanna jolanta józef julia
    julian justyna kacper kamil kamila karol karolina kasia katarzyna kazimierz klaudia konrad
    kornelia krystyna krzysztof kuba lena leszek lucyna łucja łukasz maciej magdalena magda
    małgorzata marcin marek maria marian mariusz marta marzena mateusz michał mikołaj milena
    mirosław monika natalia nikola norbert oliwia oliwer patrycja paulina paweł piotr
    przemysław rafał renata robert roman ryszard sebastian stanisław stefan sylwia szymon
    tadeusz teresa tomasz tomek urszula wanda weronika wiesław witold władysław wojciech
    zbigniew zofia zosia zuzanna олена оксана тарас андрій наталія наталя ірина юлія олександр
    олександра дмитро сергій марія ігор віктор анна катерина світлана тетяна богдан василь
    володимир галина людмила микола остап петро роман софія ярослав яна вікторія максим назар
    олег павло степан john james mary michael david sarah emma olivia william thomas jessica
    daniel matthew jennifer robert elizabeth peter paul mark anna kate katie tom
""".split())
NAME_PARTICLES = frozenset({"pan", "pani", "panie", "panią", "mr", "mrs", "ms", "miss", "dr",
                            "пан", "пані"})


def mask_personal_data(text: str, known_words: Collection[str] = ()) -> str:
    """Replace personal data with placeholders; keep districts, places and amounts."""
    masked = _EMAIL.sub(EMAIL, text)
    masked = _URL.sub(LINK, masked)
    masked = _HANDLE.sub(USER, masked)
    masked = _PESEL.sub(PESEL, masked)
    masked = _PHONE.sub(PHONE, masked)
    masked = _POSTCODE.sub(POSTCODE, masked)
    masked = _STREET_NUMBER.sub(lambda m: m.group(1) + NUMBER, masked)
    masked = _FLAT_NUMBER.sub(NUMBER, masked)
    masked = _INTRODUCTION.sub(lambda m: m.group(1) + _names(m.group(2), known_words), masked)
    masked = _mask_first_names(masked)

    def name_or_word(match: re.Match[str]) -> str:
        word = match.group(0)
        if fold(word) in known_words or word.isupper() or _is_street_name(masked, match):
            return word  # a known place, an acronym (PESEL, BO), or a street's name
        return NAME

    return _CAPITALISED.sub(name_or_word, masked)


_STREET_BEFORE = re.compile(rf"\b{_STREET}\s+(?:[^\W\d_][\w'’.-]*\s+){{0,2}}$", re.IGNORECASE)
_STREET_AFTER = re.compile(r"^\s+(?:street|st\.|road|rd\.|avenue|ave\.)\b", re.IGNORECASE)


def _is_street_name(text: str, match: re.Match[str]) -> bool:
    return bool(_STREET_BEFORE.search(text[:match.start()])
                or _STREET_AFTER.match(text[match.end():]))


def _names(words: str, known_words: Collection[str]) -> str:
    """After an introduction: one or two words, unless the second is an ordinary known word."""
    parts = words.split()
    if len(parts) == 2 and fold(parts[1]) in known_words and fold(parts[1]) not in FIRST_NAMES:
        return f"{NAME} {parts[1]}"
    return " ".join(NAME for _ in parts)


def _mask_first_names(text: str) -> str:
    """A known first name in any case, and the surname-like word right after it."""
    tokens = list(_WORD.finditer(text))
    replace: set[int] = set()
    for index, token in enumerate(tokens):
        word = fold(token.group(0))
        if word in FIRST_NAMES or (word in NAME_PARTICLES and index + 1 < len(tokens)
                                   and tokens[index + 1].group(0)[:1].isupper()):
            if word not in NAME_PARTICLES:
                replace.add(index)
            following = index + 1
            if following < len(tokens) and _adjacent(text, token, tokens[following]):
                nxt = tokens[following].group(0)
                if word in NAME_PARTICLES or nxt[:1].isupper() or _looks_like_surname(nxt):
                    replace.add(following)
    pieces: list[str] = []
    last = 0
    for index in sorted(replace):
        token = tokens[index]
        pieces.append(text[last:token.start()])
        pieces.append(NAME)
        last = token.end()
    pieces.append(text[last:])
    return "".join(pieces)


def _adjacent(text: str, first: re.Match[str], second: re.Match[str]) -> bool:
    return text[first.end():second.start()].strip() == ""


_SURNAME_ENDINGS = ("ski", "ska", "cki", "cka", "dzki", "dzka", "wicz", "czyk", "czak", "ak",
                    "ek", "uk", "ko", "enko", "ук", "юк", "енко", "ський", "ська", "ович")


def _looks_like_surname(word: str) -> bool:
    folded = fold(word)
    return len(folded) > 3 and folded.endswith(_SURNAME_ENDINGS)
