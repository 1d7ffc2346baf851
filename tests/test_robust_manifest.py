"""The manifest through the real CLI and flake8: malformed manifests are one clear line naming the
file (exit 2; SPR001 in flake8), and ``init`` / ``check --fix`` never lose or mangle a manifest.

The manifest module's own unit tests (tests/test_manifest*.py) check every message in-process;
these run the installed ``spapi-roles`` and ``flake8`` as subprocesses (``bad_inputs.harness``).
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import pytest

from bad_inputs import cases, harness
from spapi_roles.manifest import load_manifest

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "fixtures" / "demo"
APP = 'from sp_api.api import Orders\n\nOrders().get_orders(CreatedAfter="2024-01-01")\n'
FIXABLE = ("SPR101", "SPR201", "SPR202", "SPR203")


def _write(content) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return build


def _directory(path: Path) -> None:
    path.mkdir()
    (path / "roles").write_text("Pricing\n")


def _unreadable(path: Path) -> None:
    path.write_text('roles = ["Pricing"]\n')
    path.chmod(0)


def _symlink_loop(path: Path) -> None:
    path.symlink_to(path.name)


# (id, builder of the manifest at a path, text the error line must contain besides the file name)
MALFORMED: List[Tuple[str, Callable[[Path], None], str]] = [
    ("invalid-toml", _write('roles = ["Pricing"\n'), "invalid TOML"),
    ("invalid-toml-bare-word", _write("roles = Pricing\n"), "invalid TOML"),
    ("not-utf8", _write(b'roles = ["Pri\xffcing"]\n'), "not valid UTF-8"),
    ("roles-wrong-type", _write('roles = "Pricing"\n'), "must be an array"),
    ("roles-element-wrong-type", _write("roles = [1]\n"), "role names (strings)"),
    ("account-wrong-type", _write("roles = []\naccount = 1\n"), "`account` must be a string"),
    ("regions-unknown", _write('roles = []\nregions = ["US"]\n'), "unknown region"),
    ("unknown-key", _write('roles = []\nrolse = ["Pricing"]\n'), "unknown key `rolse`"),
    ("no-roles-key", _write('account = "seller"\n'), "no `roles` key"),
    ("duplicate-roles", _write('roles = ["Pricing", "pricing"]\n'), "duplicate role"),
    ("unknown-role", _write('roles = ["Pricng"]\n'), "did you mean `Pricing`"),
    ("empty-file", _write(""), "empty"),
    ("directory", _directory, "is a directory"),
    ("unreadable", _unreadable, "permission denied"),
    ("symlink-loop", _symlink_loop, "cannot read the manifest"),
    ("deeply-nested", _write("roles = " + "[" * 5000 + "]" * 5000 + "\n"), "nested too deeply"),
]
MALFORMED_IDS = [case[0] for case in MALFORMED]


def _skip_unless_enforced(case_id: str) -> None:
    if case_id == "unreadable" and not harness.permissions_are_enforced():
        pytest.skip("running as root without a way to drop the file-permission override")


def _write_apps(directory: Path, files: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(files):
        (directory / f"app{number}.py").write_text(APP)


def _project(tmp_path: Path, files: int = 1) -> Path:
    project = tmp_path / "project"
    _write_apps(project, files)
    return project


def _env(tmp_path: Path, **extra: str) -> Dict[str, str]:
    return harness.guarded_env(tmp_path / "markers", extra=extra)


def _assert_one_error_line(ran: harness.Ran, names: str, contains: str) -> str:
    harness.assert_no_traceback(ran)
    assert ran.returncode == 2, ran.describe()
    assert len(ran.stderr_lines) == 1, ran.describe()
    line = ran.stderr_lines[0]
    assert line.startswith("spapi-roles: error: "), ran.describe()
    assert names in line and contains in line, ran.describe()
    return line


# ---------------------------------------------------------------------------- malformed manifests


@dataclass
class MalformedRuns:
    """Every malformed manifest through the CLI and flake8, run once per module, in parallel.

    Explicit manifests (``--manifest``, ``--spapi-roles-manifest``) run once per case. The
    discovered ones run in one batch per tool: a project with one app directory per case,
    each next to its own malformed ``spapi-roles.toml``.
    """

    cli_explicit: Dict[str, harness.Ran]
    flake8_explicit: Dict[str, harness.Ran]
    cli_discovered: harness.Ran
    flake8_discovered: harness.Ran


@pytest.fixture(scope="module")
def malformed(tmp_path_factory) -> MalformedRuns:
    base = tmp_path_factory.mktemp("malformed")
    env = harness.guarded_env(base / "markers")
    jobs: Dict[Tuple[str, str], Callable[[], harness.Ran]] = {}
    batch = base / "batch"
    for case_id, build, _ in MALFORMED:
        project = base / case_id / "project"
        _write_apps(project, 3)
        build(base / case_id / "bad.toml")
        jobs["cli", case_id] = functools.partial(
            harness.spapi_roles, "check", "--manifest", "../bad.toml", ".", cwd=project, env=env)
        jobs["flake8", case_id] = functools.partial(
            harness.flake8, "--select=SPR", "--spapi-roles-manifest=../bad.toml", ".",
            cwd=project, env=env)
        _write_apps(batch / case_id, 2)
        build(batch / case_id / "spapi-roles.toml")
    jobs["cli", "batch"] = functools.partial(harness.spapi_roles, "check", ".", cwd=batch, env=env)
    jobs["flake8", "batch"] = functools.partial(harness.flake8, "--select=SPR", ".", cwd=batch,
                                                env=env)
    results = harness.run_all(jobs)
    runs = MalformedRuns(
        cli_explicit={case: ran for (tool, case), ran in results.items()
                      if tool == "cli" and case != "batch"},
        flake8_explicit={case: ran for (tool, case), ran in results.items()
                         if tool == "flake8" and case != "batch"},
        cli_discovered=results["cli", "batch"],
        flake8_discovered=results["flake8", "batch"],
    )
    yield runs
    cases.restore_permissions(base)


@pytest.mark.parametrize("case_id, contains", [(c[0], c[2]) for c in MALFORMED], ids=MALFORMED_IDS)
def test_cli_explicit_malformed_manifest_is_one_line_exit_2(malformed, case_id, contains):
    _skip_unless_enforced(case_id)
    ran = malformed.cli_explicit[case_id]
    _assert_one_error_line(ran, "bad.toml", contains)
    assert ran.stdout == ""


def test_cli_discovered_malformed_manifests_stop_the_run_with_exit_2(malformed):
    ran = malformed.cli_discovered
    harness.assert_no_traceback(ran)
    assert ran.returncode == 2 and ran.stdout == "", ran.describe()


@pytest.mark.parametrize("case_id, contains", [(c[0], c[2]) for c in MALFORMED], ids=MALFORMED_IDS)
def test_cli_discovered_malformed_manifest_is_one_line(malformed, case_id, contains):
    _skip_unless_enforced(case_id)
    ran = malformed.cli_discovered
    own = os.path.join(case_id, "spapi-roles.toml")
    lines = [line for line in ran.stderr_lines if f" {own}:" in line]
    assert len(lines) == 1, ran.describe()
    assert lines[0].startswith("spapi-roles: error: ") and contains in lines[0], ran.describe()


def test_cli_discovered_errors_are_one_line_per_manifest(malformed):
    ran = malformed.cli_discovered
    named = sorted(line.split(": ")[2].split(":")[0] for line in ran.stderr_lines)
    expected = sorted(os.path.join(case, "spapi-roles.toml") for case in MALFORMED_IDS
                      if case != "unreadable" or harness.permissions_are_enforced())
    assert named == expected, ran.describe()


def test_cli_missing_explicit_manifest_is_one_line_exit_2(tmp_path):
    project = _project(tmp_path)
    ran = harness.spapi_roles("check", "--manifest", "nowhere.toml", ".", cwd=project,
                              env=_env(tmp_path))
    _assert_one_error_line(ran, "nowhere.toml", "not found")


def test_cli_malformed_pyproject_table_is_one_line_exit_2(tmp_path):
    project = _project(tmp_path)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "shop"\n\n[tool.spapi-roles]\nroles = ["Pricng"]\n')
    ran = harness.spapi_roles("check", ".", cwd=project, env=_env(tmp_path))
    line = _assert_one_error_line(ran, "pyproject.toml", "did you mean `Pricing`")
    assert "pyproject.toml:5:" in line


def _spr001_lines(ran: harness.Ran) -> List[str]:
    return [line for line in ran.stdout.splitlines() if " SPR001 " in line]


@pytest.mark.parametrize("case_id, contains", [(c[0], c[2]) for c in MALFORMED], ids=MALFORMED_IDS)
def test_flake8_option_malformed_manifest_is_one_spr001_per_file(malformed, case_id, contains):
    _skip_unless_enforced(case_id)
    ran = malformed.flake8_explicit[case_id]
    harness.assert_no_traceback(ran)
    assert ran.returncode == 1 and ran.stderr == "", ran.describe()
    lines = _spr001_lines(ran)
    assert sorted(line.split(":")[0] for line in lines) == [
        "./app0.py", "./app1.py", "./app2.py"], ran.describe()
    for line in lines:
        assert ":1:1: SPR001 " in line and "bad.toml" in line and contains in line, ran.describe()
    assert len(ran.stdout.splitlines()) == 3, ran.describe()


@pytest.mark.parametrize("case_id, contains", [(c[0], c[2]) for c in MALFORMED], ids=MALFORMED_IDS)
def test_flake8_discovered_malformed_manifest_is_one_spr001_per_file(
        malformed, case_id, contains):
    _skip_unless_enforced(case_id)
    ran = malformed.flake8_discovered
    harness.assert_no_traceback(ran)
    assert ran.returncode == 1 and ran.stderr == "", ran.describe()
    lines = [line for line in ran.stdout.splitlines() if line.startswith(f"./{case_id}/")]
    assert len(lines) == 2, ran.describe()
    for line in lines:
        assert ":1:1: SPR001 " in line and "spapi-roles.toml" in line and contains in line, \
            ran.describe()


def test_flake8_manifest_option_from_setup_cfg(tmp_path):
    project = _project(tmp_path)
    (project / "setup.cfg").write_text("[flake8]\nspapi-roles-manifest = roles/bad.toml\n")
    (project / "roles").mkdir()
    (project / "roles" / "bad.toml").write_text('roles = ["Pricng"]\n')
    ran = harness.flake8("--select=SPR", "app0.py", cwd=project, env=_env(tmp_path),
                         isolated=False)
    harness.assert_no_traceback(ran)
    assert ran.returncode == 1, ran.describe()
    [line] = ran.stdout.splitlines()
    assert line.startswith("app0.py:1:1: SPR001 ") and "bad.toml" in line, ran.describe()
    assert "did you mean `Pricing`" in line


def test_flake8_missing_manifest_named_by_the_option(tmp_path):
    project = _project(tmp_path)
    ran = harness.flake8("--select=SPR", "--spapi-roles-manifest=nowhere.toml", "app0.py",
                         cwd=project, env=_env(tmp_path))
    harness.assert_no_traceback(ran)
    assert ran.returncode == 1, ran.describe()
    [line] = ran.stdout.splitlines()
    assert "SPR001" in line and "nowhere.toml" in line and "not found" in line


# ---------------------------------------------------------------------------- init and --fix


def _demo(tmp_path: Path, manifest: Optional[str] = None) -> Path:
    """A copy of the demo project; its manifest replaced by ``manifest``, or removed (None)."""
    project = tmp_path / "demo"
    shutil.copytree(DEMO, project)
    if manifest is None:
        (project / "spapi-roles.toml").unlink()
    else:
        (project / "spapi-roles.toml").write_bytes(manifest.encode())
    return project


def _leftovers(directory: Path) -> List[str]:
    """Temporary or lock files an edit left next to the manifest."""
    return sorted(name for name in os.listdir(directory)
                  if name.endswith((".tmp", ".lock")) or name.startswith(".spapi-roles"))


def _fixable_findings(project: Path, tmp_path: Path) -> List[dict]:
    ran = harness.spapi_roles("check", "--format", "json", ".", cwd=project, env=_env(tmp_path))
    harness.assert_no_traceback(ran)
    assert ran.returncode in (0, 1), ran.describe()
    return [d for d in json.loads(ran.stdout)["diagnostics"] if d["code"] in FIXABLE]


def _assert_only_roles_inserted(before: str, after: str, roles: Sequence[str]) -> None:
    """``after`` is ``before`` with text inserted, never changed or removed; the insertions hold
    only the new roles (as TOML strings), commas, whitespace and comment lines."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    inserted = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        assert tag in ("equal", "insert"), (f"{tag} {before[i1:i2]!r} -> {after[j1:j2]!r}\n"
                                            f"--- before\n{before}\n--- after\n{after}")
        if tag == "insert":
            inserted.append(after[j1:j2])
    leftover = "".join(inserted)
    leftover = "".join(line for line in leftover.splitlines(keepends=True)
                       if not line.strip().startswith("#"))
    for role in roles:
        for quoted in (f'"{role}"', f"'{role}'"):
            leftover = leftover.replace(quoted, "", 1)
    assert not leftover.replace(",", "").strip(), (
        f"unexpected insertion {leftover!r}\n--- before\n{before}\n--- after\n{after}")


