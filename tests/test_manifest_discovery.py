"""Finding the manifest that governs a file: nearest wins, root = true, pyproject, monorepos."""

from __future__ import annotations

import os
import sys

import pytest

from spapi_roles.errors import UserError
from spapi_roles.manifest import find_manifest, manifest_for


def write(directory, name, content=""):
    path = os.path.join(str(directory), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as stream:
        stream.write(content)
    return path


def test_nothing_found(tmp_path):
    source = write(tmp_path, "app/main.py")
    assert find_manifest(source) is None
    assert manifest_for(source) is None


def test_manifest_next_to_the_file_and_above_it(tmp_path):
    manifest = write(tmp_path, "spapi-roles.toml", 'roles = ["Pricing"]\n')
    assert find_manifest(write(tmp_path, "main.py")) == manifest
    assert find_manifest(write(tmp_path, "src/app/deep/er/main.py")) == manifest


def test_a_directory_argument_starts_the_walk_in_it(tmp_path):
    manifest = write(tmp_path, "pkg/spapi-roles.toml", "roles = []\n")
    assert find_manifest(str(tmp_path / "pkg")) == manifest
    assert find_manifest(str(tmp_path)) is None


def test_monorepo_nearest_wins(tmp_path):
    top = write(tmp_path, "spapi-roles.toml", 'roles = ["Brand Analytics"]\n')
    orders_app = write(tmp_path, "apps/orders/spapi-roles.toml",
                       'roles = ["Inventory and Order Tracking"]\n')
    pricing_app = write(tmp_path, "apps/pricing/pyproject.toml",
                        '[tool.spapi-roles]\nroles = ["Pricing"]\n')
    assert find_manifest(write(tmp_path, "apps/orders/src/sync.py")) == orders_app
    assert find_manifest(write(tmp_path, "apps/pricing/repricer.py")) == pricing_app
    assert find_manifest(write(tmp_path, "libs/shared/util.py")) == top
    assert manifest_for(str(tmp_path / "apps/orders/src/sync.py")).roles == (
        "Inventory and Order Tracking",)
    assert manifest_for(str(tmp_path / "apps/pricing/repricer.py")).roles == ("Pricing",)
    assert manifest_for(str(tmp_path / "libs/shared/util.py")).roles == ("Brand Analytics",)


def test_spapi_roles_toml_wins_over_pyproject_in_the_same_directory(tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.spapi-roles]\nroles = ["Pricing"]\n')
    standalone = write(tmp_path, "spapi-roles.toml", 'roles = ["Brand Analytics"]\n')
    assert find_manifest(write(tmp_path, "main.py")) == standalone


def test_pyproject_without_the_table_is_passed_over(tmp_path):
    manifest = write(tmp_path, "spapi-roles.toml", 'roles = ["Pricing"]\n')
    write(tmp_path, "app/pyproject.toml", '[project]\nname = "app"\n\n[tool.black]\nx = 1\n')
    assert find_manifest(write(tmp_path, "app/main.py")) == manifest


def test_broken_pyproject_mentioning_us_is_found_so_its_error_is_reported(tmp_path):
    write(tmp_path, "spapi-roles.toml", 'roles = ["Pricing"]\n')
    broken = write(tmp_path, "app/pyproject.toml", '[tool.spapi-roles]\nroles = ["Pricing"\n')
    source = write(tmp_path, "app/main.py")
    assert find_manifest(source) == broken
    with pytest.raises(UserError) as caught:
        manifest_for(source)
    assert str(caught.value).startswith(f"{broken}:3: invalid TOML")


def test_broken_pyproject_not_mentioning_us_is_passed_over(tmp_path):
    manifest = write(tmp_path, "spapi-roles.toml", 'roles = ["Pricing"]\n')
    write(tmp_path, "app/pyproject.toml", "[project\nname = 1\n")
    assert find_manifest(write(tmp_path, "app/main.py")) == manifest


def test_misspelled_pyproject_table_is_found_and_reported(tmp_path):
    pyproject = write(tmp_path, "pyproject.toml", "[tool.spapi_roles]\nroles = []\n")
    source = write(tmp_path, "main.py")
    assert find_manifest(source) == pyproject
    with pytest.raises(UserError, match=r"write \[tool\.spapi-roles\]"):
        manifest_for(source)


def test_broken_or_odd_manifest_files_are_found_so_their_error_is_reported(tmp_path):
    write(tmp_path, "spapi-roles.toml", 'roles = ["Pricing"]\n')
    broken = write(tmp_path, "a/spapi-roles.toml", "roles = [\n")
    as_directory = tmp_path / "b" / "spapi-roles.toml"
    as_directory.mkdir(parents=True)
    assert find_manifest(write(tmp_path, "a/x.py")) == broken
    assert find_manifest(write(tmp_path, "b/x.py")) == str(as_directory)
    with pytest.raises(UserError, match="is a directory, not a manifest file"):
        manifest_for(str(tmp_path / "b/x.py"))


def test_root_true_stop_marker_hides_the_parent_manifest(tmp_path):
    write(tmp_path, "spapi-roles.toml", 'roles = ["Pricing"]\n')
    write(tmp_path, "vendored/pyproject.toml", "[tool.spapi-roles]\nroot = true\n")
    write(tmp_path, "other/spapi-roles.toml", "# not ours\nroot = true\n")
    assert find_manifest(write(tmp_path, "vendored/lib/x.py")) is None
    assert manifest_for(str(tmp_path / "vendored/lib/x.py")) is None
    assert find_manifest(write(tmp_path, "other/x.py")) is None


def test_root_true_manifest_with_roles_is_used(tmp_path):
    write(tmp_path, "spapi-roles.toml", 'roles = ["Pricing"]\n')
    app = write(tmp_path, "app/spapi-roles.toml", 'root = true\nroles = ["Brand Analytics"]\n')
    source = write(tmp_path, "app/src/x.py")
    assert find_manifest(source) == app
    manifest = manifest_for(source)
    assert manifest.root is True and manifest.roles == ("Brand Analytics",)


def test_relative_in_relative_out(tmp_path, monkeypatch):
    write(tmp_path, "spapi-roles.toml", 'roles = ["Pricing"]\n')
    write(tmp_path, "src/app/main.py")
    monkeypatch.chdir(tmp_path / "src")
    assert find_manifest(os.path.join("app", "main.py")) == os.path.join("..", "spapi-roles.toml")
    assert find_manifest(str(tmp_path / "src/app/main.py")) == str(tmp_path / "spapi-roles.toml")


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlink_loop_in_place_of_the_manifest_is_reported_not_followed_forever(tmp_path):
    loop = tmp_path / "spapi-roles.toml"
    os.symlink(str(loop), str(loop))
    source = write(tmp_path, "x.py")
    assert find_manifest(source) == str(loop)
    with pytest.raises(UserError) as caught:
        manifest_for(source)
    assert str(caught.value).startswith(f"{loop}: cannot read the manifest:")
