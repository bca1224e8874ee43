"""Masking keeps what a question is about and drops who asked and how to reach them.

A table of common forms, in Polish, Ukrainian and English: what must go, what must stay.
"""

from __future__ import annotations

import pytest

from knowledge.masking import mask_personal_data

KNOWN = frozenset({"oksywie", "oksywiu", "chylonia", "chyloni", "przystan", "przystani",
                   "lipowa", "budzet", "obywatelski", "gdynia", "gdyni", "karwiny", "karwinach",
                   "wymiennikownia", "lis", "urbanlab", "bo", "redlowo", "witomino", "obluze"})

# (text, what must not survive, what must survive)
CASES = [
    # e-mail addresses, however written
    ("mój mail to ala.nowak@example.com", ["ala.nowak", "example.com"], ["mój mail to"]),
    ("pisz na jan.kowalski @ gmail.com prosze", ["jan.kowalski", "gmail"], ["pisz na"]),
    ("adres: jan(at)wp.pl", ["jan(at)wp"], ["adres"]),
    ("email me at john.smith@mail.co.uk thanks", ["john.smith", "mail.co.uk"], ["email me"]),
    ("моя пошта olena.k@ukr.net", ["olena.k", "ukr.net"], ["моя пошта"]),
    ("kontakt: basia_88 małpa onet kropka pl", ["basia_88", "onet"], ["kontakt"]),
    # phones, however grouped
    ("tel. +48 601-234-567", ["601", "234", "567"], ["tel."]),
    ("zadzwońcie 601/234/567", ["601", "234/567"], ["zadzwońcie"]),
    ("mój numer 601 234 567 po 16", ["601 234 567"], ["po 16"]),
    ("call me on (58) 123 45 67", ["123 45 67"], ["call me on"]),
    ("номер +380 67 123 4567", ["123 4567", "+380"], ["номер"]),
    ("telefon 601234567", ["601234567"], ["telefon"]),
    ("tel 58-727-39-00 czy to LIS?", ["727-39-00"], ["LIS"]),
    # PESEL
    ("pesel 90010112345 prosze", ["90010112345"], ["pesel", "prosze"]),
    ("мій PESEL 85021312345", ["85021312345"], ["PESEL"]),
    # Telegram handles and links
    ("napisz do mnie @jan_kowalski_88", ["jan_kowalski_88"], ["napisz do mnie"]),
    ("my telegram is @olena_gdynia", ["olena_gdynia"], ["my telegram is"]),
    ("zobacz https://facebook.com/jan.kowalski.5", ["facebook.com/jan"], ["zobacz"]),
    # names after greetings and introductions, in any case
    ("Dzień dobry, Jan Kowalski z Chyloni, jak zgłosić projekt?", ["Jan", "Kowalski"],
     ["Chyloni", "zgłosić projekt"]),
    ("nazywam się jan kowalski i mam pytanie o BO", ["jan kowalski"], ["mam pytanie o BO"]),
    ("cześć, tu ania, gdzie jest przystań na oksywiu", ["ania"], ["przystań", "oksywiu"]),
    ("Mam na imię Zofia. Kiedy głosowanie?", ["Zofia"], ["Kiedy głosowanie"]),
    ("pozdrawiam, Marek Nowak", ["Marek", "Nowak"], ["pozdrawiam"]),
    ("z tej strony Krzysztof Wiśniewski, pytanie o UrbanLab", ["Krzysztof", "Wiśniewski"],
     ["UrbanLab"]),
    ("jestem pani Kowalska z Karwin, gdzie głosować", ["Kowalska"], ["gdzie głosować"]),
    ("hi, my name is John Smith, how do I vote?", ["John", "Smith"], ["how do I vote"]),
    ("Hello, this is sarah, where is the LIS office?", ["sarah"], ["LIS office"]),
    ("regards, Peter Brown", ["Peter", "Brown"], ["regards"]),
    ("Мене звати Олена Коваленко, де проголосувати?", ["Олена", "Коваленко"],
     ["де проголосувати"]),
    ("мене звати тарас, хочу подати ідею", ["тарас"], ["хочу подати ідею"]),
    ("З повагою, Ірина Шевченко", ["Ірина", "Шевченко"], ["З повагою"]),
    ("Добрий день, я Наталія з Хилонії", ["Наталія"], ["Добрий день"]),
    ("moja córka Zuzanna ma 15 lat, czy może złożyć projekt", ["Zuzanna"],
     ["15 lat", "złożyć projekt"]),
    # street addresses with numbers and postal codes
    ("mieszkam na ul. Lipowej 15/3, co z przystanią", ["15/3"], ["ul. Lipowej", "przystanią"]),
    ("adres: ulica Świętojańska 20 m. 4, 81-368 Gdynia", ["20", "m. 4", "81-368"],
     ["Świętojańska", "Gdynia"]),
    ("al. Zwycięstwa 96/98 czy tam jest LIS?", ["96/98"], ["al. Zwycięstwa", "LIS"]),
    ("I live at 12/7 Starowiejska street in Gdynia", ["12/7"], ["Starowiejska", "Gdynia"]),
    ("вул. Морська 45, кв. 12", ["45", "кв. 12"], ["Морська"]),
    ("kod pocztowy 81-346", ["81-346"], ["kod pocztowy"]),
    # what must stay: places, programmes, amounts, years, dates
    ("ile kosztuje projekt za 50 000 zł na Karwinach", [], ["50 000 zł", "Karwinach"]),
    ("czy 1 250 000 zł to limit w 2026?", [], ["1 250 000 zł", "2026"]),
    ("gdzie jest Wymiennikownia w Gdyni?", [], ["Wymiennikownia", "Gdyni"]),
    ("głosowanie 7-21 września 2026 na Witomino", [], ["7-21 września 2026"]),
    ("przystań Lipowa 15 godziny otwarcia", [], ["Lipowa", "godziny otwarcia"]),
]


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 40
    languages = {"pl": 0, "uk": 0, "en": 0}
    for text, _gone, _kept in CASES:
        if any("\u0400" <= char <= "\u04ff" for char in text):
            languages["uk"] += 1
        elif any(word in text.lower() for word in ("the ", "my ", "me ", "hi", "hello", "regards",
                                                    "i live")):
            languages["en"] += 1
        else:
            languages["pl"] += 1
    assert min(languages.values()) >= 7, languages


@pytest.mark.parametrize(("text", "gone", "kept"), CASES, ids=[c[0][:40] for c in CASES])
def test_masking(text: str, gone: list[str], kept: list[str]) -> None:
    masked = mask_personal_data(text, KNOWN)
    for part in gone:
        assert part not in masked, masked
    for part in kept:
        assert part in masked, masked
