"""Benchmark of the question matcher (knowledge.search.Matcher): build time, latency, memory.

Run from the repository root:

    python benchmarks/search.py                # about two minutes on two cores
    python benchmarks/search.py --trace-all    # also tracemalloc the 10,000-entry build (slow)

Measures three knowledge bases: the real one in knowledge/, and synthetic bases of 1,000 and
10,000 entries generated deterministically from a Polish-like vocabulary. For each it prints
the number of entries and indexed documents, the index build time, the p50/p99 latency of a few
hundred questions, the tracemalloc peak of building the index, the process peak RSS
(getrusage maxrss) after building, and the share of questions answered with the right entry.

Every measurement runs in a fresh child process (this script with `--child MODE BASE`): maxrss
is a process-wide high-water mark, so bases measured one after another in one process would
blur each other's figures. Each base is built twice, in two children: once timed (build time,
RSS, latency) and once under tracemalloc, which slows allocation about fourfold and so must not
share a run with the timing. The timed runs go one at a time in one lane and the traced builds
in a second lane alongside (two cores); `--sequential` runs the lanes one after the other.
Tracing the 10,000-entry build alone takes about nine minutes (and 18 GB of RAM), so it is left
out unless asked for.

Figures only: nothing here asserts or compares against thresholds.
"""

from __future__ import annotations

import argparse
import csv
import gc
import itertools
import json
import math
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runs without installing the project

from knowledge.analyzer import warm_up  # noqa: E402
from knowledge.evaluation import OUT_OF_SCOPE_LABEL  # noqa: E402
from knowledge.loader import load_knowledge  # noqa: E402
from knowledge.model import LOCALES, Entry, KnowledgeBase  # noqa: E402
from knowledge.search import Matcher  # noqa: E402

KNOWLEDGE_DIR = ROOT / "knowledge"
DEV_TSV = ROOT / "tests" / "data" / "dev.tsv"
QUERY_COUNT = 300
REAL_TYPO_VARIANTS = 24
SYNTHETIC_SIZES = (1_000, 10_000)
PHRASINGS_PER_LOCALE = 8
SEED = 20_261_124

# --------------------------------------------------------------------------------------------
# Vocabulary: real words (inflected forms included, so the lemmatiser has work to do) mixed with
# generated syllable words that inflect with real endings, so that character n-grams of one
# stem are shared across its forms while its lemmas are unknown to simplemma.
# --------------------------------------------------------------------------------------------

POLISH_WORDS = """
budżet budżetu budżecie obywatelski obywatelskiego obywatelskim projekt projektu projekty
projektów wniosek wniosku wnioski wniosków głosowanie głosowania głosować zagłosować
mieszkaniec mieszkańcy mieszkańców mieszkańcom dzielnica dzielnicy dzielnicach rada rady radzie
miasto miasta mieście miejski miejskiego miejska urząd urzędu urzędzie ulica ulicy ulicę park
parku parki plac placu placem zabaw ławka ławki ławkę drzewo drzewa drzew chodnik chodnika
chodniki ścieżka ścieżki rowerowa rowerowej przystanek przystanku autobus autobusu szkoła
szkoły szkole przedszkole przedszkola biblioteka biblioteki boisko boiska siłownia siłowni
plenerowa plenerowej oświetlenie oświetlenia lampa lampy latarnia latarni parking parkingu
zieleń zieleni skwer skweru trawnik trawnika kwiaty kwietnik konsultacje konsultacji spotkanie
spotkania spotkaniu warsztaty warsztatów termin terminu terminy harmonogram harmonogramu
wyniki wyników lista listy karta karty formularz formularza załącznik załącznika podpis
podpisy podpisów koszt kosztu koszty kosztów kosztorys kosztorysu wycena wyceny kwota kwoty
limit limitu pieniądze pieniędzy złotych realizacja realizacji realizować zrealizować
weryfikacja weryfikacji ocena oceny odwołanie odwołania protest protestu pomysł pomysłu
pomysły pomysłów inicjatywa inicjatywy lokalna lokalnej lokalny sąsiedzka sąsiedzkiej
przystań przystani centrum centrach świetlica świetlicy seniorzy seniorów młodzież młodzieży
dzieci dzieciom rodzina rodziny pies psa psów wybieg wybiegu kosz kosze śmietnik śmieci
odpady odpadów hałas hałasu remont remontu naprawa naprawy zgłoszenie zgłoszenia zgłosić
złożyć złożenie wypełnić wysłać sprawdzić zapisać zapisy zapisów regulamin regulaminu zasady
zasad uchwała uchwały zarządzenie zarządzenia prezydent prezydenta edycja edycji rok roku
miesiąc miesiąca tydzień tygodnia dzień dni wtorek środa czwartek godzina godziny adres
adresu telefon telefonu mail maila strona strony internet internetu aplikacja aplikacji konto
konta logowanie hasło hasła pomoc pomocy porada porady informacja informacji pytanie pytania
dokument dokumentu dokumenty zgoda zgody właściciel właściciela działka działki teren terenu
grunt gruntu mapa mapy obszar obszaru rewitalizacja rewitalizacji odnowa odnowy program
programu grant grantu grantów dotacja dotacji stypendium stypendia organizacja organizacji
fundacja fundacji stowarzyszenie stowarzyszenia wolontariat wolontariusz wolontariuszy
""".split()

