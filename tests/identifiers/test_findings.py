"""Findings: their invariants and how overlaps are resolved."""

from __future__ import annotations

import pytest

from bot.identifiers import Finding
from bot.identifiers.findings import non_overlapping


def test_a_finding_checks_its_offsets_and_kind() -> None:
    assert Finding.at("name", "Met Jamie Fraser.", 4, 16).text == "Jamie Fraser"
    with pytest.raises(ValueError, match="bad offsets"):
        Finding("name", "Jamie", 4, 16)
    with pytest.raises(ValueError, match="unknown identifier kind"):
        Finding("address", "x", 0, 1)  # type: ignore[arg-type]


def test_findings_are_frozen() -> None:
    finding = Finding("phone", "07700 900123", 0, 12)
    with pytest.raises(AttributeError):
        finding.start = 1  # type: ignore[misc]


def test_overlaps_keep_the_stronger_kind_and_sort_by_start() -> None:
    email = Finding("email", "jamie.fraser@x.com", 10, 28)
    name_inside = Finding("name", "jamie.fraser", 10, 22)
    later = Finding("phone", "07700 900123", 40, 52)
    assert non_overlapping([later, name_inside, email]) == [email, later]
