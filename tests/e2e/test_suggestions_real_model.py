"""The real bot with the REAL suggester (the tuned model, its head and its shown-set rule).

A practitioner sends quick notes and saves them; the suggestions message must show what
the suggester chose for the text, no more and no fewer: one, two or three suggestions,
or none for an admin note. Expectations come from ``suggester.suggest`` on the same
text, never from hard-coded indicator ids, so a retrained model does not break them.
The notes were written for this module.
"""

from __future__ import annotations

import html
import re

import pytest

import storage
from bot.config import Secret, Settings
from bot.services.container import build_suggester
from framework import Suggester, split_sentences
from prompts import t

from .fake_bot_api import BotMessage, FakeUser
from .players import agree, running_bot, say

pytestmark = pytest.mark.slow

MODEL_TIMEOUT = 30.0  # seconds for a saved note's suggestions (the model runs on CPU)

# (opening, practice..., closing): the scene-setting and the sign-off evidence nothing.
FRAMED = (
    "Wednesday drop-in at the Bathgate community flat, eleven young people and two staff.",
    "A girl who usually sits on her own asked to help plan the summer trip, so I gave her "
    "the budget sheet and we worked out the costs together with the group.",
    "By the end she was leading the vote on where to go and the others listened to her.",
    "Signed off by my line manager at supervision.",
)
ADMIN = "Need to put in my mileage claim for the trips to Brechin and Forfar by Friday."
PRACTICE = (
    "Two of the lads fell out over the pool table, so I took each aside, heard both sides "
    "and then sat them down together to agree how they would share it from now on.",
    "The adult learners chose the topics for next term themselves: I put the options on "
    "the wall, everyone voted with stickers and we planned the sessions around the top three.",
    "I met the housing officer and the health visitor to agree a referral route, so that "
    "families we work with get to the right service without telling their story three times.",
    "After each session I ask the group what worked and what didn't, and this month I used "
    "their comments to change the timing and the layout of the room.",
)

_SUGGESTION_LINE = re.compile(r"^\S+ <b>(?P<id>[^<]+)</b> ")
_EVIDENCE_LINE = re.compile(r"^\s+<i>“(?P<evidence>.*)”</i>$")


@pytest.fixture(scope="module")
def suggester(tmp_path_factory: pytest.TempPathFactory) -> Suggester:
    """The suggester the bot ships with, built once, its example vectors cached in a
    temporary folder."""
    folder = tmp_path_factory.mktemp("real-suggester")
    settings = Settings(
        token=Secret("123456:TEST-token"),
        db_path=folder / "unused.sqlite3",
        cache_dir=folder / "cache",
    )
    built = build_suggester(settings)
    built.prepare()
    assert built.model_id.startswith("reflectbot/"), built.model_id  # the tuned model
    assert built.head is not None and built.rule is not None  # with its head and rule
    return built


@pytest.fixture
async def running(fake_telegram, bot_settings: Settings, suggester: Suggester):
    """The real bot (as in conftest) but suggesting with the real model."""
    async with running_bot(fake_telegram, bot_settings, suggester=suggester) as bot:
        yield bot


async def save_note(user: FakeUser, text: str) -> BotMessage:
    """Send ``text`` as a loose message, save it as a quick reflection; the bot's message
    with the suggestions (or none) and their buttons."""
    user.mark_read()
    offer = await say(user, text)
    assert offer.text == t("note.offer"), user.transcript()
    await user.press(offer, t("note.save_button"))
    return await user.wait_for(
        lambda m: m.message_id == offer.message_id and t("saved.heading") in (m.source_text or ""),
        timeout=MODEL_TIMEOUT,
    )


def shown_suggestions(message: BotMessage) -> list[tuple[str, str | None]]:
    """(indicator id, quoted evidence or None) per suggestion line, top to bottom."""
    shown: list[tuple[str, str | None]] = []
    for line in (message.source_text or "").splitlines():
        if match := _SUGGESTION_LINE.match(line):
            shown.append((html.unescape(match["id"]), None))
        elif (match := _EVIDENCE_LINE.match(line)) and shown:
            shown[-1] = (shown[-1][0], html.unescape(match["evidence"]))
    return shown


