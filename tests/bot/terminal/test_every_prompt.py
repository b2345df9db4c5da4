"""No prompt of the terminal chat traps you or throws away what you typed.

Each test types, at one prompt, something that is not an answer there (a command, new
text) and checks what is shown and what is stored."""

from datetime import UTC, datetime

import pytest

import storage
from bot.terminal.chat import LOCAL_USER_ID, TerminalChat

CONFLICT = "Two young people were fighting; I worked towards the resolution of conflict."
NOTE = "The new lads settled in well at the pool table tonight."
SECOND = "Another thought: the quiz night needs more volunteers next month."
NOT_UNDERSTOOD = "I didn't understand"
OFFER = "Save this as a quick reflection? [y/n] "
TUESDAY_2000 = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


async def chat(services, lines):
    """Run the chat on scripted lines; the transcript and the prompts it asked with."""
    pending, prompts, out = list(lines), [], []

    async def read(prompt):
        prompts.append(prompt)
        return pending.pop(0) if pending else None

    await TerminalChat(services, read=read, write=out.append).run()
    assert not pending, f"lines never read: {pending}"
    transcript = "\n".join(out)
    assert NOT_UNDERSTOOD not in transcript
    return transcript, prompts


def saved_texts(services):
    return [r.text for r in storage.recent_reflections(services.db, LOCAL_USER_ID, limit=10)]


def agreed(services, name="Sam"):
    services.users.agree(LOCAL_USER_ID, name)


# -- consent and the name ------------------------------------------------------------------


async def test_the_name_given_at_consent_is_stored_and_greets_them_not_the_login(
    services, monkeypatch
):
    monkeypatch.setattr("getpass.getuser", lambda: "loginname")
    transcript, prompts = await chat(services, ["y", "Alex", "/quit"])
    assert services.users.get(LOCAL_USER_ID).display_name == "Alex"
    assert "Nice to meet you, Alex." in transcript and "loginname" not in transcript
    assert "name> " in prompts
    transcript, prompts = await chat(services, ["/quit"])
    assert "Welcome back, Alex!" in transcript and "name> " not in prompts


async def test_enter_at_the_name_prompt_skips_it(services):
    transcript, _ = await chat(services, ["y", "", "/quit"])
    assert services.users.get(LOCAL_USER_ID).display_name == "there"
    assert "Nice to meet you, there." in transcript


async def test_a_reflection_typed_at_the_name_prompt_is_kept_and_offered_after(services):
    transcript, prompts = await chat(services, ["y", NOTE, "Alex", "y", "", "/quit"])
    assert services.users.get(LOCAL_USER_ID).display_name == "Alex"
    assert "I've kept what you typed" in transcript and "Nice to meet you, Alex." in transcript
    assert prompts[1:4] == ["name> ", "name> ", OFFER]
    assert saved_texts(services) == [NOTE]


async def test_text_typed_at_consent_waits_for_it_and_help_works_there(services):
    transcript, prompts = await chat(services, ["/help", NOTE, "y", "Alex", "y", "", "/quit"])
    assert "helps you reflect on your practice" in transcript  # /help ran in place
    assert prompts[:3] == [prompts[0]] * 3 and prompts[0].endswith("[y/n] ")  # asked again
    assert saved_texts(services) == [NOTE]


async def test_declining_stores_nothing_even_what_was_typed_first(services):
    transcript, _ = await chat(services, [NOTE, "n"])
    assert "nothing has been stored" in transcript
    assert services.users.get(LOCAL_USER_ID) is None and saved_texts(services) == []


async def test_quit_at_consent_leaves_and_stores_nothing(services):
    transcript, _ = await chat(services, ["/quit"])
    assert "nothing has been stored" in transcript
    assert services.users.get(LOCAL_USER_ID) is None


# -- the tags prompt --------------------------------------------------------------------------


async def test_a_new_note_at_the_tags_prompt_is_taken_as_a_new_note(services):
    agreed(services)
    _, prompts = await chat(services, [CONFLICT, "y", SECOND, "y", "", "/quit"])
    assert prompts == ["you> ", OFFER, "tags> ", OFFER, "tags> ", "you> "]
    assert sorted(saved_texts(services)) == sorted([CONFLICT, SECOND])


@pytest.mark.parametrize("command", ["/history", "/help"])
async def test_show_only_commands_at_the_tags_prompt_run_and_tagging_goes_on(services, command):
    agreed(services)
    transcript, prompts = await chat(services, [CONFLICT, "y", command, "c1", "", "/quit"])
    [entry] = storage.recent_reflections(services.db, LOCAL_USER_ID, limit=5)
    assert storage.confirmed_indicators(services.db, entry.id)  # c1 still applied
    assert prompts.count("tags> ") == 3
    assert transcript.count("Type c1/r1 to confirm") == 3  # shown again after the command