def _assert_lines_kept_in_order(before: str, after: str) -> None:
    """Every line of ``before`` is in ``after``, verbatim and in the same order."""
    remaining = iter(after.splitlines(keepends=True))
    for line in before.splitlines(keepends=True):
        assert any(candidate == line for candidate in remaining), (
            f"line {line!r} lost or moved\n--- before\n{before}\n--- after\n{after}")


def test_init_writes_a_valid_manifest_that_covers_the_code(tmp_path):
    project = _demo(tmp_path)
    ran = harness.spapi_roles("init", ".", cwd=project, env=_env(tmp_path))
    harness.assert_no_traceback(ran)
    assert ran.returncode == 0, ran.describe()
    manifest = load_manifest(str(project / "spapi-roles.toml"))
    assert manifest.roles
    assert _fixable_findings(project, tmp_path) == []
    assert _leftovers(project) == []


def test_init_never_overwrites_an_existing_manifest(tmp_path):
    original = "# ours\nroles = []  # nothing yet\n"
    project = _demo(tmp_path, original)
    ran = harness.spapi_roles("init", ".", cwd=project, env=_env(tmp_path))
    _assert_one_error_line(ran, "spapi-roles.toml", "already exists")
    assert (project / "spapi-roles.toml").read_text() == original
    assert _leftovers(project) == []


