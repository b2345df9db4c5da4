"""Ranking and suggesting indicators, the scoring functions, and the embedding cache."""

from __future__ import annotations

import dataclasses
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from framework import (
    DEFAULT_FRAMEWORK_PATH,
    ExampleSet,
    FakeEncoder,
    FeedbackExample,
    Framework,
    LinearHead,
    ScoringParameters,
    SentenceTransformerEncoder,
    Suggester,
    load_examples,
    load_framework,
    load_head,
    split_sentences,
)
from framework.embedding_cache import cache_key, cache_path, cached_embeddings, read_cached
from framework.suggest import MAX_SCORED_CHARS, SAMPLED_PARTS, scored_sentences, within_budget

CONFLICT = (
    "Two of the young people started fighting at the youth club over a game of pool. "
    "I got between them, calmed them down and later sat them both down to talk it through "
    "and agree how to move on."
)
OFF_TOPIC = "knackered. long day. will write this up tomorrow"


class CountingEncoder:
    """A FakeEncoder that records every batch it is asked to encode."""

    def __init__(self, dimension: int = 256) -> None:
        self.inner = FakeEncoder(dimension)
        self.model_id = self.inner.model_id
        self.batches: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.batches.append(list(texts))
        return self.inner.encode(texts)

    @property
    def texts_encoded(self) -> int:
        return sum(len(batch) for batch in self.batches)


@pytest.fixture(scope="module")
def cld() -> Framework:
    return load_framework()


@pytest.fixture
def framework_copy(tmp_path: Path) -> Path:
    path = tmp_path / "cld.toml"
    shutil.copy(DEFAULT_FRAMEWORK_PATH, path)
    return path


def assert_same_ranking(got: list[tuple[str, float]], expected: list[tuple[str, float]]) -> None:
    assert [i for i, _ in got] == [i for i, _ in expected]
    assert [v for _, v in got] == pytest.approx([v for _, v in expected], abs=1e-5)


OPEN = ScoringParameters(knn_floor=-1.0)  # show the top 3 whatever the scores


def fake_suggester(framework: Framework, **kwargs: object) -> Suggester:
    kwargs.setdefault("parameters", OPEN)
    return Suggester(framework, FakeEncoder(), **kwargs)  # type: ignore[arg-type]


def tiny_examples(framework: Framework, **extra: tuple[str, ...]) -> ExampleSet:
    """One example per indicator (its own wording) plus any given, by indicator id."""
    by_indicator = {
        i.id: (i.text, *extra.get(i.id.replace(".", "_"), ())) for i in framework.indicators
    }
    return ExampleSet(by_indicator, {}, ("see you thursday",), Path("tiny.toml"), "tiny")


# Ranking and suggestions with the fake encoder


def test_rank_covers_every_indicator_best_first(cld: Framework) -> None:
    ranking = fake_suggester(cld).rank(CONFLICT)
    assert sorted(i for i, _ in ranking) == sorted(cld.indicator_ids)
    scores = [v for _, v in ranking]
    assert scores == sorted(scores, reverse=True)


def test_blank_text_gives_nothing(cld: Framework) -> None:
    for text in ("", "   ", "\n\n"):
        suggestions, ranking = fake_suggester(cld).analyse(text)
        assert suggestions == [] and {v for _, v in ranking} == {0.0}


def test_examples_steer_the_suggestions(cld: Framework) -> None:
    text = "We sorted out the pool table rota after the argument."
    plain = fake_suggester(cld, examples=tiny_examples(cld))
    assert dict(plain.rank(text))["2.6"] < 0.3
    taught = fake_suggester(
        cld, examples=tiny_examples(cld, **{"2_6": ("sorted out the argument over the pool rota",)})
    )
    assert taught.suggest(text)[0].indicator_id == "2.6"
    assert dict(taught.rank(text))["2.6"] > 0.4


def test_at_most_three_ranked_with_a_supporting_sentence(cld: Framework) -> None:
    suggestions = fake_suggester(cld).suggest(CONFLICT)
    assert [s.rank for s in suggestions] == [1, 2, 3]
    sentences = scored_sentences(CONFLICT)
    assert all(s.evidence in sentences for s in suggestions)
    short = fake_suggester(cld).suggest("worked towards the resolution of conflict")
    assert short[0].evidence == "worked towards the resolution of conflict"


