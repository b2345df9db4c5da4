"""A small trained head: multinomial logistic regression over the 56 indicators and "none".

It is trained by ``python -m framework.train_head`` from the examples file, for one model
and one framework, and shipped as a small .npz file: ``cld_head.npz`` for the tuned
model, ``cld_head_stock.npz`` for the stock one. A head that does not match the
model or framework in use is not applied (suggestions then rest on the examples alone).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_HEAD_PATH = Path(__file__).parent / "data" / "cld_head.npz"
NONE_CLASS = "none"


@dataclass(frozen=True)
class LinearHead:
    """Logits = vectors @ weights.T + bias; the last class is "none"."""

    weights: np.ndarray  # (classes, dimension) float32
    bias: np.ndarray  # (classes,) float32
    classes: tuple[str, ...]  # indicator ids, then "none"
    model_id: str
    framework_hash: str
    examples_hash: str

    def logits(self, vectors: np.ndarray) -> np.ndarray:
        return vectors @ self.weights.T + self.bias

    @property
    def fingerprint(self) -> str:
        """A short hash of the weights, naming this head (a shown-set rule is learned for one)."""
        digest = hashlib.sha256(self.weights.tobytes())
        digest.update(self.bias.tobytes())
        digest.update("\x00".join(self.classes).encode("utf-8"))
        return digest.hexdigest()[:16]

    def fits(self, model_id: str, indicator_ids: tuple[str, ...], dimension: int) -> bool:
        """Whether this head was trained for this model, these indicators and this size."""
        return (
            self.model_id == model_id
            and self.classes[:-1] == indicator_ids
            and self.weights.shape[1] == dimension
        )

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float32),
            classes=np.array(self.classes),
            model_id=np.array(self.model_id),
            framework_hash=np.array(self.framework_hash),
            examples_hash=np.array(self.examples_hash),
        )


def load_head(path: Path | None = None, model_id: str | None = None) -> LinearHead | None:
    """The head stored at ``path``; without a path, the packaged head for ``model_id``
    (``cld_head*.npz`` beside the default; the default file when no id is given).
    None if there is none."""
    if path is None and model_id is not None:
        for candidate in sorted(DEFAULT_HEAD_PATH.parent.glob("cld_head*.npz")):
            head = load_head(candidate)
            if head is not None and head.model_id == model_id:
                return head
        return None
    path = path or DEFAULT_HEAD_PATH
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        return LinearHead(
            weights=data["weights"].astype(np.float32),
            bias=data["bias"].astype(np.float32),
            classes=tuple(str(c) for c in data["classes"]),
            model_id=str(data["model_id"]),
            framework_hash=str(data["framework_hash"]),
            examples_hash=str(data["examples_hash"]),
        )
