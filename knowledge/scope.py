"""What a question is about before which entry answers it: small talk, or outside LIS Gdynia.

Rules come from knowledge/scope.yaml and knowledge/small_talk.yaml, written as folded words
("gdansk*" matches Gdańsku, Gdańska...; "rad* miast*" matches "radzie miasta"). They catch
what word statistics get wrong with confidence: another city's participatory budget shares
every word with ours but one; "statut wspólnoty mieszkaniowej" is a housing community's
statute, not LIS's; "awaria wymiennikowni" is a heat substation, not the youth centre.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.model import KnowledgeBase, Sense, SmallTalk
from knowledge.text import fold, words

Cue = tuple[tuple[str, bool], ...]  # (stem, is a prefix) per consecutive word

SMALL_TALK_MAX_WORDS = 8  # a longer message is a question even if it starts "dzień dobry"


def compile_cue(text: str) -> Cue:
    return tuple((part.rstrip("*"), part.endswith("*")) for part in fold(text).split())


def _matches_at(tokens: list[str], start: int, cue: Cue) -> bool:
    if start + len(cue) > len(tokens):
        return False
    return all(tokens[start + i].startswith(stem) if prefix else tokens[start + i] == stem
               for i, (stem, prefix) in enumerate(cue))




class CueSet:
    """Cues indexed by their first word, so a message is read once, not once per cue: each
    token looks up the cues that can start there (exact stems, and prefix stems by every
    prefix length the set has) and only those are checked. `first` gives what `find` gives:
    the earliest cue in the list that occurs anywhere."""

    def __init__(self, cues: list[Cue]) -> None:
        self.cues = cues
        self._exact: dict[str, list[int]] = {}
        self._prefix: dict[str, list[int]] = {}
        for number, cue in enumerate(cues):
            if cue:
                stem, is_prefix = cue[0]
                (self._prefix if is_prefix else self._exact).setdefault(stem, []).append(number)
        self._prefix_lengths = sorted({len(stem) for stem in self._prefix})

    def first(self, tokens: list[str]) -> int | None:
        """The index of the earliest cue that occurs in `tokens`, or None."""
        best: int | None = None
        for start, token in enumerate(tokens):
            candidates = self._exact.get(token, [])
            for length in self._prefix_lengths:
                if length > len(token):
                    break
                candidates = candidates + self._prefix.get(token[:length], [])
            for number in candidates:
                if (best is None or number < best) and _matches_at(tokens, start,
                                                                   self.cues[number]):
                    best = number
        return best

    def found(self, tokens: list[str]) -> bool:
        return self.first(tokens) is not None


def find(tokens: list[str], cues: list[Cue]) -> Cue | None:
    """The first cue (in the list's order) found anywhere in the tokens."""
    found = CueSet(cues).first(tokens)
    return None if found is None else cues[found]


class GroupedCues:
    """Cues of several groups (places, offices) in one `CueSet`: the first group with a cue
    in the message, in the groups' order."""

    def __init__(self, groups: list[list[Cue]]) -> None:
        self._owner = [number for number, cues in enumerate(groups) for _ in cues]
        self._set = CueSet([cue for cues in groups for cue in cues])

    def first_group(self, tokens: list[str]) -> int | None:
        found = self._set.first(tokens)
        return None if found is None else self._owner[found]


def tokens_of(text: str) -> list[str]:
    return [fold(word) for word in words(text)]


@dataclass(frozen=True)
class Verdict:
    """Why the question is not LIS Gdynia's, and what to tell the resident."""

    kind: str  # other_place | other_office | everyday_sense
    rule: str  # the place's name (Polish), the office's or the sense's id
    ask: str | None = None  # a contact id to point to
    names: dict[str, str] = field(default_factory=dict, compare=False)  # a place's, per locale


@dataclass(frozen=True)
class _SenseRule:
    id: str
    ours: CueSet
    around: CueSet
    unless: CueSet

    @classmethod
    def of(cls, sense: Sense) -> _SenseRule:
        return cls(sense.id, CueSet([compile_cue(c) for c in sense.ours]),
                   CueSet([compile_cue(c) for c in sense.around]),
                   CueSet([compile_cue(c) for c in sense.unless]))


class ScopeGuard:
    def __init__(self, base: KnowledgeBase) -> None:
        rules = base.scope
        district_names = [name for d in base.districts for name in (d.name, *d.aliases)]
        programmes = [compile_cue(c) for c in rules.programmes]
        self._gdynia = CueSet([compile_cue(c) for c in [*rules.gdynia, *district_names]])
        self._programmes = CueSet(programmes)
        self._ours = CueSet(programmes + [compile_cue(c) for c in rules.lis])
        self._places = [place.name for place in rules.places]
        self._place_cues = GroupedCues([[compile_cue(c) for c in place.words]
                                        for place in rules.places])
        self._offices = [(office.id, office.ask) for office in rules.offices]
        self._office_cues = GroupedCues([[compile_cue(c) for c in office.words]
                                         for office in rules.offices])
        self._senses = [_SenseRule.of(sense) for sense in rules.senses]

    def check(self, text: str) -> Verdict | None:
        tokens = tokens_of(text)
        for sense in self._senses:
            if sense.ours.found(tokens) and (not sense.around.cues or sense.around.found(
                    tokens)) and not sense.unless.found(tokens):
                return Verdict("everyday_sense", sense.id, "city_hall")
        if not self._gdynia.found(tokens):
            place = self._place_cues.first_group(tokens)
            if place is not None:
                names = self._places[place]
                return Verdict("other_place", names.get("pl", ""), "city_hall", names)
        if not self._ours.found(tokens):
            office = self._office_cues.first_group(tokens)
            if office is not None:
                office_id, ask = self._offices[office]
                return Verdict("other_office", office_id, ask)
        return None


    def names_programme(self, text: str) -> bool:
        """The question names one of LIS's programmes (scope.yaml `programmes`)."""
        return self._programmes.found(tokens_of(text))


class SmallTalkReader:
    """Greetings, thanks and goodbyes as whole messages; a greeting before a question is
    dropped so the question is matched alone; insults anywhere."""

    def __init__(self, kinds: dict[str, SmallTalk]) -> None:
        self.kinds = kinds
        self._phrases = sorted(
            ((kind, tokens_of(phrase)) for kind, talk in kinds.items()
             for phrases in talk.phrases.values() for phrase in phrases),
            key=lambda item: -len(item[1]))  # the longest first: "dzień dobry" before "dzień"
        self._insults = CueSet([compile_cue(w) for talk in kinds.values()
                                for cues in talk.words.values() for w in cues])

    def read(self, text: str) -> tuple[list[str], str]:
        """(the small-talk kinds the message opens with or consists of, the rest of it)."""
        raw = words(text)
        tokens = [fold(word) for word in raw]
        found: list[str] = []
        position = 0
        while position < len(tokens):
            for kind, phrase in self._phrases:
                if phrase and tokens[position:position + len(phrase)] == phrase:
                    found.append(kind)
                    position += len(phrase)
                    break
            else:
                break
        if not found:
            return [], text
        if position == len(tokens) and len(tokens) <= SMALL_TALK_MAX_WORDS:
            return found, ""
        # The rest, from the first word after the small talk, as the resident wrote it.
        rest_start = _offset_of_word(text, raw, position)
        return found, text[rest_start:].strip()

    def is_insult(self, text: str) -> bool:
        return self._insults.found(tokens_of(text))


def _offset_of_word(text: str, raw: list[str], index: int) -> int:
    offset = 0
    for word in raw[:index]:
        offset = text.index(word, offset) + len(word)
    if index < len(raw):
        return text.index(raw[index], offset)
    return len(text)


