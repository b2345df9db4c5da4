"""Names hidden by odd spacing are still found, and reported in the original's terms."""

import pytest

from bot.identifiers import FakeIdentifierDetector, redact
from bot.identifiers.spacing import normalised


def test_normalised_keeps_a_map_back_to_the_original():
    text = "Jamie\u00a0\u00a0Fra\u200bser\tsaid"
    plain, where = normalised(text)
    assert plain == "Jamie Fraser said"
    assert [text[i] for i in where] == list(plain.replace(" ", "\u00a0", 1).replace(" ", "\t"))


@pytest.mark.parametrize(
    "text",
    [
        "Met Jamie  Fraser at the club",
        "Met Jamie\u00a0Fraser at the club",
        "Met Jamie\tFraser at the club",
        "Met Jamie Fra\u200bser at the club",
        "Met Jamie\u200b Fraser at the club",
    ],
)
def test_a_name_is_found_whatever_the_spacing(text):
    [finding] = FakeIdentifierDetector().find(text)
    assert finding.kind == "name" and text[finding.start : finding.end] == finding.text
    assert redact(text, [finding]) == "Met J.F. at the club"


def test_line_breaks_still_separate_words():
    assert FakeIdentifierDetector().find("Met Jamie\nFraser Street was closed") == []


def test_structured_identifiers_with_doubled_spaces():
    text = "lives KY5  8AB, ring 07700  900123"
    kinds = [f.kind for f in FakeIdentifierDetector().find(text)]
    assert kinds == ["postcode", "phone"]


@pytest.mark.parametrize("gap", ["\u200b", "\u2060", "\u180e", "\u034f", "\u3164", "\u2800"])
def test_an_invisible_or_blank_gap_between_first_name_and_surname(gap):
    text = f"Met Jamie{gap}Fraser at the club"
    [finding] = FakeIdentifierDetector().find(text)
    assert finding.text == f"Jamie{gap}Fraser"
    assert redact(text, [finding]) == "Met J.F. at the club"
