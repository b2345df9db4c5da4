"""Compute the reference vectors of the packaged examples with the default model, to ship
them in `framework/data/reference_vectors.npy` (with a manifest holding their key and
sha256), so that no installation has to encode ~1,800 examples before its first
suggestion. Run after changing the examples, the framework or the method:

    .venv/bin/python -m framework.ship_vectors
"""

from __future__ import annotations

from bot.config import load_settings
from bot.services.container import build_suggester
from framework.embedding_cache import SHIPPED_VECTORS, ship_embeddings


def main() -> None:
    suggester = build_suggester(load_settings(require_token=False))
    texts = suggester.reference_texts()
    key = suggester.references_key(texts)
    vectors = suggester.encoder.encode(texts)
    ship_embeddings(key, vectors, suggester.model_id)
    print(f"wrote {SHIPPED_VECTORS} ({vectors.shape[0]} vectors, key {key[:12]}…)")


if __name__ == "__main__":
    main()
