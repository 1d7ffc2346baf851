"""Editing manifests: exact text kept, new roles in the array's style, atomic, safe, locked."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from spapi_roles import manifest_edit
from spapi_roles.errors import UserError
from spapi_roles.manifest import load_manifest
from spapi_roles.manifest_edit import add_roles, manifest_lock, write_new_manifest

ORDERS = "Inventory and Order Tracking"


def write(directory, name, content):
    path = os.path.join(str(directory), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as stream:
        stream.write(content)
    return path


def read(path):
    with open(path, newline="") as stream:
        return stream.read()


# --------------------------------------------------------------------------- add_roles: exact text

EDITS = [
    ("multi-line with comments",
     """\
# Roles approved for our app registration (ticket SEC-12).
roles = [
    # orders sync
    "Inventory and Order Tracking",  # since 2023
    "Pricing",
]
account = "seller"  # not vendor

[operations]
getOrders = ["Pricing"]  # we know better
""",
     ["Product Listing"], {"Product Listing": ["getListingsItem (app/listings.py:12)"]},
     """\
# Roles approved for our app registration (ticket SEC-12).
roles = [
    # orders sync
    "Inventory and Order Tracking",  # since 2023
    "Pricing",
    # getListingsItem (app/listings.py:12)
    "Product Listing",
]
account = "seller"  # not vendor

[operations]
getOrders = ["Pricing"]  # we know better
"""),
    ("multi-line without trailing comma, two-space indent",
     'roles = [\n  "Pricing",\n  "Brand Analytics"  # why\n]\n',
     ["Product Listing", "Amazon Fulfillment"], None,
     'roles = [\n  "Pricing",\n  "Brand Analytics",  # why\n  "Product Listing",\n'
     '  "Amazon Fulfillment"\n]\n'),
    ("one-line array keeps its line and its comment",
     'roles = ["Pricing"]  # keep this\nregions = ["NA"]\n',
     ["Product Listing", "Brand Analytics"], {"Product Listing": ["not written inline"]},
     'roles = ["Pricing", "Product Listing", "Brand Analytics"]  # keep this\nregions = ["NA"]\n'),
    ("one-line array with trailing comma and single quotes",
     "roles = ['Pricing', ]\n", ["Product Listing"], None,
     "roles = ['Pricing', 'Product Listing', ]\n"),
    ("empty array",
     "# none yet\nroles = []\n", ["product listing"], None,
     '# none yet\nroles = ["Product Listing"]\n'),
    ("empty multi-line array with a comment",
     "roles = [\n\t# add roles here\n]\n", [ORDERS], {ORDERS: ["getOrders (a.py:1)"]},
     'roles = [\n\t# add roles here\n\t# getOrders (a.py:1)\n'
     '\t"Inventory and Order Tracking",\n]\n'),
    ("closing bracket on the last role's line: aligned",
     'roles = ["Pricing",\n         "Brand Analytics"]\n', ["Product Listing"], None,
     'roles = ["Pricing",\n         "Brand Analytics",\n         "Product Listing"]\n'),
    ("roles on the opener line, bracket alone",
     'roles = ["Pricing",  # p\n]\n', ["Product Listing"], None,
     'roles = ["Pricing",  # p\n         "Product Listing",\n]\n'),
    ("commented-out role at the end stays above the new one",
     'roles = [\n    "Pricing",\n    # "Brand Analytics",  (pending approval)\n]\n',
     ["Product Listing"], None,
     'roles = [\n    "Pricing",\n    # "Brand Analytics",  (pending approval)\n'
     '    "Product Listing",\n]\n'),
    ("several roles on the last line",
     'roles = [\n  "Pricing", "Brand Analytics",\n]\n', ["Product Listing"], None,
     'roles = [\n  "Pricing", "Brand Analytics",\n  "Product Listing",\n]\n'),
    ("CRLF line endings and tabs",
     'roles = [\r\n\t"Pricing",\r\n]\r\naccount = "seller"\r\n', [ORDERS],
     {ORDERS: ["getOrders"]},
     'roles = [\r\n\t"Pricing",\r\n\t# getOrders\r\n\t"Inventory and Order Tracking",\r\n]\r\n'
     'account = "seller"\r\n'),
    ("no newline at the end of the file",
     'roles = [\n    "Pricing",\n]', ["Product Listing"], None,
     'roles = [\n    "Pricing",\n    "Product Listing",\n]'),
]


@pytest.mark.parametrize("before, roles, reasons, after", [case[1:] for case in EDITS],
                         ids=[case[0] for case in EDITS])
def test_add_roles_changes_only_the_roles_array(tmp_path, before, roles, reasons, after):
    path = write(tmp_path, "spapi-roles.toml", before)
    added = add_roles(path, roles, reasons)
    assert read(path) == after
    assert added and tuple(added) == load_manifest(path).roles[-len(added):]
    assert sorted(os.listdir(str(tmp_path))) == ["spapi-roles.toml"]  # no temp or lock files


def test_add_roles_to_pyproject_table(tmp_path):
    before = """\
