"""Checking text as the rules expect it, whatever spacing the practitioner's phone used.

Pasted or autocorrected text hides names behind doubled spaces, tabs, non-breaking
spaces and zero-width characters ("Kayleigh\u00a0McAllister", "Fra\u200bser"). The rules
see a normalised copy; each finding is mapped back to the characters of the original.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from bot.identifiers.findings import Finding

# Letters and symbols that draw as blank space: the Hangul fillers, the blank Braille
# pattern, the Khmer inherent vowels.
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5")


def normalised(text: str) -> tuple[str, list[int]]:
    """The text with invisible format characters dropped and each run of spaces (tabs,
    non-breaking spaces, doubled spaces) made one plain space; line breaks are kept. Also,
    for each character of it, its offset in ``text``."""
    kept: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        if _invisible(char):
            following = text[index + 1 : index + 2]
            if not (kept and kept[-1].islower() and following.isupper()):
                continue
            char = " "  # "Jamie\u200bFraser": an invisible gap between two words
        if (char.isspace() or char in BLANK_LOOKING) and char not in "\n\r":
            if kept and kept[-1] == " ":
                continue
            char = " "
        kept.append(char)
        where.append(index)
    return "".join(kept), where


def _invisible(char: str) -> bool:
    """Format characters (zero-width spaces, joiners, direction marks) and the combining
    grapheme joiner: nothing on screen."""
    return unicodedata.category(char) == "Cf" or char == "\u034f"


def find_in_original(text: str, find: Callable[[str], list[Finding]]) -> list[Finding]:
    """``find`` run on the normalised text, its findings given as spans of ``text``."""
    plain, where = normalised(text)
    return in_original(text, plain, where, find(plain))


def in_original(text: str, plain: str, where: list[int], findings: list[Finding]) -> list[Finding]:
    """Findings in ``plain`` (``normalised(text)``) as spans of ``text``."""
    if plain == text:
        return findings
    return [Finding.at(f.kind, text, where[f.start], where[f.end - 1] + 1) for f in findings]
