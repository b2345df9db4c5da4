"""What "replace with initials" does to a reflection: a pure function of the findings."""

from __future__ import annotations

from collections.abc import Sequence

from bot.identifiers.findings import Finding
from bot.identifiers.names import TITLES
from bot.identifiers.spacing import normalised
from bot.identifiers.structured import YEAR_GROUP, find_schools

PLACEHOLDERS = {
    "phone": "[phone number]",
    "email": "[email address]",
    "postcode": "[postcode]",
    "date_of_birth": "[date of birth]",
}
SCHOOL_PLACEHOLDER = "[school]"


def initials(name: str) -> str:
    """A name as initials: "Jamie Fraser" -> "J.F.", "Mr Patel" -> "Mr P."."""
    title = ""
    letters = []
    for word in normalised(name)[0].split():
        bare = word.rstrip(".")
        if not letters and not title and bare in TITLES:
            title = word
            continue
        capital = next((c for c in bare if c.isupper()), None)
        if capital is not None:
            letters.append(f"{capital}.")
    if not letters:
        return name
    return f"{title} {''.join(letters)}" if title else "".join(letters)


def _school_year(text: str) -> str:
    """Keep the year group, replace the school's name: "S3 at Beath High" -> "S3 at [school]"."""
    schools = find_schools(text)
    if not schools:
        year = YEAR_GROUP.search(text)
        return f"{year.group()} {SCHOOL_PLACEHOLDER}" if year else SCHOOL_PLACEHOLDER
    for start, end in reversed(schools):
        text = text[:start] + SCHOOL_PLACEHOLDER + text[end:]
    return text


def replacement(finding: Finding) -> str:
    """What one finding becomes in the redacted text."""
    if finding.kind == "name":
        return initials(finding.text)
    if finding.kind == "school_year":
        return _school_year(finding.text)
    return PLACEHOLDERS[finding.kind]


def redact(text: str, findings: Sequence[Finding]) -> str:
    """`text` with every finding replaced: names by initials, the rest by a placeholder.

    Findings must come from checking this very text (their `text` must match the
    offsets), or ValueError is raised; overlapping findings keep the first by start.
    """
    chosen: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if text[finding.start : finding.end] != finding.text:
            raise ValueError(
                f"finding {finding.text!r} at {finding.start}..{finding.end} does not match "
                "the text: findings must come from checking this text"
            )
        if chosen and finding.start < chosen[-1].end:
            continue
        chosen.append(finding)
    parts: list[str] = []
    position = 0
    for finding in chosen:
        parts.append(text[position : finding.start])
        new = replacement(finding)
        if new.endswith(".") and text[finding.end : finding.end + 1] == ".":
            new = new[:-1]  # "... with Jamie Fraser." -> "... with J.F."
        parts.append(new)
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)
