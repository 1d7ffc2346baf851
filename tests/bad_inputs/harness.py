"""Run the real ``spapi-roles`` and ``flake8`` as subprocesses, guarded, and judge what they print.

Every run gets ``guard/sitecustomize.py`` on ``PYTHONPATH`` (network refused and recorded,
imports from the checked tree recorded, optional test hooks), a private analysis cache, and,
when the tests run as root, loses the capabilities that let root read any file, so that
``chmod 0`` means "unreadable" as it does for a normal user.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Hashable, List, Optional, Sequence, Tuple

GUARD_DIR = Path(__file__).resolve().parent / "guard"
TRACEBACK = "Traceback (most recent call last)"
TIMEOUT_SECONDS = 120
ADDRESS_SPACE = 2 * 1024 ** 3  # what ``measured`` runs may map: a blow-up fails, not the host


def _tool(name: str) -> str:
    """The console script next to this Python (a script never puts the cwd on sys.path)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise RuntimeError(f"`{name}` is not installed next to {sys.executable}")
    return found


SPAPI_ROLES = _tool("spapi-roles")
FLAKE8 = _tool("flake8")


def _unprivileged_prefix() -> List[str]:
    """A command prefix that drops root's file-permission override, or [] when not root."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return []
    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    try:
        probe = subprocess.run(prefix + ["true"], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return []
    return prefix if probe.returncode == 0 else []


UNPRIVILEGED = _unprivileged_prefix()


def permissions_are_enforced() -> bool:
    """Whether ``chmod 0`` stops the subprocesses from reading a file."""
    return not hasattr(os, "geteuid") or os.geteuid() != 0 or bool(UNPRIVILEGED)


@dataclass
class Ran:
    """A finished subprocess."""

    args: Sequence[str]
    cwd: str
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def stderr_lines(self) -> List[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    def describe(self) -> str:
        return (f"$ (cd {self.cwd} && {' '.join(map(str, self.args))})\nexit {self.returncode} "
                f"after {self.seconds:.1f}s\n--- stdout\n{self.stdout[-3000:]}\n"
                f"--- stderr\n{self.stderr[-3000:]}")


def guarded_env(markers: Path, tree: Optional[Path] = None,
                extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """Environment for a guarded run: markers go to ``markers``; imports from ``tree`` recorded."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SPAPI_GUARD_", "PYTHON", "FLAKE8"))}
    markers.mkdir(parents=True, exist_ok=True)
    env.update({
        "PYTHONPATH": str(GUARD_DIR),
        "PYTHONDONTWRITEBYTECODE": "1",
        "SPAPI_GUARD_MARKERS": str(markers),
        "SPAPI_ROLES_CACHE_DIR": str(markers / "cache"),
        "CI": "1",
    })
    if tree is not None:
        env["SPAPI_GUARD_TREE"] = str(tree)
    env.update(extra or {})
    return env


def run(args: Sequence[str], cwd: Path, env: Dict[str, str], stdin: Optional[bytes] = None,
        timeout: float = TIMEOUT_SECONDS) -> Ran:
    """Run ``args`` (unprivileged when root) and capture its output as text.

    The command gets its own process group; on timeout the whole group is killed, so worker
    processes it started do not outlive the test.
    """
    started = time.monotonic()
    process = subprocess.Popen(UNPRIVILEGED + list(args), cwd=str(cwd), env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, stderr = process.communicate(stdin or b"", timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        return Ran(args, str(cwd), -1, _text(stdout), _text(stderr) + f"\nTIMEOUT after {timeout}s",
                   time.monotonic() - started)
    return Ran(args, str(cwd), process.returncode, _text(stdout), _text(stderr),
               time.monotonic() - started)


def _text(data: Optional[bytes]) -> str:
    return (data or b"").decode("utf-8", "backslashreplace")


def spapi_roles(*args: str, cwd: Path, env: Dict[str, str], **kwargs) -> Ran:
    return run([SPAPI_ROLES, *args], cwd, env, **kwargs)


def flake8(*args: str, cwd: Path, env: Dict[str, str], isolated: bool = True, **kwargs) -> Ran:
    """flake8; ``isolated`` (the default) ignores configuration files above ``cwd``."""
    return run([FLAKE8, *(["--isolated"] if isolated else []), *args], cwd, env, **kwargs)


# Runs a command under an address-space limit; writes its peak resident size (kB) and time.
_MEASURED = """\
import json, resource, subprocess, sys, time
limit, report, command = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
def limited():
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
started = time.monotonic()
code = subprocess.call(command, preexec_fn=limited)
seconds = time.monotonic() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(report, "w") as stream:
    json.dump({"peak_kb": peak, "seconds": seconds}, stream)
sys.exit(code)
"""


def measured(args: Sequence[str], cwd: Path, env: Dict[str, str], report: Path,
             timeout: float = TIMEOUT_SECONDS) -> Ran:
    """``args`` run under ``ADDRESS_SPACE``; ``report`` receives its peak memory and time
    (read them with ``peak_and_seconds``)."""
    return run([sys.executable, "-c", _MEASURED, str(ADDRESS_SPACE), str(report), *args], cwd,
               env, timeout=timeout)


def peak_and_seconds(report: Path) -> Tuple[float, float]:
    """Peak resident memory (MB) and wall time (s) of a ``measured`` run."""
    figures = json.loads(report.read_text())
    return figures["peak_kb"] / 1024, figures["seconds"]


def markers_in(markers: Path) -> Dict[str, str]:
    """Marker files written by the guard (or by code that should never have run)."""
    if not markers.is_dir():
        return {}
    return {path.name: path.read_text(errors="replace") for path in markers.iterdir()
            if path.is_file()}


def assert_no_traceback(ran: Ran) -> None:
    assert TRACEBACK not in ran.stdout and TRACEBACK not in ran.stderr, ran.describe()


def assert_no_traceback_through(ran: Ran, package: str) -> None:
    """Any traceback printed has no frame in ``package`` (a crash of the host tool itself)."""
    frames = re.findall(r'File "([^"]+)"', ran.stdout + ran.stderr)
    ours = [frame for frame in frames if f"{os.sep}{package}{os.sep}" in frame]
    assert not ours, ran.describe()


def assert_exit(ran: Ran, allowed: Sequence[int]) -> None:
    assert ran.returncode in allowed, ran.describe()


def run_all(jobs: Dict[Hashable, Callable[[], Ran]],
            workers: Optional[int] = None) -> Dict[Hashable, Ran]:
    """Run independent subprocess jobs a few at a time (they mostly wait on start-up and I/O)."""
    with ThreadPoolExecutor(max_workers=workers or max(2, (os.cpu_count() or 1) + 1)) as pool:
        futures = {key: pool.submit(job) for key, job in jobs.items()}
        return {key: future.result() for key, future in futures.items()}
