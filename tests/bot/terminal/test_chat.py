"""The terminal chat, driven with scripted input through the real services."""

from datetime import UTC, datetime, time, timedelta

import storage
from bot.services.nudge_wording import nudge_text
from bot.services.nudging import Content
from bot.terminal.chat import LOCAL_USER_ID, TerminalChat, plain
from prompts import load_weekly_prompts
from storage import Session

CONFLICT = "Two young people were fighting; I worked towards the resolution of conflict."


def scripted(lines):
    pending = list(lines)
    prompts = []

    async def read(prompt):
        prompts.append(prompt)
        return pending.pop(0) if pending else None

    return read, prompts


async def run_chat(services, lines):
    out = []
    read, _ = scripted(lines)
    await TerminalChat(services, read=read, write=out.append).run()
    return "\n".join(out)


async def test_consent_a_guided_reflection_and_tagging(services):
    transcript = await run_chat(
        services,
        [
            "y",  # agree
            "Sam",  # the name to greet them by
            "/reflect",
            "2",  # What? So what? Now what?
            "We ran the pool night.",
            CONFLICT,
            "/skip",
            "c1",  # confirm the first suggestion
            "7.9",  # tag another indicator by id
            "",  # done tagging
            "/history",
            "/quit",
        ],
    )
    assert "Nothing is stored until you agree" in transcript
    assert "question 1 of 3" in transcript and "question 2 of 3" in transcript
    assert "What? So what? Now what?: 3 questions, one at a time" in transcript
    assert "A line or two for each is fine." in transcript
    assert "<b>" not in transcript  # Telegram formatting is stripped
    [entry] = storage.recent_reflections(services.db, LOCAL_USER_ID, limit=5)
    assert entry.text == f"We ran the pool night.\n\n{CONFLICT}"
    confirmed = storage.confirmed_indicators(services.db, entry.id)
    assert "2.6" in confirmed and "7.9" in confirmed
    assert "[2.6, 7.9]" in transcript or "[7.9, 2.6]" in transcript


async def test_declining_stores_nothing(services):
    transcript = await run_chat(services, ["n", "a thought"])
    assert "nothing has been stored" in transcript
    assert services.users.get(LOCAL_USER_ID) is None


async def test_a_note_can_be_saved_or_dropped_and_bad_input_is_answered(services):
    transcript = await run_chat(
        services,
        [
            "y",
            "Sam",
            "/frobnicate",
            "keep this note",
            "y",
            "none",
            "",
            "drop this one",
            "n",
            "/quit",
        ],
    )
    assert "I don't know the command /frobnicate" in transcript
    [entry] = storage.recent_reflections(services.db, LOCAL_USER_ID, limit=5)
    assert entry.text == "keep this note"
    assert "OK, not saved." in transcript


async def test_cancel_keeps_or_deletes(services):
    await run_chat(
        services, ["y", "Sam", "/reflect", "3", "what happened", "/cancel", "2", "/quit"]
    )
    assert storage.open_reflection_for(services.db, LOCAL_USER_ID) is None
    assert storage.count_finished_reflections(services.db, LOCAL_USER_ID) == 0
    await run_chat(services, ["/reflect", "3", "what happened", "/cancel", "1", "", "/quit"])
    assert storage.count_finished_reflections(services.db, LOCAL_USER_ID) == 1


def test_plain_strips_html():
    assert plain("<b>Hi</b> &amp; <i>bye</i>") == "Hi & bye"


async def test_the_identifier_guard_in_the_terminal(services):
    transcript = await run_chat(
        services,
        [
            "y",
            "Sam",
            "Jamie Fraser lost his temper at the pool table.",
            "1",  # replace with initials
            "y",  # save as a note
            "",  # done tagging
            "/quit",
        ],
    )
    assert "“Jamie Fraser”: a full name" in transcript
    [saved] = storage.recent_reflections(services.db, LOCAL_USER_ID, limit=5)
    assert saved.text == "J.F. lost his temper at the pool table."