[project]
name = "shop"
roles = ["not ours"]

[tool.spapi-roles]
# approved 2024-05
roles = [
  "Pricing",
]

[tool.ruff]
line-length = 100
"""
    path = write(tmp_path, "pyproject.toml", before)
    assert add_roles(path, ["Brand Analytics"]) == ["Brand Analytics"]
    assert read(path) == before.replace('  "Pricing",\n', '  "Pricing",\n  "Brand Analytics",\n')


def test_add_roles_in_an_inline_table_uses_tomlkit(tmp_path):
    path = write(tmp_path, "pyproject.toml", '[tool]\nspapi-roles = { roles = ["Pricing"] }  # c\n')
    assert add_roles(path, ["Brand Analytics"]) == ["Brand Analytics"]
    assert read(path) == (
        '[tool]\nspapi-roles = { roles = ["Pricing", "Brand Analytics"] }  # c\n')


def test_add_roles_keeps_a_byte_order_mark(tmp_path):
    path = str(tmp_path / "spapi-roles.toml")
    with open(path, "wb") as stream:
        stream.write(b'\xef\xbb\xbfroles = ["Pricing"]\n')
    add_roles(path, ["Brand Analytics"])
    with open(path, "rb") as stream:
        assert stream.read() == b'\xef\xbb\xbfroles = ["Pricing", "Brand Analytics"]\n'


def test_roles_already_declared_in_any_spelling_are_not_added(tmp_path):
    before = 'roles = ["pricing", "Tax Remittance"]\n'
    path = write(tmp_path, "spapi-roles.toml", before)
    stamp = os.stat(path).st_mtime_ns
    assert add_roles(path, ["Pricing", "tax-remittance (restricted)", "PRICING"]) == []
    assert read(path) == before and os.stat(path).st_mtime_ns == stamp


def test_add_roles_dedupes_and_canonicalises_its_input(tmp_path):
    path = write(tmp_path, "spapi-roles.toml", "roles = []\n")
    assert add_roles(path, ["brand analytics", "Brand-Analytics", "AWD"]) == [
        "Brand Analytics", "Amazon Warehousing and Distribution"]
    assert read(path) == 'roles = ["Brand Analytics", "Amazon Warehousing and Distribution"]\n'


def test_add_roles_refuses_an_invalid_manifest(tmp_path):
    path = write(tmp_path, "spapi-roles.toml", 'roles = ["Pricng"]\n')
    with pytest.raises(UserError) as caught:
        add_roles(path, ["Pricing"])
    assert str(caught.value) == f"{path}:1: unknown role `Pricng`; did you mean `Pricing`?"
    assert read(path) == 'roles = ["Pricng"]\n'


def test_add_roles_refuses_an_unknown_role(tmp_path):
    path = write(tmp_path, "spapi-roles.toml", "roles = []\n")
    with pytest.raises(UserError, match="unknown role `Pricng`"):
        add_roles(path, ["Pricng"])


def test_add_roles_on_a_missing_manifest(tmp_path):
    path = str(tmp_path / "spapi-roles.toml")
    with pytest.raises(UserError) as caught:
        add_roles(path, ["Pricing"])
    assert str(caught.value) == f"{path}: manifest not found"
    assert os.listdir(str(tmp_path)) == []


def test_add_roles_keeps_the_file_mode(tmp_path):
    path = write(tmp_path, "spapi-roles.toml", "roles = []\n")
    os.chmod(path, 0o640)
    add_roles(path, ["Pricing"])
    assert os.stat(path).st_mode & 0o777 == 0o640


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_add_roles_through_a_symlink_edits_the_target(tmp_path):
    target = write(tmp_path, "shared/roles.toml", "roles = []\n")
    link = tmp_path / "app" / "spapi-roles.toml"
    link.parent.mkdir()
    os.symlink(target, str(link))
    add_roles(str(link), ["Pricing"])
    assert link.is_symlink()
    assert read(target) == 'roles = ["Pricing"]\n'


# --------------------------------------------------------------------------- changed meanwhile


def test_a_manifest_changed_meanwhile_is_edited_again(tmp_path, monkeypatch):
    path = write(tmp_path, "spapi-roles.toml", 'roles = [\n    "Pricing",\n]\n')
    real = manifest_edit._with_roles_added
    calls = []

    def someone_edits_during_the_first_attempt(*args):
        calls.append(args[1])
        if len(calls) == 1:
            write(tmp_path, "spapi-roles.toml", 'roles = [\n    "Pricing",\n    "AWD",\n]\n')
        return real(*args)

    monkeypatch.setattr(manifest_edit, "_with_roles_added", someone_edits_during_the_first_attempt)
    assert add_roles(path, ["Brand Analytics"]) == ["Brand Analytics"]
    assert len(calls) == 2
    assert read(path) == 'roles = [\n    "Pricing",\n    "AWD",\n    "Brand Analytics",\n]\n'


def test_a_manifest_that_keeps_changing_is_not_overwritten(tmp_path, monkeypatch):
    path = write(tmp_path, "spapi-roles.toml", "roles = []\n")
    real = manifest_edit._with_roles_added
    edits = iter(range(100))

    def someone_keeps_editing(*args):
        write(tmp_path, "spapi-roles.toml", f"# edit {next(edits)}\nroles = []\n")
        return real(*args)

    monkeypatch.setattr(manifest_edit, "_with_roles_added", someone_keeps_editing)
    with pytest.raises(UserError) as caught:
        add_roles(path, ["Pricing"])
    assert str(caught.value) == (f"{path}: the manifest keeps changing while spapi-roles edits "
                                 "it; not writing it; run again")
    assert read(path) == "# edit 1\nroles = []\n"
    assert sorted(os.listdir(str(tmp_path))) == ["spapi-roles.toml"]


# --------------------------------------------------------------------------- locking

CHILD = textwrap.dedent("""\
    import sys, time
    from spapi_roles import manifest_edit
    from spapi_roles.errors import UserError

    real = manifest_edit._check_edit
    def slow(*args):  # widen the read-modify-write window so that races would show
        time.sleep(0.2)
        return real(*args)
    manifest_edit._check_edit = slow
    try:
        print(manifest_edit.add_roles(sys.argv[1], [sys.argv[2]]))
    except UserError as error:
        print(error)
        sys.exit(2)
