"""A newer question set played start to finish, as a practitioner sees it."""

from __future__ import annotations

import storage

from .players import agree, reflect_with, say

INCIDENT_ANSWERS = [
    "A lad walked out of the group when the others laughed at his spelling.",
    "He had only just started coming, and I didn't want to lose him.",
    "I followed him out, gave him five minutes, then asked him to help me set up.",
    "Set ground rules about laughing at each other at the very start.",
]


async def test_a_critical_incident_reflection_from_start_to_finish(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    first = await reflect_with(ann, "Critical incident")
    chosen = ann.messages[-2]  # the menu, now saying what is coming
    assert "<b>Critical incident</b>: 4 questions" in chosen.source_text
    assert "A line or two for each is fine." in chosen.text
    assert chosen.buttons == []
    assert "question 1 of 4" in first.text and "What happened?" in first.text
    asked = [first.text]
    for answer in INCIDENT_ANSWERS[:-1]:
        asked.append((await say(ann, answer)).text)
    assert [f"question {n} of 4" in text for n, text in enumerate(asked, start=1)] == [True] * 4
    assert "Why did it matter" in asked[1] and "What would you do next time?" in asked[3]
    saved = await say(ann, INCIDENT_ANSWERS[-1])
    assert "Saved." in saved.text

    [reflection] = storage.recent_reflections(bot.db, 1001, limit=5)
    assert (reflection.question_set_id, reflection.question_set_version) == (
        "critical-incident",
        1,
    )
    answers = storage.answers_for(bot.db, reflection.id)
    assert [(a.question_id, a.text) for a in answers] == list(
        zip(
            ["what_happened", "why_it_mattered", "what_you_did", "next_time"],
            INCIDENT_ANSWERS,
            strict=True,
        )
    )
    # /history shows each answer under the question it was written for.
    await ann.send_command("/history")
    await ann.press(await ann.next_message(), "📖 1")
    whole = await ann.next_message()
    assert "What did you do at the time?" in whole.text and INCIDENT_ANSWERS[2] in whole.text


async def test_a_one_question_set_says_so(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    first = await reflect_with(ann, "Quick note")
    assert "just one question. A line or two is fine." in ann.messages[-2].text
    assert "What stood out for you" in first.text and "question 1 of" not in first.text