def test_init_never_overwrites_a_manifest_that_appears_meanwhile(tmp_path):
    project = _demo(tmp_path)
    ran = harness.spapi_roles("init", ".", cwd=project,
                              env=_env(tmp_path, SPAPI_GUARD_MANIFEST_RACE="once"))
    _assert_one_error_line(ran, "spapi-roles.toml", "")
    assert (project / "spapi-roles.toml").read_text() == (
        "# edited meanwhile by someone else (1)\n")
    assert _leftovers(project) == []


MANIFEST_STYLES: Dict[str, bytes] = {
    "demo": (DEMO / "spapi-roles.toml").read_bytes(),
    "crlf-and-bom": b"\xef\xbb\xbf" + (DEMO / "spapi-roles.toml").read_bytes().replace(
        b"\n", b"\r\n"),
    "one-line-array": b"# keep me\nregions = ['EU']  # Europe only\nroles = ['Inventory and "
                      b"Order Tracking']  # sync\naccount = 'seller'\n\n# trailing comment\n",
    "tabs-and-comments-in-array": b"roles = [\n\t# first the orders\n\t\"Inventory and Order "
                                  b"Tracking\",\t# sync\n\t# end of list\n]\n# the end\n",
    "empty-roles": b"# nothing declared\nroles = [] # none yet\naccount = \"seller\"\n",
}