""")


def test_concurrent_add_roles_keep_every_change(tmp_path):
    before = '# approved roles\nroles = [\n    "Pricing",\n]\n'
    path = write(tmp_path, "spapi-roles.toml", before)
    roles = ["Brand Analytics", "Product Listing", ORDERS, "Amazon Fulfillment"]
    children = [subprocess.Popen([sys.executable, "-c", CHILD, path, role],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for role in roles]
    results = [child.communicate(timeout=60) + (child.returncode,) for child in children]
    assert [code for _, _, code in results] == [0, 0, 0, 0], results
    manifest = load_manifest(path)
    assert manifest.roles[0] == "Pricing"
    assert sorted(manifest.roles[1:]) == sorted(roles)
    text = read(path)
    assert text.startswith('# approved roles\nroles = [\n    "Pricing",\n')
    assert all(f'    "{role}",\n' in text for role in roles)
    assert sorted(os.listdir(str(tmp_path))) == ["spapi-roles.toml"]


def test_lock_held_by_a_live_process_times_out_with_one_clear_error(tmp_path):
    path = write(tmp_path, "spapi-roles.toml", "roles = []\n")
    with open(path + ".lock", "w") as stream:
        stream.write(str(os.getpid()))
    with pytest.raises(UserError) as caught:
        with manifest_lock(path, timeout=0.1):
            pass
    assert str(caught.value) == (f"{path}: another spapi-roles run is editing the manifest; "
                                 f"if none is, delete {path}.lock")
    assert read(path) == "roles = []\n"


@pytest.mark.skipif(sys.platform == "win32", reason="no cheap process liveness test on Windows")
def test_lock_left_by_a_dead_process_is_taken_over(tmp_path):
    path = write(tmp_path, "spapi-roles.toml", "roles = []\n")
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    with open(path + ".lock", "w") as stream:
        stream.write(finished.stdout.strip())
    assert add_roles(path, ["Pricing"]) == ["Pricing"]
    assert not os.path.exists(path + ".lock")


def test_old_lock_is_taken_over(tmp_path):
    path = write(tmp_path, "spapi-roles.toml", "roles = []\n")
    with open(path + ".lock", "w") as stream:
        stream.write(str(os.getpid()))
    old = os.stat(path + ".lock").st_mtime - manifest_edit.STALE_LOCK_SECONDS - 5
    os.utime(path + ".lock", (old, old))
    assert add_roles(path, ["Pricing"]) == ["Pricing"]


# --------------------------------------------------------------------------- new manifests

INIT_REASONS = {
    "pricing": ["getPricing (app/prices.py:4)"],
    ORDERS: [f"getOrders (app/orders.py:{line})" for line in range(1, 8)],
}

INIT_TEXT = """\
# SP-API roles this app registration holds; spapi-roles checks the code against them.
# Written by `spapi-roles init`: the fewest roles that grant every SP-API use found,
# avoiding restricted roles where possible. Each role lists the uses that need it.

