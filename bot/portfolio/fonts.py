"""Fonts for the PDF, so that a reflection in any language, with emoji, survives export.

The main font is DejaVu Sans, taken from matplotlib's own data (matplotlib is a dependency
anyway): Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew and Arabic. Fonts for the
scripts it lacks are committed beside this module (``fonts/``, see its README.md for each
file's source and licence) and added to the PDF as fallbacks: fpdf2 takes a character
missing from the main font from the first fallback that has it, and embeds only the
glyphs used.

Text shaping (HarfBuzz, through uharfbuzz) is needed for right-to-left text and for the
scripts whose letters join or reorder (Arabic, Hebrew, the Indic scripts, Thai); it makes
Latin text several times slower to lay out and its PDF far bigger, so the PDF renderer
turns it on only for text that needs it (:func:`needs_shaping`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont
from fpdf import FPDF

FONT_DIR = Path(__file__).with_name("fonts")
FAMILY = "dejavu"  # the main family, for pdf.set_font
ARABIC_FAMILY = "notosansarabic"
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"  # shown for a character no font has


class FontError(RuntimeError):
    """A font file the PDF needs is missing or unreadable."""


@dataclass(frozen=True)
class FontFile:
    family: str
    style: str  # '', 'B', 'I' or 'BI'
    path: Path


def main_fonts() -> tuple[FontFile, ...]:
    """DejaVu Sans in its four styles, from matplotlib's data."""
    directory = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return tuple(
        FontFile(FAMILY, style, directory / name)
        for style, name in (
            ("", "DejaVuSans.ttf"),
            ("B", "DejaVuSans-Bold.ttf"),
            ("I", "DejaVuSans-Oblique.ttf"),
            ("BI", "DejaVuSans-BoldOblique.ttf"),
        )
    )


# In the order fpdf2 tries them. Noto Sans Arabic has the Arabic letters of Urdu and
# Pashto that DejaVu lacks; Symbola comes last, as it has much that the others also have.
FALLBACKS: tuple[FontFile, ...] = tuple(
    FontFile(family, "", FONT_DIR / name)
    for family, name in (
        (ARABIC_FAMILY, "NotoSansArabic-Regular.ttf"),
        ("notosansdevanagari", "NotoSansDevanagari-Regular.ttf"),
        ("notosansbengali", "NotoSansBengali-Regular.ttf"),
        ("notosansgurmukhi", "NotoSansGurmukhi-Regular.ttf"),
        ("notosanstamil", "NotoSansTamil-Regular.ttf"),
        ("notosansthai", "NotoSansThai-Regular.ttf"),
        ("notosansethiopic", "NotoSansEthiopic-Regular.ttf"),
        ("droidsansfallback", "DroidSansFallbackFull.ttf"),  # Chinese, Japanese
        ("symbola", "Symbola_hint.ttf"),  # emoji and symbols
    )
)


def setup_fonts(pdf: FPDF, fallbacks: Iterable[FontFile] = FALLBACKS) -> None:
    """Add the main font and ``fallbacks`` (all by default; see :func:`fallbacks_for`) to
    ``pdf`` and select the main font; raises FontError naming the file if any font file,
    used or not, is missing."""
    for font in (*main_fonts(), *FALLBACKS):
        _check(font.path)
    fallbacks = tuple(fallbacks)
    for font in (*main_fonts(), *fallbacks):
        pdf.add_font(font.family, font.style, str(font.path))
    # DejaVu first: when Noto Sans Arabic is the base font of a paragraph (Urdu), its
    # Latin letters come from DejaVu like everywhere else. Any style will do (bold text
    # takes a missing character from a regular fallback).
    pdf.set_fallback_fonts([FAMILY, *(f.family for f in fallbacks)], exact_match=False)
    pdf.set_font(FAMILY)


def fallbacks_for(texts: Iterable[str]) -> tuple[FontFile, ...]:
    """The fallback fonts that some character of ``texts`` is taken from: reading a font
    costs time (Droid Sans Fallback about 0.2 s), so a PDF adds only those it needs."""
    main = _code_points(main_fonts()[0].path)
    wanted = {ord(c) for text in texts if not text.isascii() for c in text} - main
    needed = []
    for font in FALLBACKS:
        has = wanted & _code_points(font.path)
        if has:
            needed.append(font)
            wanted -= has
    return tuple(needed)


def _check(path: Path) -> None:
    if not path.is_file():
        raise FontError(f"font file {path} is missing: reinstall ReflectBot (or matplotlib)")


@cache
def _code_points(path: Path) -> frozenset[int]:
    """The characters the font has."""
    _check(path)
    try:
        with TTFont(path, lazy=True) as font:
            return frozenset(font.getBestCmap())
    except Exception as exc:  # fontTools raises many kinds for a damaged file
        raise FontError(f"font file {path} cannot be read: {exc}") from exc


@cache
def _covered() -> frozenset[int]:
    """Every character that some font has (the main font's regular style or a
    fallback)."""
    return frozenset().union(*(_code_points(f.path) for f in (main_fonts()[0], *FALLBACKS)))


@cache
def _arabic_only_in_noto() -> frozenset[int]:
    """Arabic-script characters that DejaVu lacks and Noto Sans Arabic has (Urdu's ہ ے)."""
    dejavu = _code_points(main_fonts()[0].path)
    noto = _code_points(next(f.path for f in FALLBACKS if f.family == ARABIC_FAMILY))
    return frozenset(c for c in noto - dejavu if 0x0600 <= c <= 0x08FF)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` as the PDF can show it: tabs and carriage returns as spaces, other control
    characters dropped, and every character that no font has replaced by U+FFFD (or
    dropped, if it is an invisible format character), rather than silently lost."""
    text = text.replace("\r\n", "\n").replace("\t", "    ").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if text.isascii():
        return text
    covered = _covered()
    if all(ord(c) in covered for c in text):
        return text
    return "".join(
        c
        if ord(c) in covered or c == "\n"
        else ""
        if unicodedata.category(c) in ("Cf", "Mn")
        else REPLACEMENT
        for c in text
    )


# Right-to-left scripts, and the scripts whose letters join, stack or reorder.
_SHAPED = re.compile(
    "["
    "\u0590-\u08ff"  # Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan, Arabic extended
    "\u0900-\u0dff"  # Devanagari to Sinhala
    "\u0e00-\u0fff"  # Thai, Lao, Tibetan
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u200e\u200f\u202a-\u202e\u2066-\u2069"  # explicit direction marks
    "\ufb1d-\ufdff\ufe70-\ufefc"  # Hebrew and Arabic presentation forms
    "]"
)


def needs_shaping(text: str) -> bool:
    """Whether ``text`` must go through the shaping engine to come out right."""
    return not text.isascii() and _SHAPED.search(text) is not None


def base_family(text: str) -> str:
    """The family to start ``text`` in: Noto Sans Arabic when it has Arabic letters that
    DejaVu lacks (so that a word's letters all come from one font and join), else DejaVu."""
    if text.isascii():
        return FAMILY
    special = _arabic_only_in_noto()
    return ARABIC_FAMILY if any(ord(c) in special for c in text) else FAMILY


def is_right_to_left(text: str) -> bool:
    """Whether the first strongly directional character of ``text`` is right-to-left."""
    for c in text:
        direction = unicodedata.bidirectional(c)
        if direction == "L":
            return False
        if direction in ("R", "AL"):
            return True
    return False
