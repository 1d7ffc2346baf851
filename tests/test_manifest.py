"""The roles manifest: reading, validation errors, forgiving role names, overrides."""

from __future__ import annotations

import os
import sys

import pytest

from spapi_roles.errors import UserError
from spapi_roles.manifest import load_manifest, manifest_for


def write(directory, name, content, mode="w"):
    path = os.path.join(str(directory), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as stream:
        stream.write(content)
    return path


def error_of(path):
    with pytest.raises(UserError) as caught:
        load_manifest(path)
    text = str(caught.value)
    assert "\n" not in text and "Traceback" not in text
    return caught.value, text


# --------------------------------------------------------------------------- valid manifests


def test_minimal_manifest(tmp_path):
    path = write(tmp_path, "spapi-roles.toml", 'roles = ["Pricing"]\n')
    manifest = load_manifest(path)
    assert manifest.path == path
    assert manifest.roles == ("Pricing",)
    assert manifest.role_lines == {"Pricing": 1}
    assert manifest.account is None
    assert manifest.regions == ()
    assert manifest.operation_overrides == {}
    assert manifest.type_overrides == {}
    assert manifest.root is False


def test_empty_roles_is_valid(tmp_path):
    path = write(tmp_path, "spapi-roles.toml", "# nothing needed yet\nroles = []\n")
    assert load_manifest(path).roles == ()


def test_every_setting(tmp_path):
    path = write(tmp_path, "spapi-roles.toml", """\
# Our app registration
roles = [
    "Inventory and Order Tracking",  # orders
    "Pricing",
]
account = "Seller"
regions = ["na", "EU"]
root = true
inferred = "warning"

[operations]
getOrders = ["Pricing"]
getOrderMetrics = []

[types]
_GET_FLAT_FILE_OPEN_LISTINGS_DATA_ = ["product listing"]
GET_SOMETHING_AMAZON_ADDED_LATELY = ["Brand Analytics"]
""")
    manifest = load_manifest(path)
    assert manifest.roles == ("Inventory and Order Tracking", "Pricing")
    assert manifest.role_lines == {"Inventory and Order Tracking": 3, "Pricing": 4}
    assert manifest.account == "seller"
    assert manifest.regions == ("NA", "EU")
    assert manifest.root is True
    assert manifest.inferred == "warning"
    assert manifest.operation_overrides == {"getOrders": ("Pricing",), "getOrderMetrics": ()}
    # Known types are stored under their canonical name; new names are kept as written.
    assert manifest.type_overrides == {
        "GET_FLAT_FILE_OPEN_LISTINGS_DATA": ("Product Listing",),
        "GET_SOMETHING_AMAZON_ADDED_LATELY": ("Brand Analytics",),
    }


@pytest.mark.parametrize("written, canonical", [
    ("pricing", "Pricing"),
    ("PRICING", "Pricing"),
    ("  Pricing ", "Pricing"),
    ("product-listing", "Product Listing"),
    ("Tax Remittance", "Tax Remittance (Restricted)"),
    ("tax remittance (restricted)", "Tax Remittance (Restricted)"),
    ("Direct to Consumer Shipping (Restricted)", "Direct-to-Consumer Shipping (Restricted)"),
    ("direct-to-consumer shipping", "Direct-to-Consumer Shipping (Restricted)"),
    ("AWD", "Amazon Warehousing and Distribution"),
])
def test_role_names_are_matched_forgivingly(tmp_path, written, canonical):
    path = write(tmp_path, "spapi-roles.toml", f'roles = ["{written}"]\n')
    assert load_manifest(path).roles == (canonical,)


def test_byte_order_mark_and_crlf_are_accepted(tmp_path):
    path = write(tmp_path, "spapi-roles.toml",
                 b'\xef\xbb\xbf# roles\r\nroles = [\r\n  "Pricing",\r\n]\r\n', mode="wb")
    manifest = load_manifest(path)
    assert manifest.roles == ("Pricing",)
    assert manifest.role_lines == {"Pricing": 3}


def test_pyproject_table(tmp_path):
    path = write(tmp_path, "pyproject.toml", """\
[project]
name = "app"
roles = ["not ours"]

[tool.black]
line-length = 100

[tool.spapi-roles]
roles = ["Brand Analytics", "pricing"]
account = "vendor"

[tool.spapi-roles.operations]
getOrders = ["Pricing"]
""")
    manifest = load_manifest(path)
    assert manifest.roles == ("Brand Analytics", "Pricing")
    assert manifest.role_lines == {"Brand Analytics": 9, "Pricing": 9}
    assert manifest.account == "vendor"
    assert manifest.operation_overrides == {"getOrders": ("Pricing",)}


def test_pyproject_with_dotted_keys(tmp_path):
    path = write(tmp_path, "pyproject.toml",
                 '[tool]\nspapi-roles.roles = [\n  "Pricing",\n]\n')
    manifest = load_manifest(path)
    assert manifest.roles == ("Pricing",)
    assert manifest.role_lines == {"Pricing": 3}


TRICKY_PYPROJECT = r'''[project]
name = "shop"
description = """
[tool.spapi-roles]
roles = ["Pricng"]
"""
readme = 'README # not a comment'
released = 1979-05-27 07:32:00Z
classifiers = [
    "x ]",  # ] in a comment
]
urls = { home = "https://example.com/[docs]" }

[tool."spapi-roles"]
roles = [  # a comment with "quotes" and ]
  'Pricing',  # ]
  "Brand\u0020Analytics",
  """product listing""",
]
'''


def test_lines_are_found_past_strings_comments_and_brackets(tmp_path):
    path = write(tmp_path, "pyproject.toml", TRICKY_PYPROJECT)
    manifest = load_manifest(path)
    assert manifest.roles == ("Pricing", "Brand Analytics", "Product Listing")
    assert manifest.role_lines == {"Pricing": 16, "Brand Analytics": 17, "Product Listing": 18}
    path = write(tmp_path, "pyproject.toml",
                 TRICKY_PYPROJECT.replace("'Pricing',", "'Pricing', 'Pricng',"))
    _, text = error_of(path)
    assert text == f"{path}:16: unknown role `Pricng`; did you mean `Pricing`?"


def test_a_manifest_with_another_name_is_a_standalone_manifest(tmp_path):
    path = write(tmp_path, "roles/prod.toml", 'roles = ["Pricing"]\n')
    assert load_manifest(path).roles == ("Pricing",)


# --------------------------------------------------------------------------- errors

MALFORMED = [
    # (id, content, line, message)
    ("empty", "", None, "the manifest is empty; it needs at least `roles = [...]`"),
    ("blank", "\n  \n\t\n", None, "the manifest is empty"),
    ("comments-only", "# roles come later\n", None,
     'the manifest has no `roles` key; write e.g. `roles = ["Pricing"]` '
     "(`roles = []` if the app needs none)"),
    ("no-roles-key", 'account = "seller"\n', None, "the manifest has no `roles` key"),
    ("invalid-toml-unclosed", 'roles = ["Pricing"\n', 2, "invalid TOML"),
    ("invalid-toml-bare", "# ok\nroles = Pricing\n", 2, "invalid TOML: invalid value"),
    ("invalid-toml-duplicate-key", 'roles = []\nroles = ["Pricing"]\n', 2, "invalid TOML"),
    ("invalid-toml-nul", 'roles = ["Pri\x00cing"]\n', 1, "invalid TOML"),
    ("roles-string", 'roles = "Pricing"\n', 1,
     "`roles` must be an array of role names, not a string"),
    ("roles-table", "[roles]\nPricing = true\n", 1,
     "`roles` must be an array of role names, not a table"),
    ("roles-integer-element", 'roles = [\n  "Pricing",\n  3,\n]\n', 3,
     "`roles` must hold role names (strings), not an integer"),
    ("roles-nested-array", 'roles = [["Pricing"]]\n', 1,
     "`roles` must hold role names (strings), not an array"),
    ("unknown-role", 'roles = [\n    "Pricing",\n    "Pricng",\n]\n', 3,
     "unknown role `Pricng`; did you mean `Pricing`?"),
    ("unknown-role-no-suggestion", 'roles = ["xyzzy"]\n', 1,
     "unknown role `xyzzy`; known roles: Account Information Service Provider, "),
    ("mentioned-not-a-role", 'roles = ["Direct-to-Consumer Delivery (Restricted)"]\n', 1,
     "unknown role `Direct-to-Consumer Delivery (Restricted)` (a name Amazon's pages use, "
     "but not an SP-API role); did you mean `Direct-to-Consumer Shipping (Restricted)`?"),
    ("duplicate-role", 'roles = [\n  "Pricing",\n  "Brand Analytics",\n  "Pricing",\n]\n', 4,
     "duplicate role `Pricing`: already listed on line 2"),
    ("duplicate-role-spelling", 'roles = ["Tax Remittance", "tax-remittance (restricted)"]\n', 1,
     "duplicate role `Tax Remittance (Restricted)` (as `tax-remittance (restricted)`)"),
    ("unknown-key", 'roles = []\nrolse = ["Pricing"]\n', 2,
     "unknown key `rolse`; did you mean `roles`?"),
    ("unknown-table", 'roles = []\n\n[overrides]\nx = 1\n', 3, "unknown key `overrides`"),
    ("account-unknown", 'roles = []\naccount = "selller"\n', 2,
     "unknown account `selller`; did you mean `seller`?"),
    ("account-unknown-far", 'roles = []\naccount = "agency"\n', 2,
     "unknown account `agency`; expected one of: seller, vendor, hybrid"),
    ("account-type", 'roles = []\naccount = 1\n', 2, "`account` must be a string, not an integer"),
    ("regions-string", 'roles = []\nregions = "NA"\n', 2,
     "`regions` must be an array of region codes, not a string"),
    ("region-unknown", 'roles = []\nregions = [\n  "NA",\n  "US",\n]\n', 4,
     "unknown region `US`; SP-API regions are NA, EU, FE"),
    ("region-duplicate", 'roles = []\nregions = ["EU", "eu"]\n', 2, "duplicate region `EU`"),
    ("root-string", 'roles = []\nroot = "yes"\n', 2, "`root` must be true or false, not a string"),
    ("inferred-unknown", 'roles = []\ninferred = "warn"\n', 2,
     '`inferred` must be "error" or "warning", not `warn`'),
    ("inferred-type", 'roles = []\ninferred = false\n', 2,
     '`inferred` must be "error" or "warning", not a boolean'),
    ("operations-array", 'roles = []\noperations = ["getOrders"]\n', 2,
     "`operations` must be a table of operation name = [roles], not an array"),
    ("operation-unknown", 'roles = []\n\n[operations]\ngetOrdrs = ["Pricing"]\n', 4,
     "unknown operation `getOrdrs` in [operations]; did you mean `getOrders`?"),
    ("operation-roles-string", 'roles = []\n[operations]\ngetOrders = "Pricing"\n', 3,
     "`operations.getOrders` must be an array of role names, not a string"),
    ("operation-role-unknown", 'roles = []\n[operations]\ngetOrders = ["Pricng"]\n', 3,
     "unknown role `Pricng`; did you mean `Pricing`?"),
    ("type-bad-name", 'roles = []\n[types]\n"GET ORDERS" = ["Pricing"]\n', 3,
     "`GET ORDERS` in [types] is not a report, feed or notification type name"),
    ("type-duplicate-alias", 'roles = []\n[types]\nGET_FLAT_FILE_OPEN_LISTINGS_DATA = []\n'
     '_GET_FLAT_FILE_OPEN_LISTINGS_DATA_ = []\n', 4,
     "duplicate type `GET_FLAT_FILE_OPEN_LISTINGS_DATA` in [types]"),
]


@pytest.mark.parametrize("content, line, message",
                         [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED])
def test_malformed_manifest_gives_one_located_line(tmp_path, content, line, message):
    path = write(tmp_path, "spapi-roles.toml", content)
    error, text = error_of(path)
    assert error.path == path
    assert error.line == line
    prefix = f"{path}:{line}: " if line else f"{path}: "
    assert text.startswith(prefix + message)


def test_invalid_toml_names_the_parser_problem(tmp_path):
    path = write(tmp_path, "spapi-roles.toml", 'roles = ["Pricing"]\naccount = seller\n')
    _, text = error_of(path)
    assert text == f"{path}:2: invalid TOML: invalid value"


def test_undecodable_bytes(tmp_path):
    path = write(tmp_path, "spapi-roles.toml", b'# ok\nroles = ["Pri\xffcing"]\n', mode="wb")
    _, text = error_of(path)
    assert text == f"{path}:2: the manifest is not valid UTF-8 (byte 0xff)"


def test_missing_file(tmp_path):
    path = str(tmp_path / "spapi-roles.toml")
    _, text = error_of(path)
    assert text == f"{path}: manifest not found"


def test_directory_in_place_of_the_manifest(tmp_path):
    path = tmp_path / "spapi-roles.toml"
    path.mkdir()
    _, text = error_of(str(path))
    assert text == f"{path}: is a directory, not a manifest file"


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="needs POSIX permissions and a non-root user")
def test_unreadable_file(tmp_path):
    path = write(tmp_path, "spapi-roles.toml", 'roles = ["Pricing"]\n')
    os.chmod(path, 0)
    try:
        _, text = error_of(path)
    finally:
        os.chmod(path, 0o644)
    assert text == f"{path}: cannot read the manifest: permission denied"