POLISH_FUNCTION = """
jak gdzie kiedy czy co kto ile dlaczego można trzeba muszę chcę chciałbym chciałabym moja mój
nasz nasza na w we z ze do od po przy dla o bez za przez się jest są był była będzie mam
mamy proszę dzień dobry witam pytanie mieszkam jestem tego tym ten ta to jaki jaka jakie który
która które jeszcze już tylko też albo i a ale że żeby gdy jeśli
""".split()

QUESTION_FRAMES_PL = [
    "jak {a} {b}", "gdzie {a} {b}", "kiedy {a} {b} {c}", "czy można {a} {b}",
    "co z {a} {b}", "ile kosztuje {a} {b}", "kto {a} {b} {c}", "{a} {b} {c}",
    "chciałbym {a} {b} w {d}", "dzień dobry, jak {a} {b} {c}?", "mam pytanie o {a} {b}",
    "czy {a} {b} jest w {d}", "proszę o informacje {a} {b}", "mieszkam na {d}, {a} {b}",
    "jaki jest termin {a} {b}", "{a} {b} {c} gdzie to",
]

UKRAINIAN_WORDS = """
бюджет бюджету громадський громадського проєкт проєкти проєктів заявка заявку заявки
голосування голосувати мешканці мешканців район району рада ради місто міста місті вулиця
вулиці парк парку майданчик дитячий лавка лавки дерево дерева тротуар доріжка велосипедна
зупинка автобус школа школи садок бібліотека спортивний освітлення ліхтар паркування зелень
консультації зустріч зустрічі семінар термін терміни графік результати список форма додаток
підпис підписи вартість кошторис сума ліміт гроші злотих реалізація перевірка оцінка
оскарження ідея ідеї ініціатива місцева сусідська центр молодь діти родина собака сміття
відходи шум ремонт подати заповнити надіслати перевірити записатися правила ухвала
президент випуск рік місяць тиждень день адреса телефон пошта сайт застосунок акаунт пароль
допомога порада інформація питання документ згода власник ділянка територія карта програма
грант дотація стипендія організація фонд волонтер волонтери
""".split()

UKRAINIAN_FUNCTION = """
як де коли чи що хто скільки чому можна треба хочу мій моя наш на в у з до від по для про
без за через є був буде маю будь ласка добрий день живу я цей ця це який яка які ще вже
тільки теж або і але що щоб якщо
""".split()

QUESTION_FRAMES_UK = [
    "як {a} {b}", "де {a} {b}", "коли {a} {b} {c}", "чи можна {a} {b}", "що з {a} {b}",
    "скільки коштує {a} {b}", "хто {a} {b} {c}", "{a} {b} {c}", "добрий день, як {a} {b}?",
    "маю питання про {a} {b}", "я живу в {d}, {a} {b}", "який термін {a} {b}",
]

