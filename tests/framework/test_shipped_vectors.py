"""The reference vectors shipped with the package: used only when they are the right
ones, byte for byte, so a fresh installation suggests without encoding ~1,700 texts."""

import json
import time

import numpy as np
import pytest

from framework import embedding_cache
from framework.embedding_cache import cached_embeddings, ship_embeddings


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    vectors = tmp_path / "reference_vectors.npy"
    monkeypatch.setattr(embedding_cache, "SHIPPED_VECTORS", vectors)
    monkeypatch.setattr(embedding_cache, "SHIPPED_MANIFEST", vectors.with_suffix(".json"))
    array = np.eye(3, 4, dtype=np.float32)
    ship_embeddings("key-1", array, "test-model")
    return vectors


def never(*args):
    raise AssertionError("should not be computed")


def test_the_shipped_vectors_are_used_for_their_key(shipped, tmp_path):
    array = cached_embeddings(tmp_path / "cache", "key-1", 3, never)
    assert array.shape == (3, 4)
    assert not (tmp_path / "cache").exists()  # nothing written


def test_another_key_or_a_changed_file_is_computed_instead(shipped, tmp_path):
    computed = np.ones((3, 4), dtype=np.float32)
    assert cached_embeddings(None, "key-2", 3, lambda: computed) is computed
    data = bytearray(shipped.read_bytes())
    data[-1] ^= 0xFF
    shipped.write_bytes(bytes(data))
    assert cached_embeddings(None, "key-1", 3, lambda: computed) is computed
    manifest = json.loads(shipped.with_suffix(".json").read_text())
    assert manifest["model"] == "test-model"


@pytest.mark.slow
def test_the_packaged_vectors_fit_the_packaged_examples_and_model(tmp_path):
    """If this fails, run `python -m framework.ship_vectors` (examples or method changed)."""
    from bot.config import Settings
    from bot.services.container import build_suggester

    suggester = build_suggester(Settings(cache_dir=tmp_path / "cache"))
    started = time.monotonic()
    suggester.prepare()
    assert time.monotonic() - started < 5, "the shipped vectors were not used"
    assert not (tmp_path / "cache").exists()
    sample = suggester.reference_texts()[:3]
    assert np.allclose(suggester.encoder.encode(sample), suggester._groups[0][:3], atol=1e-4)
