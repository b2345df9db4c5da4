"""A voice note through the real `reflectbot run` process and the real speech model,
killed (SIGKILL) while it transcribes: after a restart the note is heard once, the audio the
killed process left is deleted, and nothing of what was said reaches the logs."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

import storage

from .test_inbox import wait_until
from .test_run_command import start_bot

SAMPLE = Path(__file__).parents[1] / "data" / "voice" / "reflection.ogg"
HEARD = "Here's what I heard"
pytestmark = pytest.mark.slow


async def test_a_note_killed_mid_transcription_is_heard_once_after_a_restart(
    fake_telegram, tmp_path
):
    notes = tmp_path / "cache" / "voice-notes"
    process = await start_bot(fake_telegram.token, fake_telegram.base_url, tmp_path)
    logs = ""
    try:
        ann = fake_telegram.user(1001, "Ann")
        await ann.send_command("/start")
        welcome = await ann.next_message(timeout=60)
        await ann.press(welcome, "I agree")
        await ann.wait_for(lambda m: "Thank you" in (m.text or ""), timeout=10)
        await ann.send_voice(duration=13, content=SAMPLE.read_bytes())
        await wait_until(lambda: list(notes.glob("voice-note-*/note")), timeout=30)
        process.send_signal(signal.SIGKILL)  # the note is on disk, the model at work
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        logs += stderr.decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert not any(HEARD in (m.text or "") for m in ann.messages), "killed too late"
    assert list(notes.glob("voice-note-*/note")), "the kill left the audio behind"

    process = await start_bot(fake_telegram.token, fake_telegram.base_url, tmp_path)
    try:
        heard = await ann.wait_for(lambda m: HEARD in (m.text or ""), timeout=120)
        said = heard.text.split("\n")[1]  # the transcript, under the heading
        words = {"youth", "summer", "trip", "activities"}
        assert len({w for w in words if w in heard.text.lower()}) >= 3, heard.text
        assert list(notes.iterdir()) == [], "no audio is kept"
        await ann.press(heard, "✅ Use it")  # saves the quick note: one tap
        await ann.wait_for(lambda m: "❌" in " ".join(m.button_texts), timeout=60)
        await fake_telegram.wait_idle()
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
        logs += stderr.decode()
    versions = [[m.text, *(h.text for h in m.history)] for m in ann.messages]
    shown = [texts for texts in versions if any(HEARD in (text or "") for text in texts)]
    assert len(shown) == 1, ann.transcript()
    assert len(fake_telegram.downloads) == 2, "fetched again after the restart"
    db = storage.open_database(tmp_path / "bot.sqlite3")
    try:
        rows = storage.rows_about(db, 1001)
        assert [a["text"] for a in rows["answers"]] == [said]
        assert rows["voice_transcripts"] == []
    finally:
        db.close()
    for word in ("summer", "activities"):
        assert word not in logs.lower(), "nothing that was said is logged"