ENGLISH_WORDS = """
budget budgets civic participatory project projects proposal proposals application vote votes
voting resident residents district districts council city municipal office street streets
park parks playground bench benches tree trees pavement path bike cycle lane stop bus school
schools kindergarten library sports pitch gym outdoor lighting lamp lamps parking green
square lawn flowers consultation consultations meeting meetings workshop workshops deadline
deadlines schedule results list form forms attachment signature signatures cost costs
estimate amount limit money zloty implementation verification assessment appeal appeals idea
ideas initiative local neighbourhood centre youth children family dog dogs rubbish waste
noise repair repairs report submit submitted submitting fill send check register rules
resolution mayor edition year month week day address phone email website app account
password help advice information question document consent owner plot land map area
regeneration programme grant grants subsidy scholarship organisation foundation volunteer
volunteers
""".split()

ENGLISH_FUNCTION = """
how where when can could should what who how much why need want my our the a an in on at to
from for about with without by is are was will be have has please hello hi I live this that
which still already only also or and but if
""".split()

QUESTION_FRAMES_EN = [
    "how do I {a} {b}", "where is the {a} {b}", "when does {a} {b} {c}", "can I {a} {b}",
    "what about {a} {b}", "how much does {a} {b} cost", "who {a} {b} {c}", "{a} {b} {c}",
    "hello, how to {a} {b}?", "I have a question about {a} {b}", "I live in {d}, {a} {b}",
    "what is the deadline for {a} {b}",
]

DISTRICTS = [
    "Oksywie", "Obłuże", "Chylonia", "Grabówek", "Działki Leśne", "Witomino", "Redłowo",
    "Orłowo", "Wzgórze św. Maksymiliana", "Dąbrowa", "Karwiny", "Cisowa", "Pustki Cisowskie",
    "Babie Doły", "Chwarzno-Wiczlino", "Mały Kack", "Wielki Kack", "Śródmieście", "Pogórze",
]

PL_ONSETS = (
    "b c d f g h j k l ł m n p r s t w z ch cz dz rz sz ś ź ż br kr pr tr st sk gr dr pł gł sł"
).split()
PL_VOWELS = "a a e e i o o u y ą ę ó".split()
PL_CODAS = ["", "", "", "n", "r", "s", "k", "ł", "m", "ść", "ń", "w"]
PL_ENDINGS = ["", "a", "y", "u", "ie", "ów", "ami", "ach", "em", "ę", "owi", "ą", "ego", "ej"]

UK_ONSETS = "б в г д ж з к л м н п р с т ф х ц ч ш бр кр пр тр ст гр др пл гл сл".split()
UK_VOWELS = "а а е и і о о у я ю є ї".split()
UK_CODAS = ["", "", "", "н", "р", "с", "к", "л", "м", "й", "ть"]
UK_ENDINGS = ["", "а", "и", "у", "і", "ів", "ами", "ах", "ом", "ою", "ого", "ої"]

EN_ONSETS = "b c d f g h j k l m n p r s t v w br cr pr tr st sk gr dr pl gl sl th sh ch".split()
EN_VOWELS = "a e i o u ea oo ai ou".split()
EN_CODAS = ["", "", "n", "r", "s", "t", "ck", "ll", "m", "nd", "ng"]
EN_ENDINGS = ["", "", "s", "ing", "ed", "er", "ers"]

LANGUAGE_PARTS = {
    "pl": (POLISH_WORDS, POLISH_FUNCTION, QUESTION_FRAMES_PL,
           (PL_ONSETS, PL_VOWELS, PL_CODAS, PL_ENDINGS)),
    "uk": (UKRAINIAN_WORDS, UKRAINIAN_FUNCTION, QUESTION_FRAMES_UK,
           (UK_ONSETS, UK_VOWELS, UK_CODAS, UK_ENDINGS)),
    "en": (ENGLISH_WORDS, ENGLISH_FUNCTION, QUESTION_FRAMES_EN,
           (EN_ONSETS, EN_VOWELS, EN_CODAS, EN_ENDINGS)),
}


