"""End to end: `spapi-roles check --diff-base REF` through real git (tests/support/change_repo.py).

Only what the change adds is reported: a new call needing a role the manifest lacks; a call that
moved (in its file, or with its renamed file) and a call that was removed are not new. The base
is read from git objects, so the user's working tree, index and HEAD stay as they were, and a
shallow clone works when it holds the merge base and says what to fetch when it does not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest
from support.change_repo import MOVED_LINE, NEW_LINE, make_change_repo

SPAPI_ROLES = str(Path(sys.executable).with_name("spapi-roles"))
NEW_FINDING = ("shop/sync.py:{line}:27: SPR101 `getCatalogItem` (Catalog Items API 2020-12-01) "
               "needs a role; suggest `Product Listing`").format(line=NEW_LINE)


def spapi_roles(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, SPAPI_ROLES_CACHE_DIR=str(cwd.parent / "cache"))
    return subprocess.run([SPAPI_ROLES, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def git_output(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def base_commit(repo: Path) -> str:
    return git_output("rev-parse", "main", cwd=repo).strip()


@pytest.fixture
def repo(tmp_path, git) -> Path:
    return make_change_repo(tmp_path / "repo", git)


def test_only_the_new_call_is_reported(repo):
    everything = spapi_roles("check", cwd=repo)
    assert everything.returncode == 1
    assert f"shop/sync.py:{MOVED_LINE}:" in everything.stdout  # the moved call still lacks a role

    result = spapi_roles("check", "--diff-base", "main", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        NEW_FINDING,
        "Found 1 problem (1 error) in 1 file (2 files checked); 1 already at the merge base with "
        f"main ({base_commit(repo)[:12]}), 1 fixed since",
    ]


def test_json_lists_only_the_new_finding(repo):
    result = spapi_roles("check", "--diff-base", "main", "--format", "json", cwd=repo)
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["path"], d["line"], d["code"], d["name"]) for d in found] == [
        ("shop/sync.py", NEW_LINE, "SPR101", "getCatalogItem")]


def test_the_merge_base_not_the_tip_of_ref_is_the_base(repo, git):
    """main moved on after the branch point (it gained the catalog call too): the change is
    still measured from where it left main."""
    git("checkout", "-q", "main", cwd=repo)
    (repo / "shop" / "catalog.py").write_text(
        "from sp_api.api import CatalogItems\n\n\n"
        "def title(asin):\n    return CatalogItems().get_catalog_item(asin)\n", encoding="utf-8")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "main moves on", cwd=repo)
    git("checkout", "-q", "feature", cwd=repo)
    result = spapi_roles("check", "--diff-base", "main", cwd=repo)
    assert result.stdout.splitlines()[0] == NEW_FINDING


def test_a_renamed_file_keeps_its_findings(repo, git):
    git("mv", "shop/sync.py", "shop/shop_sync.py", cwd=repo)
    result = spapi_roles("check", "--diff-base", "HEAD", cwd=repo)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("No problems found (2 files checked); 2 already at the merge "
                                    "base with HEAD")


def test_an_uncommitted_change_is_measured_and_nothing_is_touched(tmp_path, git):
    repo = make_change_repo(tmp_path / "repo", git, commit_head=False)
    (repo / "shop" / "untracked.py").write_text(
        "from sp_api.api import Products\n\n\n"
        "def offers(asins):\n"
        "    return Products().get_competitive_pricing_for_asins(asins)  # SPR101\n",
        encoding="utf-8")
    before = (git_output("status", "--porcelain", "--untracked-files=all", cwd=repo),
              git_output("rev-parse", "HEAD", cwd=repo), git_output("stash", "list", cwd=repo),
              sorted(str(path) for path in repo.rglob("*") if ".git" not in path.parts))
    result = spapi_roles("check", "--diff-base", "main", cwd=repo)
    after = (git_output("status", "--porcelain", "--untracked-files=all", cwd=repo),
             git_output("rev-parse", "HEAD", cwd=repo), git_output("stash", "list", cwd=repo),
             sorted(str(path) for path in repo.rglob("*") if ".git" not in path.parts))
    assert after == before
    reported = [line.split(": ")[0] for line in result.stdout.splitlines()[:-1]]
    assert reported == [f"shop/sync.py:{NEW_LINE}:27", "shop/untracked.py:5:23"]


def test_a_role_the_change_declares_is_named(repo):
    manifest = repo / "spapi-roles.toml"
    manifest.write_text('roles = ["Inventory and Order Tracking", "Product Listing"]\n',
                        encoding="utf-8")
    result = spapi_roles("check", "--diff-base", "main", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith(
        "spapi-roles.toml newly declares `Product Listing`")


def test_run_from_a_subdirectory_with_a_path(repo):
    result = spapi_roles("check", "--diff-base", "main", ".", cwd=repo / "shop")
    assert result.stdout.splitlines()[0] == NEW_FINDING.replace("shop/sync.py", "sync.py")


def shallow_clone(repo: Path, target: Path, depth: int) -> Path:
    subprocess.run(["git", "clone", "-q", f"--depth={depth}", "--branch", "feature",
                    repo.as_uri(), str(target)], check=True, capture_output=True)
    return target


def test_shallow_clone_holding_the_base_works(repo, tmp_path):
    clone = shallow_clone(repo, tmp_path / "ci", depth=2)
    assert git_output("rev-parse", "--is-shallow-repository", cwd=clone).strip() == "true"
    result = spapi_roles("check", "--diff-base", base_commit(repo), cwd=clone)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0] == NEW_FINDING


def test_shallow_clone_without_the_base_says_what_to_fetch(repo, tmp_path):
    clone = shallow_clone(repo, tmp_path / "ci", depth=1)
    missing = spapi_roles("check", "--diff-base", "origin/main", cwd=clone)
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert missing.stderr.splitlines() == [
        "spapi-roles: error: --diff-base: `origin/main` is not a commit in this clone; fetch it "
        "first (`git fetch origin main:refs/remotes/origin/main`)"]
    # Following the advice brings the base commit, but not the history back to the merge base.
    subprocess.run(["git", "fetch", "-q", "--depth=1", "origin", "main:refs/remotes/origin/main"],
                   cwd=clone, check=True, capture_output=True)
    no_history = spapi_roles("check", "--diff-base", "origin/main", cwd=clone)
    assert no_history.returncode == 2
    assert no_history.stderr.splitlines() == [
        "spapi-roles: error: --diff-base: no merge base of `origin/main` and HEAD in this shallow "
        "clone; fetch their history (`git fetch --unshallow origin`, or `fetch-depth: 0` in "
        "actions/checkout)"]
    subprocess.run(["git", "fetch", "-q", "--unshallow", "origin"], cwd=clone, check=True,
                   capture_output=True)
    assert spapi_roles("check", "--diff-base", "origin/main", cwd=clone).stdout.splitlines()[0] \
        == NEW_FINDING


@pytest.mark.parametrize("args, message", [
    (["--diff-base", "no-such-branch"],
     "--diff-base: `no-such-branch` is not a commit in this clone; fetch it first "
     "(`git fetch origin no-such-branch`)"),
    (["--diff-base", "main", "--fix"],
     "--diff-base reports a change; it does not go with --fix, --write-baseline or standard "
     "input"),
])
def test_bad_use_is_one_line(repo, args: List[str], message: str):
    result = spapi_roles("check", *args, cwd=repo)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"spapi-roles: error: {message}"]


def test_outside_a_git_repository(tmp_path):
    (tmp_path / "plain").mkdir()
    result = spapi_roles("check", "--diff-base", "main", cwd=tmp_path / "plain")
    assert result.returncode == 2
    assert result.stderr.startswith("spapi-roles: error: ")
    assert "not inside a git repository" in result.stderr
    assert len(result.stderr.splitlines()) == 1
