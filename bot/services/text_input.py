"""What counts as text worth keeping: content-free messages are refused, stray controls removed."""

from __future__ import annotations

import re
import unicodedata

from bot.identifiers.spacing import BLANK_LOOKING

# C0/C1 control characters other than tab and line breaks: never meaningful in a reflection.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Characters that show nothing on their own: format characters (zero-width spaces and
# joiners, direction marks, BOMs), separators, controls, and combining marks with no base.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"}


def is_content_free(text: str) -> bool:
    """True if the text would look empty: only spaces, zero-width, control or blank-drawing
    characters."""
    return all(
        char.isspace()
        or char in BLANK_LOOKING  # e.g. the Hangul filler, the usual "blank" message
        or unicodedata.category(char) in _INVISIBLE_CATEGORIES
        for char in text
    )


def clean_text(text: str | None) -> str | None:
    """The text to store, or None if there is nothing in it to store.

    NUL bytes and other control characters are removed; direction marks and joiners stay
    inside real text (Arabic, Urdu and emoji need them). Surrounding whitespace goes.
    """
    if text is None:
        return None
    cleaned = _CONTROLS.sub("", text).strip()
    if not cleaned or is_content_free(cleaned):
        return None
    return cleaned