def _syllable_stem(rng: random.Random, parts: tuple[list[str], ...]) -> str:
    onsets, vowels, codas, _ = parts
    return "".join(
        rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas)
        for _ in range(rng.choice((2, 2, 3, 3, 4)))
    )


class Vocabulary:
    """One locale's words: real forms drawn Zipf-like, plus generated stems with endings."""

    def __init__(self, lang: str, rng: random.Random, generated_stems: int) -> None:
        real, function, frames, parts = LANGUAGE_PARTS[lang]
        self.lang = lang
        self.real = list(dict.fromkeys(real))
        self.function = function
        self.frames = frames
        self.endings = parts[3]
        stems: dict[str, None] = {}
        while len(stems) < generated_stems:
            stems[_syllable_stem(rng, parts)] = None
        self.stems = list(stems)
        # Zipf-like weights: a few real words appear in many entries, most in few.
        weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(self.real))]
        self.cumulative = list(itertools.accumulate(weights))

    def real_word(self, rng: random.Random) -> str:
        return rng.choices(self.real, cum_weights=self.cumulative)[0]

    def inflect(self, rng: random.Random, stem: str) -> str:
        return stem + rng.choice(self.endings)


def _entry(
    rng: random.Random, index: int, vocabularies: dict[str, Vocabulary], review_start: date
) -> Entry:
    title: dict[str, str] = {}
    answer: dict[str, str] = {}
    phrasings: dict[str, list[str]] = {}
    keywords: dict[str, list[str]] = {}
    # A Polish proper name of the topic that residents also type in Ukrainian and English.
    proper_name = rng.choice(vocabularies["pl"].stems).capitalize()
    for lang in LOCALES:
        vocab = vocabularies[lang]
        # The topic: two rare generated stems (what tells entries apart) and three real words
        # (shared with many other entries, as in a real base).
        stems = rng.sample(vocab.stems, 2)
        reals = list(dict.fromkeys(vocab.real_word(rng) for _ in range(3)))
        topic = stems + reals
        title[lang] = f"{vocab.inflect(rng, stems[0]).capitalize()} {reals[0]} {stems[1]}"
        keywords[lang] = [stems[0], stems[1], " ".join(reals[:2]), proper_name]
        sentences = []
        pool = topic + vocab.function + [vocab.real_word(rng) for _ in range(10)]
        for _ in range(rng.randint(3, 6)):
            body = [rng.choice(pool) for _ in range(rng.randint(8, 16))]
            sentences.append(" ".join(body).capitalize() + ".")
        answer[lang] = " ".join(sentences)
        phrasings[lang] = []
        for _ in range(PHRASINGS_PER_LOCALE):
            picked = rng.sample(topic, 3)
            slots = {
                "a": vocab.inflect(rng, picked[0]) if picked[0] in stems else picked[0],
                "b": vocab.inflect(rng, picked[1]) if picked[1] in stems else picked[1],
                "c": vocab.inflect(rng, picked[2]) if picked[2] in stems else picked[2],
                "d": rng.choice(DISTRICTS),
            }
            text = rng.choice(vocab.frames).format(**slots)
            if rng.random() < 0.3:
                text += " " + " ".join(rng.choice(vocab.function) for _ in range(2))
            if lang != "pl" and rng.random() < 0.25:
                text += " " + proper_name
            phrasings[lang].append(text)
    return Entry(
        id=f"syn.t{index % 97:02d}.e{index:05d}",
        title=title,
        answer=answer,
        phrasings=phrasings,
        keywords=keywords,
        related=[],
        last_reviewed=review_start + timedelta(days=rng.randrange(365)),
    )


