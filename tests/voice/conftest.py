"""Shared by the voice tests: the committed sample, audio made at run time, and one cache
folder with the real model joined, for the slow tests."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "voice"
SAMPLE = DATA / "reflection.ogg"
"""12.9 s of espeak-ng reading make_sample.TEXT, as Ogg/Opus (see make_sample.py)."""


def make_sample() -> ModuleType:
    """tests/data/voice/make_sample.py as a module, for its Opus encoder (no espeak-ng)."""
    spec = importlib.util.spec_from_file_location("make_sample", DATA / "make_sample.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_opus(path: Path, samples: np.ndarray, rate: int = 48_000) -> Path:
    """16-bit mono `samples` written to `path` as Ogg/Opus, like a Telegram voice note."""
    make_sample().encode_opus(samples.astype(np.int16), rate, path)
    return path


def _ogg_crc(data: bytes) -> int:
    """Ogg's page checksum: CRC-32, polynomial 0x04C11DB7, not reflected, no final xor."""
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def understated(ogg: bytes, samples: int) -> bytes:
    """An Ogg file whose last page claims that only `samples` (at 48 kHz) came before its
    end, with a valid checksum: FFmpeg then reports that length from the header alone."""
    data = bytearray(ogg)
    last = data.rindex(b"OggS")
    struct.pack_into("<q", data, last + 6, samples)  # the granule position
    struct.pack_into("<I", data, last + 22, 0)
    struct.pack_into("<I", data, last + 22, _ogg_crc(bytes(data[last:])))
    return bytes(data)


@pytest.fixture
def quiet_note(tmp_path: Path) -> Path:
    """Two seconds of near-silence: faint noise, nobody speaking."""
    noise = np.random.default_rng(7).normal(0, 30, 2 * 48_000)
    return write_opus(tmp_path / "quiet.ogg", noise)


@pytest.fixture(scope="session")
def real_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder for the real model: joined once, by the first slow test that uses it."""
    return tmp_path_factory.mktemp("voice-cache")
