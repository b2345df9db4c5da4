"""Rules for identifiers with a fixed shape: phone numbers, e-mail addresses, postcodes,
dates of birth, and a school year group together with a named school.

Pure regular expressions and a little code, no model: these must be near perfect, and
both detectors (the real one and the fake) share them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.identifiers.findings import Finding

# ---------------------------------------------------------------------------- phones

# A UK number in any common writing: 07xxx xxxxxx, 07xxx-xxx-xxx, +44 7xxx xxxxxx,
# +44 (0)131 ..., (0131) 496 0000, 0044 ..., and other countries' numbers written with +.
# Dots and slashes are not separators, so dates such as 07.03.11 and 01/03/2011 never
# match; the digit count is checked afterwards.
_PHONE = re.compile(
    r"(?<![\w+£$€.,-])"
    r"(?:(?:\+|00)\d{1,3}[ \t-]?(?:\(0\)[ \t-]?)?|\(0\d{2,4}\)[ \t-]?\d|0)"
    r"\d*(?:[ \t-]?\d){6,12}"
    r"(?!\w|[.,]\d)"
)
_UK_PREFIXES = ("01", "02", "03", "05", "07", "08", "09")
# Free helplines (Childline, Breathing Space, ...) do not identify anyone.
_HELPLINE_PREFIXES = ("0800", "0808")


def _is_phone_number(written: str) -> bool:
    """Whether a digit run matched by `_PHONE` has the length and prefix of a phone number."""
    digits = re.sub(r"\D", "", written.replace("(0)", ""))
    if written.startswith("+") or written.startswith("00"):
        if written.startswith("00"):
            digits = digits[2:]
        if digits.startswith("44"):
            national = "0" + digits[2:]
        else:
            return 9 <= len(digits) <= 15
    else:
        national = digits
    if national.startswith(_HELPLINE_PREFIXES):
        return False
    if not national.startswith(_UK_PREFIXES):
        return False
    return len(national) == 11 or (len(national) == 10 and national.startswith("01"))


def _phone_end(text: str, start: int, end: int) -> int | None:
    """Where the phone number starting at `start` ends, dropping trailing digit groups
    that are not part of it ("07700 900123 2 kids"), or None if there is none."""
    written = text[start:end]
    while not _is_phone_number(written):
        cut = max(written.rfind(" "), written.rfind("\t"), written.rfind("-"))
        if cut <= 0:
            return None
        written = written[:cut].rstrip(" \t-")
    return start + len(written)


def find_phones(text: str) -> list[Finding]:
    """UK (and + international) phone numbers."""
    found = []
    position = 0
    while match := _PHONE.search(text, position):
        end = _phone_end(text, match.start(), match.end())
        if end is None:
            position = match.start() + 1
            continue
        found.append(Finding.at("phone", text, match.start(), end))
        position = end
    return found


# ---------------------------------------------------------------------------- e-mail

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w@])"
)


def find_emails(text: str) -> list[Finding]:
    """E-mail addresses."""
    return [Finding.at("email", text, m.start(), m.end()) for m in _EMAIL.finditer(text)]


# ---------------------------------------------------------------------------- postcodes

# The 121 UK postcode areas. A full postcode is area + district, then sector digit and
# two unit letters (never C, I, K, M, O or V), with or without the space.
_POSTCODE_AREAS = frozenset(
    """AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN
    DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L
    LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA
    SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS
    WV YO ZE""".split()
)
_POSTCODE = re.compile(
    r"(?<![\w£$€.-])(?P<area>[A-Z]{1,2})(?P<district>\d[A-Z\d]?)"
    r"(?P<space>[ \t]?)(?P<sector>\d)(?P<unit>[ABD-HJLNP-UW-Z]{2})(?![\w-])",
    re.IGNORECASE,
)
_ORDINAL_UNITS = {"1": "st", "2": "nd", "3": "rd"}


def _is_postcode(match: re.Match[str]) -> bool:
    """A real area, and not a year group followed by an ordinal ("S3 4th year")."""
    if match["area"].upper() not in _POSTCODE_AREAS:
        return False
    unit = match["unit"]
    ordinal = _ORDINAL_UNITS.get(match["sector"], "th")
    if unit.islower() and unit == ordinal:
        return False
    if not match["space"] and match.group().islower() and len(match.group()) < 6:
        return False  # "g12ab"-like fragments in lower case are too often something else
    return True


def find_postcodes(text: str) -> list[Finding]:
    """Full UK postcodes (a district alone such as KY1 is not one)."""
    return [
        Finding.at("postcode", text, m.start(), m.end())
        for m in _POSTCODE.finditer(text)
        if _is_postcode(m)
    ]


# ---------------------------------------------------------------------------- dates of birth

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19\d\d|20\d\d|'\d\d)"
_FULL_DATE = re.compile(
    r"(?<![\w/.-])(?:"
    r"(?:[12]\d|3[01]|0?[1-9])[/.-](?:1[0-2]|0?[1-9])[/.-](?:\d{4}|\d{2})"  # 12/03/2011
    r"|(?:19|20)\d\d-(?:1[0-2]|0?[1-9])-(?:[12]\d|3[01]|0?[1-9])"  # 2011-03-12
    rf"|(?:the\s+)?{_DAY}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}"  # 12(th) (of) March 2011
    rf"|{_MONTH}\s+(?:the\s+)?{_DAY},?\s+{_YEAR}"  # March 12th, 2011
    r")(?![\w/]|[.-]\d)",
    re.IGNORECASE,
)
# Without a year a date is only a birthday ("her birthday is the 12th of March").
_DAY_MONTH = re.compile(
    rf"(?<![\w/.-])(?:(?:the\s+)?{_DAY}(?:\s+of)?\s+{_MONTH}|{_MONTH}\s+(?:the\s+)?{_DAY}"
    r"|(?:[12]\d|3[01]|0?[1-9])/(?:1[0-2]|0?[1-9]))(?![\w/]|[.-]?\d)",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(rf"(?<![\w/.-]){_MONTH}\s+(?:19|20)\d\d(?!\w)", re.IGNORECASE)
_BIRTH_WORD = re.compile(
    r"(?<![\w.])(?:born|d\.?\s?o\.?\s?b\b\.?|date\s+of\s+birth|birth\s?date|birthday|b[-']?day)"
    r"(?!\w)",
    re.IGNORECASE,
)
# Between the birth word and the date: a few words, no sentence break, no comma ("born in
# Kirkcaldy on 12/03/2011" but not "born in Kirkcaldy, she moved here on 12/03/2020").
_BEFORE_GAP = re.compile(r"[^.!?;,\n]{0,40}", re.IGNORECASE)
_AFTER_GAP = re.compile(
    r"\s*(?:[(\-–:]\s*|(?:is|was|=)\s+(?:(?:his|her|their|my|the)\s+)?)?$", re.IGNORECASE
)


def _birth_word_before(text: str, start: int) -> bool:
    """Whether a birth word ends a few words before `start`, in the same clause."""
    window = text[max(0, start - 60) : start]
    for word in reversed(list(_BIRTH_WORD.finditer(window))):
        gap = window[word.end() :]
        if _BEFORE_GAP.fullmatch(gap) and len(gap.split()) <= 5:
            return True
    return False


def _birth_word_after(text: str, end: int) -> bool:
    """Whether a birth word follows the date closely: "12/03/2011 (DOB)"."""
    window = text[end : end + 30]
    word = _BIRTH_WORD.search(window)
    return word is not None and bool(_AFTER_GAP.match(window[: word.start()]))


def find_dates_of_birth(text: str) -> list[Finding]:
    """Dates that the words around them say are a birth date; only the date is reported."""
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int) -> None:
        if text[start : start + 4].lower() == "the ":
            start += 4
        if any(start < b and a < end for a, b in taken):
            return
        taken.append((start, end))
        found.append(Finding.at("date_of_birth", text, start, end))

    for match in _FULL_DATE.finditer(text):
        if _birth_word_before(text, match.start()) or _birth_word_after(text, match.end()):
            add(match.start(), match.end())
    for match in _DAY_MONTH.finditer(text):
        if any(match.start() < b and a < match.end() for a, b in taken):
            continue
        if _birth_word_before(text, match.start()) or _birth_word_after(text, match.end()):
            add(match.start(), match.end())
    for match in _MONTH_YEAR.finditer(text):
        before = text[max(0, match.start() - 12) : match.start()]
        if re.search(r"\bborn\s+(?:in\s+)?$", before, re.IGNORECASE):
            add(match.start(), match.end())
    return sorted(found, key=lambda f: f.start)


# ---------------------------------------------------------------------------- school + year

YEAR_GROUP = re.compile(
    r"(?<![\w/-])(?:"
    r"[Ss][1-6](?:[/-][Ss]?[1-6])?|[Pp][1-7](?:[/-][Pp]?[1-7])?"
    r"|(?:[Yy]ear|[Yy]r)\s?(?:[1-9]|1[0-3])"
    r"|(?:first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|6th)[- ]year"
    r")(?:'?s)?(?![\w/])",
)
_SCHOOL_WORD = r"(?:Mc|Mac|O')?[A-Z][a-zà-ÿ]+(?:[-'][A-Za-zà-ÿ]+)*(?:['’]s)?"
_SCHOOL = re.compile(
    rf"(?:St\.?\s+{_SCHOOL_WORD}(?:\s+{_SCHOOL_WORD})?"
    rf"|{_SCHOOL_WORD}(?:\s+{_SCHOOL_WORD}){{0,2}})"
    r"(?:\s+(?:RC|R\.C\.|Roman\s+Catholic|Community|Parish|Episcopal))?"
    r"\s+(?:High(?:\s+School)?|Academy|Primary(?:\s+School)?|Grammar(?:\s+School)?"
    r"|Secondary(?:\s+School)?|School)"
    r"(?![\w'’]|\s+(?:Street|St\b|Road|Rd\b|Court|Flats|House|Building))"
)
# Capitalised words that start a phrase ending in "School" without naming one.
_NOT_SCHOOL_NAME = frozenset(
    """The A An Her His Their Our My Your This That Local Sunday Summer Night Forest Driving
    Special Secondary Primary High Nursery Language Gaelic Private State Boarding Catholic
    Every Each Whole New Old Same Different Another Other Which Secondary Holiday Home
    Saturday Bible Dance Drama Music Art Football Swimming Business Medical Law Met Visited
    Went Called Phoned Rang Emailed At In From To Both Then""".split()
)
_GAP_WORDS = 8  # at most this many words between the year group and the school
# A year group naming staff, not a pupil.
_NOT_A_PUPIL = re.compile(
    r"\s+(?:class\s+)?(?:teachers?|staff|department|team|tutors?|coordinators?|co-ordinators?"
    r"|curriculum|transition\s+(?:day|visits?|programme)|parents'? evening)\b",
    re.IGNORECASE,
)
# After a school, "and" or "or" starts something else: "Beath High and the P7 teachers".
_JOINS_ANOTHER = re.compile(r"\b(?:and|or|but|while|whereas)\b", re.IGNORECASE)


@dataclass(frozen=True)
class SchoolYear:
    """A year group and the named school it goes with, as character spans."""

    year: tuple[int, int]
    school: tuple[int, int]

    @property
    def span(self) -> tuple[int, int]:
        return min(self.year[0], self.school[0]), max(self.year[1], self.school[1])


def find_schools(text: str) -> list[tuple[int, int]]:
    """Spans of named schools ("Beath High", "St Columba's RC High School")."""
    spans = []
    for match in _SCHOOL.finditer(text):
        start = match.start()
        words = match.group().split()
        # Drop leading words that cannot begin a school's name ("The", "Her", ...).
        while words and words[0] in _NOT_SCHOOL_NAME and len(words) > 2:
            start = text.index(words[1], start + len(words[0]))
            words = words[1:]
        if words[0] in _NOT_SCHOOL_NAME:
            continue
        spans.append((start, match.end()))
    return spans


def _same_clause_gap(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a short stretch with no sentence break."""
    gap = text[start:end]
    if re.search(r"[.!?;]\s|\n", gap) or gap.count(",") > 1:
        return False
    return len(gap.split()) <= _GAP_WORDS


