"""Question sets and messages are data; every key the code uses must exist."""

import hashlib
import re
from pathlib import Path

import pytest

from prompts import QuestionSet, QuestionSetError, Texts, load_question_sets, t
from prompts.texts import MESSAGES_PATH

ROOT = Path(__file__).resolve().parents[2]
KEY_USE = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z_]+)+)["']""")


def keys_used_in_code() -> set[str]:
    texts = Texts()
    sections = {key.split(".")[0] for key in texts.keys()}
    literal = re.compile(r"""["']((?:""" + "|".join(sections) + r""")\.[a-z_]+)["']""")
    used = set()
    for path in [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("prompts").glob("*.py")]:
        source = path.read_text()
        used |= set(KEY_USE.findall(source))
        used |= set(literal.findall(source))
    return used


def test_every_key_used_in_code_exists():
    used = keys_used_in_code()
    assert len(used) > 40, "the scan should find the keys the bot uses"
    missing = used - Texts().keys()
    assert not missing, f"keys used in code but missing from {MESSAGES_PATH.name}: {missing}"


def test_every_message_key_is_used():
    unused = Texts().keys() - keys_used_in_code()
    assert not unused, f"keys in {MESSAGES_PATH.name} that no code uses: {sorted(unused)}"


def test_placeholders_are_filled():
    assert t("reflect.question", name="Gibbs", number=2, total=6, question="Q?").startswith(
        "<b>Gibbs</b> · question 2 of 6"
    )
    with pytest.raises(KeyError, match="no text with key"):
        t("no.such.key")


def test_the_packaged_question_sets():
    sets = load_question_sets()
    assert list(sets) == [
        "quick",
        "what-so-what",
        "gibbs",
        "critical-incident",
        "their-eyes",
        "in-the-moment",
        "supervision-prep",
        "learning",
    ]
    assert [s.id for s in sets.values() if s.kind == "note"] == ["quick"]
    assert [s.id for s in sets.values() if s.learning] == ["learning"]
    assert [q.id for q in sets["gibbs"].questions] == [
        "description",
        "feelings",
        "evaluation",
        "analysis",
        "conclusion",
        "action_plan",
    ]
    assert len(sets["quick"].questions) == 1
    assert [q.id for q in sets["learning"].questions] == ["activity", "learned", "impact"]
    assert all(s.version >= 1 for s in sets.values())
    assert "Borton, 1970" in sets["what-so-what"].description
    assert "Brookfield, 2017" in sets["their-eyes"].description


# What each set's questions were at each version: a changed question changes this
# fingerprint, and the set's `version` must go up with it (reflections store the version).
FINGERPRINTS = {
    ("quick", 2): "62103d2df18f",
    ("what-so-what", 2): "b7d3479292ed",
    ("gibbs", 2): "b14e4fdf31c7",
    ("critical-incident", 1): "a44f081f0103",
    ("their-eyes", 1): "d147dbd895ad",
    ("in-the-moment", 1): "dffb36f61fa7",
    ("supervision-prep", 1): "8d28a6e71353",
    ("learning", 2): "2b901c04a3e7",
}


def fingerprint(question_set: QuestionSet) -> str:
    lines = "\n".join(f"{q.id}\t{q.text}" for q in question_set.questions)
    return hashlib.sha256(lines.encode()).hexdigest()[:12]


def test_changed_questions_come_with_a_new_version():
    for question_set in load_question_sets().values():
        key = (question_set.id, question_set.version)
        assert FINGERPRINTS.get(key) == fingerprint(question_set), (
            f"{question_set.id}: its questions changed; bump its version and record "
            f"{key}: {fingerprint(question_set)!r} here"
        )


# A label names a step of a model ("So what?", "Action plan:"); it is not a question.
LABEL = re.compile(
    r"^(?:What|So what|Now what|Description|Feelings|Evaluation|Analysis|Conclusion"
    r"|Action plan)[?:] "
)


@pytest.mark.parametrize("question_set", load_question_sets().values(), ids=lambda s: s.id)
def test_each_question_asks_one_thing(question_set):
    for question in question_set.questions:
        where = f"{question_set.id}/{question.id}"
        asked = LABEL.sub("", question.text, count=1)
        assert asked.count("?") <= 1, f"{where} asks {asked.count('?')} questions at once"
        assert "?" in question.text, f"{where} asks nothing"
        assert len(question.text) <= 140, f"{where} is long to read on a phone"


def test_descriptions_are_short():
    """The /reflect menu lists every set with its description: a phone screen or two."""
    for question_set in load_question_sets().values():
        assert len(question_set.description) <= 200, question_set.id


def test_adding_a_set_means_adding_a_file(tmp_path):
    for source in Path(load_question_sets.__defaults__[0]).glob("*.toml"):
        (tmp_path / source.name).write_text(source.read_text())
    (tmp_path / "daily.toml").write_text(
        'id = "daily"\nversion = 1\nkind = "guided"\nname = "Daily"\ndescription = "d"\n'
        '[[questions]]\nid = "q"\ntext = "How was today?"\n'
    )
    assert "daily" in load_question_sets(tmp_path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('id = "x"\nversion = 1\nkind = "guided"\nname = "X"\ndescription = "d"\n', "questions"),
        ('id = "x"\nversion = 0\nkind = "guided"\nname = "X"\ndescription = "d"\n', "version"),
        ('id = "x"\nversion = 1\nkind = "poem"\nname = "X"\ndescription = "d"\n', "kind"),
        ("id = ", "not valid TOML"),
        (
            'id = "x"\nversion = 1\nkind = "guided"\nname = "X"\ndescription = "d"\n'
            '[[questions]]\nid = "a"\ntext = "A"\n[[questions]]\nid = "a"\ntext = "B"\n',
            "used twice",
        ),
    ],
)
def test_a_bad_question_set_names_the_file_and_problem(tmp_path, content, problem):
    (tmp_path / "bad.toml").write_text(content)
    with pytest.raises(QuestionSetError, match=problem) as error:
        load_question_sets(tmp_path)
    assert "bad.toml" in str(error.value)
