"""What counts as text worth keeping: content-free messages are refused, stray controls removed."""

from __future__ import annotations

import re
import unicodedata

# C0/C1 control characters other than tab and line breaks: never meaningful in a reflection.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Characters that show nothing on their own: format characters (zero-width spaces and
# joiners, direction marks, BOMs), separators, controls, and combining marks with no base.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"}


# Letters and symbols that draw nothing: the Hangul fillers (the usual way to send a
# "blank" Telegram message), the blank Braille pattern, Khmer inherent vowels.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5")


def is_content_free(text: str) -> bool:
    """True if the text would look empty: only spaces, zero-width, control or blank-drawing
    characters."""
    return all(
        char.isspace()
        or char in _BLANK_LOOKING
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