roles = [
    # getOrders (app/orders.py:1)
    # getOrders (app/orders.py:2)
    # getOrders (app/orders.py:3)
    # getOrders (app/orders.py:4)
    # getOrders (app/orders.py:5)
    # ... and 2 more
    "Inventory and Order Tracking",
    # getPricing (app/prices.py:4)
    "Pricing",
]
account = "seller"
"""


def test_write_new_manifest(tmp_path):
    path = str(tmp_path / "spapi-roles.toml")
    write_new_manifest(path, INIT_REASONS, account="seller")
    assert read(path) == INIT_TEXT
    manifest = load_manifest(path)
    assert manifest.roles == (ORDERS, "Pricing")
    assert manifest.role_lines == {ORDERS: 12, "Pricing": 14}
    assert sorted(os.listdir(str(tmp_path))) == ["spapi-roles.toml"]


def test_write_new_manifest_with_no_roles(tmp_path):
    path = str(tmp_path / "spapi-roles.toml")
    write_new_manifest(path, {})
    assert read(path).endswith("\n\nroles = []\n")
    assert load_manifest(path).roles == ()


def test_write_new_manifest_refuses_to_overwrite(tmp_path):
    path = write(tmp_path, "spapi-roles.toml", "# mine\nroles = []\n")
    with pytest.raises(UserError) as caught:
        write_new_manifest(path, INIT_REASONS)
    assert str(caught.value) == f"{path}: already exists; not overwriting it"
    assert read(path) == "# mine\nroles = []\n"
    write_new_manifest(path, INIT_REASONS, account="seller", overwrite=True)
    assert read(path) == INIT_TEXT


def test_write_new_manifest_never_replaces_a_file_that_appears_meanwhile(tmp_path, monkeypatch):
    path = str(tmp_path / "spapi-roles.toml")
    real = manifest_edit._link_new

    def someone_creates_it_first(temporary, target, shown):
        write(tmp_path, "spapi-roles.toml", "# theirs\nroles = []\n")
        real(temporary, target, shown)

    monkeypatch.setattr(manifest_edit, "_link_new", someone_creates_it_first)
    with pytest.raises(UserError, match="already exists; not overwriting it"):
        write_new_manifest(path, INIT_REASONS)
    assert read(path) == "# theirs\nroles = []\n"
    assert sorted(os.listdir(str(tmp_path))) == ["spapi-roles.toml"]


def test_write_new_manifest_rejects_unknown_roles(tmp_path):
    with pytest.raises(UserError, match="unknown role `Pricng`"):
        write_new_manifest(str(tmp_path / "spapi-roles.toml"), {"Pricng": []})
    assert os.listdir(str(tmp_path)) == []


def test_reason_text_cannot_break_the_file(tmp_path):
    path = str(tmp_path / "spapi-roles.toml")
    write_new_manifest(path, {"Pricing": ['evil\n]\nroles = ["x"]\r\x00 # "quote"']})
    assert '    # evil ] roles = ["x"] # "quote"\n    "Pricing",\n' in read(path)
    assert load_manifest(path).roles == ("Pricing",)


def test_write_new_manifest_appends_a_table_to_pyproject(tmp_path):
    path = write(tmp_path, "pyproject.toml", '[project]\nname = "shop"')  # no final newline
    write_new_manifest(path, {"Pricing": ["getPricing (a.py:1)"]})
    assert read(path) == (
        '[project]\nname = "shop"\n\n'
        "# SP-API roles this app registration holds; spapi-roles checks the code against them.\n"
        "# Written by `spapi-roles init`: the fewest roles that grant every SP-API use found,\n"
        "# avoiding restricted roles where possible. Each role lists the uses that need it.\n"
        '[tool.spapi-roles]\nroles = [\n    # getPricing (a.py:1)\n    "Pricing",\n]\n')
    assert load_manifest(path).roles == ("Pricing",)


def test_write_new_manifest_replaces_only_the_pyproject_table_when_told(tmp_path):
    before = ('[project]\nname = "shop"  # ours\n\n[tool.spapi-roles]\nroles = ["Pricing"]\n\n'
              "[tool.ruff]\nline-length = 100\n")
    path = write(tmp_path, "pyproject.toml", before)
    with pytest.raises(UserError) as caught:
        write_new_manifest(path, {"Brand Analytics": []})
    assert str(caught.value) == (
        f"{path}: already has a [tool.spapi-roles] table; not overwriting it")
    write_new_manifest(path, {"Brand Analytics": ["getBrandAnalytics"]}, overwrite=True)
    after = read(path)
    assert after.startswith('[project]\nname = "shop"  # ours\n\n[tool.spapi-roles]\n')
    assert after.endswith("[tool.ruff]\nline-length = 100\n")
    assert "    # getBrandAnalytics\n" in after
    assert load_manifest(path).roles == ("Brand Analytics",)
