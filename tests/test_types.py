"""The package type-checks under the strict mypy configuration of pyproject.toml ([tool.mypy])."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(sys.version_info < (3, 10), reason="mypy 2 runs on Python 3.10+ only")
def test_mypy_finds_no_error_in_the_package():
    ran = subprocess.run(
        [sys.executable, "-m", "mypy"],  # the files and settings: [tool.mypy] in pyproject.toml
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert ran.returncode == 0, (
        f"{ran.stdout}{ran.stderr}(mypy comes with the test extra: pip install -e '.[test]')"
    )
    assert ran.stdout.startswith("Success: no issues found"), ran.stdout
