"""The name rules, driven with hand-made entity spans instead of the spaCy model."""

from __future__ import annotations

import pytest

from bot.identifiers.names import Entity, NameRules

RULES = NameRules()


def names(text: str, entities: list[Entity] | None = None, own: tuple[str, ...] = ()) -> list:
    return [f.text for f in RULES.find(text, entities or [], own)]


def entity(text: str, part: str, label: str) -> Entity:
    start = text.index(part)
    return Entity(start, start + len(part), label)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Spoke to Jamie Fraser about the trip.", ["Jamie Fraser"]),
        ("Oksana Kovalenko brought her daughter.", ["Oksana Kovalenko"]),
        ("Mohammed Al-Sayed asked about the class.", ["Mohammed Al-Sayed"]),
        ("Rang Siobhan O'Neill at the office.", ["Siobhan O'Neill"]),
        ("Li Wei Chen came to ESOL.", ["Li Wei Chen"]),
        ("Emma Scott-Brown from Home-Start", ["Emma Scott-Brown"]),
        ("Attendees: Jamie Fraser, Chloe Brown, Liam O'Connor.", None),
        ("Ana de Souza joined.", ["Ana de Souza"]),
        ("Jamie R. Fraser signed up.", ["Jamie R. Fraser"]),
    ],
)
def test_full_names_with_a_known_given_name(text: str, expected: list[str] | None) -> None:
    expected = expected or ["Jamie Fraser", "Chloe Brown", "Liam O'Connor"]
    assert names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr Patel rang.", ["Mr Patel"]),
        ("Then Mrs. McLeod came in.", ["Mrs. McLeod"]),
        ("Dr Okafor from the practice", ["Dr Okafor"]),
        ("Ms Nowak and Miss Reid", ["Ms Nowak", "Miss Reid"]),
        ("Mrs Aisha Khan came.", ["Mrs Aisha Khan"]),
        ("Mr J Smith wrote.", ["Mr J Smith"]),
        ("Mrs Young phoned.", ["Mrs Young"]),  # an ordinary word as a surname
    ],
)
def test_title_and_surname(text: str, expected: list[str]) -> None:
    assert names(text) == expected


def test_a_possessive_is_left_out_of_the_name() -> None:
    assert names("Jamie Fraser's mum and James' dad came.") == ["Jamie Fraser"]


@pytest.mark.parametrize(
    "text",
    [
        "Jamie was brilliant tonight.",  # first name alone
        "Chatted with Aisha and Oksana.",
        "J.F. and Mrs B are not speaking.",  # initials
        "Mr B from the church locked up.",
        "Mr Men books were a hit.",  # title + ordinary word
        "Watched Mr Tumble clips and read Dr Seuss.",  # on the allow-list with the title
        "spoke to jamie fraser",  # lower case is not attempted
        "Kovalenko family sent a card.",
    ],
)
def test_first_names_initials_and_lone_words_are_not_names(text: str) -> None:
    assert names(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Went to Wester Hailes and then Lochgelly.",
        "Met Citizens Advice and Skills Development Scotland.",
        "Fife Council cut the budget; YouthLink Scotland ran training.",
        "Duke of Edinburgh's Award group at St Andrew's church hall.",
        "Drop-in at the Beacon Centre, then Fort William.",
        "Walked to Victoria Park then back along Leith Walk.",
        "He goes to James Gillespie's High School.",
        "Talk at the Robert Owen Centre on Monday.",
        "Applied for a National Entitlement Card.",
        "Dundee United v Raith Rovers on Saturday.",
        "Took the youth forum to hear John Swinney.",
        "Reading Freire and bell hooks again.",
        "Gibbs Reflective Cycle: Description.",
    ],
)
def test_places_organisations_venues_and_public_figures_are_not_names(text: str) -> None:
    assert names(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Used Paulo Freire and Donald Schön.",
        "Carl Rogers on unconditional positive regard.",
        "As Stephen Brookfield says, lenses matter.",
        "Dr Kolb's cycle again.",
        "Nadine Burke Harris on ACEs.",
    ],
)
def test_theorists_on_the_allow_list_are_not_reported(text: str) -> None:
    assert names(text, [entity(text, text.split()[1], "PERSON")]) == []


def test_a_name_the_model_labels_a_place_is_still_found() -> None:
    text = "Chatted with Aisha Rahman about her son."
    assert names(text, [entity(text, "Aisha Rahman", "GPE")]) == ["Aisha Rahman"]


def test_an_unknown_name_the_model_labels_person_is_found() -> None:
    text = "Spent time with Precious Moyo today."
    assert names(text) == []  # neither word is known
    assert names(text, [entity(text, "Moyo", "PERSON")]) == ["Precious Moyo"]


def test_an_unknown_name_labelled_org_needs_a_surname_like_word() -> None:
    text = "Met Tadesse Kovalchuk and Brightwater Enterprises today."
    entities = [
        entity(text, "Tadesse Kovalchuk", "ORG"),
        entity(text, "Brightwater Enterprises", "ORG"),
    ]
    assert names(text, entities) == ["Tadesse Kovalchuk"]


def test_a_pair_at_a_sentence_start_needs_a_given_name_or_the_person_label() -> None:
    text = "Brightwater Kovacs came in."
    assert names(text) == []
    assert names(text, [entity(text, "Brightwater Kovacs", "PERSON")]) == ["Brightwater Kovacs"]


def test_abstract_nouns_are_not_names_even_when_labelled_person() -> None:
    text = "Session Plan: Healthy Eating with the group."
    assert names(text, [entity(text, "Healthy Eating", "PERSON")]) == []


def test_a_sentence_start_word_before_a_name_is_not_part_of_it() -> None:
    text = "Phoned Oksana Kovalenko today."
    assert names(text, [entity(text, "Phoned Oksana Kovalenko", "PERSON")]) == ["Oksana Kovalenko"]


def test_the_practitioners_own_name_is_never_reported() -> None:
    text = "Karen Smith ran it with Karen Fraser; pupils call me Mrs Smith."
    assert names(text, own=("Karen", "Smith")) == ["Karen Fraser"]
    assert names(text, own=("karen smith",)) == ["Karen Fraser"]
    assert names(text) == ["Karen Smith", "Karen Fraser", "Mrs Smith"]


def test_without_the_model_only_known_given_names_and_titles_count() -> None:
    rules = NameRules(given_names={"Jamie"}, model_backed=False)
    text = "Jamie Fraser, Tadesse Kovalchuk and Mr Patel."
    assert [f.text for f in rules.find(text)] == ["Jamie Fraser", "Mr Patel"]