def test_nothing_is_shown_below_the_floor(cld: Framework) -> None:
    strict = fake_suggester(cld, parameters=ScoringParameters(knn_floor=1.01))
    suggestions, ranking = strict.analyse(CONFLICT)
    assert suggestions == [] and len(ranking) == 56


def test_the_head_can_veto_with_the_none_class(cld: Framework) -> None:
    encoder = FakeEncoder()
    dimension = encoder.encode(["x"]).shape[1]
    classes = (*cld.indicator_ids, "none")

    def head(none_bias: float) -> LinearHead:
        bias = np.zeros(len(classes), np.float32)
        bias[-1] = none_bias
        weights = np.zeros((len(classes), dimension), np.float32)
        return LinearHead(weights, bias, classes, encoder.model_id, "", "")

    assert fake_suggester(cld, head=head(-5.0)).suggest(CONFLICT)
    assert fake_suggester(cld, head=head(+10.0)).suggest(CONFLICT) == []
    other_model = dataclasses.replace(head(+10.0), model_id="another-model")
    suggester = fake_suggester(cld, head=other_model)
    assert suggester.suggest(CONFLICT) and suggester.head is None  # a mismatched head is ignored


def test_a_confirmed_example_lifts_its_indicator_for_similar_text(cld: Framework) -> None:
    suggester = fake_suggester(cld, examples=tiny_examples(cld))
    text = "Sorted out the rota for the pool table after the lads fell out."
    before = [i for i, _ in suggester.rank(text)].index("2.6")
    feedback = [FeedbackExample("2.6", "the lads fell out over the pool table rota", True)]
    after = [i for i, _ in suggester.rank(text, feedback)].index("2.6")
    assert after < before and after < 3
    unrelated = "Wrote the funding bid for the summer programme."
    assert [i for i, _ in suggester.rank(unrelated, feedback)].index("2.6") > 3


def test_a_rejected_example_lowers_its_indicator_for_near_identical_text(cld: Framework) -> None:
    suggester = fake_suggester(cld)
    top = suggester.suggest(CONFLICT)[0].indicator_id
    feedback = [FeedbackExample(top, CONFLICT, False)]
    assert suggester.suggest(CONFLICT, feedback)[0].indicator_id != top


def test_feedback_for_unknown_indicators_is_ignored(cld: Framework) -> None:
    suggester = fake_suggester(cld)
    feedback = [FeedbackExample("9.9", "text", True), FeedbackExample("2.6", "  ", True)]
    assert suggester.rank(CONFLICT, feedback) == suggester.rank(CONFLICT)


def test_model_id_and_method(cld: Framework) -> None:
    suggester = fake_suggester(cld, examples=tiny_examples(cld))
    assert suggester.model_id == "fake-bow-256"
    assert suggester.method == "examples"
    assert fake_suggester(cld).method == "indicator wording"


