"""Output paths never escape the checked tree: text, JSON and GitHub paths are relative to the
working directory, SARIF paths relative to the repository root, never with ``..`` or an
absolute path for files inside it; symlinks to directories outside the tree are not followed.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path, PurePosixPath
from typing import List

import pytest

from bad_inputs import harness

USE = "from sp_api.api import Orders\n\nOrders().get_orders(CreatedAfter='2024-01-01')\n"
REPORT = ("from sp_api.api import Reports\n\n"
          "Reports().create_report(reportType='GET_MERCHANT_LISTINGS_ALL_DATA')\n")


@pytest.fixture
def repo(tmp_path):
    """A repository with code inside, and links from it to code outside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "elsewhere.py").write_text(REPORT)
    (outside / "deep").mkdir()
    (outside / "deep" / "hidden.py").write_text(REPORT)
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "spapi-roles.toml").write_text('roles = ["Brand Analytics"]\n')
    (root / "app" / "sub").mkdir(parents=True)
    (root / "app" / "sub" / "orders.py").write_text(USE)
    (root / "top.py").write_text(USE)
    (root / "outside_link").symlink_to(outside, target_is_directory=True)
    (root / "app" / "up_link").symlink_to(tmp_path, target_is_directory=True)
    (root / "linked.py").symlink_to(outside / "elsewhere.py")
    return root


def _env(repo: Path):
    return harness.guarded_env(repo.parent / "markers")


def _assert_inside(path: str, tree: Path, cwd: Path) -> None:
    """``path`` (printed relative to ``cwd``) names a file inside ``tree`` without leaving it."""
    assert path and not os.path.isabs(path) and not path.startswith("file:"), path
    parts = PurePosixPath(path.replace(os.sep, "/")).parts
    assert ".." not in parts, path
    assert not parts or parts[0] not in ("outside_link", "up_link"), path
    assert "up_link" not in parts and "outside_link" not in parts, path
    joined = os.path.normpath(os.path.join(cwd, path))
    assert joined == str(tree) or joined.startswith(str(tree) + os.sep), path


def _check(repo: Path, cwd: Path, *arguments: str) -> harness.Ran:
    ran = harness.spapi_roles("check", *arguments, cwd=cwd, env=_env(repo))
    harness.assert_no_traceback(ran)
    assert ran.returncode == 1, ran.describe()
    return ran


def test_json_paths_are_relative_and_inside(repo):
    ran = _check(repo, repo, "--format", "json", ".")
    paths = [d["path"] for d in json.loads(ran.stdout)["diagnostics"]]
    assert {"app/sub/orders.py", "top.py"} <= set(paths), paths
    for path in paths:
        _assert_inside(path, repo, repo)


def test_an_absolute_argument_still_gives_relative_paths(repo):
    ran = _check(repo, repo, "--format", "json", str(repo))
    for diagnostic in json.loads(ran.stdout)["diagnostics"]:
        _assert_inside(diagnostic["path"], repo, repo)


def test_from_a_subdirectory_paths_stay_relative_to_it(repo):
    cwd = repo / "app"
    ran = _check(repo, cwd, "--format", "json", ".")
    paths = [d["path"] for d in json.loads(ran.stdout)["diagnostics"]]
    assert os.path.join("sub", "orders.py") in paths, paths
    for path in paths:
        _assert_inside(path, cwd, cwd)


def test_symlinked_directories_outside_are_not_followed(repo):
    ran = _check(repo, repo, "--format", "json", ".")
    names = {d["name"] for d in json.loads(ran.stdout)["diagnostics"]}
    text = ran.stdout
    assert "hidden.py" not in text and "outside" not in text and "up_link" not in text, text
    assert "getOrders" in names


def _sarif_uris(ran: harness.Ran) -> List[dict]:
    document = json.loads(ran.stdout)
    return [location["physicalLocation"]["artifactLocation"]
            for run in document["runs"] for result in run["results"]
            for location in result["locations"]]


@pytest.mark.parametrize("where", ["root", "subdirectory"])
def test_sarif_uris_are_repository_relative(repo, where):
    cwd = repo if where == "root" else repo / "app"
    ran = _check(repo, cwd, "--format", "sarif", ".")
    document = json.loads(ran.stdout)
    base = document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == repo.resolve().as_uri() + "/", base
    locations = _sarif_uris(ran)
    assert locations
    for location in locations:
        assert location.get("uriBaseId") == "%SRCROOT%", location
        _assert_inside(location["uri"], repo, repo)
    assert any(location["uri"] == "app/sub/orders.py" for location in locations), locations


def test_github_and_text_paths_are_relative_and_inside(repo):
    github = _check(repo, repo, "--format", "github", ".")
    files = re.findall(r"^::\w+ file=([^,]+),", github.stdout, flags=re.MULTILINE)
    assert files, github.describe()
    text = _check(repo, repo, "--format", "text", ".")
    located = [line.split(":")[0] for line in text.stdout.splitlines()
               if re.match(r"^.+:\d+:\d+: SPR\d{3} ", line)]
    assert located, text.describe()
    for path in files + located:
        _assert_inside(path, repo, repo)