def find_school_years(text: str) -> list[SchoolYear]:
    """Year groups paired with the nearest named school in the same clause."""
    schools = find_schools(text)
    pairs: list[SchoolYear] = []
    used: set[tuple[int, int]] = set()
    for year_match in YEAR_GROUP.finditer(text):
        year = (year_match.start(), year_match.end())
        if any(s[0] <= year[0] < s[1] for s in schools):
            continue
        if _NOT_A_PUPIL.match(text, year[1]):
            continue  # "the P7 teachers"
        options = []
        for school in schools:
            if school in used:
                continue
            if school[0] >= year[1] and _same_clause_gap(text, year[1], school[0]):
                options.append((school[0] - year[1], school))
            elif (
                school[1] <= year[0]
                and _same_clause_gap(text, school[1], year[0])
                and not _JOINS_ANOTHER.search(text, school[1], year[0])
            ):
                options.append((year[0] - school[1], school))
        if options:
            school = min(options)[1]
            used.add(school)
            pairs.append(SchoolYear(year, school))
    return pairs


def school_year_findings(
    text: str, pairs: Iterable[SchoolYear], names: Sequence[Finding] = ()
) -> list[Finding]:
    """One finding per pair, from the year group to the end of the school name or back.

    A name between the two ("S3 pupil Jamie Fraser at Beath High") is reported on its own,
    so the school-year finding is cut back to the school's side of it.
    """
    findings = []
    for pair in pairs:
        start, end = pair.span
        for name in names:
            if not (start < name.end and name.start < end):
                continue
            if pair.school[0] >= name.end:  # school after the name: start after it
                start = max(start, name.end)
            elif pair.school[1] <= name.start:  # school before the name: end before it
                end = min(end, name.start)
            else:
                start = end = 0  # the name is inside the school's name: drop
                break
        if text[start : start + 2] in ("'s", "’s"):
            start += 2  # the possessive of a name cut off before it
        while start < end and not text[start].isalnum():
            start += 1
        while end > start and not (text[end - 1].isalnum() or text[end - 1] in "'’"):
            end -= 1
        if start < end:
            findings.append(Finding.at("school_year", text, start, end))
    return findings


def find_structured(text: str) -> list[Finding]:
    """Every phone, e-mail, postcode and date of birth (school years need the names)."""
    return [
        *find_emails(text),
        *find_phones(text),
        *find_postcodes(text),
        *find_dates_of_birth(text),
    ]
