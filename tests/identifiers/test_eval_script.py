"""benchmarks/identifiers_eval.py: scoring, output, and the figures on our dev sentences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.identifiers import Finding
from tests.conftest import load_benchmark

DEV_SET = Path(__file__).with_name("dev_sentences.jsonl")
script = load_benchmark("identifiers_eval")


def test_the_dev_set_is_big_enough_and_half_has_identifiers() -> None:
    items = script.load_items(DEV_SET)
    with_identifiers = [item for item in items if item.gold]
    assert len(items) >= 60
    assert len(with_identifiers) >= len(items) / 2 - 10
    kinds = {span.kind for item in items for span in item.gold}
    assert kinds == {"name", "phone", "email", "postcode", "date_of_birth", "school_year"}


def test_a_prediction_matches_an_overlapping_gold_span_of_its_kind_once() -> None:
    gold = [Finding("name", "Jamie Fraser", 0, 12), Finding("phone", "07700 900123", 20, 32)]
    predicted = [
        Finding("name", "Jamie Fraser's", 0, 14),  # overlaps: a match
        Finding("name", "Fraser", 6, 12),  # the gold span is already used
        Finding("postcode", "07700 9", 20, 27),  # wrong kind
    ]
    pairs = script.match(gold, predicted)
    assert pairs == [(gold[0], predicted[0])]


def write(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def test_scores_per_kind_and_flags_on_clean_items(tmp_path: Path, capsys) -> None:
    path = write(
        tmp_path / "set.jsonl",
        [
            {
                "id": "a",
                "text": "Jamie Fraser rang.",
                "identifiers": [{"kind": "name", "text": "Jamie Fraser", "start": 0, "end": 12}],
            },
            {
                "id": "b",
                "text": "Call 07700 900123 now.",
                "identifiers": [{"kind": "phone", "text": "07700 900123", "start": 5, "end": 17}],
            },
            {"id": "c", "text": "Chloe Brown was there.", "identifiers": []},
            {"id": "d", "text": "Oksana alone.", "identifiers": []},
            {
                "id": "e",
                "text": "Tadesse Kovalchuk rang.",
                "identifiers": [
                    {"kind": "name", "text": "Tadesse Kovalchuk", "start": 0, "end": 17}
                ],
            },
        ],
    )
    assert script.main([str(path), "--detector", "fake", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["per_kind"]["name"] == {
        "gold": 2,
        "predicted": 2,
        "matched": 1,
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
    }
    assert report["per_kind"]["phone"]["f1"] == 1.0
    assert report["per_kind"]["email"]["precision"] is None
    assert report["overall"]["gold"] == 3 and report["overall"]["matched"] == 2
    assert report["clean_items"] == 2 and report["clean_items_flagged"] == 1
    assert report["flagged_clean"] == [{"id": "c", "flagged": [["name", "Chloe Brown"]]}]
    assert set(report["latency_ms"]) == {"p50", "p95", "mean"}
    assert report["model_load_seconds"] >= 0

    assert script.main([str(path), "--detector", "fake", "--errors"]) == 0
    text = capsys.readouterr().out
    for expected in ("name", "phone", "overall", "p50", "p95", "model load", "flagged: 1"):
        assert expected in text
    assert "missed name 'Tadesse Kovalchuk'" in text


def test_a_span_whose_text_does_not_match_its_offsets_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.jsonl",
        [
            {
                "id": "x",
                "text": "Hello there",
                "identifiers": [{"kind": "name", "text": "Jamie", "start": 0, "end": 5}],
            }
        ],
    )
    with pytest.raises(SystemExit, match="does not match its offsets"):
        script.load_items(path)


def test_a_missing_file_is_reported(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        script.main([str(tmp_path / "missing.jsonl"), "--detector", "fake"])
    assert "no such file" in capsys.readouterr().err


@pytest.mark.slow
def test_the_real_detector_meets_the_targets_on_our_dev_sentences(capsys) -> None:
    assert script.main([str(DEV_SET), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    names = report["per_kind"]["name"]
    assert names["recall"] >= 0.9 and names["precision"] >= 0.8
    for kind in ("phone", "email", "postcode", "date_of_birth", "school_year"):
        assert report["per_kind"][kind]["f1"] >= 0.95, kind
    assert report["clean_items_flagged"] <= 2