def test_prepare_is_lazy_idempotent_and_thread_safe(cld: Framework) -> None:
    encoder = CountingEncoder()
    suggester = Suggester(cld, encoder)
    assert encoder.batches == []
    threads = [threading.Thread(target=suggester.prepare) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert encoder.texts_encoded == 56


def test_split_sentences() -> None:
    assert split_sentences("What? We met. It went well!\nSo what? Tea.") == [
        "What?",
        "We met.",
        "It went well!",
        "So what?",
        "Tea.",
    ]
    assert scored_sentences("One short sentence only.") == []
    assert scored_sentences(
        "So what? The group agreed their own rules. Then we had tea together."
    ) == [
        "The group agreed their own rules.",
        "Then we had tea together.",
    ]


# The embedding cache


def test_cache_is_written_and_reused(cld: Framework, tmp_path: Path) -> None:
    cache_dir = tmp_path / "nested" / "cache"
    first = CountingEncoder()
    Suggester(cld, first, cache_dir=cache_dir).prepare()
    assert first.texts_encoded == 56
    files = list(cache_dir.glob("*.npy"))
    assert len(files) == 1
    assert not [p for p in cache_dir.iterdir() if p.suffix != ".npy"]  # no temp files left

    second = CountingEncoder()
    suggester = Suggester(cld, second, cache_dir=cache_dir)
    suggester.prepare()
    assert second.texts_encoded == 0
    suggester.suggest(CONFLICT)
    assert all(len(batch) < 56 for batch in second.batches)
    assert_same_ranking(suggester.rank(CONFLICT), Suggester(cld, FakeEncoder()).rank(CONFLICT))


def test_cache_is_invalidated_when_the_framework_file_changes(
    framework_copy: Path, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    Suggester(load_framework(framework_copy), CountingEncoder(), cache_dir=cache_dir).prepare()
    framework_copy.write_text(
        framework_copy.read_text(encoding="utf-8").replace(
            "work towards the resolution of conflict", "work towards resolving conflict"
        ),
        encoding="utf-8",
    )
    encoder = CountingEncoder()
    Suggester(load_framework(framework_copy), encoder, cache_dir=cache_dir).prepare()
    assert encoder.texts_encoded == 56
    assert len(list(cache_dir.glob("*.npy"))) == 2


def test_cache_is_invalidated_when_the_model_changes(cld: Framework, tmp_path: Path) -> None:
    Suggester(cld, CountingEncoder(256), cache_dir=tmp_path).prepare()
    other = CountingEncoder(128)
    suggester = Suggester(cld, other, cache_dir=tmp_path)
    suggester.prepare()
    assert other.texts_encoded == 56
    assert suggester.rank(CONFLICT)  # the 128-d vectors are the ones in use


def test_cache_is_invalidated_when_the_examples_change(cld: Framework, tmp_path: Path) -> None:
    Suggester(cld, CountingEncoder(), cache_dir=tmp_path).prepare()
    encoder = CountingEncoder()
    examples = tiny_examples(cld, **{"2_6": ("talked the lads down",)})
    Suggester(cld, encoder, cache_dir=tmp_path, examples=examples).prepare()
    assert encoder.texts_encoded == 57
    assert len(list(tmp_path.glob("*.npy"))) == 2


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b"not a numpy file at all"),
        lambda path: path.write_bytes(path.read_bytes()[:100]),
        lambda path: np.save(path, np.zeros((3, 256), dtype=np.float32)),
        lambda path: np.save(path, np.zeros((56, 256), dtype=np.float64)),
        lambda path: np.save(path, np.full((56, 256), np.nan, dtype=np.float32)),
    ],
    ids=["garbage", "truncated", "wrong-rows", "wrong-dtype", "nan"],
)
def test_corrupt_cache_is_recomputed(cld: Framework, tmp_path: Path, damage) -> None:
    Suggester(cld, CountingEncoder(), cache_dir=tmp_path).prepare()
    (path,) = tmp_path.glob("*.npy")
    damage(path)
    encoder = CountingEncoder()
    suggester = Suggester(cld, encoder, cache_dir=tmp_path)
    assert_same_ranking(suggester.rank(CONFLICT), Suggester(cld, FakeEncoder()).rank(CONFLICT))
    assert encoder.texts_encoded >= 56
    assert read_cached(path, 56) is not None  # rewritten