def test_unreadable_file_reported_by_the_os(tmp_path, monkeypatch):
    """The same error when the OS refuses (also testable as root, which reads anything)."""
    path = write(tmp_path, "spapi-roles.toml", 'roles = ["Pricing"]\n')

    real_open = os.open

    def refuse(name, *args, **kwargs):
        if name == path:
            raise PermissionError(13, "Permission denied")
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    _, text = error_of(path)
    assert text == f"{path}: cannot read the manifest: permission denied"


def test_deep_nesting_is_an_error_not_a_crash(tmp_path):
    path = write(tmp_path, "spapi-roles.toml", "roles = " + "[" * 100_000 + "]" * 100_000 + "\n")
    _, text = error_of(path)
    assert text == f"{path}: invalid TOML: nested too deeply"


@pytest.mark.parametrize("content, line, message", [
    ('[project]\nname = "x"\n', None, "has no [tool.spapi-roles] table"),
    ('[tool.spapi_roles]\nroles = []\n', 1,
     "the table is spelled [tool.spapi_roles]; write [tool.spapi-roles]"),
    ('[tool]\nspapi-roles = 3\n', 2, "`tool.spapi-roles` must be a table, not an integer"),
    ('[tool.spapi-roles]\naccount = "seller"\n', 1, "[tool.spapi-roles] has no `roles` key"),
    ('[tool.spapi-roles]\nroles = []\n\n[tool.spapi-roles.types]\nX = ["Pricng"]\n', 5,
     "unknown role `Pricng`; did you mean `Pricing`?"),
    ('[tool.spapi-roles]\nroles = []\nextra = 1\n', 3, "unknown key `extra`"),
])
def test_malformed_pyproject(tmp_path, content, line, message):
    path = write(tmp_path, "pyproject.toml", content)
    error, text = error_of(path)
    assert error.line == line
    prefix = f"{path}:{line}: " if line else f"{path}: "
    assert text.startswith(prefix + message)


