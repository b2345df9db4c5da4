"""The weekly nudge's questions: the packaged file, its checks on load, and the rotation."""

from datetime import date, timedelta

import pytest

from framework import load_framework
from prompts import (
    WEEKLY_PATH,
    WeeklyPromptsError,
    WeeklyQuestion,
    load_weekly_prompts,
    running_week,
)
from prompts.weekly import ID_LIMIT, TOPIC_LIMIT

GOOD = """
[[competences]]
number = 2
topic = "building relationships"
[[competences.questions]]
id = "c2-a"
text = "Who did you meet?"
[[competences.questions]]
id = "c2-b"
text = "What did you talk about?"

[[competences]]
number = 1
topic = "knowing your community"
[[competences.questions]]
id = "c1-a"
text = "What did you notice?"
[[competences.questions]]
id = "c1-b"
text = "What surprised you?"
[[competences.questions]]
id = "c1-c"
text = "Who was missing?"
"""


def write(tmp_path, content: str):
    path = tmp_path / "weekly.toml"
    path.write_text(content)
    return path


def test_the_packaged_file_loads_and_covers_competences_1_to_7():
    prompts = load_weekly_prompts()
    assert prompts.path == WEEKLY_PATH
    assert prompts.competences == (1, 2, 3, 4, 5, 6, 7)
    for number in prompts.competences:
        assert 3 <= len(prompts.questions(number)) <= 4, f"competence {number}"
        assert all(q.competence == number for q in prompts.questions(number))


def test_weekly_prompts_cover_exactly_the_framework_competences():
    framework = load_framework()
    assert load_weekly_prompts().competences == tuple(c.number for c in framework.competences)


def test_every_packaged_question_asks_one_thing():
    for question in load_weekly_prompts().all_questions:
        assert question.text.endswith("?"), question.id
        assert question.text.count("?") == 1, question.id
        assert len(question.text) <= 100, f"{question.id} is too long to read on a phone"


def test_packaged_ids_are_unique_and_name_their_competence():
    questions = load_weekly_prompts().all_questions
    ids = [q.id for q in questions]
    assert len(ids) == len(set(ids))
    for question in questions:
        assert question.id.startswith(f"c{question.competence}-"), question.id


def test_packaged_topics_complete_the_reason_line():
    prompts = load_weekly_prompts()
    for number in prompts.competences:
        topic = prompts.topic(number)
        assert topic == topic.lower() and len(topic) <= TOPIC_LIMIT
    assert prompts.topic(6) == "partnership working"


def test_lookups(tmp_path):
    prompts = load_weekly_prompts(write(tmp_path, GOOD))
    assert prompts.competences == (1, 2)
    assert prompts.topic(1) == "knowing your community"
    assert [q.id for q in prompts.questions(1)] == ["c1-a", "c1-b", "c1-c"]
    assert [q.id for q in prompts.all_questions] == ["c1-a", "c1-b", "c1-c", "c2-a", "c2-b"]
    assert prompts.question("c2-b") == WeeklyQuestion("c2-b", 2, "What did you talk about?")
    assert prompts.question("retired") is None
    with pytest.raises(KeyError, match="competence 7"):
        prompts.topic(7)
    with pytest.raises(KeyError, match="competence 7"):
        prompts.pick(7, 1)


def test_pick_rotates_through_a_competence_and_wraps(tmp_path):
    prompts = load_weekly_prompts(write(tmp_path, GOOD))
    picked = [prompts.pick(1, week).id for week in range(30, 37)]
    assert picked == ["c1-a", "c1-b", "c1-c", "c1-a", "c1-b", "c1-c", "c1-a"]
    assert [prompts.pick(2, week).id for week in (10, 11, 12)] == ["c2-a", "c2-b", "c2-a"]


def test_consecutive_weeks_never_repeat_a_question():
    prompts = load_weekly_prompts()
    for number in prompts.competences:
        for week in range(-5, 60):
            assert prompts.pick(number, week) != prompts.pick(number, week + 1)


def test_running_week_counts_on_across_new_year():
    monday = date(2024, 12, 30)  # ISO week 1 of 2025, a week after ISO week 52 of 2024
    assert running_week(monday) == running_week(monday - timedelta(days=7)) + 1
    assert {running_week(monday + timedelta(days=d)) for d in range(7)} == {running_week(monday)}
    assert running_week(monday + timedelta(days=7)) == running_week(monday) + 1


def competence(body: str, number: int = 1, topic: str = "knowing your community") -> str:
    return f'[[competences]]\nnumber = {number}\ntopic = "{topic}"\n{body}'


def question(qid: str = "c1-a", text: str = "What happened?") -> str:
    return f'[[competences.questions]]\nid = "{qid}"\ntext = "{text}"\n'


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[[competences]\n", "not valid TOML"),
        ("", "at least one \\[\\[competences\\]\\]"),
        ('title = "x"\n' + competence(question()), "unknown key.*title"),
        (competence(question()).replace("number = 1\n", ""), "'number' must be a whole number"),
        (competence(question(), number=0), "'number' must be a whole number"),
        (competence(question()).replace('topic = "knowing your community"\n', ""), "'topic'"),
        (competence(question(), topic="  "), "competence 1: 'topic' must be non-empty"),
        (competence(question(), topic="x" * (TOPIC_LIMIT + 1)), "the limit is 30"),
        (competence(""), "competence 1: has no questions"),
        (competence(question()) + competence(question("c1-b")), "competence 1: number is used"),
        (competence(question() + question()), "'c1-a' is used twice"),
        (
            competence(question()) + competence(question(), number=2),
            "'c1-a' is used twice \\(competences 1 and 2\\)",
        ),
        (competence(question(qid="")), "question #1: 'id' must be non-empty"),
        (competence(question(qid="C1-Upper")), "id 'C1-Upper' must be at most 20 of a-z"),
        (competence(question(qid="c1_a")), "id 'c1_a' must be at most 20"),
        (competence(question(qid="c" * (ID_LIMIT + 1))), "must be at most 20"),
        (competence(question(text="")), "question c1-a: 'text' must be non-empty"),
        (
            competence('[[competences.questions]]\nid = "c1-a"\ntxt = "What?"\n'),
            "question c1-a: unknown key.*txt",
        ),
    ],
)
def test_a_bad_file_names_the_file_and_the_problem(tmp_path, content, problem):
    path = write(tmp_path, content)
    with pytest.raises(WeeklyPromptsError, match=problem) as error:
        load_weekly_prompts(path)
    assert str(path) in str(error.value)
    assert isinstance(error.value, ValueError)


def test_an_id_of_exactly_the_limit_is_allowed(tmp_path):
    longest = "c1-" + "a" * (ID_LIMIT - 3)
    prompts = load_weekly_prompts(write(tmp_path, competence(question(qid=longest))))
    assert prompts.question(longest) is not None


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(WeeklyPromptsError, match="missing.toml: file not found"):
        load_weekly_prompts(tmp_path / "missing.toml")