@pytest.mark.parametrize("style", list(MANIFEST_STYLES))
def test_fix_keeps_every_comment_key_role_and_byte_of_formatting(tmp_path, style):
    original = MANIFEST_STYLES[style]
    project = _demo(tmp_path)
    (project / "spapi-roles.toml").write_bytes(original)
    before = load_manifest(str(project / "spapi-roles.toml"))
    assert _fixable_findings(project, tmp_path)
    ran = harness.spapi_roles("check", "--fix", ".", cwd=project, env=_env(tmp_path))
    harness.assert_no_traceback(ran)
    assert ran.returncode in (0, 1), ran.describe()
    edited = (project / "spapi-roles.toml").read_bytes()
    assert edited.startswith(b"\xef\xbb\xbf") == original.startswith(b"\xef\xbb\xbf")
    assert (b"\r\n" in edited) == (b"\r\n" in original)
    after = load_manifest(str(project / "spapi-roles.toml"))
    _assert_only_roles_inserted(original.decode("utf-8-sig"), edited.decode("utf-8-sig"),
                                after.roles[len(before.roles):])
    assert after.roles[:len(before.roles)] == before.roles
    assert len(after.roles) > len(before.roles)
    assert (after.account, after.regions) == (before.account, before.regions)
    assert _fixable_findings(project, tmp_path) == []
    assert _leftovers(project) == []


