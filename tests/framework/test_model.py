"""The packaged framework file, and how bad framework files are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from framework import DEFAULT_FRAMEWORK_PATH, Framework, FrameworkError, load_framework
from framework.model import SHORT_LABEL_LIMIT, shorten

GOOD = """\
name = "Test framework"
version = "1"
source = "tests"

[[competences]]
number = 1
title = "Know the community"
purpose = "so that things happen"
context = "some context"

[[competences.indicators]]
id = "1.1"
text = "assess the community"
short = "Assess"

[[competences.indicators]]
id = "1.2"
text = "investigate internal views and information relating to the area within which you work"

[[competences]]
number = 2
title = "Build relationships"
purpose = "so that people work together"
context = "more context"

[[competences.indicators]]
id = "2.1"
text = "seek out and engage with individuals"
"""


@pytest.fixture(scope="module")
def cld() -> Framework:
    return load_framework()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "framework.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    message = str(info.value)
    assert f"framework file {path}" in message
    return message


def test_packaged_framework_has_7_competences_and_56_indicators(cld: Framework) -> None:
    assert cld.path == DEFAULT_FRAMEWORK_PATH
    assert [c.number for c in cld.competences] == list(range(1, 8))
    assert [len(c.indicators) for c in cld.competences] == [7, 8, 8, 7, 8, 9, 9]
    assert len(cld.indicators) == 56
    assert len(set(cld.indicator_ids)) == 56
    assert cld.indicator_ids[0] == "1.1" and cld.indicator_ids[-1] == "7.9"


def test_packaged_framework_spot_checks(cld: Framework) -> None:
    assert cld.indicator("2.6").text == "work towards the resolution of conflict"
    assert cld.indicator("2.6").competence == 2
    assert cld.indicator("7.9").text == (
        "present evidence to a range of audiences using appropriate tools and technologies"
    )
    assert cld.competence(4).title == "Facilitate and promote community empowerment"
    assert cld.competence(2).purpose.startswith("so that people’s ability")
    assert cld.name and cld.version and cld.source


def test_packaged_framework_text_is_clean(cld: Framework) -> None:
    for indicator in cld.indicators:
        assert not indicator.text.endswith((";", ".")), indicator.id
        assert indicator.text == indicator.text.strip()
        assert 0 < len(indicator.short) <= SHORT_LABEL_LIMIT, indicator.id


def test_lookups(cld: Framework) -> None:
    assert cld.get_indicator("9.9") is None
    assert cld.get_indicator("3.3") is cld.indicator("3.3")
    with pytest.raises(KeyError):
        cld.indicator("9.9")
    with pytest.raises(KeyError):
        cld.competence(8)


def test_content_hash_is_sha256_of_the_file(tmp_path: Path) -> None:
    import hashlib

    path = write(tmp_path, GOOD)
    framework = load_framework(str(path))
    assert framework.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    write(tmp_path, GOOD + "\n# a comment changes the hash\n")
    assert load_framework(path).content_hash != framework.content_hash


def test_short_defaults_to_a_truncation_of_text(tmp_path: Path) -> None:
    framework = load_framework(write(tmp_path, GOOD))
    assert framework.indicator("1.1").short == "Assess"
    assert framework.indicator("2.1").short == "seek out and engage with individuals"
    long_short = framework.indicator("1.2").short
    assert len(long_short) <= SHORT_LABEL_LIMIT
    assert long_short.endswith("…")
    assert framework.indicator("1.2").text.startswith(long_short[:-1])


def test_shorten_cuts_on_a_word_boundary() -> None:
    assert shorten("short text") == "short text"
    assert shorten("x" * 40) == "x" * 40
    cut = shorten("practise in different roles, such as facilitating, supporting")
    assert cut == "practise in different roles, such as…"
    assert len(shorten("y" * 100)) == SHORT_LABEL_LIMIT


def test_syntax_error_names_the_line(tmp_path: Path) -> None:
    line = GOOD.splitlines().index('title = "Build relationships"') + 1
    message = error_for(tmp_path, GOOD.replace('title = "Build relationships"', "title = "))
    assert "invalid TOML" in message
    assert f"line {line}" in message


def test_duplicate_id(tmp_path: Path) -> None:
    bad = GOOD.replace('id = "1.2"', 'id = "1.1"')
    message = error_for(tmp_path, bad)
    assert "indicator 1.1" in message and "duplicate id" in message


def test_id_must_match_competence(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace('id = "2.1"', 'id = "1.3"'))
    assert "indicator 1.3" in message
    assert "competence 2" in message and "'2.1'" in message


def test_id_must_match_position(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace('id = "1.2"', 'id = "1.5"'))
    assert "indicator 1.5" in message and "must be '1.2'" in message


def test_id_format(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace('id = "1.2"', 'id = "one-two"'))
    assert "'one-two'" in message and "C.N" in message


def test_empty_text(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace('"seek out and engage with individuals"', '"  "'))
    assert "indicator 2.1: text is empty" in message


def test_missing_text(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace('text = "assess the community"\n', ""))
    assert "indicator 1.1: text is missing" in message


def test_missing_title(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace('title = "Build relationships"\n', ""))
    assert "competence 2: title is missing" in message


def test_missing_top_level_name(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace('name = "Test framework"\n', ""))
    assert "name is missing" in message


def test_competence_without_indicators(tmp_path: Path) -> None:
    text = GOOD[: GOOD.index('[[competences.indicators]]\nid = "2.1"')]
    message = error_for(tmp_path, text)
    assert "competence 2" in message and "no indicators" in message


def test_duplicate_competence_number(tmp_path: Path) -> None:
    text = GOOD.replace("number = 2", "number = 1").replace('id = "2.1"', 'id = "1.1"')
    message = error_for(tmp_path, text)
    assert "competence 1: number is used by more than one competence" in message


def test_missing_competence_number(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace("number = 2\n", ""))
    assert "competence #2 in file: number is missing" in message


def test_unknown_key_is_reported(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace('short = "Assess"', 'shrot = "Assess"'))
    assert "indicator 1.1" in message and "shrot" in message


def test_short_too_long(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD.replace('short = "Assess"', f'short = "{"a" * 41}"'))
    assert "indicator 1.1" in message and "41 characters" in message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(FrameworkError, match="nope.toml: file not found"):
        load_framework(path)
