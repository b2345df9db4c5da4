"""The figures `reflectbot eval` prints, from hand-made predictions."""

from __future__ import annotations

import pytest

from framework.dataset import LabelledItem
from framework.evaluation import Prediction, evaluate, format_report


def item(item_id: str, labels: tuple[str, ...]) -> LabelledItem:
    return LabelledItem(id=item_id, text=f"text of {item_id}", labels=labels)


ITEMS = [
    item("a", ("2.6", "3.4")),  # two labels
    item("b", ("1.1",)),
    item("admin", ()),  # evidences nothing
]
PREDICTIONS = [
    Prediction("a", ("2.6", "2.1", "3.4"), ("2.6", "2.1", "3.4", "1.1")),  # 2 of 3 right
    Prediction("b", ("4.2",), ("4.2", "1.1")),  # wrong, the right one second in the ranking
    Prediction("admin", ("5.8",), ("5.8",)),  # something shown for nothing
]


def test_precision_recall_and_f1_of_what_is_shown() -> None:
    report = evaluate(ITEMS, PREDICTIONS)
    # shown 5, of which right 2; labels 3, of which shown 2
    assert report.precision_shown == pytest.approx(2 / 5)
    assert report.recall_shown == pytest.approx(2 / 3)
    assert report.f1_shown == pytest.approx(2 * 0.4 * (2 / 3) / (0.4 + 2 / 3))
    assert report.mrr == pytest.approx((1 + 1 / 2) / 2)
    assert report.abstain_unlabelled == 0.0 and report.mean_shown == pytest.approx(5 / 3)
    text = format_report(report)
    assert "precision of what is shown   0.400" in text
    assert "recall of what is shown      0.667" in text
    assert "F1 of what is shown          0.500" in text
    assert report.to_json()["f1_shown"] == pytest.approx(0.5)


def test_nothing_shown_has_no_precision_to_speak_of() -> None:
    nothing = [Prediction(i.id, (), ("9.9",)) for i in ITEMS]
    report = evaluate(ITEMS, nothing)
    assert (report.precision_shown, report.recall_shown, report.f1_shown) == (0.0, 0.0, 0.0)
    assert report.abstain_unlabelled == 1.0