async def test_reflect_at_the_tags_prompt_starts_a_reflection(services):
    agreed(services)
    transcript, _ = await chat(services, [CONFLICT, "y", "/reflect", "3", "/cancel", "/quit"])
    assert "Tags saved." in transcript and "Which kind of reflection?" in transcript
    assert "Gibbs' reflective cycle · question 1 of 6" in transcript


async def test_quit_at_the_tags_prompt_quits(services):
    agreed(services)
    transcript, _ = await chat(services, [CONFLICT, "y", "/quit"])
    assert transcript.rstrip().endswith(f"saved in {services.settings.db_path}.")
    assert saved_texts(services) == [CONFLICT]


async def test_several_tags_in_one_line_or_paste(services):
    agreed(services)
    await chat(services, [CONFLICT, "y", "c1, 7.9\n3.1", "", "/quit"])
    [entry] = storage.recent_reflections(services.db, LOCAL_USER_ID, limit=5)
    assert {"7.9", "3.1"} <= set(storage.confirmed_indicators(services.db, entry.id))
    assert len(storage.confirmed_indicators(services.db, entry.id)) == 3


async def test_a_tag_that_names_nothing_is_said_so_and_changes_nothing(services):
    agreed(services)
    transcript, _ = await chat(services, [CONFLICT, "y", "c9 7.9", "9.9", "", "/quit"])
    assert "There's no c9 to choose here: nothing was changed." in transcript
    assert "There's no 9.9 to choose here" in transcript
    [entry] = storage.recent_reflections(services.db, LOCAL_USER_ID, limit=5)
    assert storage.confirmed_indicators(services.db, entry.id) == []


# -- choices: question sets, open reflections, /cancel -------------------------------------


async def test_text_at_the_question_set_choice_is_taken_as_a_note(services):
    agreed(services)
    _, prompts = await chat(services, ["/reflect", NOTE, "y", "", "/quit"])
    assert OFFER in prompts
    assert saved_texts(services) == [NOTE]
    assert services.reflecting.open_reflection(LOCAL_USER_ID) is None  # nothing started


async def test_commands_at_the_question_set_choice(services):
    agreed(services)
    transcript, prompts = await chat(services, ["/reflect", "/history", "99", "3", "/quit"])
    assert "You have no saved reflections yet." in transcript
    assert transcript.count("1. Quick note") == 2  # the options shown again after /history
    assert "Please type one of the numbers shown." in transcript
    assert services.reflecting.open_reflection(LOCAL_USER_ID).question_set_id == "gibbs"


async def test_cancel_at_the_question_set_choice_leaves_it(services):
    agreed(services)
    transcript, _ = await chat(services, ["/reflect", "/cancel", "/quit"])
    assert services.reflecting.open_reflection(LOCAL_USER_ID) is None
    assert "nothing to cancel" not in transcript.lower()


async def test_text_at_cancels_confirmation_carries_on_the_reflection(services):
    agreed(services)
    await chat(
        services,
        ["/reflect", "3", "what happened", "/cancel", "/help", "I felt nervous.", "/quit"],
    )
    reflection = services.reflecting.open_reflection(LOCAL_USER_ID)
    assert reflection is not None  # neither kept nor deleted
    step = services.reflecting.current_step(LOCAL_USER_ID)
    assert step.number == 3  # the text answered question 2


async def test_text_at_the_open_reflection_choice_leaves_it_open(services):
    agreed(services)
    transcript, _ = await chat(
        services, ["/reflect", "3", "what happened", "/reflect", "I felt nervous.", "/quit"]
    )
    assert "You have an unfinished Gibbs" in transcript
    assert services.reflecting.current_step(LOCAL_USER_ID).number == 3


# -- y/n questions: a note, /forget ---------------------------------------------------------


async def test_text_at_the_note_offer_waits_for_the_answer_then_is_offered_too(services):
    agreed(services)
    transcript, _ = await chat(services, [NOTE, SECOND, "", "y", "", "y", "", "/quit"])
    assert "I've kept what you typed" in transcript and "Please type y or n." in transcript
    assert sorted(saved_texts(services)) == sorted([NOTE, SECOND])


async def test_history_at_the_note_offer_runs_and_the_offer_stays(services):
    agreed(services)
    transcript, prompts = await chat(services, [NOTE, "/history", "n", "/quit"])
    assert "You have no saved reflections yet." in transcript
    assert prompts.count(prompts[1]) == 2 and prompts[1].endswith("[y/n] ")
    assert "OK, not saved." in transcript and saved_texts(services) == []


