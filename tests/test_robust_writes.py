"""What spapi-roles writes, and what it leaves behind.

``--write-baseline PATH`` writes only a regular file: through a symbolic link to its target (the
link stays), never over a device, a named pipe or a directory (one line, exit 2), with the mode
the file had, or for a new file the one the umask gives (as any editor would), not 0600.

``check --fix`` after a ``kill -9``: a lock file that holds no live process id (empty, garbage,
or the id of the killed run) is taken over at once, and the killed run's temporary file is
removed by the next run. An edit that lands in the manifest at the last moment before the
rename is kept, the roles added to it.
"""

from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path
from typing import Dict, List

import pytest

from bad_inputs import harness
from bad_inputs.cases import USE
from spapi_roles.manifest import load_manifest


def _project(tmp_path: Path, manifest: str = "roles = []\n") -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "orders.py").write_text(USE)
    (project / "spapi-roles.toml").write_text(manifest)
    return project


def _env(tmp_path: Path, **extra: str) -> Dict[str, str]:
    return harness.guarded_env(tmp_path / "markers", extra=extra)


def _check(tmp_path: Path, project: Path, *args: str, umask: str = "", **extra: str
           ) -> harness.Ran:
    command: List[str] = [harness.SPAPI_ROLES, "check", *args]
    if umask:
        command = ["sh", "-c", f'umask {umask} && exec "$@"', "sh", *command]
    ran = harness.run(command, project, _env(tmp_path, **extra), timeout=60)
    harness.assert_no_traceback(ran)
    return ran


# ---------------------------------------------------------------------------- --write-baseline


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("umask, mode", [("022", 0o644), ("077", 0o600), ("002", 0o664)],
                         ids=["umask-022", "umask-077", "umask-002"])
def test_a_new_baseline_gets_the_mode_the_umask_gives(tmp_path, umask, mode):
    project = _project(tmp_path)
    ran = _check(tmp_path, project, "--write-baseline", "baseline.json", umask=umask)
    assert ran.returncode == 0, ran.describe()
    assert _mode(project / "baseline.json") == mode


def test_a_rewritten_baseline_keeps_its_mode(tmp_path):
    project = _project(tmp_path)
    (project / "baseline.json").write_text("{}\n")
    (project / "baseline.json").chmod(0o640)
    ran = _check(tmp_path, project, "--write-baseline", "baseline.json", umask="077")
    assert ran.returncode == 0, ran.describe()
    assert _mode(project / "baseline.json") == 0o640
    assert '"entries"' in (project / "baseline.json").read_text()


def test_a_baseline_written_through_a_symbolic_link_keeps_the_link(tmp_path):
    project = _project(tmp_path)
    (project / "ci").mkdir()
    (project / "ci" / "baseline.json").write_text("{}\n")
    (project / "baseline.json").symlink_to(Path("ci") / "baseline.json")
    ran = _check(tmp_path, project, "--write-baseline", "baseline.json")
    assert ran.returncode == 0, ran.describe()
    assert os.readlink(project / "baseline.json") == os.path.join("ci", "baseline.json")
    assert '"entries"' in (project / "ci" / "baseline.json").read_text()
    assert sorted(os.listdir(project / "ci")) == ["baseline.json"]


def _device(path: Path) -> None:
    """A character device like /dev/null (root only), else skip."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("cannot create a device node here")


@pytest.mark.parametrize("make, kind", [
    (_device, "a device"),
    (lambda path: os.mkfifo(path), "a named pipe"),
    (lambda path: path.mkdir(), "a directory"),
], ids=["device", "fifo", "directory"])
@pytest.mark.parametrize("through_link", [False, True], ids=["direct", "through-a-link"])
def test_write_baseline_never_replaces_what_is_not_a_regular_file(
        tmp_path, make, kind, through_link):
    project = _project(tmp_path)
    special = project / "special"
    make(special)
    target = special
    if through_link:
        target = project / "baseline.json"
        target.symlink_to("special")
    before = os.lstat(special)
    ran = _check(tmp_path, project, "--write-baseline", target.name)
    assert ran.returncode == 2, ran.describe()
    [line] = ran.stderr_lines
    assert line == (f"spapi-roles: error: {target.name}: is {kind}, not a regular file; "
                    "not writing the baseline there"), ran.describe()
    after = os.lstat(special)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert [name for name in os.listdir(project) if name.endswith(".tmp")] == []


# ---------------------------------------------------------------------------- --fix after kill -9


def _leftovers(project: Path) -> List[str]:
    return sorted(name for name in os.listdir(project) if name.endswith((".tmp", ".lock")))


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.mark.parametrize("content", ["", "garbage", "dead"])
def test_fix_takes_over_a_lock_that_holds_no_live_process_at_once(tmp_path, content):
    project = _project(tmp_path)
    lock = project / "spapi-roles.toml.lock"
    lock.write_text(str(_dead_pid()) if content == "dead" else content)
    started = time.monotonic()
    ran = _check(tmp_path, project, "--fix")
    seconds = time.monotonic() - started
    assert ran.returncode == 0 and "added `" in ran.stdout, ran.describe()
    assert seconds < 8, f"{seconds:.1f} s: waited for the lock\n{ran.describe()}"
    assert _leftovers(project) == []


def test_fix_waits_for_a_lock_held_by_a_live_process(tmp_path):
    project = _project(tmp_path)
    holder = subprocess.Popen(["sleep", "60"])
    try:
        (project / "spapi-roles.toml.lock").write_text(str(holder.pid))
        ran = _check(tmp_path, project, "--fix")
    finally:
        holder.kill()
        holder.wait()
    assert ran.returncode == 2, ran.describe()
    [line] = ran.stderr_lines
    assert "another spapi-roles run is editing the manifest" in line, ran.describe()
    assert (project / "spapi-roles.toml").read_text() == "roles = []\n"


def test_the_run_after_a_kill_9_cleans_up_and_fixes(tmp_path):
    project = _project(tmp_path)
    killed = _check(tmp_path, project, "--fix", SPAPI_GUARD_KILL_AFTER_TEMP="1")
    assert killed.returncode == -9, killed.describe()
    assert (project / "spapi-roles.toml").read_text() == "roles = []\n"
    started = time.monotonic()
    ran = _check(tmp_path, project, "--fix")
    assert ran.returncode == 0 and "added `" in ran.stdout, ran.describe()
    assert time.monotonic() - started < 8, ran.describe()
    assert _leftovers(project) == []
    assert load_manifest(str(project / "spapi-roles.toml")).roles


def test_an_edit_made_just_before_the_rename_is_kept(tmp_path):
    """The last look at the manifest comes before the rename; an edit landing between the two is
    noticed after it, put back, and the roles are added to the edited manifest."""
    project = _project(tmp_path)
    ran = _check(tmp_path, project, "--fix", SPAPI_GUARD_MANIFEST_RACE="late")
    assert ran.returncode == 0, ran.describe()
    text = (project / "spapi-roles.toml").read_text()
    assert text.startswith("roles = [") and text.endswith(
        "# edited at the last moment by someone else\n"), text
    assert load_manifest(str(project / "spapi-roles.toml")).roles
    assert _leftovers(project) == []
