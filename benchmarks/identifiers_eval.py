"""Identifier guard evaluation: precision, recall and F1 per kind, flags on clean items,
latency and model load time.

    .venv/bin/python benchmarks/identifiers_eval.py [PATH.jsonl] [--json] [--errors]
        [--detector spacy|fake]

PATH (default tests/data/identifier_sentences.jsonl) has one item a line:
{"id", "text", "identifiers": [{"kind", "text", "start", "end"}]}. A predicted span
matches a gold span of the same kind when their character ranges overlap; each gold span
is matched at most once. `--errors` also lists every miss and false alarm (this prints
the items' text, so use it on test data only).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.identifiers import (  # noqa: E402
    KINDS,
    FakeIdentifierDetector,
    Finding,
    IdentifierDetector,
    SpacyIdentifierDetector,
)

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "tests" / "data" / "identifier_sentences.jsonl"


@dataclass(frozen=True)
class Item:
    """One labelled text."""

    id: str
    text: str
    gold: tuple[Finding, ...]


def load_items(path: Path) -> list[Item]:
    """Read the JSONL file, checking that every gold span's text matches its offsets."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record["text"]
            gold = tuple(
                Finding(span["kind"], span["text"], span["start"], span["end"])
                for span in record.get("identifiers", [])
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise SystemExit(f"{path}:{number}: not a valid item ({exc})") from exc
        for span in gold:
            if text[span.start : span.end] != span.text:
                raise SystemExit(
                    f"{path}:{number}: span {span.text!r} does not match its offsets "
                    f"{span.start}..{span.end} ({text[span.start : span.end]!r})"
                )
        items.append(Item(str(record.get("id", number)), text, gold))
    return items


def match(gold: Sequence[Finding], predicted: Sequence[Finding]) -> list[tuple[Finding, Finding]]:
    """Pairs (gold, prediction) of the same kind that overlap, each gold used once."""
    pairs = []
    used: set[int] = set()
    for prediction in sorted(predicted, key=lambda f: f.start):
        for index, span in enumerate(gold):
            if index not in used and span.kind == prediction.kind and span.overlaps(prediction):
                used.add(index)
                pairs.append((span, prediction))
                break
    return pairs


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def _f1(precision: float | None, recall: float | None) -> float | None:
    if not precision or not recall:
        return 0.0 if precision == 0 or recall == 0 else None
    return round(2 * precision * recall / (precision + recall), 3)


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def evaluate(
    items: Sequence[Item], detector: IdentifierDetector, *, with_errors: bool = False
) -> dict[str, Any]:
    """Run the detector over every item and score it."""
    started = time.perf_counter()
    detector.warm()
    load_seconds = time.perf_counter() - started
    counts = {kind: {"gold": 0, "predicted": 0, "matched": 0} for kind in KINDS}
    latencies: list[float] = []
    clean_items = 0
    flagged_clean: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for item in items:
        started = time.perf_counter()
        predicted = detector.find(item.text)
        latencies.append((time.perf_counter() - started) * 1000)
        pairs = match(item.gold, predicted)
        for span in item.gold:
            counts[span.kind]["gold"] += 1
        for finding in predicted:
            counts[finding.kind]["predicted"] += 1
        for span, _ in pairs:
            counts[span.kind]["matched"] += 1
        if not item.gold:
            clean_items += 1
            if predicted:
                flagged_clean.append(
                    {"id": item.id, "flagged": [[f.kind, f.text] for f in predicted]}
                )
        if with_errors:
            matched_gold = {id(g) for g, _ in pairs}
            matched_predicted = {id(p) for _, p in pairs}
            missed = [[g.kind, g.text] for g in item.gold if id(g) not in matched_gold]
            extra = [[p.kind, p.text] for p in predicted if id(p) not in matched_predicted]
            if missed or extra:
                errors.append({"id": item.id, "text": item.text, "missed": missed, "extra": extra})
    per_kind = {kind: _scores(c) for kind, c in counts.items()}
    total = {key: sum(c[key] for c in counts.values()) for key in ("gold", "predicted", "matched")}
    report: dict[str, Any] = {
        "items": len(items),
        "model_id": detector.model_id,
        "per_kind": per_kind,
        "overall": _scores(total),
        "clean_items": clean_items,
        "clean_items_flagged": len(flagged_clean),
        "flagged_clean": flagged_clean,
        "latency_ms": {
            "p50": round(_percentile(latencies, 50), 2) if latencies else None,
            "p95": round(_percentile(latencies, 95), 2) if latencies else None,
            "mean": round(statistics.fmean(latencies), 2) if latencies else None,
        },
        "model_load_seconds": round(load_seconds, 2),
    }
    if with_errors:
        report["errors"] = errors
    return report


def _scores(counts: dict[str, int]) -> dict[str, Any]:
    precision = _ratio(counts["matched"], counts["predicted"])
    recall = _ratio(counts["matched"], counts["gold"])
    return {**counts, "precision": precision, "recall": recall, "f1": _f1(precision, recall)}


def format_report(report: dict[str, Any]) -> str:
    """The report as a plain-text table."""

    def show(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    lines = [
        f"{report['items']} items, detector {report['model_id']}",
        "",
        f"{'kind':<14} {'gold':>5} {'pred':>5} {'match':>5} {'prec':>6} {'recall':>6} {'f1':>6}",
    ]
    rows = [*report["per_kind"].items(), ("overall", report["overall"])]
    for kind, s in rows:
        lines.append(
            f"{kind:<14} {s['gold']:>5} {s['predicted']:>5} {s['matched']:>5} "
            f"{show(s['precision']):>6} {show(s['recall']):>6} {show(s['f1']):>6}"
        )
    lines += [
        "",
        f"items with no identifiers: {report['clean_items']}, "
        f"of which flagged: {report['clean_items_flagged']}",
    ]
    for entry in report["flagged_clean"]:
        flagged = ", ".join(f"{kind} {text!r}" for kind, text in entry["flagged"])
        lines.append(f"  {entry['id']}: {flagged}")
    latency = report["latency_ms"]
    lines += [
        f"latency per item: p50 {latency['p50']} ms, p95 {latency['p95']} ms",
        f"model load: {report['model_load_seconds']} s",
    ]
    for error in report.get("errors", []):
        lines.append(f"\n{error['id']}: {error['text']}")
        for kind, text in error["missed"]:
            lines.append(f"  missed {kind} {text!r}")
        for kind, text in error["extra"]:
            lines.append(f"  extra  {kind} {text!r}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--errors", action="store_true", help="list misses and false alarms")
    parser.add_argument(
        "--detector",
        choices=("spacy", "fake"),
        default="spacy",
        help="the real detector (default) or the fake one used in fast tests",
    )
    args = parser.parse_args(argv)
    if not args.path.is_file():
        parser.error(f"no such file: {args.path}")
    items = load_items(args.path)
    detector: IdentifierDetector = (
        SpacyIdentifierDetector() if args.detector == "spacy" else FakeIdentifierDetector()
    )
    report = evaluate(items, detector, with_errors=args.errors)
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