def confirm_buttons(message: BotMessage, reflection_id: int) -> list[str]:
    """The indicator ids of the message's confirm buttons, top to bottom."""
    found = []
    for row in message.buttons:
        for _, data in row:
            match = re.fullmatch(rf"tg:{reflection_id}:([^:]+):c", data or "")
            if match:
                found.append(match[1])
    return found


def latest_note(bot, user_id: int) -> storage.Reflection:
    return storage.recent_reflections(bot.db, user_id, limit=1)[0]


def quotes(evidence: str, sentence: str) -> bool:
    """Whether a (possibly shortened, "…") evidence quote is taken from ``sentence``."""
    return evidence.removesuffix("…").strip() in " ".join(sentence.split())


async def test_a_framed_note_shows_what_the_suggester_chose_and_quotes_the_practice(
    fake_telegram, bot, suggester: Suggester
) -> None:
    text = " ".join(FRAMED)
    assert split_sentences(text) == list(FRAMED)
    ids = [s.indicator_id for s in suggester.suggest(text)]

    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    saved = await save_note(ann, text)
    note = latest_note(bot, 1001)
    assert (note.kind, note.status, note.text) == ("note", "done", text)

    shown = shown_suggestions(saved)
    assert [i for i, _ in shown] == ids, saved.source_text
    assert confirm_buttons(saved, note.id) == ids, saved.buttons
    stored = storage.suggestions_for(bot.db, note.id)
    assert [s.indicator_id for s in stored] == ids
    # A practice note in its usual frame evidences something: one to three are shown.
    nothing = suggester.signals(text).none
    assert 1 <= len(ids) <= 3, f"{len(ids)} shown; P(evidences nothing) = {nothing:.2f}"
    assert t("saved.none_button") in saved.button_texts
    assert {s.model_id for s in stored} == {suggester.model_id}

    evidence = [e for _, e in shown if e]
    assert evidence, saved.source_text  # the practice sentences are quotable
    for quote in evidence:
        assert not quotes(quote, FRAMED[0]) and not quotes(quote, FRAMED[-1]), quote
        assert any(quotes(quote, s) for s in FRAMED[1:-1]), quote


async def test_an_admin_note_gets_no_suggestions_and_is_still_stored(
    fake_telegram, bot, suggester: Suggester
) -> None:
    assert suggester.suggest(ADMIN) == []
    bo = fake_telegram.user(1002, "Bo")
    await agree(bo)
    saved = await save_note(bo, ADMIN)
    note = latest_note(bot, 1002)

    assert t("saved.none_found") in saved.text
    assert t("saved.suggest_heading") not in saved.text and shown_suggestions(saved) == []
    assert confirm_buttons(saved, note.id) == []
    assert saved.button_texts == [
        t("saved.pick_button"),
        t("about.ask_button"),
        t("saved.done_button"),
    ]
    assert (note.kind, note.status, note.text) == ("note", "done", ADMIN)
    assert [a.text for a in storage.answers_for(bot.db, note.id)] == [ADMIN]
    assert storage.count_finished_reflections(bot.db, 1002) == 1
    assert storage.suggestions_for(bot.db, note.id) == []


async def test_how_many_suggestions_are_shown_is_chosen_per_note(
    fake_telegram, bot, suggester: Suggester
) -> None:
    cy = fake_telegram.user(1003, "Cy")
    await agree(cy)
    counts = []
    for text in PRACTICE:
        ids = [s.indicator_id for s in suggester.suggest(text)]
        assert 1 <= len(ids) <= 3, text
        saved = await save_note(cy, text)
        note = latest_note(bot, 1003)
        assert note.text == text
        assert [i for i, _ in shown_suggestions(saved)] == ids, saved.source_text
        assert confirm_buttons(saved, note.id) == ids, saved.buttons
        counts.append(len(ids))
    assert storage.count_finished_reflections(bot.db, 1003) == len(PRACTICE)
    assert min(counts) < 3, counts  # not always three
