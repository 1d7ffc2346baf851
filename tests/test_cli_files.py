"""Which files `spapi-roles check` reads: default excludes, --exclude, .gitignore."""

from __future__ import annotations

import os
import subprocess

import pytest

from spapi_roles import cli
from spapi_roles.errors import UserError
from spapi_roles.files import find_python_files


@pytest.fixture
def tree(tmp_path, monkeypatch):
    for name in [
        "a.py",
        "src/b.py",
        "src/gen/c.py",
        ".venv/lib/d.py",
        "venv/e.py",
        "node_modules/f.py",
        "build/g.py",
        "dist/h.py",
        "src/__pycache__/i.py",
        ".tox/j.py",
        "x.skip.py",
        "sub/keep.skip.py",
        "sub/deep/k.py",
        "sub/deep/l.skip.py",
        "notes.txt",
        "stub.pyi",
    ]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")
    (tmp_path / ".gitignore").write_text("src/gen/\n*.skip.py\n")
    (tmp_path / "sub" / ".gitignore").write_text("!keep.skip.py\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_default_skips_excluded_dirs_gitignored_paths_and_non_python(tree):
    assert find_python_files(["."]) == ["a.py", "src/b.py", "sub/keep.skip.py", "sub/deep/k.py"]
    assert find_python_files([]) == find_python_files(["."])


def test_gitignore_of_the_repository_applies_below_a_checked_subdirectory(tree):
    assert find_python_files(["src"]) == ["src/b.py"]


def test_extend_exclude_adds_and_exclude_replaces(tree):
    assert find_python_files(["."], extend_exclude=["deep"]) == [
        "a.py",
        "src/b.py",
        "sub/keep.skip.py",
    ]
    everything = find_python_files(["."], exclude=[])
    assert ".venv/lib/d.py" in everything and "node_modules/f.py" in everything
    assert "src/gen/c.py" not in everything  # .gitignore still applies


def test_named_files_are_checked_even_when_gitignored(tree):
    assert find_python_files(["x.skip.py", "src/gen/c.py", "a.py", "./a.py"]) == [
        "x.skip.py",
        "src/gen/c.py",
        "a.py",
    ]


def test_absolute_paths_stay_absolute(tree):
    assert find_python_files([str(tree / "src")]) == [str(tree / "src" / "b.py")]


def test_missing_path_is_a_user_error(tree):
    with pytest.raises(UserError, match="no such file or directory"):
        find_python_files(["nope"])


def test_symlink_loops_are_not_followed(tree):
    os.symlink("..", tree / "sub" / "loop")
    assert find_python_files(["sub"]) == ["sub/keep.skip.py", "sub/deep/k.py"]


def test_without_git_the_gitignore_files_still_apply(tmp_path, monkeypatch):
    (tmp_path / "a.py").write_text("")
    (tmp_path / "b.py").write_text("")
    (tmp_path / ".gitignore").write_text("b.py\n")
    monkeypatch.chdir(tmp_path)
    assert find_python_files(["."]) == ["a.py"]


def test_an_explicitly_named_gitignored_directory_is_checked(tree):
    (tree / "src" / "gen" / ".gitignore").write_text("skip_me.py\n")
    (tree / "src" / "gen" / "skip_me.py").write_text("")
    assert find_python_files(["src/gen"]) == ["src/gen/c.py"]


def test_an_unreadable_file_is_named_and_the_run_exits_2(tmp_path, monkeypatch, capsys):
    """Root reads anything, so the refusal is simulated where the CLI opens the file."""
    (tmp_path / "spapi-roles.toml").write_text("roles = []\n")
    (tmp_path / "ok.py").write_text("x = 1\n")
    (tmp_path / "secret.py").write_text("from sp_api.api import Orders\n")
    real_open = os.open

    def refusing_open(path, *args, **kwargs):
        if str(path).endswith("secret.py"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "open", refusing_open)
    assert cli.main(["check", "--no-cache", "--jobs", "1", "."]) == cli.EXIT_ERROR
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        "spapi-roles: error: secret.py: cannot read (permission denied); not checked"]
    assert "1 file checked" in out