def test_no_cache_dir_means_no_files(cld: Framework, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Suggester(cld, FakeEncoder()).prepare()
    assert list(tmp_path.iterdir()) == []


def test_cache_key_depends_on_every_part() -> None:
    keys = {
        cache_key("m", "h", "v"),
        cache_key("m2", "h", "v"),
        cache_key("m", "h2", "v"),
        cache_key("m", "h", "v2"),
    }
    assert len(keys) == 4
    assert cache_key("m", "h", "v") == cache_key("m", "h", "v")
    assert len(cache_key("m", "h", "v")) == 64


def test_unwritable_cache_dir_still_computes(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    array = cached_embeddings(blocker / "cache", "k", 2, lambda: np.eye(2, dtype=np.float32))
    np.testing.assert_array_equal(array, np.eye(2))
    assert not cache_path(blocker / "cache", "k").exists()


# The real model, with the packaged examples and head


@pytest.fixture(scope="module")
def real_suggester(cld: Framework, tmp_path_factory: pytest.TempPathFactory) -> Suggester:
    suggester = Suggester(
        cld,
        SentenceTransformerEncoder(),
        examples=load_examples(cld),
        head=load_head(),
        cache_dir=tmp_path_factory.mktemp("cache"),
    )
    suggester.prepare()
    return suggester


@pytest.mark.slow
def test_the_packaged_head_fits_the_default_model(real_suggester: Suggester) -> None:
    assert real_suggester.head is not None
    assert real_suggester.method == "examples + trained head"


@pytest.mark.slow
def test_real_model_finds_conflict_resolution(real_suggester: Suggester) -> None:
    suggestions = real_suggester.suggest(CONFLICT)
    assert "2.6" in [s.indicator_id for s in suggestions]
    conflict = next(s for s in suggestions if s.indicator_id == "2.6")
    assert conflict.evidence in split_sentences(CONFLICT)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Ran a session with the ESOL group on filling in the college application form, "
            "then went with two of them to the open day so the move felt less daunting.",
            "3.7",
        ),
        (
            "The funder wanted numbers, so I pulled together our attendance data and the "
            "learners' quotes into a short slide deck for the board and a one-page summary "
            "for the community council.",
            "7.9",
        ),
        (
            "At the partnership meeting we thrashed out who does what on the joint summer "
            "programme: the library takes bookings, we run the sessions, and I agreed to "
            "chair the steering group.",
            "6.6",
        ),
    ],
)
def test_real_model_finds_other_indicators(
    real_suggester: Suggester, text: str, expected: str
) -> None:
    # Among the first four: the tuned model puts 3.3 (overcoming barriers, also fair for
    # the first text) above 3.7 there.
    assert expected in [i for i, _ in real_suggester.rank(text)[:4]]


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        OFF_TOPIC,
        "hiya, just testing this works",
        "what time is the team meeting on friday?",
        "Lovely weather today, had a nice lunch with my mum.",
        "session cancelled, hall double booked again",
    ],
)
def test_real_model_suggests_nothing_off_topic(real_suggester: Suggester, text: str) -> None:
    assert real_suggester.suggest(text) == []


@pytest.mark.slow
@pytest.mark.parametrize(("indicator", "moves_to_at_most"), [("4.5", 1), ("2.2", 8), ("6.4", 4)])
def test_real_model_learns_from_a_confirmed_suggestion(
    real_suggester: Suggester, indicator: str, moves_to_at_most: int
) -> None:
    """A practitioner confirmed an indicator for a note in their own shorthand; their
    next similar note ranks it much higher than before."""
    earlier = "wrote to the cooncil re the bus cuts w/ the tenants, 200 signatures on the petition"
    later = "took the tenants petition on the bus cuts up to the cooncil offices, 300 signed now"
    feedback = [FeedbackExample(indicator, earlier, True)]
    before = [i for i, _ in real_suggester.rank(later)].index(indicator)
    after = [i for i, _ in real_suggester.rank(later, feedback)].index(indicator)
    assert before > moves_to_at_most >= after


@pytest.mark.slow
def test_real_model_cache_round_trip(cld: Framework, real_suggester: Suggester) -> None:
    assert real_suggester.cache_dir is not None
    again = Suggester(
        cld,
        SentenceTransformerEncoder(),
        examples=load_examples(cld),
        head=load_head(),
        cache_dir=real_suggester.cache_dir,
    )
    again.prepare()
    assert again.encoder._model is None  # type: ignore[attr-defined]  # loaded from disk
    assert_same_ranking(again.rank(CONFLICT)[:3], real_suggester.rank(CONFLICT)[:3])


def test_a_very_long_text_is_scored_on_a_sample_spread_through_it(cld: Framework) -> None:
    encoder = CountingEncoder()
    suggester = Suggester(cld, encoder)
    suggester.prepare()
    encoder.batches.clear()
    sentences = [
        f"Sentence number {n} about the youth club night and the pool." for n in range(600)
    ]
    suggester.suggest(" ".join(sentences))
    encoded = [text for batch in encoder.batches for text in batch]
    assert sum(len(text) for text in encoded) <= 2 * MAX_SCORED_CHARS + 100  # whole + parts
    kept = [s for s in sentences if any(s in text for text in encoded)]
    numbers = [int(s.split()[2]) for s in kept]
    assert numbers[0] == 0 and numbers[-1] >= 525  # from the start to the last eighth
    assert len(kept) < len(sentences) // 4


def test_within_budget_keeps_short_texts_whole_and_cuts_a_huge_sentence() -> None:
    assert within_budget(["One.", "Two."]) == ["One.", "Two."]
    (cut,) = within_budget(["x" * 100_000])
    assert len(cut) == MAX_SCORED_CHARS // SAMPLED_PARTS
