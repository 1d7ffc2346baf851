"""The project passes its own flake8 configuration (setup.cfg), our plugin included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_flake8_is_clean_on_the_project_itself():
    ran = subprocess.run(
        [sys.executable, "-m", "flake8", "src", "tools", "tests", "bench"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert (ran.returncode, ran.stdout, ran.stderr) == (0, "", "")
