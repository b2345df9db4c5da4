"""The fake and the real encoders honour the `Encoder` contract."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from framework import (
    DEFAULT_MODEL_ID,
    STOCK_MODEL,
    Encoder,
    FakeEncoder,
    ModelLoadError,
    SentenceTransformerEncoder,
    default_model_path,
)
from framework.encoder import tuned_model_id, word_stems

REPO = Path(__file__).resolve().parents[2]


def run_python(code: str, env: dict[str, str] | None = None) -> str:
    """Run `code` in a fresh interpreter from the repository root; return its stdout."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO, env=env
    ).stdout


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_fake_encoder_is_an_encoder() -> None:
    assert isinstance(FakeEncoder(), Encoder)
    assert FakeEncoder().model_id == "fake-bow-256"
    assert FakeEncoder(64).model_id == "fake-bow-64"


def test_fake_encoder_shape_dtype_and_norm() -> None:
    vectors = FakeEncoder().encode(["calmed the fight down", "funding bid", "", "   ", "!!"])
    assert vectors.shape == (5, 256)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)


def test_fake_encoder_empty_input() -> None:
    assert FakeEncoder(32).encode([]).shape == (0, 32)


def test_fake_encoder_is_deterministic_across_processes() -> None:
    texts = ["resolving conflicts between young people", "a funding application"]
    here = FakeEncoder().encode(texts)
    code = (
        "import numpy as np; from framework import FakeEncoder; "
        f"print(FakeEncoder().encode({texts!r}).tobytes().hex())"
    )
    out = run_python(code, env={**os.environ, "PYTHONHASHSEED": "12345"})
    there = np.frombuffer(bytes.fromhex(out.strip()), dtype=np.float32).reshape(here.shape)
    np.testing.assert_array_equal(there, here)
    np.testing.assert_array_equal(FakeEncoder().encode(texts), here)


def test_fake_encoder_similar_texts_are_closer() -> None:
    a, b, c = FakeEncoder().encode(
        [
            "two young people had a conflict at the youth club",
            "I helped resolve conflicts between young people",
            "we submitted the lottery funding application on time",
        ]
    )
    assert cosine(a, b) > cosine(a, c)
    assert cosine(b, c) < 0.2


def test_word_stems_strip_crude_suffixes_and_stop_words() -> None:
    assert word_stems("Conflicts and the conflict") == ["conflict", "conflict"]
    assert word_stems("Fighting, fight") == ["fight", "fight"]
    assert word_stems("classes class") == ["class", "class"]


def test_encode_rejects_a_bare_string() -> None:
    with pytest.raises(TypeError):
        FakeEncoder().encode("not a list")  # type: ignore[arg-type]


def test_importing_framework_does_not_import_torch() -> None:
    code = (
        "import sys, framework; framework.load_framework(); "
        "framework.SentenceTransformerEncoder(); "
        "heavy = ('torch', 'sentence_transformers', 'transformers'); "
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    assert run_python(code).strip() == ""


def test_unloadable_model_names_the_model_and_the_setting(tmp_path) -> None:
    missing = str(tmp_path / "no-such-model")
    encoder = SentenceTransformerEncoder(missing)
    assert encoder.model_id == missing
    with pytest.raises(ModelLoadError) as info:
        encoder.encode(["hello"])
    assert missing in str(info.value)
    assert "REFLECTBOT_MODEL" in str(info.value)


@pytest.fixture(scope="module")
def real_encoder() -> SentenceTransformerEncoder:
    encoder = SentenceTransformerEncoder()
    encoder.load()
    return encoder


@pytest.mark.slow
def test_real_encoder_shape_norm_and_id(real_encoder: SentenceTransformerEncoder) -> None:
    assert real_encoder.model_id == tuned_model_id() == "reflectbot/cld-minilm-l6-tuned-v1"
    assert isinstance(real_encoder, Encoder)
    vectors = real_encoder.encode(["We sorted out the argument.", "Funding bid went in."] * 3)
    assert vectors.shape == (6, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(vectors[0], vectors[2], atol=1e-5)
    assert real_encoder.encode([]).shape == (0, 384)
    assert real_encoder.dimension == 384


@pytest.mark.slow
def test_the_stock_model_stays_selectable(real_encoder: SentenceTransformerEncoder) -> None:
    """REFLECTBOT_MODEL=stock gives the stock all-MiniLM-L6-v2: another model id, and
    other vectors than the tuned default's (float32 on the CPU, both)."""
    stock = SentenceTransformerEncoder(STOCK_MODEL)
    assert stock.model_id == DEFAULT_MODEL_ID
    text = ["We sorted out the argument at the pool table."]
    tuned_vector, stock_vector = real_encoder.encode(text), stock.encode(text)
    assert tuned_vector.dtype == stock_vector.dtype == np.float32
    assert float((tuned_vector @ stock_vector.T)[0, 0]) < 0.999
    assert str(next(real_encoder._loaded().parameters()).dtype) == "torch.float32"  # type: ignore[attr-defined]


@pytest.mark.slow
def test_real_encoder_loads_the_bundled_model_offline() -> None:
    """The default loads from the bundled package directory, never from the hub."""
    code = (
        "import os; from framework import SentenceTransformerEncoder; "
        "e = SentenceTransformerEncoder(); print(e.encode(['hello']).shape); "
        "print(os.environ['HF_HUB_OFFLINE'])"
    )
    env = {k: v for k, v in os.environ.items() if "OFFLINE" not in k}
    assert run_python(code, env=env).split() == ["(1,", "384)", "1"]
    assert (Path(default_model_path()) / "config.json").is_file()


def test_openmp_waits_passively_unless_told_otherwise():
    """Spinning OpenMP threads starve the bot's other work on two cores (BENCHMARKS.md)."""
    import os
    import subprocess
    import sys

    code = "import framework.encoder, os; print(os.environ['OMP_WAIT_POLICY'])"
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "PASSIVE"
    env["OMP_WAIT_POLICY"] = "ACTIVE"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "ACTIVE"
