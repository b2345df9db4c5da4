"""Measuring suggestion quality on labelled reflections (the dev-set JSONL format).

Each input line is ``{"id": ..., "text": ..., "labels": [indicator ids, best first]}``;
an empty ``labels`` list means the reflection evidences nothing, so the right answer is
to show nothing. Metrics are pure functions of predictions and labels.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from framework.dataset import DatasetError, LabelledItem
from framework.model import Framework
from framework.suggest import Suggester, Suggestion


@dataclass(frozen=True)
class Prediction:
    """What the suggester did for one item: what it would show, and its full ranking."""

    id: str
    shown: tuple[str, ...]
    ranking: tuple[str, ...]


def competence_of(indicator_id: str) -> str:
    return indicator_id.split(".")[0]


def recall_precision_at(predicted: Sequence[str], labels: Sequence[str], k: int) -> float:
    """Correct labels among the first k predictions, over min(k, number of labels)."""
    if not labels:
        raise ValueError("R-precision is defined for labelled items only")
    hits = len(set(predicted[:k]) & set(labels))
    return hits / min(k, len(labels))


def reciprocal_rank(ranking: Sequence[str], labels: Sequence[str]) -> float:
    for position, indicator_id in enumerate(ranking, start=1):
        if indicator_id in labels:
            return 1.0 / position
    return 0.0


@dataclass
class CompetenceFigures:
    labels: int = 0  # gold labels in this competence
    found: int = 0  # of those, shown
    shown: int = 0  # suggestions shown in this competence
    correct: int = 0  # of those, correct

    @property
    def recall(self) -> float | None:
        return self.found / self.labels if self.labels else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.shown if self.shown else None


@dataclass
class Report:
    items: int
    labelled: int
    unlabelled: int
    rp_at_3_shown: float  # what is shown (at most 3), the acceptance figure
    rp_at_3: float  # top 3 of the ranking
    rp_at_5: float  # top 5 of the ranking
    mrr: float
    p_at_1: float  # the first suggestion shown is correct
    top_competence: float  # the first suggestion shown is in a correct competence
    abstain_unlabelled: float  # nothing shown, among items that evidence nothing
    abstain_labelled: float  # nothing shown, among items that evidence something
    mean_shown: float
    competences: dict[str, CompetenceFigures] = field(default_factory=dict)
    # Of everything shown, over all items: how much is right (precision), how much of what
    # is right is shown (recall), and their harmonic mean: a practitioner's view of it.
    precision_shown: float = 0.0
    recall_shown: float = 0.0
    f1_shown: float = 0.0

    def to_json(self) -> dict:
        data = asdict(self)
        for number, figures in self.competences.items():
            data["competences"][number].update(recall=figures.recall, precision=figures.precision)
        return data


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def evaluate(items: Sequence[LabelledItem], predictions: Sequence[Prediction]) -> Report:
    """Score predictions against the items' labels (matched by id)."""
    by_id = {p.id: p for p in predictions}
    missing = [item.id for item in items if item.id not in by_id]
    if missing:
        raise ValueError(f"no prediction for {len(missing)} item(s), e.g. {missing[:3]}")
    labelled = [i for i in items if i.labels]
    unlabelled = [i for i in items if not i.labels]
    competences: dict[str, CompetenceFigures] = {}
    for item in labelled:
        shown = by_id[item.id].shown
        for label in item.labels:
            figures = competences.setdefault(competence_of(label), CompetenceFigures())
            figures.labels += 1
            figures.found += label in shown
    for item in items:
        for indicator_id in by_id[item.id].shown:
            figures = competences.setdefault(competence_of(indicator_id), CompetenceFigures())
            figures.shown += 1
            figures.correct += indicator_id in item.labels

    shown_total = sum(len(by_id[i.id].shown) for i in items)
    correct_total = sum(len(set(by_id[i.id].shown) & set(i.labels)) for i in items)
    labels_total = sum(len(set(i.labels)) for i in labelled)
    precision = correct_total / shown_total if shown_total else 0.0
    recall = correct_total / labels_total if labels_total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def first_in_competence(item: LabelledItem) -> float:
        shown = by_id[item.id].shown
        return float(bool(shown) and competence_of(shown[0]) in map(competence_of, item.labels))

    return Report(
        items=len(items),
        labelled=len(labelled),
        unlabelled=len(unlabelled),
        rp_at_3_shown=_mean(recall_precision_at(by_id[i.id].shown, i.labels, 3) for i in labelled),
        rp_at_3=_mean(recall_precision_at(by_id[i.id].ranking, i.labels, 3) for i in labelled),
        rp_at_5=_mean(recall_precision_at(by_id[i.id].ranking, i.labels, 5) for i in labelled),
        mrr=_mean(reciprocal_rank(by_id[i.id].ranking, i.labels) for i in labelled),
        p_at_1=_mean(
            float(bool(by_id[i.id].shown) and by_id[i.id].shown[0] in i.labels) for i in labelled
        ),
        top_competence=_mean(first_in_competence(i) for i in labelled),
        abstain_unlabelled=_mean(float(not by_id[i.id].shown) for i in unlabelled),
        abstain_labelled=_mean(float(not by_id[i.id].shown) for i in labelled),
        mean_shown=_mean(len(by_id[i.id].shown) for i in items),
        competences=dict(sorted(competences.items(), key=lambda kv: int(kv[0]))),
        precision_shown=precision,
        recall_shown=recall,
        f1_shown=f1,
    )