async def test_mydata_and_forget_in_the_terminal(services, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    earlier = tmp_path / f"reflectbot-my-data-{services.privacy.export(0).filename[19:]}"
    earlier.write_text("an older export, left readable by others")
    earlier.chmod(0o644)
    transcript = await run_chat(
        services, ["y", "Sam", CONFLICT, "y", "", "/mydata", "/forget", "y"]
    )
    [export] = list(tmp_path.glob("reflectbot-my-data-*.json"))
    assert CONFLICT in export.read_text() and (export.stat().st_mode & 0o777) == 0o600
    assert "everything I held about you is deleted" in transcript
    assert services.users.get(LOCAL_USER_ID) is None
    assert all(not rows for rows in storage.rows_about(services.db, LOCAL_USER_ID).values())


async def test_export_in_the_terminal(services, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    transcript = await run_chat(
        services,
        ["y", "Sam", "/export", CONFLICT, "y", "", "/export xls", "/export csv", "/export"],
    )
    assert "There's nothing saved in that period (Everything up to" in transcript
    assert "Type /export and a format: pdf, docx, csv, json, md" in transcript
    [csv_file] = tmp_path.glob("portfolio-*.csv")
    [pdf_file] = tmp_path.glob("portfolio-*.pdf")
    assert CONFLICT.split()[0] in csv_file.read_text(encoding="utf-8-sig")
    assert pdf_file.read_bytes().startswith(b"%PDF-")
    assert all((f.stat().st_mode & 0o777) == 0o600 for f in (csv_file, pdf_file))
    assert "Your portfolio (1 reflection(s)) is in" in transcript


# -- nudges -----------------------------------------------------------------------------------

TUESDAY_2000 = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # the club ends 19:30 in London
FRIDAY_1600 = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)


def clocked(services, clock, lines):
    """Scripted input where a datetime moves the clock before the next line is read."""
    pending = list(lines)
    prompts = []

    async def read(prompt):
        prompts.append(prompt)
        while pending and isinstance(pending[0], datetime):
            clock.now = pending.pop(0)
        return pending.pop(0) if pending else None

    return read, prompts


async def chat_with_clock(services, clock, lines):
    out = []
    read, prompts = clocked(services, clock, lines)
    await TerminalChat(services, read=read, write=out.append).run()
    return "\n".join(out), prompts


def agreed_with_club(services):
    services.users.agree(LOCAL_USER_ID, "me")
    return services.nudge_settings.add_session(
        LOCAL_USER_ID, "Tuesday youth club", frozenset({1}), time(19, 30)
    )


def nudges_of(services):
    return list(services.db.query("SELECT * FROM nudges WHERE user_id = ? ORDER BY id", [0]))


async def test_a_session_nudge_that_came_due_is_shown_and_reflect_now_asks_the_first_question(
    services, clock
):
    club = agreed_with_club(services)
    clock.now = TUESDAY_2000
    transcript, _ = await chat_with_clock(
        services,
        clock,
        [
            "1",  # reflect now
            "We ran the pool night.",
            CONFLICT,
            "We'll agree ground rules.",
            "",  # done tagging
            "/quit",
        ],
    )
    assert "How did Tuesday youth club go?" in transcript and "<b>" not in transcript
    for option in ("1. ✍️ Reflect now", "2. 📝 Quick note", "3. Not today", "4. ⏰ In an hour"):
        assert option in transcript
    default = services.reflecting.default_set()
    assert f"{default.name} · question 1 of {len(default.questions)}" in transcript
    [saved] = storage.recent_reflections(services.db, LOCAL_USER_ID, limit=5)
    assert saved.session_id == club.id and saved.question_set_id == default.id
    assert saved.text.startswith("We ran the pool night.")
    [nudge] = nudges_of(services)
    assert (nudge["status"], nudge["message_id"]) == ("answered", 0)
    assert transcript.count("How did Tuesday youth club go?") == 1


async def test_a_nudge_that_comes_due_while_the_chat_is_open_waits_for_the_line_typed(
    services, clock
):
    services.users.agree(LOCAL_USER_ID, "me")
    transcript, prompts = await chat_with_clock(
        services,
        clock,
        [
            FRIDAY_1600,  # the weekly nudge comes due while this line is being typed
            "A thought about the week that must not be lost.",
            "y",  # save it as a note
            "",  # done tagging
            "2",  # the nudge, now shown: not this week
            "/quit",
        ],
    )
    [saved] = storage.recent_reflections(services.db, LOCAL_USER_ID, limit=5)
    assert saved.text == "A thought about the week that must not be lost."
    # After that reflection, the weekly nudge is the softened one.
    assert transcript.index("Saved") < transcript.index("Nice work this week")
    assert "1. 📝 Add a note" in transcript and "2. Not this week" in transcript
    assert "OK, see you next week." in transcript
    assert [n["status"] for n in nudges_of(services)] == ["answered"]
    assert prompts[-1] == "you> "


async def test_the_weekly_nudge_asks_its_question_and_says_why(services, clock):
    services.users.agree(LOCAL_USER_ID, "me")
    clock.now = FRIDAY_1600
    gap = services.nudging.gap(LOCAL_USER_ID)
    transcript, _ = await chat_with_clock(
        services,
        clock,
        ["1", "We worked with the library team on the homework club.", "", "/quit"],
    )
    [nudge] = nudges_of(services)
    question = load_weekly_prompts().question(nudge["question_id"])
    assert "Your weekly reflection" in transcript and question.text in transcript
    assert f"Nothing on {gap.topic} yet." in transcript
    assert "1. ✍️ Answer it" in transcript and "2. Not this week" in transcript
    assert "3. ⏰ In an hour" in transcript
    [saved] = storage.recent_reflections(services.db, LOCAL_USER_ID, limit=5)
    assert saved.prompt_id == question.id
    assert saved.text == "We worked with the library team on the homework club."


async def test_the_reason_counts_the_weeks_since_a_competence_was_evidenced(services, clock):
    services.users.agree(LOCAL_USER_ID, "me")
    long_ago = FRIDAY_1600 - timedelta(days=5 * 7 + 2)
    lately = FRIDAY_1600 - timedelta(days=10)
    for moment, indicators in [
        (long_ago, ["6.1"]),
        (lately, ["1.1", "2.6", "3.1", "4.1", "5.1", "7.1"]),
    ]:
        reflection = storage.start_reflection(
            services.db, 0, kind="note", question_set_id="quick", question_set_version=1, now=moment
        )
        storage.finish_reflection(services.db, reflection.id, "text", moment, [], "m", moment)
        for indicator in indicators:
            storage.set_tag(services.db, reflection.id, indicator, "confirmed", moment)
    clock.now = FRIDAY_1600
    transcript, _ = await chat_with_clock(services, clock, ["2", "/quit"])  # not this week
    assert "Nothing on partnership working for 5 weeks." in transcript
    assert "OK, see you next week." in transcript


async def test_snooze_in_the_terminal_brings_the_nudge_back_an_hour_later(services, clock):
    agreed_with_club(services)
    clock.now = TUESDAY_2000
    transcript, _ = await chat_with_clock(
        services,
        clock,
        [
            "4",  # snooze
            "/help",
            TUESDAY_2000 + timedelta(minutes=59),
            "/help",  # not yet
            TUESDAY_2000 + timedelta(hours=1),
            "/help",
            "3",  # not today
            "/quit",
        ],
    )
    assert "OK, I'll ask again at 21:00." in transcript
    assert transcript.count("How did Tuesday youth club go?") == 2
    assert "OK, not today. I'll ask again after the next one." in transcript
    assert [n["status"] for n in nudges_of(services)] == ["answered", "answered"]


async def test_a_line_typed_instead_of_a_choice_is_handled_as_usual(services, clock):
    agreed_with_club(services)
    clock.now = TUESDAY_2000
    transcript, _ = await chat_with_clock(
        services,
        clock,
        ["", "It went well, the new lads settled in.", "y", "", "/quit"],
    )
    assert "Please type one of the numbers shown." in transcript  # an empty line: asked again
    [saved] = storage.recent_reflections(services.db, LOCAL_USER_ID, limit=5)
    assert saved.text == "It went well, the new lads settled in."
    assert [n["status"] for n in nudges_of(services)] == ["sent"]  # left unanswered


async def test_a_nudge_during_a_reflection_keeps_it_going(services, clock):
    agreed_with_club(services)
    transcript, _ = await chat_with_clock(
        services,
        clock,
        [
            "/reflect",
            "3",  # Gibbs
            "We ran the pool night.",
            TUESDAY_2000,
            "I felt nervous at first.",  # answers question 2, then the nudge is shown
            "3",  # not today
            "It went better than last time.",  # question 3 carries on
            "/cancel",
            "1",  # keep what was written
            "",
            "/quit",
        ],
    )
    assert transcript.index("question 2 of 6") < transcript.index("How did Tuesday youth club")
    assert transcript.count("question 3 of 6") == 2  # asked, then asked again after the nudge
    [saved] = storage.recent_reflections(services.db, LOCAL_USER_ID, limit=5)
    assert saved.session_id is None and saved.question_set_id == "gibbs"
    assert saved.text.split("\n\n") == [
        "We ran the pool night.",
        "I felt nervous at first.",
        "It went better than last time.",
    ]


async def test_reflect_now_with_a_reflection_open_settles_it_first(services, clock):
    club = agreed_with_club(services)
    transcript, _ = await chat_with_clock(
        services,
        clock,
        [
            "/reflect",
            "3",  # Gibbs
            "We ran the pool night.",
            TUESDAY_2000,
            "I felt nervous at first.",
            "1",  # reflect now on the club
            "2",  # keep the open Gibbs reflection and start the new one
            "",  # done tagging the kept one
            "The club was loud tonight.",
            "/cancel",
            "1",
            "",
            "/quit",
        ],
    )
    assert "You have an unfinished Gibbs" in transcript
    newest, kept = storage.recent_reflections(services.db, LOCAL_USER_ID, limit=5)
    assert kept.question_set_id == "gibbs" and kept.session_id is None
    assert kept.text == "We ran the pool night.\n\nI felt nervous at first."
    assert newest.session_id == club.id and newest.text == "The club was loud tonight."


async def test_the_input_ending_at_a_nudge_ends_the_chat(services, clock):
    agreed_with_club(services)
    clock.now = TUESDAY_2000
    transcript, _ = await chat_with_clock(services, clock, [])
    assert "How did Tuesday youth club go?" in transcript
    assert transcript.rstrip().endswith(
        plain(f"Bye! Your reflections are saved in {services.settings.db_path}.")
    )
    assert [n["status"] for n in nudges_of(services)] == ["sent"]


def test_nudge_texts_escape_what_practitioners_typed():
    session = Session(1, 0, "Kids <club> & co", frozenset({1}), time(19), frozenset())
    assert plain(nudge_text(Content(session=session))) == "How did Kids <club> & co go?"
