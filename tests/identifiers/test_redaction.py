"""What "replace with initials" produces."""

from __future__ import annotations

import pytest

from bot.identifiers import Finding, redact
from bot.identifiers.redaction import initials


def finding(kind: str, text: str, part: str) -> Finding:
    start = text.index(part)
    return Finding(kind, part, start, start + len(part))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jamie Fraser", "J.F."),
        ("Mr Patel", "Mr P."),
        ("Mrs. McLeod", "Mrs. M."),
        ("Dr Okafor", "Dr O."),
        ("Mrs Aisha Khan", "Mrs A.K."),
        ("Siobhan O'Neill", "S.O."),
        ("Mohammed Al-Sayed", "M.A."),
        ("Li Wei Chen", "L.W.C."),
        ("Ana de Souza", "A.S."),
        ("Mr J Smith", "Mr J.S."),
    ],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


def test_names_become_initials_and_a_possessive_is_kept() -> None:
    text = "Jamie Fraser's mum rang Mr Patel about it"
    findings = [finding("name", text, "Jamie Fraser"), finding("name", text, "Mr Patel")]
    assert redact(text, findings) == "J.F.'s mum rang Mr P. about it"


def test_a_name_at_the_end_of_a_sentence_gets_one_full_stop() -> None:
    text = "Spoke to Jamie Fraser. Then left."
    assert redact(text, [finding("name", text, "Jamie Fraser")]) == "Spoke to J.F. Then left."


def test_structured_kinds_become_placeholders() -> None:
    text = "Ring 07700 900123 or email a@b.com, KY1 2AB, DOB 12/03/2011."
    findings = [
        finding("phone", text, "07700 900123"),
        finding("email", text, "a@b.com"),
        finding("postcode", text, "KY1 2AB"),
        finding("date_of_birth", text, "12/03/2011"),
    ]
    assert redact(text, findings) == (
        "Ring [phone number] or email [email address], [postcode], DOB [date of birth]."
    )


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        ("An S3 at Beath High.", "S3 at Beath High", "An S3 at [school]."),
        ("Beath High S3 boy", "Beath High S3", "[school] S3 boy"),
        (
            "an S4 pupil at St Columba's RC High School today",
            "S4 pupil at St Columba's RC High School",
            "an S4 pupil at [school] today",
        ),
    ],
)
def test_school_year_keeps_the_year_group_and_hides_the_school(
    text: str, span: str, expected: str
) -> None:
    assert redact(text, [finding("school_year", text, span)]) == expected


def test_no_findings_leaves_the_text_alone() -> None:
    assert redact("Nothing to see.", []) == "Nothing to see."


def test_findings_from_another_text_are_refused() -> None:
    with pytest.raises(ValueError, match="does not match"):
        redact("Spoke to Chloe Brown", [Finding("name", "Jamie Fraser", 9, 21)])