async def test_text_at_the_forget_confirmation_keeps_everything_and_is_handled(services):
    agreed(services)
    transcript, _ = await chat(services, ["/forget", NOTE, "y", "", "/quit"])
    assert "OK, nothing was deleted." in transcript
    assert services.users.get(LOCAL_USER_ID) is not None and saved_texts(services) == [NOTE]


# -- the identifier guard ---------------------------------------------------------------------


async def test_text_at_the_guard_waits_for_the_decision_then_is_handled(services):
    agreed(services)
    transcript, _ = await chat(
        services,
        [
            "Jamie Fraser lost his temper at the pool table.",
            SECOND,  # typed instead of a number: kept
            "/history",  # runs in place
            "1",  # initials
            "y",  # save the held text as a note
            "",
            "y",  # then SECOND is offered
            "",
            "/quit",
        ],
    )
    assert "I've kept what you typed" in transcript
    assert sorted(saved_texts(services)) == sorted(
        ["J.F. lost his temper at the pool table.", SECOND]
    )


async def test_quit_at_the_guard_keeps_the_text_held_for_next_time(services):
    agreed(services)
    transcript, _ = await chat(services, ["Jamie Fraser lost his temper.", "/quit"])
    assert "stays held" in transcript and saved_texts(services) == []
    transcript, _ = await chat(services, ["1", "y", "", "/quit"])
    assert "“Jamie Fraser”: a full name" in transcript
    assert saved_texts(services) == ["J.F. lost his temper."]


async def test_cancel_at_the_guard_drops_the_text_as_it_says(services):
    agreed(services)
    transcript, _ = await chat(services, ["Jamie Fraser lost his temper.", "/cancel", "/quit"])
    assert "I haven't kept that message" in transcript
    assert services.intake.waiting(LOCAL_USER_ID) is None and saved_texts(services) == []


async def test_lines_left_waiting_when_the_input_ends_are_shown_back(services):
    agreed(services)
    transcript, _ = await chat(services, ["Jamie Fraser lost his temper.", SECOND])
    assert "Not handled, because the chat ended first" in transcript
    assert transcript.index("Not handled") < transcript.index(SECOND, transcript.index("kept"))


# -- a nudge's choice -------------------------------------------------------------------------


@pytest.fixture
def club_nudge_due(services, clock):
    agreed(services)
    services.nudge_settings.add_session(
        LOCAL_USER_ID, "Tuesday youth club", frozenset({1}), __import__("datetime").time(19, 30)
    )
    clock.now = TUESDAY_2000


def nudge_statuses(services):
    return [n["status"] for n in services.db.query("SELECT status FROM nudges")]


async def test_help_at_a_nudge_runs_and_the_nudge_can_still_be_answered(services, club_nudge_due):
    transcript, _ = await chat(services, ["/help", "4", "/quit"])
    assert "helps you reflect on your practice" in transcript
    assert transcript.count("4. ⏰ In an hour") == 2
    assert "OK, I'll ask again at 21:00." in transcript
    assert nudge_statuses(services)[0] == "answered"


async def test_reflect_at_a_nudge_leaves_it_and_reflects(services, club_nudge_due):
    transcript, _ = await chat(services, ["/reflect", "3", "/quit"])
    assert "Which kind of reflection?" in transcript
    assert services.reflecting.open_reflection(LOCAL_USER_ID).question_set_id == "gibbs"
    assert nudge_statuses(services) == ["sent"]


async def test_quit_at_a_nudge_quits(services, club_nudge_due):
    transcript, prompts = await chat(services, ["/quit"])
    assert transcript.rstrip().endswith(f"saved in {services.settings.db_path}.")
    assert len(prompts) == 1


# -- pasted text, and "working…" -----------------------------------------------------------


async def test_a_paste_is_one_answer(services):
    agreed(services)
    paste = "We ran the pool night.\nIt was loud.\n\nThe lads settled in."
    transcript, prompts = await chat(
        services, ["/reflect", "2", paste, "/cancel", "1", "", "/quit"]
    )
    assert saved_texts(services) == [paste]
    assert "question 2 of 3" in transcript and "question 3 of 3" not in transcript


async def test_working_is_said_before_the_first_model_use_and_every_save(services):
    agreed(services)
    transcript, _ = await chat(
        services, ["/reflect", "2", "What happened.", "So what.", "Now what.", "", "/quit"]
    )
    lines = transcript.splitlines()
    working = [i for i, line in enumerate(lines) if line == "working…"]
    assert len(working) == 2  # the first text (the models load) and the last answer (saving)
    question_2 = next(i for i, line in enumerate(lines) if "question 2 of 3" in line)
    saved = next(i for i, line in enumerate(lines) if line.startswith("✅ Saved"))
    assert working[0] < question_2 and working[1] == saved - 1
    assert not any("working" in line for line in lines[question_2 : working[1]])