def test_fix_in_pyproject_changes_only_the_roles(tmp_path):
    project = _demo(tmp_path)
    pyproject = ('[project]\nname = "shop-sync"  # the service\nversion = "1.0"\n\n'
                 '[tool.spapi-roles]\n# what Amazon approved\nroles = [\n'
                 '    "Inventory and Order Tracking",\n]\n\n[tool.other]\nkeep = true\n')
    (project / "pyproject.toml").write_text(pyproject)
    ran = harness.spapi_roles("check", "--fix", ".", cwd=project, env=_env(tmp_path))
    harness.assert_no_traceback(ran)
    assert ran.returncode in (0, 1), ran.describe()
    after = load_manifest(str(project / "pyproject.toml"))
    assert len(after.roles) > 1
    _assert_only_roles_inserted(pyproject, (project / "pyproject.toml").read_text(),
                                after.roles[1:])


def test_fix_redoes_the_edit_on_a_manifest_changed_meanwhile(tmp_path):
    original = (DEMO / "spapi-roles.toml").read_text()
    project = _demo(tmp_path, original)
    ran = harness.spapi_roles("check", "--fix", ".", cwd=project,
                              env=_env(tmp_path, SPAPI_GUARD_MANIFEST_RACE="once"))
    harness.assert_no_traceback(ran)
    assert ran.returncode in (0, 1), ran.describe()
    edited = (project / "spapi-roles.toml").read_text()
    assert "# edited meanwhile by someone else (1)\n" in edited
    _assert_lines_kept_in_order(original, edited)
    assert len(load_manifest(str(project / "spapi-roles.toml")).roles) > 1
    assert _leftovers(project) == []


def test_fix_never_overwrites_a_manifest_that_keeps_changing(tmp_path):
    original = (DEMO / "spapi-roles.toml").read_text()
    project = _demo(tmp_path, original)
    ran = harness.spapi_roles("check", "--fix", ".", cwd=project,
                              env=_env(tmp_path, SPAPI_GUARD_MANIFEST_RACE="always"))
    _assert_one_error_line(ran, "spapi-roles.toml", "changing")
    assert (project / "spapi-roles.toml").read_text() == (
        original + "# edited meanwhile by someone else (1)\n"
        "# edited meanwhile by someone else (2)\n")
    assert _leftovers(project) == []


# ---------------------------------------------------------------------------- concurrent --fix

PARTS = {
    "orders": APP,
    "catalog": "from sp_api.api import CatalogItems, CatalogItemsVersion\n\n"
               "CatalogItems(version=CatalogItemsVersion.V_2022_04_01).get_catalog_item('B1')\n",
}
CONCURRENT_ROUNDS = 3


def _split_project(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "spapi-roles.toml").write_text("# shared by every part\nroles = [\n]\n")
    for part, source in PARTS.items():
        (root / part).mkdir()
        (root / part / "jobs.py").write_text(source)
    return root


def _fixable_findings_in(project: Path, part: str, tmp_path: Path) -> List[dict]:
    ran = harness.spapi_roles("check", "--format", "json", part, cwd=project, env=_env(tmp_path))
    harness.assert_no_traceback(ran)
    return [d for d in json.loads(ran.stdout)["diagnostics"] if d["code"] in FIXABLE]


def test_concurrent_fix_runs_keep_both_changes_or_fail_clearly(tmp_path):
    for round_number in range(CONCURRENT_ROUNDS):
        project = _split_project(tmp_path / f"round-{round_number}")
        assert all(_fixable_findings_in(project, part, tmp_path) for part in PARTS)
        env = _env(tmp_path)
        processes = {
            part: subprocess.Popen(harness.UNPRIVILEGED + [harness.SPAPI_ROLES, "check", "--fix",
                                                           part],
                                   cwd=project, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
            for part in PARTS
        }
        outcomes = {part: process.communicate(timeout=harness.TIMEOUT_SECONDS)
                    for part, process in processes.items()}
        load_manifest(str(project / "spapi-roles.toml"))  # still valid
        assert (project / "spapi-roles.toml").read_text().startswith("# shared by every part\n")
        assert _leftovers(project) == []
        for part, (stdout, stderr) in outcomes.items():
            code = processes[part].returncode
            errors = stderr.decode()
            assert harness.TRACEBACK not in errors + stdout.decode()
            if code == 2:
                assert len(errors.strip().splitlines()) == 1 and "spapi-roles.toml" in errors
            else:
                assert code in (0, 1), errors
                assert _fixable_findings_in(project, part, tmp_path) == [], (part, errors)