def format_report(report: Report, framework: Framework | None = None) -> str:
    """The report as a short plain-text table."""

    def pct(value: float | None) -> str:
        return "   -" if value is None else f"{value:4.2f}"

    lines = [
        f"items: {report.items} ({report.labelled} labelled, {report.unlabelled} evidence nothing)",
        f"precision of what is shown   {report.precision_shown:.3f}",
        f"recall of what is shown      {report.recall_shown:.3f}",
        f"F1 of what is shown          {report.f1_shown:.3f}",
        f"RP@3 (shown, at most 3)      {report.rp_at_3_shown:.3f}",
        f"RP@3 (ranking)               {report.rp_at_3:.3f}",
        f"RP@5 (ranking)               {report.rp_at_5:.3f}",
        f"MRR                          {report.mrr:.3f}",
        f"P@1 (first shown is correct) {report.p_at_1:.3f}",
        f"first shown in a correct competence  {report.top_competence:.3f}",
        f"nothing shown, unlabelled items      {report.abstain_unlabelled:.3f}",
        f"nothing shown, labelled items        {report.abstain_labelled:.3f}",
        f"suggestions shown per item           {report.mean_shown:.2f}",
        "",
        "competence  labels  recall  shown  precision",
    ]
    for number, figures in report.competences.items():
        title = ""
        if framework is not None:
            try:
                title = "  " + framework.competence(int(number)).title
            except KeyError:
                title = ""
        lines.append(
            f"{number:>10}  {figures.labels:6d}  {pct(figures.recall)}  {figures.shown:5d}"
            f"  {pct(figures.precision)}{title}"
        )
    return "\n".join(lines)


def predict(
    suggester: Suggester, items: Sequence[LabelledItem]
) -> list[tuple[list[Suggestion], list[tuple[str, float]]]]:
    """For each item: what the bot would show, and the full ranking with scores."""
    return [suggester.analyse(item.text) for item in items]


def as_prediction(
    item_id: str, shown: Sequence[Suggestion], ranking: Sequence[tuple[str, float]]
) -> Prediction:
    """What the suggester did for one item, in the form `evaluate` scores."""
    return Prediction(item_id, tuple(s.indicator_id for s in shown), tuple(i for i, _ in ranking))


def prediction_record(
    item_id: str, suggestions: Sequence[Suggestion], ranking: Sequence[tuple[str, float]]
) -> dict:
    """One line of `reflectbot suggest` output."""
    return {
        "id": item_id,
        "suggestions": [
            {"indicator": s.indicator_id, "score": round(s.score, 4), "evidence": s.evidence}
            for s in suggestions
        ],
        "ranking": [indicator_id for indicator_id, _ in ranking],
    }


def predictions_from_records(path: str | Path) -> list[Prediction]:
    """Read `reflectbot suggest` output back as predictions."""
    predictions = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            predictions.append(
                Prediction(
                    record["id"],
                    tuple(s["indicator"] for s in record["suggestions"]),
                    tuple(record["ranking"]),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise DatasetError(f"{path}, line {number}: not a suggest record ({error})") from error
    return predictions
