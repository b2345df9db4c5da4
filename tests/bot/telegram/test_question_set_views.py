"""The /reflect menu and the start of a reflection, with the packaged question sets."""

from __future__ import annotations

import pytest

from bot.telegram import callback_data as cd
from bot.telegram import views
from bot.telegram.views import MESSAGE_CHARS
from prompts import QuestionSet, load_question_sets

SETS = list(load_question_sets().values())


def test_the_menu_lists_every_set_within_telegrams_limits():
    text, markup = views.choose_set(SETS)
    assert len(text) <= MESSAGE_CHARS
    buttons = [row[0] for row in markup.inline_keyboard]
    assert [b.text for b in buttons] == [s.name for s in SETS]
    for question_set, pressed in zip(SETS, buttons, strict=True):
        assert len(pressed.callback_data.encode()) <= 64
        assert cd.parse(pressed.callback_data) == cd.ChooseSet(question_set.id)
    assert all(f"<b>{s.name}</b>".replace("'", "&#x27;") in text for s in SETS)


@pytest.mark.parametrize("question_set", SETS, ids=lambda s: s.id)
def test_a_reflection_starts_by_saying_how_many_questions_and_that_a_line_is_fine(
    question_set: QuestionSet,
):
    text = views.set_chosen(question_set)
    assert "A line or two" in text
    count = len(question_set.questions)
    assert ("just one question" if count == 1 else f"{count} questions") in text
    assert ("registration record" in text) == question_set.learning


def test_the_name_is_escaped():
    odd = QuestionSet("odd", 1, "Me & <you>", "d", "guided", 9, SETS[1].questions)
    assert views.set_chosen(odd).startswith("<b>Me &amp; &lt;you&gt;</b>: 3 questions")
