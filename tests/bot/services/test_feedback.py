"""Practitioners' decisions are encoded once, when made, and kept: never again per
suggestion or at start-up, and always about the text the tag is about now."""

from __future__ import annotations

import numpy as np
import pytest

import storage
from bot.identifiers import FakeIdentifierDetector
from bot.services.container import build_services
from framework import FakeEncoder, ScoringParameters, Suggester, load_framework

ANN, BO = 101, 202
NOTE = "Two young people were fighting; I worked towards the resolution of conflict."


class CountingEncoder(FakeEncoder):
    """The fake bag-of-words encoder, counting the texts it encodes."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def encode(self, texts):
        self.texts += list(texts)
        return super().encode(texts)


def counting_services(settings, clock):
    encoder = CountingEncoder()
    suggester = Suggester(load_framework(), encoder, parameters=ScoringParameters(knn_floor=0.25))
    services = build_services(
        settings, suggester=suggester, detector=FakeIdentifierDetector(), clock=clock
    )
    services.users.agree(ANN, "Ann")
    services.users.agree(BO, "Bo")
    return services, encoder


@pytest.fixture
def counted(settings, clock):
    services, encoder = counting_services(settings, clock)
    yield services, encoder
    services.close()


async def note(services, user, text=NOTE):
    services.reflecting.start(user, "quick")
    return await services.intake.receive_text(user, text)


async def test_a_decision_is_encoded_once_and_never_for_a_suggestion(counted):
    services, encoder = counted
    finished = await note(services, ANN)
    (first, *_) = finished.suggestions
    services.tagging.choose(ANN, finished.reflection.id, first.indicator_id, "confirm")
    await services.feedback.settled()
    assert encoder.texts.count(first.evidence) >= 1
    before = list(encoder.texts)
    services.tagging.choose(ANN, finished.reflection.id, first.indicator_id, "reject")
    await services.feedback.settled()
    assert encoder.texts == before  # the same text: its vector is kept
    (decision,) = services.feedback.selection(ANN).confirmed.tolist()
    assert decision is False
    await note(services, BO, "Another fight at the club: we worked on the resolution of conflict.")
    new_texts = encoder.texts[len(before) :]
    assert first.evidence not in new_texts  # only the new note's text was encoded


async def test_a_restart_loads_the_vectors_without_encoding(counted, settings, clock):
    services, _ = counted
    finished = await note(services, ANN)
    for suggestion in finished.suggestions:
        services.tagging.choose(ANN, finished.reflection.id, suggestion.indicator_id, "confirm")
    await services.feedback.settled()
    stored = services.feedback.selection(ANN)
    services.close()
    again, encoder = counting_services(settings, clock)
    try:
        assert await again.feedback.load() == len(finished.suggestions)
        await again.feedback.settled()
        assert encoder.texts == []
        reloaded = again.feedback.selection(ANN)
        order, reorder = np.argsort(stored.indicators), np.argsort(reloaded.indicators)
        assert np.array_equal(stored.vectors[order], reloaded.vectors[reorder])
    finally:
        again.close()


async def test_decisions_stored_without_vectors_are_encoded_once_at_start_up(
    counted, settings, clock
):
    services, _ = counted
    finished = await note(services, ANN)
    indicator = finished.suggestions[0].indicator_id
    services.tagging.choose(ANN, finished.reflection.id, indicator, "confirm")
    await services.feedback.settled()
    services.db.execute("DELETE FROM feedback_vectors")  # as an older version left them
    services.close()
    again, encoder = counting_services(settings, clock)
    try:
        assert await again.feedback.load() == 0
        await again.feedback.settled()
        assert encoder.texts == [finished.suggestions[0].evidence]
        assert again.db["feedback_vectors"].count == 1
        assert again.feedback.matrix.keys(finished.reflection.id) == {indicator}
    finally:
        again.close()


async def test_a_rewritten_answer_gets_its_decisions_encoded_for_the_new_text(counted):
    services, encoder = counted
    finished = await note(services, ANN)
    rid = finished.reflection.id
    indicator = finished.suggestions[0].indicator_id
    services.tagging.choose(ANN, rid, indicator, "confirm")
    await services.feedback.settled()
    (answer,) = storage.answers_for(services.db, rid)
    rewritten = "The pool table fight: I worked towards the resolution of conflict with both."
    await services.editing.apply_edit(ANN, answer.id, rewritten)
    await services.feedback.settled()
    (decision,) = storage.decisions_for(services.db, rid, services.suggester.model_id)
    assert decision.vector is not None
    assert np.allclose(decision.vector, FakeEncoder().encode([rewritten])[0], atol=1e-6)
    assert NOTE not in encoder.texts[-1:]


async def test_deleting_a_reflection_drops_its_decisions_from_memory(counted):
    services, _ = counted
    finished = await note(services, ANN)
    rid = finished.reflection.id
    services.tagging.choose(ANN, rid, finished.suggestions[0].indicator_id, "confirm")
    await services.feedback.settled()
    assert len(services.feedback.selection(ANN)) == 1
    services.editing.delete(ANN, rid)
    assert len(services.feedback.selection(ANN)) == 0
    assert services.db["feedback_vectors"].count == 0
