"""Files that hold reflections (exports, /mydata in the terminal), written so that only
their owner can read them."""

from __future__ import annotations

import os
from pathlib import Path


def write_private(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path``, readable by its owner only (0600), replacing any file
    there whole: written beside it first, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a partial file left by a crash may have a looser mode
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    os.replace(partial, path)