# --------------------------------------------------------------------------- cache


def test_manifest_for_rereads_a_changed_manifest(tmp_path):
    path = write(tmp_path, "spapi-roles.toml", 'roles = ["Pricing"]\n')
    source = write(tmp_path, "app.py", "")
    first = manifest_for(source)
    assert manifest_for(source) is first  # cached
    write(tmp_path, "spapi-roles.toml", 'roles = ["Pricing", "Brand Analytics"]\n')
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 1_000_000))
    assert manifest_for(source).roles == ("Pricing", "Brand Analytics")


def test_manifest_for_with_an_explicit_path(tmp_path):
    write(tmp_path, "spapi-roles.toml", 'roles = ["Pricing"]\n')
    other = write(tmp_path, "elsewhere/prod.toml", 'roles = ["Brand Analytics"]\n')
    source = write(tmp_path, "app.py", "")
    assert manifest_for(source, explicit=other).roles == ("Brand Analytics",)


def test_manifest_for_reports_a_broken_manifest_every_time(tmp_path):
    write(tmp_path, "spapi-roles.toml", 'roles = ["Pricng"]\n')
    source = write(tmp_path, "app.py", "")
    for _ in range(2):
        with pytest.raises(UserError, match="did you mean `Pricing`"):
            manifest_for(source)
