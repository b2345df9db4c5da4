"""The shown-set rule inside the Suggester, the quoted evidence, and learning the rule
(out-of-fold signals) with the fake encoder and heads trained by ``train_head``."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import framework.train_head as train_head_module
from framework import (
    ExampleSet,
    FakeEncoder,
    Framework,
    LinearHead,
    ScoringParameters,
    Suggester,
    load_examples,
    load_framework,
    load_head,
    load_rule,
)
from framework.scoring import NOT_QUOTED_ABOVE, knn_scores, quotable_sentence, softmax_rows
from framework.shown import FEATURES, ShownRule
from framework.suggest import scored_sentences
from framework.train_head import (
    RememberingEncoder,
    fold_of,
    out_of_fold,
    train_head,
    train_rule,
)

CONFLICT = (
    "Two of the young people started fighting at the youth club over a game of pool. "
    "I got between them, calmed them down and later sat them both down to talk it through "
    "and agree how to move on."
)
TEXTS = (
    CONFLICT,
    "Ran a session with the ESOL group on filling in the college application form, "
    "then went with two of them to the open day so the move felt less daunting.",
    "The funder wanted numbers, so I pulled together our attendance data and the "
    "learners' quotes into a short slide deck for the board.",
    "knackered. long day. will write this up tomorrow",
    "At the partnership meeting we thrashed out who does what on the joint summer programme.",
)
OPEN = ScoringParameters(knn_floor=-1.0)  # the old rule shows the top 3 unless P(none) vetoes


@pytest.fixture(scope="module")
def cld() -> Framework:
    return load_framework()


@pytest.fixture(scope="module")
def examples(cld: Framework) -> ExampleSet:
    return load_examples(cld)


@pytest.fixture(scope="module")
def head(cld: Framework, examples: ExampleSet) -> LinearHead:
    """A head trained on the packaged examples with the fake encoder (about 15 s)."""
    return train_head(cld, examples, FakeEncoder())


def suggester(cld, examples, head, rule=None, **kwargs) -> Suggester:  # noqa: ANN001
    kwargs.setdefault("parameters", OPEN)
    return Suggester(cld, FakeEncoder(), examples=examples, head=head, rule=rule, **kwargs)


def fitting_rule(head: LinearHead, weights: dict[str, float] | None = None, **kwargs) -> ShownRule:  # noqa: ANN003
    """A rule for the fake encoder and ``head``; zero weights unless given (every chance 1/2)."""
    vector = np.zeros(len(FEATURES), dtype=np.float32)
    for name, value in (weights or {}).items():
        vector[FEATURES.index(name)] = value
    fields = {
        "weights": vector,
        "bias": 0.0,
        "threshold": 0.5,
        "none_threshold": 1.0,
        "model_id": FakeEncoder().model_id,
        "head_hash": head.fingerprint,
    }
    fields.update(kwargs)
    return ShownRule(**fields)


# The rule is applied for its model and head only


def test_a_fitting_rule_with_a_huge_threshold_shows_exactly_one(cld, examples, head) -> None:
    rule = fitting_rule(head, threshold=2.0)
    s = suggester(cld, examples, head, rule)
    s.prepare()
    assert s.head is head and s.rule is rule
    for text in TEXTS:
        shown, ranking = s.analyse(text)
        assert len(shown) == 1, text
        assert shown[0].rank == 1 and len(ranking) == 56
    # the rule decides, whatever the old floor says
    strict = suggester(cld, examples, head, rule, parameters=ScoringParameters(knn_floor=1.01))
    assert len(strict.suggest(CONFLICT)) == 1


def test_a_fitting_rule_with_a_negative_none_threshold_shows_nothing(cld, examples, head) -> None:
    s = suggester(cld, examples, head, fitting_rule(head, none_threshold=-1.0, threshold=0.0))
    for text in TEXTS:
        shown, ranking = s.analyse(text)
        assert shown == [] and len(ranking) == 56


def test_a_fitting_rule_with_a_zero_threshold_shows_max_shown(cld, examples, head) -> None:
    for max_shown in (1, 3, 5):
        rule = fitting_rule(head, threshold=0.0, max_shown=max_shown)
        shown = suggester(cld, examples, head, rule).suggest(CONFLICT)
        assert [s.rank for s in shown] == list(range(1, max_shown + 1))


def test_the_rule_even_shows_what_the_head_says_evidences_nothing(cld, examples, head) -> None:
    off_topic = "knackered. long day. will write this up tomorrow"
    plain = suggester(cld, examples, head)
    assert plain.signals(off_topic).none > OPEN.none_probability_max
    assert plain.suggest(off_topic) == []  # the old rule's veto
    lenient = suggester(cld, examples, head, fitting_rule(head, none_threshold=1.0))
    assert len(lenient.suggest(off_topic)) == 3  # every chance is 1/2, the threshold 1/2


def test_what_is_shown_is_what_the_rule_chooses(cld, examples, head) -> None:
    rule = fitting_rule(
        head,
        {"fused": 1.5, "head probability": 4.0, "nearest examples, best sentence": 3.0},
        bias=-3.0,
        threshold=0.35,
        none_threshold=0.9,
    )
    s = suggester(cld, examples, head, rule)
    counts = set()
    for text in TEXTS:
        signals = s.signals(text)
        expected = [cld.indicator_ids[i] for i, _ in rule.choose(signals)]
        shown = s.suggest(text)
        assert [x.indicator_id for x in shown] == expected, text
        counts.add(len(expected))
        for suggestion in shown:
            index = cld.indicator_ids.index(suggestion.indicator_id)
            assert suggestion.score == pytest.approx(float(signals.fused[index]))
    assert len(counts) > 1, "the rule should show different numbers for these texts"


@pytest.mark.parametrize(
    "change",
    [
        {"head_hash": "0000000000000000"},
        {"model_id": "sentence-transformers/all-MiniLM-L6-v2"},
    ],
    ids=["other-head", "other-model"],
)
def test_a_rule_for_another_head_or_model_is_ignored(cld, examples, head, change) -> None:
    rule = fitting_rule(head, threshold=2.0, **change)
    s = suggester(cld, examples, head, rule)
    s.prepare()
    assert s.head is head and s.rule is None
    plain = suggester(cld, examples, head)
    for text in TEXTS:
        assert s.suggest(text) == plain.suggest(text)
    assert len(s.suggest(CONFLICT)) == 3  # the old top three


def test_a_rule_is_not_applied_without_the_head_it_was_learned_with(cld, examples, head) -> None:
    other_model_head = dataclasses.replace(head, model_id="another-model")
    rule = fitting_rule(other_model_head, threshold=2.0)  # its fingerprint is the same
    assert rule.fits(FakeEncoder().model_id, other_model_head.fingerprint)
    s = suggester(cld, examples, other_model_head, rule)
    s.prepare()
    assert s.head is None and s.rule is None
    assert len(s.suggest(CONFLICT)) == 3
    no_head = suggester(cld, examples, None, fitting_rule(head, threshold=2.0))
    no_head.prepare()
    assert no_head.rule is None and len(no_head.suggest(CONFLICT)) == 3


def test_a_saved_head_and_rule_still_fit_each_other(cld, examples, head, tmp_path: Path) -> None:
    rule = fitting_rule(head, {"fused": 0.7}, bias=-0.2, threshold=0.9)
    head.save(tmp_path / "cld_head.npz")
    rule.save(tmp_path / "cld_shown_rule.json")
    loaded_head = load_head(tmp_path / "cld_head.npz")
    loaded_rule = load_rule(tmp_path / "cld_shown_rule.json")
    assert loaded_head.fingerprint == head.fingerprint
    s = suggester(cld, examples, loaded_head, loaded_rule)
    s.prepare()
    assert s.rule is loaded_rule
    assert len(s.suggest(CONFLICT)) == 1


def test_signals_describe_the_text_per_indicator(cld, examples, head) -> None:
    s = suggester(cld, examples, head)
    signals = s.signals(CONFLICT)
    for name in ("fused", "knn_whole", "knn_sentence", "head_whole", "head_sentence"):
        assert getattr(signals, name).shape == (56,), name
    order = [cld.indicator_ids[i] for i in np.argsort(-signals.fused, kind="stable")]
    assert order == [i for i, _ in s.rank(CONFLICT)]
    encoder = FakeEncoder()
    whole = softmax_rows(head.logits(encoder.encode([CONFLICT])))[0]
    np.testing.assert_allclose(signals.head_whole, whole[:-1], rtol=1e-5, atol=1e-7)
    assert signals.none == pytest.approx(float(whole[-1]), rel=1e-5)
    sentences = softmax_rows(head.logits(encoder.encode(scored_sentences(CONFLICT))))
    np.testing.assert_allclose(
        signals.head_sentence, sentences[:, :-1].max(axis=0), rtol=1e-5, atol=1e-7
    )
    assert (signals.knn_sentence >= -1).all() and (signals.knn_sentence <= 1.0001).all()


# The evidence quoted


def test_evidence_is_never_a_sentence_that_looks_like_nothing(cld, examples, head) -> None:
    encoder = FakeEncoder()
    s = suggester(cld, examples, head, fitting_rule(head, threshold=0.0))
    admin = (
        "Room booked for thursday.",
        "Photocopied the handouts for Tuesday.",
        "Went to the office, answered emails, did some admin.",
    )
    quoted = 0
    for note in admin:
        for text in (f"{note} {CONFLICT}", f"{CONFLICT} {note}"):
            sentences = scored_sentences(text)
            chances = softmax_rows(head.logits(encoder.encode(sentences)))
            assert chances[:, -1].max() > NOT_QUOTED_ABOVE, "the admin note looks like nothing"
            for suggestion in s.suggest(text):
                if suggestion.evidence:
                    quoted += 1
                    own = chances[sentences.index(suggestion.evidence), -1]
                    assert own <= NOT_QUOTED_ABOVE, (text, suggestion)
    assert quoted >= 6


TRIGGER = "zzzadmin"


def none_head(cld: Framework, strength: float = 40.0) -> LinearHead:
    """A head whose only opinion: texts with the trigger word evidence nothing."""
    encoder = FakeEncoder()
    classes = (*cld.indicator_ids, "none")
    weights = np.zeros((len(classes), encoder.dimension), np.float32)
    weights[-1] = strength * encoder.encode([TRIGGER])[0]
    return LinearHead(
        weights, np.zeros(len(classes), np.float32), classes, encoder.model_id, "", ""
    )


def test_the_best_matching_sentence_is_not_quoted_when_it_looks_like_nothing(cld) -> None:
    """The second sentence is indicator 2.6's own wording, so it matches 2.6 best by far;
    but the head says it evidences nothing, so the first is quoted instead."""
    head = none_head(cld)
    s = Suggester(
        cld,
        FakeEncoder(),
        head=head,
        parameters=ScoringParameters(knn_floor=-1.0, none_probability_max=1.01),
    )
    first = "The lads fell out at the club and I helped them talk it through."
    second = f"Work towards the resolution of conflict {TRIGGER} {TRIGGER}."
    text = f"{first} {second}"
    chances = softmax_rows(head.logits(FakeEncoder().encode([first, second])))
    assert chances[0, -1] <= NOT_QUOTED_ABOVE < chances[1, -1]
    shown = {x.indicator_id: x for x in s.suggest(text)}
    assert "2.6" in shown
    assert shown["2.6"].evidence == first
    assert all(x.evidence == first for x in shown.values())
    without_head = Suggester(cld, FakeEncoder(), parameters=ScoringParameters(knn_floor=-1.0))
    assert {x.indicator_id: x for x in without_head.suggest(text)}["2.6"].evidence == second


def test_no_evidence_is_quoted_when_every_sentence_looks_like_nothing(cld) -> None:
    s = Suggester(
        cld,
        FakeEncoder(),
        head=none_head(cld),
        parameters=ScoringParameters(knn_floor=-1.0, none_probability_max=1.01),
    )
    text = (
        f"The lads fell out at the club {TRIGGER} {TRIGGER}. "
        f"Work towards the resolution of conflict {TRIGGER} {TRIGGER}."
    )
    shown = s.suggest(text)
    assert len(shown) == 3
    assert [x.evidence for x in shown] == ["", "", ""]


def test_quotable_sentence_agrees_with_analyse(cld, examples, head) -> None:
    text = f"Photocopied the handouts for Tuesday. {CONFLICT}"
    s = suggester(cld, examples, head, fitting_rule(head, threshold=0.0, max_shown=5))
    s.prepare()
    sentences = scored_sentences(text)
    encoder = FakeEncoder()
    rows = encoder.encode(sentences)
    knn = knn_scores(rows, s._references, s.parameters.top_k)
    best = quotable_sentence(knn, softmax_rows(head.logits(rows)))
    for suggestion in s.suggest(text):
        index = cld.indicator_ids.index(suggestion.indicator_id)
        assert suggestion.evidence == sentences[best[index]]
        assert best[index] != 0  # the admin note


# Learning the rule: remembering vectors, folds and out-of-fold signals


class CountingEncoder:
    def __init__(self, dimension: int = 32) -> None:
        self.inner = FakeEncoder(dimension)
        self.model_id = self.inner.model_id
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.encode(texts)


def test_remembering_encoder_encodes_each_text_once() -> None:
    inner = CountingEncoder()
    remembering = RememberingEncoder(inner)
    assert remembering.model_id == inner.model_id
    first = remembering.encode(["a cat", "a dog", "a cat"])
    assert inner.texts == ["a cat", "a dog"]
    np.testing.assert_array_equal(first, FakeEncoder(32).encode(["a cat", "a dog", "a cat"]))
    again = remembering.encode(["a dog", "a bird", "a cat"])
    assert inner.texts == ["a cat", "a dog", "a bird"]
    np.testing.assert_array_equal(again, FakeEncoder(32).encode(["a dog", "a bird", "a cat"]))
    assert remembering.encode([]).shape == (0, 32)
    assert remembering.encode_document(["One.", "Two."]) is None  # the fake has none


def test_remembering_encoder_passes_encode_document_through() -> None:
    class Documenting(CountingEncoder):
        def encode_document(self, sentences):  # noqa: ANN001, ANN202
            return ("whole", list(sentences))

    assert RememberingEncoder(Documenting()).encode_document(["a", "b"]) == ("whole", ["a", "b"])


def test_fold_of_is_fixed_by_the_id_and_spreads_the_reflections(examples) -> None:
    from framework.dataset import LabelledItem

    item = LabelledItem("w001", "text", ("1.1",))
    assert fold_of(item, 5) == fold_of(LabelledItem("w001", "other text", ()), 5)
    assert all(0 <= fold_of(r, 5) < 5 for r in examples.reflections)
    sizes = np.bincount([fold_of(r, 5) for r in examples.reflections], minlength=5)
    assert sizes.min() > 0.1 * len(examples.reflections)
    assert {fold_of(r, 2) for r in examples.reflections} == {0, 1}


@pytest.fixture(scope="module")
def small(examples: ExampleSet) -> ExampleSet:
    """Two examples per indicator, ten "none" ones and 40 labelled reflections."""
    return dataclasses.replace(
        examples,
        by_indicator={k: v[:2] for k, v in examples.by_indicator.items()},
        none=examples.none[:10],
        reflections=examples.reflections[:40],
    )


def test_out_of_fold_signals_come_from_heads_and_references_that_never_saw_them(
    cld, small, monkeypatch
) -> None:
    trained_on: list[set[str]] = []
    real = train_head_module.train_head

    def spy(framework, learned, encoder, *args, **kwargs):  # noqa: ANN001, ANN202
        trained_on.append({r.id for r in learned.reflections})
        return real(framework, learned, encoder, *args, **kwargs)

    monkeypatch.setattr(train_head_module, "train_head", spy)
    encoder = RememberingEncoder(FakeEncoder(32))
    signals, gold = out_of_fold(cld, small, encoder)
    everyone = {r.id for r in small.reflections}
    assert len(trained_on) == 5 and len(signals) == len(gold) == 40
    for fold, seen in enumerate(trained_on):
        assert seen == {r.id for r in small.reflections if fold_of(r, 5) != fold}
    assert all(len(everyone - seen) for seen in trained_on)
    order = sorted(small.reflections, key=lambda r: fold_of(r, 5))  # fold by fold, in order
    index = {indicator_id: i for i, indicator_id in enumerate(cld.indicator_ids)}
    assert gold == [frozenset(index[label] for label in r.labels) for r in order]

    # one held-out reflection scored again by hand, from the examples without its fold
    item = order[-1]
    fold = fold_of(item, 5)
    learned = dataclasses.replace(
        small, reflections=tuple(r for r in small.reflections if fold_of(r, 5) != fold)
    )
    again = Suggester(cld, encoder, examples=learned, head=real(cld, learned, encoder))
    np.testing.assert_allclose(signals[-1].fused, again.signals(item.text).fused, rtol=1e-5)
    seen_all = Suggester(cld, encoder, examples=small, head=real(cld, small, encoder))
    assert not np.allclose(signals[-1].fused, seen_all.signals(item.text).fused, rtol=1e-3)


def test_train_rule_learns_a_rule_for_the_model_and_head(cld, small) -> None:
    encoder = RememberingEncoder(FakeEncoder(32))
    head = train_head(cld, small, encoder)
    rule = train_rule(cld, small, encoder, head)
    assert rule.fits(encoder.model_id, head.fingerprint)
    assert 0.05 <= rule.threshold < 0.95
    s = Suggester(cld, encoder, examples=small, head=head, rule=rule)
    s.prepare()
    assert s.rule is rule
    shown = s.suggest(CONFLICT)
    assert shown == [] or 1 <= len(shown) <= 3
