"""On-disk cache of reference embeddings (e.g. one row per indicator), as .npy files.

Embedding the framework takes a second or two with the real model; caching it makes
start-up instant. The key covers everything the vectors depend on (model, framework file,
text preparation), so a change to any of them misses the cache instead of reusing stale
vectors. The cache is only an optimisation: unreadable files are recomputed and a failed
write is logged, never raised.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)


def cache_key(model_id: str, content_hash: str, prep_version: str) -> str:
    """A sha256 hex key for embeddings made by `model_id` from a framework file's content
    (`content_hash`) with a given text-preparation scheme (`prep_version`)."""
    payload = json.dumps([model_id, content_hash, prep_version], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def cache_path(cache_dir: Path, key: str) -> Path:
    """Where the embeddings for `key` live inside `cache_dir`."""
    return Path(cache_dir) / f"embeddings-{key}.npy"


def read_cached(path: Path, rows: int) -> np.ndarray | None:
    """The cached (rows, d) float32 array at `path`, or None if absent, corrupt or misshapen."""
    try:
        array = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError) as exc:
        logger.warning("ignoring unreadable embedding cache %s: %s", path, exc)
        return None
    if (
        not isinstance(array, np.ndarray)
        or array.ndim != 2
        or array.shape[0] != rows
        or array.shape[1] == 0
        or array.dtype != np.float32
        or not np.isfinite(array).all()
    ):
        logger.warning("ignoring embedding cache %s with unexpected shape or type", path)
        return None
    return array


def write_cached(path: Path, array: np.ndarray) -> None:
    """Write `array` to `path` atomically (temp file + os.replace); log, don't raise, on error."""
    path = Path(path)
    tmp_name: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=path.stem + ".", suffix=".tmp", delete=False
        ) as tmp:
            tmp_name = tmp.name
            np.save(tmp, np.ascontiguousarray(array, dtype=np.float32), allow_pickle=False)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        logger.warning("could not write embedding cache %s: %s", path, exc)
    finally:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)


SHIPPED_VECTORS = Path(__file__).with_name("data") / "reference_vectors.npy"
SHIPPED_MANIFEST = SHIPPED_VECTORS.with_suffix(".json")


def shipped_embeddings(key: str, rows: int) -> np.ndarray | None:
    """The vectors shipped with the package, if they are the ones for `key` and their
    file is exactly the one recorded (its sha256); else None."""
    try:
        manifest = json.loads(SHIPPED_MANIFEST.read_text(encoding="utf-8"))
        content = SHIPPED_VECTORS.read_bytes()
    except (OSError, ValueError):
        return None
    if manifest.get("key") != key or manifest.get("rows") != rows:
        return None  # another model, framework or set of examples
    if hashlib.sha256(content).hexdigest() != manifest.get("sha256"):
        logger.warning(
            "ignoring shipped reference vectors: %s is not the file recorded", SHIPPED_VECTORS
        )
        return None
    return read_cached(SHIPPED_VECTORS, rows)


def ship_embeddings(key: str, array: np.ndarray, model_id: str) -> None:
    """Write the vectors to ship with the package, and the manifest that checks them."""
    write_cached(SHIPPED_VECTORS, array)
    manifest = {
        "key": key,
        "rows": int(array.shape[0]),
        "model": model_id,
        "sha256": hashlib.sha256(SHIPPED_VECTORS.read_bytes()).hexdigest(),
    }
    SHIPPED_MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def cached_embeddings(
    cache_dir: Path | None, key: str, rows: int, compute: Callable[[], np.ndarray]
) -> np.ndarray:
    """Embeddings for `key`: shipped with the package, else from `cache_dir`, else
    `compute()`d and saved there.

    `rows` is the expected number of rows, used to reject a wrong-shaped file.
    `cache_dir=None` disables the disk cache.
    """
    shipped = shipped_embeddings(key, rows)
    if shipped is not None:
        return shipped
    if cache_dir is None:
        return compute()
    path = cache_path(cache_dir, key)
    array = read_cached(path, rows)
    if array is None:
        array = np.asarray(compute(), dtype=np.float32)
        write_cached(path, array)
    return array
