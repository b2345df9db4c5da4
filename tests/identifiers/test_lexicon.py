"""The packaged word lists, the allow-list of public figures above all."""

from __future__ import annotations

from importlib import resources

import pytest

from bot.identifiers import PUBLIC_FIGURES
from bot.identifiers.lexicon import LEXICON, LexiconError, phrase_key, read_list


@pytest.mark.parametrize(
    "name",
    [
        "Paulo Freire",
        "Freire",
        "Donald Schön",
        "Kolb",
        "Gibbs",
        "Brookfield",
        "Hart",
        "Maslow",
        "Carl Rogers",
        "Vygotsky",
        "Bronfenbrenner",
        "Kadushin",
        "Proctor",
        "Borton",
        "Dewey",
        "bell hooks",
        "John Swinney",
        "Nicola Sturgeon",
    ],
)
def test_the_allow_list_has_the_theorists_and_politicians_reflections_cite(name: str) -> None:
    assert phrase_key(name) in PUBLIC_FIGURES


def test_every_word_list_has_a_comment_header_and_entries() -> None:
    package = resources.files("bot.identifiers")
    for path in package.iterdir():
        if path.name.endswith(".txt"):
            lines = path.read_text(encoding="utf-8").splitlines()
            assert lines[0].startswith("# "), path.name
            assert read_list(path.name), path.name


def test_a_missing_list_fails_with_its_name() -> None:
    with pytest.raises(LexiconError, match="no_such_list.txt"):
        read_list("no_such_list.txt")


def test_phrase_keys_ignore_case_and_possessives() -> None:
    assert phrase_key("Jamie Fraser’s") == ("jamie", "fraser")
    assert phrase_key("Duke of Edinburgh's Award") == ("duke", "of", "edinburgh", "award")


def test_given_names_are_never_also_never_a_name_words() -> None:
    # A given name listed as a never-a-name word would only be kept by the ambiguity rule;
    # keep the lists apart except for the few deliberate overlaps.
    assert LEXICON.given_names & LEXICON.not_name_words <= {"Jun"}
