"""What a reflection is about, in the terminal chat: @ and a name at the tags prompt, then
@1 for it next time; a name that could identify someone refused; @- clears it; /history
shows it."""

import storage
from bot.terminal.chat import LOCAL_USER_ID
from tests.bot.terminal.test_chat import CONFLICT, run_chat


def latest(services) -> storage.Reflection:
    return storage.recent_reflections(services.db, LOCAL_USER_ID, limit=1)[0]


async def test_a_name_given_with_at_then_chosen_by_number_and_cleared(services, clock):
    transcript = await run_chat(
        services,
        ["y", "Sam", CONFLICT, "y", "@ Tuesday  youth club", "c1", "", "/history", "/quit"],
    )
    assert "What was it about? Type @ and the name" in transcript
    first = latest(services)
    assert (first.about, first.session_date) == ("Tuesday youth club", clock().date())
    assert "📍 Tuesday youth club · session of" in transcript
    assert storage.confirmed_indicators(services.db, first.id)  # tagging went on after it
    assert transcript.count("📍 Tuesday youth club · session of") >= 2  # and in /history

    transcript = await run_chat(
        services,
        [
            CONFLICT + " Again.",
            "y",
            "@1",
            "",
            CONFLICT + " Once more.",
            "y",
            "@1",
            "@-",
            "",
            "/quit",
        ],
    )
    assert "Type @1 Tuesday youth club to choose" in transcript
    third, second, _ = storage.recent_reflections(services.db, LOCAL_USER_ID, limit=3)
    assert second.about == "Tuesday youth club" and second.id != first.id
    assert (third.about, third.session_date) == (None, None)


async def test_a_name_that_could_identify_someone_is_refused(services):
    transcript = await run_chat(
        services,
        ["y", "Sam", CONFLICT, "y", "@Jamie Smith's mentoring", "@" + "x" * 61, "", "/quit"],
    )
    assert "could identify someone" in transcript
    assert "That doesn't look like a name" in transcript
    assert latest(services).about is None