def synthetic_base(size: int, seed: int = SEED) -> KnowledgeBase:
    """A base of `size` entries; the same `size` and `seed` always give the same base."""
    rng = random.Random(seed * 1_000_003 + size)
    # Enough generated stems that two per entry per locale stay mostly distinct.
    stem_count = max(2_000, size * 2)
    vocabularies = {lang: Vocabulary(lang, rng, stem_count) for lang in LOCALES}
    start = date(2026, 1, 1)
    entries = [_entry(rng, i, vocabularies, start) for i in range(size)]
    # The real out-of-scope examples: a deployed base of any size would keep them.
    out_of_scope = load_knowledge(KNOWLEDGE_DIR).out_of_scope
    return KnowledgeBase(entries={e.id: e for e in entries}, out_of_scope=out_of_scope)


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------

_NO_DECOMPOSITION = str.maketrans({"ł": "l", "Ł": "L"})


def strip_diacritics(text: str) -> str:
    """'Zgłoś ławkę' -> 'Zglos lawke' (Latin only; Cyrillic letters stay as they are)."""
    out = []
    for char in text.translate(_NO_DECOMPOSITION):
        if "\u0400" <= char <= "\u04ff":
            out.append(char)
        else:
            decomposed = unicodedata.normalize("NFD", char)
            out.extend(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", "".join(out))


def typo(rng: random.Random, text: str) -> str:
    """One keyboard slip (drop, swap, double or replace a letter) in one longer word."""
    tokens = text.split(" ")
    candidates = [i for i, t in enumerate(tokens) if sum(c.isalpha() for c in t) >= 4]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = tokens[i]
    pos = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "swap", "double", "replace"))
    if kind == "drop":
        word = word[:pos] + word[pos + 1:]
    elif kind == "swap":
        word = word[:pos - 1] + word[pos] + word[pos - 1] + word[pos + 1:]
    elif kind == "double":
        word = word[:pos] + word[pos] + word[pos:]
    else:
        letters = "абвгдеиклмнопрсту" if "\u0400" <= word[pos] <= "\u04ff" else "aeioulnrstkz"
        word = word[:pos] + rng.choice(letters) + word[pos + 1:]
    tokens[i] = word
    return " ".join(tokens)


def drop_word(rng: random.Random, text: str) -> str:
    tokens = text.split(" ")
    if len(tokens) < 3:
        return text
    del tokens[rng.randrange(len(tokens))]
    return " ".join(tokens)


def perturb(rng: random.Random, text: str) -> str:
    """At least one of: a dropped word, a typo, missing diacritics."""
    while True:
        changed = text
        if rng.random() < 0.4:
            changed = drop_word(rng, changed)
        if rng.random() < 0.6:
            changed = typo(rng, changed)
        if rng.random() < 0.5:
            changed = strip_diacritics(changed)
        if changed != text:
            return changed


def synthetic_queries(
    base: KnowledgeBase, count: int = QUERY_COUNT, seed: int = SEED
) -> list[tuple[str, str]]:
    """(expected entry id, question): perturbed phrasings of random entries, mostly Polish."""
    rng = random.Random(seed + 7)
    ids = sorted(base.entries)
    queries = []
    for _ in range(count):
        entry = base.entries[rng.choice(ids)]
        lang = rng.choices(LOCALES, weights=(70, 15, 15))[0]
        queries.append((entry.id, perturb(rng, rng.choice(entry.phrasings[lang]))))
    return queries


def real_queries(count: int = QUERY_COUNT, seed: int = SEED) -> list[tuple[str, str]]:
    """dev.tsv questions plus typo'd variants of some of them, cycled to `count`."""
    with DEV_TSV.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        rows = [(row["topic"], row["question"]) for row in reader]
    rng = random.Random(seed + 11)
    variants = [
        (topic, typo(rng, question)) for topic, question in rng.sample(rows, REAL_TYPO_VARIANTS)
    ]
    pool = rows + variants
    return [pool[i % len(pool)] for i in range(count)]


# --------------------------------------------------------------------------------------------
# Measuring one base (in a child process)
# --------------------------------------------------------------------------------------------


