"""Rules for the names of private individuals: "Jamie Fraser", "Mrs McLeod", "Li Wei Chen".

A name is a title with a surname, or two to four capitalised words that something says
are a person: a known given name first, the model's PERSON label, or (with a model) a
surname-like last word or simply no other explanation. Runs of capitalised words are
first split at words that are never part of a name here (sentence starters, days, roles,
places, organisation words), and a candidate is dropped when it is the practitioner's
own name, a public figure, a known place or organisation, or the name of a venue
("the Robert Owen Centre", "James Gillespie's High").

The rules take the model's entities as plain spans, so they are tested without spaCy.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from bot.identifiers.findings import Finding
from bot.identifiers.lexicon import LEXICON, Lexicon, phrase_key

TITLES = frozenset({"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor"})
"""Titles that, before a capitalised surname, make a name ("Mr Patel")."""
ACADEMIC_TITLES = frozenset({"Dr", "Prof", "Professor"})
# Lower-case words that can sit inside a name: "Ana de Souza", "Omar bin Laden".
_PARTICLES = frozenset(
    "bin binti bint ibn al el de da di du del della van von der den ter le la dos das".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_SURNAME_SHAPE = re.compile(
    r"^(?:Mc|Mac|O'|O’|Fitz|Al-|El-|al-|el-|Abu|Ben-)[A-Z]"
    r"|(?:ski|ska|sky|wicz|czyk|czak|enko|chuk|czuk|yuk|iuk|ova|eva|ov|ev|ovic|ović|vić|escu"
    r"|oglu|oğlu|zadeh|yan|ian|son|sen|sson|poulos|idis|akis|ides|ishvili|adze|uddin|ullah"
    r"|abadi|zai|wala|kar|ala|ou|ye|ike|wu|emi|ayo|ola|mi|auskas|evicius|avicius|iene|ienė|aite|aitė"
    r"|yte|ytė)$"
)
# Endings of abstract nouns and adjectives, never of a surname: "Violence Prevention".
_NOT_NAME_SHAPE = re.compile(
    r"(?:tion|sion|ment|ness|ity|ance|ence|ship|hood|ism|ology|ics|ful|less|ive|ous|ary|ery"
    r"|ing|ies)$"
)
# The strongest of those, which overrule even the model's PERSON label ("Healthy Eating").
_ABSTRACT_SHAPE = re.compile(
    r"(?:tion|sion|ment|ness|ity|ance|ence|ship|hood|ism|ology|ics|[A-Za-z]{3}ing)$"
)
# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Mt|No|vs|etc|e\.g|i\.e)|\b[A-Z])\.$")
# A run after one of these names a thing: "the Robert Owen Centre", "a National Entitlement
# Card", "their Victoria Park picnic".
_DETERMINER_BEFORE = re.compile(
    r"(?:^|\W)(?:the|a|an|this|that|these|those|our|their|my|your|its|some|any|every|each|no)"
    r" $",
    re.IGNORECASE,
)
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "ORG", "NORP", "EVENT", "PRODUCT"})


@dataclass(frozen=True)
class Entity:
    """A span the language model labelled (spaCy's `ent.start_char`, `end_char`, `label_`)."""

    start: int
    end: int
    label: str


@dataclass
class _Token:
    start: int
    end: int  # end of the word without a possessive ending
    text: str
    possessive: bool
    sentence_start: bool = False


def _is_name_like(word: str) -> bool:
    """Capitalised like a name: "Jamie", "McLeod", "O'Neill", "Al-Sayed", "al-Sayed"."""
    if len(word) < 2 or word.isupper():
        return False
    if word[0].isupper():
        return any(c.islower() for c in word)
    return bool(re.match(r"(?:al|el)-[A-Z]", word))


def _is_initial(word: str) -> bool:
    return len(word) == 1 and word.isupper()


def _at_sentence_start(text: str, position: int) -> bool:
    """Whether a word at `position` starts a sentence, a line or a bullet point."""
    before = text[:position]
    stripped = before.rstrip(" \t\"'“‘([")
    if not stripped or "\n" in before[len(stripped) :]:
        return True
    last = stripped[-1]
    if last in ".!?…":
        return not _ABBREVIATIONS.search(stripped)
    if last in "-•*–":
        line_start = stripped.rfind("\n") + 1
        return not stripped[line_start:-1].strip()
    return False


def _tokens(text: str) -> list[_Token]:
    """Words with their offsets; a possessive ending is kept out of the word."""
    tokens = []
    for match in _WORD.finditer(text):
        word, start, end = match.group(), match.start(), match.end()
        possessive = False
        if len(word) > 2 and word[-2] in "'’" and word[-1] in "sS":
            word, end, possessive = word[:-2], end - 2, True
        elif end < len(text) and text[end] in "'’" and word.endswith("s"):
            if end + 1 == len(text) or not text[end + 1].isalnum():
                possessive = True  # "James' mum"
        tokens.append(_Token(start, end, word, possessive, _at_sentence_start(text, start)))
    return tokens


def _runs(text: str, tokens: list[_Token]) -> list[list[_Token]]:
    """Maximal runs of name-like words (with initials and particles inside), one space
    apart; a possessive ends a run."""
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    for token in tokens:
        joinable = current and not current[-1].possessive
        if joinable:
            gap = text[current[-1].end : token.start]
            if current[-1].text and _is_initial(current[-1].text):
                joinable = gap in {" ", ". "}
            else:
                joinable = gap == " "
        usable = (
            _is_name_like(token.text)
            or (_is_initial(token.text) and bool(current))
            or (token.text in _PARTICLES and bool(current))
        )
        if usable and (joinable or not current):
            current.append(token)
            continue
        if current:
            runs.append(current)
        current = [token] if _is_name_like(token.text) else []
    if current:
        runs.append(current)
    return [_trim(run) for run in runs if run]


def _trim(run: list[_Token]) -> list[_Token]:
    """Drop initials and particles from the ends of a run."""
    while run and (_is_initial(run[-1].text) or run[-1].text in _PARTICLES):
        run = run[:-1]
    return run


class NameRules:
    """Finds private individuals' names; `model_backed` adds the rules that need the
    model's entities to be safe (a pair with no known given name)."""

    def __init__(
        self,
        lexicon: Lexicon = LEXICON,
        *,
        given_names: Collection[str] | None = None,
        model_backed: bool = True,
    ) -> None:
        self.lexicon = lexicon
        self.given_names = (
            frozenset(given_names) if given_names is not None else lexicon.given_names
        )
        self.model_backed = model_backed
        self._public_suffixes = frozenset(
            entry[i:] for entry in lexicon.public_figures for i in range(len(entry) - 1)
        )
        self._listed = lexicon.not_name_words | lexicon.venue_words
        self._listed_lower = frozenset(word.lower() for word in self._listed)
        self._non_names = tuple(lexicon.known_non_names)

    # ------------------------------------------------------------------ public

    def find(
        self, text: str, entities: Sequence[Entity] = (), own_names: Collection[str] = ()
    ) -> list[Finding]:
        """Names of people other than the practitioner, sorted and non-overlapping."""
        own = frozenset(part.casefold() for name in own_names for part in name.split())
        persons = [e for e in entities if e.label == "PERSON"]
        tokens = _tokens(text)
        titled = self._titled_names(text, tokens, own)
        found = list(titled)
        for run in _runs(text, tokens):
            after_determiner = bool(
                _DETERMINER_BEFORE.search(text[max(0, run[0].start - 8) : run[0].start])
            )
            for segment in self._segments(run, persons):
                if after_determiner and not _person_overlap(segment, persons, 2):
                    continue  # "the Robert Owen Centre", "a National Entitlement Card"
                finding = self._judge(text, segment, tokens, entities, persons, own)
                if finding and not any(finding.overlaps(other) for other in found):
                    found.append(finding)
        return sorted(found, key=lambda f: f.start)

    # ------------------------------------------------------------------ titles

    def _titled_names(self, text: str, tokens: list[_Token], own: frozenset[str]) -> list[Finding]:
        """Titles with a surname: "Mr Patel", "Mrs. McLeod", "Dr Okafor", "Mr J Smith"."""
        found = []
        for index, token in enumerate(tokens):
            if token.text not in TITLES or token.possessive:
                continue
            names: list[_Token] = []
            position = token.end
            for following in tokens[index + 1 : index + 5]:
                gap = text[position : following.start]
                if gap.strip(" .") or "\n" in gap or len(gap) > 3:
                    break
                if _is_initial(following.text) and not names:
                    position = following.end
                    continue
                if not _is_name_like(following.text) or not self._may_be_surname(following):
                    break
                names.append(following)
                position = following.end
                if following.possessive or len(names) == 3:
                    break
            if not names:
                continue  # "Mrs B", "Mr J."
            if all(n.text.casefold() in own for n in names):
                continue
            key = phrase_key(" ".join([token.text] + [n.text for n in names]))
            public = self.lexicon.public_figures
            if key in public:
                continue  # "Mr Tumble", "Dr Seuss"
            if token.text in ACADEMIC_TITLES and (key[1:] in public or key[-1:] in public):
                continue  # "Dr Kolb"
            found.append(Finding.at("name", text, token.start, names[-1].end))
        return found

    def _may_be_surname(self, token: _Token) -> bool:
        """After a title: any capitalised word but the never-a-name ones ("Mr Men")."""
        word = token.text
        if word not in self._listed:
            return True
        return word in self.lexicon.surnames or word in self.given_names

    # ------------------------------------------------------------------ runs

    def _segments(self, run: list[_Token], persons: Sequence[Entity]) -> list[list[_Token]]:
        """Split a run at words that are not part of a name."""
        segments: list[list[_Token]] = []
        current: list[_Token] = []
        for position, token in enumerate(run):
            if self._breaks(run, position, persons):
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(token)
        if current:
            segments.append(current)
        return [_trim(segment) for segment in segments if segment]

    def _breaks(self, run: list[_Token], position: int, persons: Sequence[Entity]) -> bool:
        token = run[position]
        word = token.text
        if word in TITLES:
            return True
        if _is_initial(word) or word in _PARTICLES:
            return False
        if word not in self._listed and word.lower() not in self._listed_lower:
            return False
        ambiguous = word in self.given_names or word in self.lexicon.surnames
        if not ambiguous or word in self.lexicon.venue_words and word not in self.lexicon.surnames:
            return True  # "Reading Freire", "Met Oksana": never part of a name
        if _inside(token, persons):
            return False
        following = run[position + 1] if position + 1 < len(run) else None
        if (
            word in self.given_names
            and following is not None
            and _is_name_like(following.text)
            and following.text not in self._listed
        ):
            return False
        previous = run[position - 1] if position > 0 else None
        if word in self.lexicon.surnames and previous is not None:
            return previous.text not in self.given_names
        return True

    def _judge(
        self,
        text: str,
        segment: list[_Token],
        tokens: list[_Token],
        entities: Sequence[Entity],
        persons: Sequence[Entity],
        own: frozenset[str],
    ) -> Finding | None:
        """The name finding for a segment of a run, or None if it is not a private name."""
        words = [t for t in segment if _is_name_like(t.text)]
        # "Phoned Oksana Kovalenko": a sentence-start word before a given name.
        if (
            len(words) >= 3
            and words[0].sentence_start
            and words[0].text not in self.given_names
            and words[1].text in self.given_names
        ):
            segment = segment[segment.index(words[1]) :]
            words = words[1:]
        if not 2 <= len(words) <= 4:
            return None
        first, last = segment[0], segment[-1]
        key = phrase_key(" ".join(t.text for t in segment))
        if all(w.text.casefold() in own for w in words):
            return None
        if self._is_public(key) or self._is_known_non_name(key):
            return None
        if self._names_a_thing(text, tokens, first, last, persons):
            return None
        person = _person_overlap(words, persons, 2 if first.sentence_start else 1)
        labels = {e.label for e in entities if e.start < last.end and first.start < e.end}
        if words[0].text in self.given_names:
            if labels & _PLACE_LABELS and not person and last.text in self.lexicon.venue_words:
                return None  # "Victoria Park"
            return Finding.at("name", text, first.start, last.end)
        abstract = any(
            _ABSTRACT_SHAPE.search(w.text) and w.text not in self.lexicon.surnames for w in words
        )
        if person and not abstract:  # not "Healthy Eating"
            return Finding.at("name", text, first.start, last.end)
        if not self.model_backed or first.sentence_start:
            return None
        surname_like = last.text in self.lexicon.surnames or bool(_SURNAME_SHAPE.search(last.text))
        if labels and not surname_like:
            return None
        if any(w.text in self._listed or _NOT_NAME_SHAPE.search(w.text) for w in words):
            return None
        return Finding.at("name", text, first.start, last.end)

    def _is_public(self, key: tuple[str, ...]) -> bool:
        if key in self.lexicon.public_figures or key in self._public_suffixes:
            return True
        return all((word,) in self.lexicon.public_figures for word in key)

    def _is_known_non_name(self, key: tuple[str, ...]) -> bool:
        return any(_contains(entry, key) or _contains(key, entry) for entry in self._non_names)

    def _names_a_thing(
        self,
        text: str,
        tokens: list[_Token],
        first: _Token,
        last: _Token,
        persons: Sequence[Entity],
    ) -> bool:
        """Whether the words are part of a venue's, school's or award's name: followed by
        a venue word ("... Centre", "Gillespie's High")."""
        index = tokens.index(last)
        if index + 1 < len(tokens):
            following = tokens[index + 1]
            gap = text[last.end : following.start]
            if gap.lstrip("'’s") in {" ", ""} and following.text in self.lexicon.venue_words:
                return True
        return False


def _inside(token: _Token, persons: Iterable[Entity]) -> bool:
    return any(p.start <= token.start and token.end <= p.end for p in persons)


def _person_overlap(words: list[_Token], persons: Sequence[Entity], least: int) -> bool:
    """Whether a PERSON entity covers at least `least` of the words."""
    for person in persons:
        inside = [w for w in words if person.start <= w.start and w.end <= person.end]
        if len(inside) >= least:
            return True
    return False


def _contains(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    """Whether `inner` occurs as consecutive words in `outer`."""
    size = len(inner)
    return any(outer[i : i + size] == inner for i in range(len(outer) - size + 1))
