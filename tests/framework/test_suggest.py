"""Ranking and suggesting indicators, the scoring functions, and the embedding cache."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from framework import (
    DEFAULT_FRAMEWORK_PATH,
    FakeEncoder,
    Framework,
    IndicatorTextMethod,
    SentenceTransformerEncoder,
    Suggester,
    Suggestion,
    indicator_similarity,
    load_framework,
    split_sentences,
    top_indicators,
)
from framework.embedding_cache import cache_key, cache_path, cached_embeddings, read_cached
from framework.suggest import text_rows

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


def fake_suggester(framework: Framework, **kwargs: object) -> Suggester:
    return Suggester(framework, FakeEncoder(), threshold=0.2, **kwargs)  # type: ignore[arg-type]


# Ranking and suggestions with the fake encoder


def test_rank_covers_every_indicator_best_first(cld: Framework) -> None:
    ranking = fake_suggester(cld).rank(CONFLICT)
    assert sorted(i for i, _ in ranking) == sorted(cld.indicator_ids)
    scores = [score for _, score in ranking]
    assert scores == sorted(scores, reverse=True)
    assert all(isinstance(score, float) for score in scores)


def test_rank_of_blank_text_is_all_zero(cld: Framework) -> None:
    ranking = fake_suggester(cld).rank("  \n ")
    assert [i for i, _ in ranking] == list(cld.indicator_ids)
    assert {score for _, score in ranking} == {0.0}


def test_suggest_finds_the_conflict_indicator(cld: Framework) -> None:
    text = "We worked towards the resolution of a conflict between two groups of parents."
    suggestions = fake_suggester(cld).suggest(text)
    assert suggestions[0].indicator_id == "2.6"


def test_suggest_returns_at_most_max_suggestions_ranked(cld: Framework) -> None:
    text = (
        "We planned and managed the programme and project activities. "
        "We monitored the resources and the programme activities closely. "
        "Collaborative working with partner organisations was the big theme this term."
    )
    suggester = Suggester(cld, FakeEncoder(), threshold=0.0)
    suggestions = suggester.suggest(text)
    assert len(suggestions) == 3
    assert [s.rank for s in suggestions] == [1, 2, 3]
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
    top3 = suggester.rank(text)[:3]
    assert [(s.indicator_id, s.score) for s in suggestions] == top3
    assert len(Suggester(cld, FakeEncoder(), threshold=0.0, max_suggestions=5).suggest(text)) == 5
    assert Suggester(cld, FakeEncoder(), threshold=0.0, max_suggestions=0).suggest(text) == []


def test_suggest_respects_the_threshold(cld: Framework) -> None:
    ranking = dict(fake_suggester(cld).rank(CONFLICT))
    for threshold in (0.0, 0.1, 0.2, 0.3, 0.5, 1.01):
        suggestions = Suggester(cld, FakeEncoder(), threshold=threshold).suggest(CONFLICT)
        assert all(s.score >= threshold for s in suggestions)
        expected = sorted((v for v in ranking.values() if v >= threshold), reverse=True)[:3]
        assert [s.score for s in suggestions] == pytest.approx(expected)
    assert Suggester(cld, FakeEncoder(), threshold=1.01).suggest(CONFLICT) == []


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_suggest_blank_text_gives_nothing(cld: Framework, text: str) -> None:
    encoder = CountingEncoder()
    assert Suggester(cld, encoder, threshold=-1.0).suggest(text) == []


def test_evidence_is_a_sentence_of_the_input(cld: Framework) -> None:
    sentences = [
        "The weather was grim and only six people came to the drop-in this week.",
        "Two lads had a conflict over the pool table and we worked towards a resolution.",
        "Next week we are going bowling if the minibus is free.",
    ]
    suggestions = fake_suggester(cld).suggest(" ".join(sentences))
    assert suggestions
    for suggestion in suggestions:
        assert suggestion.evidence in sentences
    conflict = next(s for s in suggestions if s.indicator_id == "2.6")
    assert conflict.evidence == sentences[1]


def test_short_text_is_its_own_evidence(cld: Framework) -> None:
    suggestions = Suggester(cld, FakeEncoder(), threshold=0.0).suggest("  resolved a conflict ")
    assert suggestions[0].evidence == "resolved a conflict"


def test_model_id_and_framework(cld: Framework) -> None:
    suggester = fake_suggester(cld)
    assert suggester.model_id == "fake-bow-256"
    assert suggester.framework is cld
    assert Suggestion("2.6", 0.5, 1) == Suggestion("2.6", 0.5, 1, "")


def test_prepare_is_lazy_idempotent_and_thread_safe(cld: Framework) -> None:
    encoder = CountingEncoder()
    suggester = Suggester(cld, encoder)
    assert encoder.batches == []
    threads = [threading.Thread(target=suggester.prepare) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    suggester.rank(CONFLICT)
    assert encoder.batches[0] == [i.text for i in cld.indicators]
    assert sum(1 for batch in encoder.batches if len(batch) == 56) == 1


def test_title_can_be_included_in_the_references(cld: Framework) -> None:
    references = IndicatorTextMethod(include_title=True).references(cld)
    assert references[0] == ("1.1", f"{cld.competence(1).title}: {cld.indicator('1.1').text}")
    assert IndicatorTextMethod().references(cld)[0] == ("1.1", cld.indicator("1.1").text)


@dataclass(frozen=True)
class TwoExamplesEach:
    """A stand-in for a future example-based method: several references per indicator."""

    version: str = "two-examples/v1"

    def references(self, framework: Framework) -> list[tuple[str, str]]:
        pairs = [(i.id, i.text) for i in framework.indicators]
        pairs.append(("2.6", "calmed down a fight at the youth club over pool"))
        return pairs


def test_a_method_may_give_several_references_per_indicator(cld: Framework) -> None:
    suggester = Suggester(cld, FakeEncoder(), threshold=0.3, method=TwoExamplesEach())
    assert suggester.suggest("a fight over the pool table")[0].indicator_id == "2.6"
    assert len(suggester.rank("a fight over the pool table")) == 56


def test_a_method_must_cover_exactly_the_framework(cld: Framework) -> None:
    class Broken:
        version = "broken"

        def references(self, framework: Framework) -> list[tuple[str, str]]:
            return [("9.9", "nothing")]

    with pytest.raises(ValueError, match="9.9"):
        Suggester(cld, FakeEncoder(), method=Broken()).prepare()


# Pure scoring functions


def test_split_sentences() -> None:
    text = "What? Numbers halved.\nSo what?  I asked around! Now what... we'll see"
    assert split_sentences(text) == [
        "What?",
        "Numbers halved.",
        "So what?",
        "I asked around!",
        "Now what...",
        "we'll see",
    ]
    assert split_sentences("  ") == []


def test_indicator_similarity_pools_references_by_indicator() -> None:
    text = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    refs = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], dtype=np.float32)
    np.testing.assert_allclose(indicator_similarity(text, refs), text @ refs.T)
    pooled = indicator_similarity(text, refs, owners=np.array([0, 1, 1]))
    np.testing.assert_allclose(pooled, [[1.0, 0.6], [0.0, 1.0]])


def test_text_rows_prepends_the_normalised_mean() -> None:
    vecs = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    rows = text_rows(vecs)
    assert rows.shape == (3, 2) and rows.dtype == np.float32
    np.testing.assert_allclose(rows[0], [2**-0.5, 2**-0.5], rtol=1e-6)
    np.testing.assert_array_equal(text_rows(vecs[:1]), vecs[:1])


def test_top_indicators() -> None:
    scores = np.array([0.1, 0.5, 0.3, 0.5, 0.2])
    assert top_indicators(scores, 0.0, 3) == [1, 3, 2]
    assert top_indicators(scores, 0.35, 3) == [1, 3]
    assert top_indicators(scores, 0.6, 3) == []


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
    assert_same_ranking(suggester.rank(CONFLICT), fake_suggester(cld).rank(CONFLICT))


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


def test_cache_is_invalidated_when_the_method_changes(cld: Framework, tmp_path: Path) -> None:
    Suggester(cld, CountingEncoder(), cache_dir=tmp_path).prepare()
    encoder = CountingEncoder()
    method = IndicatorTextMethod(include_title=True)
    Suggester(cld, encoder, cache_dir=tmp_path, method=method).prepare()
    assert encoder.texts_encoded == 56


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
    assert_same_ranking(suggester.rank(CONFLICT), fake_suggester(cld).rank(CONFLICT))
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


# The real model


@pytest.fixture(scope="module")
def real_suggester(cld: Framework, tmp_path_factory: pytest.TempPathFactory) -> Suggester:
    suggester = Suggester(
        cld, SentenceTransformerEncoder(), cache_dir=tmp_path_factory.mktemp("cache")
    )
    suggester.prepare()
    return suggester


@pytest.mark.slow
def test_real_model_finds_conflict_resolution(real_suggester: Suggester) -> None:
    assert "2.6" in [i for i, _ in real_suggester.rank(CONFLICT)[:3]]
    suggestions = real_suggester.suggest(CONFLICT)
    assert "2.6" in [s.indicator_id for s in suggestions]
    conflict = next(s for s in suggestions if s.indicator_id == "2.6")
    assert conflict.evidence in split_sentences(CONFLICT)


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        OFF_TOPIC,
        "hiya, just testing this works",
        "what time is the team meeting on friday?",
        "Lovely weather today, had a nice lunch with my mum.",
    ],
)
def test_real_model_suggests_nothing_off_topic(real_suggester: Suggester, text: str) -> None:
    assert real_suggester.suggest(text) == []


@pytest.mark.slow
def test_real_model_cache_round_trip(cld: Framework, real_suggester: Suggester) -> None:
    assert real_suggester.cache_dir is not None
    again = Suggester(cld, SentenceTransformerEncoder(), cache_dir=real_suggester.cache_dir)
    again.prepare()
    assert again.encoder._model is None  # type: ignore[attr-defined]  # loaded from disk
    assert_same_ranking(again.rank(CONFLICT)[:3], real_suggester.rank(CONFLICT)[:3])
