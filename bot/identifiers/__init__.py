"""The identifier guard: finds details in a reflection that identify someone other than the
practitioner (names, phone numbers, e-mail addresses, postcodes, dates of birth, a year
group at a named school) and redacts them on request.

    detector = SpacyIdentifierDetector()
    findings = detector.find(text, own_names=("Karen", "Smith"))
    redact(text, findings)  # "Jamie Fraser" -> "J.F.", "07700 900123" -> "[phone number]"

Nothing here imports Telegram or storage; the spaCy model loads on first use.
"""

from bot.identifiers.detectors import (
    FAKE_GIVEN_NAMES,
    FakeIdentifierDetector,
    IdentifierDetector,
    ModelLoadError,
    SpacyIdentifierDetector,
)
from bot.identifiers.findings import KINDS, Finding, IdentifierKind
from bot.identifiers.lexicon import PUBLIC_FIGURES
from bot.identifiers.redaction import redact

__all__ = [
    "FAKE_GIVEN_NAMES",
    "KINDS",
    "PUBLIC_FIGURES",
    "FakeIdentifierDetector",
    "Finding",
    "IdentifierDetector",
    "IdentifierKind",
    "ModelLoadError",
    "SpacyIdentifierDetector",
    "redact",
]