def _maxrss_mb() -> float:
    # Linux reports kilobytes, macOS bytes.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def _base_and_queries(name: str) -> tuple[str, KnowledgeBase, list[tuple[str, str]]]:
    if name == "real":
        return "real (knowledge/)", load_knowledge(KNOWLEDGE_DIR), real_queries()
    base = synthetic_base(int(name))
    return f"synthetic {int(name):,}", base, synthetic_queries(base)


def measure_time(name: str) -> dict[str, object]:
    """Build time, RSS and query latency of one base, in a fresh process."""
    warm_up()  # simplemma's dictionaries, not timed
    started = time.perf_counter()
    label, base, queries = _base_and_queries(name)
    prepare_s = time.perf_counter() - started
    gc.collect()
    rss_before = _maxrss_mb()

    started = time.perf_counter()
    matcher = Matcher(base)
    build_s = time.perf_counter() - started
    rss_after = _maxrss_mb()

    latencies = []
    matches = []
    for _, question in queries:
        started = time.perf_counter()
        match = matcher.search(question)
        latencies.append((time.perf_counter() - started) * 1000)
        matches.append(match)

    in_scope = [(e, q, m) for (e, q), m in zip(queries, matches, strict=True)
                if e != OUT_OF_SCOPE_LABEL]
    answered = sum(m.topic == e for e, _, m in in_scope)
    # Ranked first, abstaining or not: certain when answered; otherwise ask again (untimed).
    ranked_first = answered + sum(
        matcher.search(q, explain=True).explanation["top"][0][0] == e
        for e, q, m in in_scope
        if m.topic != e
    )
    return {
        "name": label,
        "entries": len(base.entries),
        "documents": len(matcher._documents),
        "keyword_texts": sum(len(k) for e in base.entries.values() for k in e.keywords.values()),
        "features": len(matcher._feature_ids),
        "known_words": len(matcher.known_words),
        "prepare_s": prepare_s,
        "build_s": build_s,
        "queries": len(queries),
        "p50_ms": statistics.median(latencies),
        "p99_ms": _percentile(latencies, 0.99),
        "mean_ms": statistics.fmean(latencies),
        "max_ms": max(latencies),
        "in_scope": len(in_scope),
        "answered": answered,
        "abstained": sum(m.topic is None for _, _, m in in_scope),
        "ranked_first": ranked_first,
        "rss_before_mb": rss_before,
        "rss_after_mb": rss_after,
    }


def measure_trace(name: str) -> dict[str, object]:
    """tracemalloc peak of building the index, in a fresh process of its own: tracing slows
    allocation several times over, so it must not share a run with the timing."""
    warm_up()
    _, base, _ = _base_and_queries(name)
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    matcher = Matcher(base)
    traced_s = time.perf_counter() - started
    retained, peak = tracemalloc.get_traced_memory()  # retained: what the built index keeps
    tracemalloc.stop()
    del matcher
    return {
        "trace_peak_mb": peak / 2**20,
        "trace_retained_mb": retained / 2**20,
        "traced_build_s": traced_s,
    }


def _child(mode: str, name: str) -> dict[str, object] | None:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", mode, name],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        print(f"{mode} {name}: the child process failed:\n{done.stderr}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------
# Table
# --------------------------------------------------------------------------------------------


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(cell.rjust(width) if i else cell.ljust(width)
                     for i, (cell, width) in enumerate(zip(cells, widths, strict=True)))


