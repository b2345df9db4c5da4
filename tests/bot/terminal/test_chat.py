"""The terminal chat, driven with scripted input through the real services."""

import storage
from bot.terminal.chat import LOCAL_USER_ID, TerminalChat, plain

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
        ["y", "/frobnicate", "keep this note", "y", "none", "", "drop this one", "n", "/quit"],
    )
    assert "I don't know the command /frobnicate" in transcript
    [entry] = storage.recent_reflections(services.db, LOCAL_USER_ID, limit=5)
    assert entry.text == "keep this note"
    assert "OK, not saved." in transcript


async def test_cancel_keeps_or_deletes(services):
    await run_chat(services, ["y", "/reflect", "3", "what happened", "/cancel", "2", "/quit"])
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
    transcript = await run_chat(services, ["y", CONFLICT, "y", "", "/mydata", "/forget", "y"])
    [export] = list(tmp_path.glob("reflectbot-my-data-*.json"))
    assert CONFLICT in export.read_text() and (export.stat().st_mode & 0o777) == 0o600
    assert "everything I held about you is deleted" in transcript
    assert services.users.get(LOCAL_USER_ID) is None
    assert all(not rows for rows in storage.rows_about(services.db, LOCAL_USER_ID).values())
