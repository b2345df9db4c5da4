"""Question sets and messages are data; every key the code uses must exist."""

import re
from pathlib import Path

import pytest

from prompts import QuestionSetError, Texts, load_question_sets, t
from prompts.texts import MESSAGES_PATH

ROOT = Path(__file__).resolve().parents[2]
KEY_USE = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z_]+)+)["']""")


def keys_used_in_code() -> set[str]:
    texts = Texts()
    sections = {key.split(".")[0] for key in texts.keys()}
    literal = re.compile(r"""["']((?:""" + "|".join(sections) + r""")\.[a-z_]+)["']""")
    used = set()
    for path in ROOT.joinpath("bot").rglob("*.py"):
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
    assert list(sets) == ["quick", "what-so-what", "gibbs", "learning"]
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