def print_table(results: list[dict[str, object]]) -> None:
    header = ["base", "entries", "documents", "build s", "p50 ms", "p99 ms",
              "trace peak MB", "maxrss MB", "top-1", "ranked 1st"]
    rows = [header]
    for r in results:
        trace = r.get("trace_peak_mb")
        rows.append([
            str(r["name"]),
            f"{r['entries']:,}",
            f"{r['documents']:,}",
            f"{r['build_s']:.2f}",
            f"{r['p50_ms']:.2f}",
            f"{r['p99_ms']:.2f}",
            f"{trace:,.0f}" if trace is not None else "not traced",
            f"{r['rss_after_mb']:,.0f}",
            f"{r['answered'] / r['in_scope']:.1%}",
            f"{r['ranked_first'] / r['in_scope']:.1%}",
        ])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    print(_row(rows[0], widths))
    print("  ".join("-" * w for w in widths))
    for row in rows[1:]:
        print(_row(row, widths))
    print()
    for r in results:
        traced = (
            f"; index retained after build {r['trace_retained_mb']:,.0f} MB (tracemalloc), "
            f"traced build {r['traced_build_s']:.1f} s"
            if r.get("traced_build_s") is not None
            else ""
        )
        print(
            f"{r['name']}: +{r['keyword_texts']:,} keyword texts (centroids only), "
            f"{r['features']:,} features, {r['known_words']:,} known words; "
            f"{r['queries']} queries ({r['in_scope']} in scope, {r['abstained']} of them "
            f"abstained or unsure): mean {r['mean_ms']:.2f} ms, "
            f"max {r['max_ms']:.2f} ms; maxrss before build {r['rss_before_mb']:,.0f} MB; "
            f"base and queries prepared in {r['prepare_s']:.2f} s{traced}"
        )
    print()
    print("documents: texts the nearest-phrasing index holds (titles, phrasings, out-of-scope "
          "examples); keywords are vectorised too but only shape each entry's centroid.")
    print("build s: wall time of Matcher(base). p50/p99: Matcher.search per question "
          "(time.perf_counter), nearest rank.")
    print("trace peak MB: tracemalloc peak while building, in a separate process (untimed "
          "build). maxrss MB: peak RSS of the timing process right after building; it "
          "includes the interpreter, simplemma's dictionaries and the base (the 'before "
          "build' figure above). not traced: run with --trace-all (the traced 10,000-entry build "
          "takes about 9 minutes and 18 GB).")
    print("top-1: in-scope queries answered (Match.topic) with the expected entry. ranked 1st: "
          "expected entry scored highest, whether or not the matcher answered.")
    print(f"Real queries: tests/data/dev.tsv plus {REAL_TYPO_VARIANTS} typo'd variants, cycled "
          f"to {QUERY_COUNT} (its out-of-scope rows are timed, not counted in top-1). "
          "Synthetic: perturbed phrasings (dropped word, typo, no diacritics) of random "
          "entries, 70% pl, 15% uk, 15% en.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", nargs=2, metavar=("MODE", "BASE"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--trace-all", action="store_true",
        help=f"also trace the {SYNTHETIC_SIZES[-1]:,}-entry build (about 9 minutes and 18 GB "
             "of RAM on a 2-core machine)",
    )
    parser.add_argument(
        "--sequential", action="store_true",
        help="run the tracemalloc builds after the timed runs, not alongside them",
    )
    args = parser.parse_args()
    if args.child:
        mode, name = args.child
        print(json.dumps(measure_time(name) if mode == "time" else measure_trace(name)))
        return

    names = ["real"] + [str(size) for size in SYNTHETIC_SIZES]
    traced = names if args.trace_all else names[:-1]
    # Timed runs go one at a time; the slow tracemalloc builds run in a second lane. The
    # largest base is timed first: the tracing lane (without --trace-all) ends within its
    # build, so the small bases' millisecond latencies are measured with the machine quiet.
    timing_order = names[::-1]

    def lane(mode: str, lane_names: list[str]) -> dict[str, dict[str, object] | None]:
        found = {}
        for name in lane_names:
            started = time.perf_counter()
            found[name] = _child(mode, name)
            print(f"{mode}d {name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        return found

    if args.sequential:
        timings, traces = lane("time", timing_order), lane("trace", traced)
    else:
        with ThreadPoolExecutor(max_workers=2) as pool:
            timing_future = pool.submit(lane, "time", timing_order)
            tracing_future = pool.submit(lane, "trace", traced)
            timings, traces = timing_future.result(), tracing_future.result()

    results = []
    for name in names:
        if timings.get(name) is None:
            continue
        results.append({**timings[name], **(traces.get(name) or {})})
    print_table(results)


if __name__ == "__main__":
    main()
