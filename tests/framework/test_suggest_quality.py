"""What the bot shows, with the real tuned model, its head and its shown-set rule.

The reflections here were written for these tests (not taken from any evaluation set).
They check what a practitioner sees: between one and three suggestions, chosen rather
than always three; nothing for admin notes; and evidence quotes that are never the
scene-setting, logistics or sign-off sentences around the practice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from framework import (
    Framework,
    SentenceTransformerEncoder,
    Suggester,
    load_examples,
    load_framework,
    load_head,
    load_rule,
    split_sentences,
)
from framework.dataset import read_jsonl

pytestmark = pytest.mark.slow
DATA = Path(__file__).resolve().parents[2] / "framework" / "data"

# (opening, practice..., closing): the first and last sentences evidence nothing.
FRAMED = [
    (
        "Tuesday evening ESOL Entry 1 in the church hall at Torry, nine learners and one "
        "volunteer.",
        "I let the learners choose the topic for the speaking practice and they picked "
        "phoning the GP surgery, so we built the role-play around their own appointments.",
        "Two of the quieter women took the receptionist part and by the end were correcting "
        "each other's dates and times.",
        "Mileage claim for the week still to go in.",
    ),
    (
        "Thursday youth club at the Fauldhouse hub, eighteen in and three staff on.",
        "Two lads squared up over the football and I took them into the side room separately, "
        "listened to each side and then got them together to agree how the game would run.",
        "They shook on it and played on the same team after the break.",
        "Signed off by my line manager at supervision.",
    ),
    (
        "Partnership meeting at the council offices in Alloa this morning, ten round the table.",
        "We agreed who leads on what for the winter warm spaces: the library hosts, the "
        "housing team handles referrals and we run the Tuesday and Thursday sessions.",
        "I wrote up the agreement and circulated it so each partner could check their part.",
        "Room booked again for next month, same time.",
    ),
    (
        "Family learning session at the primary school in Leven, eight families.",
        "I planned the maths games so parents and children had to work together, and "
        "changed the plan halfway when I saw two dads sitting back, giving them the "
        "scoring job instead.",
        "Both stayed at the end to ask what they could do at home.",
        "Photocopying for next week done and registers filed.",
    ),
    (
        "Adult literacies drop-in at Greenock library, five learners today.",
        "J told me the college form had put her off applying for years, so we read it "
        "together line by line and she filled it in herself with me beside her.",
        "She's handing it in on Friday and has asked me to go to the open day with her.",
        "That's me for today.",
    ),
    (
        "Community council meeting in Newtonmore village hall, 7pm, fourteen residents.",
        "I supported the tenants' group to put their own item on the agenda about the "
        "closure of the bus route, and they presented the petition themselves rather than "
        "me speaking for them.",
        "The council agreed to write to the transport authority.",
        "Travel expenses form submitted for this month.",
    ),
]

ADMIN = [
    "Need to put in my mileage claim for the trips to Brechin and Forfar by Friday.",
    "Room booked for the 12th and 19th, invoice to follow from the community centre.",
    "Timesheet updated with the extra two hours from Saturday's event.",
    "Signed off by my manager.",
    "Printer in the office jammed again so the handouts will be late.",
    "Session off tonight, the hall's heating has packed in.",
    "Can you remind me how to export my reflections?",
    "Partnership meeting moved to Thursday at 2pm, same room.",
]


@pytest.fixture(scope="module")
def cld() -> Framework:
    return load_framework()


@pytest.fixture(scope="module")
def suggester(cld: Framework, tmp_path_factory: pytest.TempPathFactory) -> Suggester:
    encoder = SentenceTransformerEncoder()
    built = Suggester(
        cld,
        encoder,
        examples=load_examples(cld),
        head=load_head(model_id=encoder.model_id),
        rule=load_rule(model_id=encoder.model_id),
        cache_dir=tmp_path_factory.mktemp("cache"),
    )
    built.prepare()
    return built


def test_the_default_model_is_the_tuned_one_with_its_head_and_rule(suggester: Suggester) -> None:
    assert suggester.model_id.startswith("reflectbot/")
    assert suggester.head is not None and suggester.rule is not None


@pytest.mark.parametrize("sentences", FRAMED, ids=[s[0][:30] for s in FRAMED])
def test_scene_setting_logistics_and_sign_offs_are_never_quoted(
    suggester: Suggester, sentences: tuple[str, ...]
) -> None:
    text = " ".join(sentences)
    assert split_sentences(text) == list(sentences)
    shown = suggester.suggest(text)
    assert len(shown) <= 3
    quoted = {s.evidence for s in shown}
    assert sentences[0] not in quoted and sentences[-1] not in quoted
    assert quoted <= set(sentences[1:-1]) | {""}


def test_practice_framed_by_scene_setting_and_a_sign_off_still_gets_suggestions(
    suggester: Suggester,
) -> None:
    """Judged on the whole text alone, the frame made most of these look like they
    evidence nothing; their most telling sentence now counts."""
    shown = [suggester.suggest(" ".join(sentences)) for sentences in FRAMED]
    assert sum(1 for s in shown if s) >= len(FRAMED) - 1


@pytest.mark.parametrize("text", ADMIN)
def test_admin_notes_get_no_suggestions(suggester: Suggester, text: str) -> None:
    assert suggester.suggest(text) == []


def test_how_many_are_shown_depends_on_the_text(suggester: Suggester) -> None:
    """Over our labelled reflections, some show one suggestion, some two, some three,
    never more; and nearly every one that evidences something shows something."""
    items = read_jsonl(DATA / "cld_reflections.jsonl")
    counts = {item.id: len(suggester.suggest(item.text)) for item in items}
    sizes = set(counts.values())
    assert {1, 2, 3} <= sizes <= {0, 1, 2, 3}
    labelled = [item for item in items if item.labels]
    assert sum(counts[item.id] > 0 for item in labelled) >= 0.95 * len(labelled)
    assert sum(counts.values()) < 2.5 * len(items)
