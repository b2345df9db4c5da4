"""What the identifier guard reports: a kind of identifier and where it is in the text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

IdentifierKind = Literal["name", "phone", "email", "postcode", "date_of_birth", "school_year"]
"""The kinds of detail that can identify someone other than the practitioner."""

KINDS: tuple[IdentifierKind, ...] = get_args(IdentifierKind)

# When two findings overlap, the kind earlier here wins: the structured kinds are exact
# and a name found inside an e-mail address or a school name is a mistake.
_PRECEDENCE: dict[str, int] = {
    kind: rank
    for rank, kind in enumerate(
        ("email", "phone", "postcode", "date_of_birth", "school_year", "name")
    )
}


@dataclass(frozen=True)
class Finding:
    """One identifier: `text == checked[start:end]`, offsets in characters."""

    kind: IdentifierKind
    text: str
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown identifier kind {self.kind!r}; expected one of {KINDS}")
        if not 0 <= self.start < self.end or self.end - self.start != len(self.text):
            raise ValueError(
                f"finding {self.text!r} has bad offsets {self.start}..{self.end}: "
                "end must be after start and end - start must equal len(text)"
            )

    @classmethod
    def at(cls, kind: IdentifierKind, checked: str, start: int, end: int) -> Finding:
        """The finding of `kind` covering `checked[start:end]`."""
        return cls(kind, checked[start:end], start, end)

    def overlaps(self, other: Finding) -> bool:
        """Whether the two findings share at least one character."""
        return self.start < other.end and other.start < self.end


def non_overlapping(findings: Iterable[Finding]) -> list[Finding]:
    """Findings sorted by start, keeping on each overlap the stronger kind, then the longer."""
    ranked = sorted(findings, key=lambda f: (_PRECEDENCE[f.kind], f.start - f.end, f.start))
    kept: list[Finding] = []
    for finding in ranked:
        if not any(finding.overlaps(other) for other in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: f.start)
