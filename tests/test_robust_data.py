"""The shipped knowledge data is validated when loaded: a corrupted file is a clear DataError,
never a wrong answer, and the CLI shows it as one line with exit code 2.

Each case copies the packaged ``kb.json`` to a temporary directory, corrupts the copy and loads it
through ``knowledge.load(path)``; the CLI runs are pointed at the copy by the test guard
(``SPAPI_GUARD_KB``, which sets ``knowledge.DATA_PATH``).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest

from bad_inputs import harness
from spapi_roles import knowledge
from spapi_roles.engine import clients as clients_module
from spapi_roles.errors import DataError

PACKAGED = json.loads(Path(knowledge.DATA_PATH).read_text(encoding="utf-8"))
OPERATION_FIELDS: List[str] = PACKAGED["operation_fields"]
TYPE_FIELDS: List[str] = PACKAGED["type_fields"]

Mutation = Callable[[dict], None]


def _set(*where, value) -> Mutation:
    """Set the item at ``where`` (keys and indexes into the document) to ``value``."""

    def mutate(document: dict) -> None:
        container = document
        for step in where[:-1]:
            container = container[step]
        container[where[-1]] = value

    return mutate


def _delete(*where) -> Mutation:
    def mutate(document: dict) -> None:
        container = document
        for step in where[:-1]:
            container = container[step]
        del container[where[-1]]

    return mutate


def _operation(field: str, value) -> Mutation:
    """Set ``field`` of the first operation row (rows are lists in ``operation_fields`` order)."""
    return _set("operations", 0, OPERATION_FIELDS.index(field), value=value)


def _type(field: str, value) -> Mutation:
    return _set("types", 0, TYPE_FIELDS.index(field), value=value)


def _first_role_row_with_roles(document: dict) -> int:
    roles_at = OPERATION_FIELDS.index("roles")
    return next(i for i, row in enumerate(document["operations"]) if row[roles_at])


# Corruptions of a well-formed JSON document: (id, mutation).
STRUCTURE: List[Tuple[str, Mutation]] = [
    ("schema-version-2", _set("schema", value=2)),
    ("schema-version-string", _set("schema", value="1")),
    ("schema-version-missing", _delete("schema")),
    ("data-version-integer", _set("data_version", value=3)),
    ("roles-missing", _delete("roles")),
    ("operations-missing", _delete("operations")),
    ("types-missing", _delete("types")),
    ("sources-missing", _delete("sources")),
    ("data-version-missing", _delete("data_version")),
    ("mentioned-roles-missing", _delete("mentioned_roles")),
    ("operation-fields-missing", _delete("operation_fields")),
    ("operation-fields-reordered", lambda d: d["operation_fields"].reverse()),
    ("type-fields-missing", _delete("type_fields")),
    ("sixteen-roles", lambda d: d["roles"].pop()),
    ("duplicate-role", lambda d: d["roles"].__setitem__(1, d["roles"][0])),
    ("role-name-integer", _set("roles", 0, "name", value=5)),
    ("role-key-missing", _delete("roles", 0, "restricted")),
    ("mentioned-role-key-missing", _delete("mentioned_roles", 0, "note")),
    ("source-row-short", lambda d: d["sources"].__setitem__(0, ["ref", "2024-01-01"])),
    ("sources-string", _set("sources", value="x")),
    ("operation-row-short", lambda d: d["operations"][0].pop()),
    ("operation-row-long", lambda d: d["operations"][0].append(None)),
    ("operation-roles-string", _operation("roles", "Pricing")),
    ("operation-unknown-role", _operation("roles", ["Pricing", "Root Access"])),
    ("operation-bad-confidence", _operation("confidence", "certain")),
    ("operation-source-out-of-range", _operation("sources", [10 ** 6])),
    ("operation-duplicate-key", lambda d: d["operations"].append(list(d["operations"][0]))),
    ("type-kind-unknown", _type("kind", "banana")),
    ("type-roles-string", _type("roles", "Pricing")),
    ("type-row-short", lambda d: d["types"][0].pop()),
    ("type-duplicate", lambda d: d["types"].append(list(d["types"][0]))),
]

# Wrong types that would load as wrong answers ("false" is a true bool, "NA" the regions N and A)
# or fail on a later query, if the loader did not check every field's type: (id, mutation, what).
WRONG_TYPES: List[Tuple[str, Mutation, str]] = [
    ("role-restricted-string", _set("roles", 0, "restricted", value="false"),
     "restricted='false' loads as True"),
    ("role-aliases-string", _set("roles", 0, "aliases", value="AISP"),
     "aliases='AISP' loads as the one-letter aliases A, I, S, P"),
    ("operation-grantless-string", _operation("grantless", "true"),
     "grantless='true' loads as not grantless"),
    ("operation-regions-string", _operation("regions", "NA"), "regions='NA' loads as ('N', 'A')"),
    ("operation-carrier-unknown", _operation("type_carrier", "banana"),
     "an unknown type carrier loads"),
    ("operation-key-integer", _operation("key", 7),
     "an integer key loads; the first query sorting keys raises TypeError"),
    ("operation-role-regions-array", _operation("role_regions", []),
     "role_regions as an array raises AttributeError (not a DataError) while loading"),
    ("operation-source-negative", _operation("sources", [-1]),
     "source index -1 loads as the last source"),
    ("operation-evidence-string", _operation("evidence", "x"),
     "evidence='x' loads; evidence() raises ValueError later"),
    ("operations-object", _set("operations", value={}),
     "operations as an object loads as no operations"),
    ("type-restricted-string", _type("restricted", "false"),
     "restricted='false' loads as not restricted"),
    ("type-name-integer", _type("name", 3),
     "an integer type name loads; type_named() raises TypeError"),
    ("schema-version-true", _set("schema", value=True), "schema true loads as schema 1"),
]


def _write(tmp_path: Path, document) -> Path:
    path = tmp_path / "kb.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _exercise(kb: knowledge.KnowledgeBase) -> None:
    """Run the queries the checks make, so lazily built indexes are built too."""
    kb.role_named("Pricing")
    kb.suggest_role("Pricng")
    kb.type_named("GET_FLAT_FILE_OPEN_LISTINGS_DATA")
    assert kb.type_names
    kb.operations_named("getOrders")
    kb.match_http("GET", "/orders/v0/orders")
    for operation in list(kb.operations.values())[:5]:
        kb.evidence(operation)
    kb.granted_by("Pricing")


def _assert_data_error(path: Path) -> str:
    with pytest.raises(DataError) as caught:
        _exercise(knowledge.load(str(path)))
    message = str(caught.value)
    assert str(path) in message
    assert "\n" not in message and message.strip() == message
    return message


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    """Every case loads its own file (the loader caches per path and process)."""
    monkeypatch.setattr(knowledge, "_CACHE", {})


def test_an_unchanged_copy_loads_and_answers_like_the_packaged_file(tmp_path):
    """Positive control: the copy loads, so a DataError below is the corruption's."""
    copied = knowledge.load(str(_write(tmp_path, PACKAGED)))
    packaged = knowledge.load()
    _exercise(copied)
    assert copied.data_version == packaged.data_version
    assert copied.operations == packaged.operations
    assert copied.types == packaged.types
    assert copied.roles == packaged.roles


@pytest.mark.parametrize("content", [
    pytest.param(b"", id="empty-file"),
    pytest.param(json.dumps(PACKAGED).encode()[: len(json.dumps(PACKAGED)) // 2], id="truncated"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", id="binary"),
    pytest.param(b"roles:\n  - Pricing\n", id="yaml-not-json"),
    pytest.param(b"[]", id="array-not-object"),
    pytest.param(b"null", id="null"),
    pytest.param(b'{"schema": 1}', id="only-schema"),
])
def test_unreadable_content_is_a_data_error(tmp_path, content):
    path = tmp_path / "kb.json"
    path.write_bytes(content)
    _assert_data_error(path)


def test_missing_file_is_a_data_error(tmp_path):
    _assert_data_error(tmp_path / "kb.json")


def test_directory_in_place_of_the_file_is_a_data_error(tmp_path):
    (tmp_path / "kb.json").mkdir()
    _assert_data_error(tmp_path / "kb.json")


@pytest.mark.parametrize("mutate", [case[1] for case in STRUCTURE],
                         ids=[case[0] for case in STRUCTURE])
def test_corrupted_structure_is_a_data_error(tmp_path, mutate):
    document = copy.deepcopy(PACKAGED)
    mutate(document)
    _assert_data_error(_write(tmp_path, document))


@pytest.mark.parametrize("mutate", [case[1] for case in WRONG_TYPES],
                         ids=[case[0] for case in WRONG_TYPES])
def test_wrong_field_types_are_a_data_error(tmp_path, mutate):
    document = copy.deepcopy(PACKAGED)
    mutate(document)
    _assert_data_error(_write(tmp_path, document))


def test_wrong_version_is_named_in_the_message(tmp_path):
    document = dict(PACKAGED, schema=knowledge.SCHEMA_VERSION + 1)
    message = _assert_data_error(_write(tmp_path, document))
    assert f"schema {knowledge.SCHEMA_VERSION + 1}" in message
    assert f"expected {knowledge.SCHEMA_VERSION}" in message


# ---------------------------------------------------------------------------- through the CLI


def _cli_with_kb(tmp_path: Path, kb_path: Path, *args: str) -> harness.Ran:
    env = harness.guarded_env(tmp_path / "markers", extra={"SPAPI_GUARD_KB": str(kb_path)})
    return harness.spapi_roles(*args, cwd=tmp_path, env=env)


CLI_COMMANDS: Dict[str, Tuple[str, ...]] = {
    "explain": ("explain", "getOrders"),
    "data-export": ("data", "export"),
    "check": ("check", "app.py"),
}


@pytest.mark.parametrize("command", list(CLI_COMMANDS))
@pytest.mark.parametrize("corruption", ["truncated", "schema-version-2", "operation-row-short"])
def test_cli_reports_corrupt_data_in_one_line_with_exit_2(tmp_path, command, corruption):
    if corruption == "truncated":
        kb_path = tmp_path / "kb.json"
        kb_path.write_text(json.dumps(PACKAGED)[:1000])
    else:
        document = copy.deepcopy(PACKAGED)
        dict(STRUCTURE)[corruption](document)
        kb_path = _write(tmp_path, document)
    (tmp_path / "app.py").write_text('from sp_api.api import Orders\n\nOrders().get_orders()\n')
    (tmp_path / "spapi-roles.toml").write_text("roles = []\n")
    ran = _cli_with_kb(tmp_path, kb_path, *CLI_COMMANDS[command])
    harness.assert_no_traceback(ran)
    assert ran.returncode == 2, ran.describe()
    assert len(ran.stderr_lines) == 1, ran.describe()
    assert str(kb_path) in ran.stderr_lines[0], ran.describe()
    assert ran.stdout == "", ran.describe()


def test_cli_with_an_unchanged_copy_works(tmp_path):
    """Positive control for the redirect: the same command succeeds on an intact copy."""
    kb_path = _write(tmp_path, PACKAGED)
    ran = _cli_with_kb(tmp_path, kb_path, "explain", "getOrders")
    harness.assert_no_traceback(ran)
    assert ran.returncode == 0, ran.describe()
    assert "getOrders" in ran.stdout


# ---------------------------------------------------------------------------- through flake8


@pytest.mark.parametrize("corruption", ["truncated", "schema-version-2", "role-aliases-string"])
def test_flake8_reports_corrupt_data_as_spr001_never_silence(tmp_path, corruption):
    """flake8 cannot stop with exit 2: each governed file gets one SPR001 naming the data file."""
    if corruption == "truncated":
        kb_path = tmp_path / "kb.json"
        kb_path.write_text(json.dumps(PACKAGED)[:1000])
    else:
        document = copy.deepcopy(PACKAGED)
        dict(STRUCTURE + [case[:2] for case in WRONG_TYPES])[corruption](document)
        kb_path = _write(tmp_path, document)
    (tmp_path / "app.py").write_text('from sp_api.api import Orders\n\nOrders().get_orders()\n')
    (tmp_path / "plain.py").write_text("print('no SP-API here')\n")
    (tmp_path / "spapi-roles.toml").write_text("roles = []\n")
    env = harness.guarded_env(tmp_path / "markers", extra={"SPAPI_GUARD_KB": str(kb_path)})
    ran = harness.flake8("--select=SPR", "app.py", "plain.py", cwd=tmp_path, env=env)
    harness.assert_no_traceback(ran)
    assert ran.returncode == 1, ran.describe()
    lines = ran.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["app.py", "plain.py"], ran.describe()
    assert all(":1:1: SPR001 " in line and str(kb_path) in line for line in lines)


# ---------------------------------------------------------------------------- the client tables

CLIENTS_PATH = Path(clients_module.DATA_PATH)
CLIENTS = json.loads(CLIENTS_PATH.read_text(encoding="utf-8"))
CLIENT_CORRUPTIONS: List[Tuple[str, Callable[[], bytes]]] = [
    ("truncated", lambda: CLIENTS_PATH.read_bytes()[:1000]),
    ("empty-file", lambda: b""),
    ("format-2", lambda: json.dumps(dict(CLIENTS, format=2)).encode()),
    ("classes-missing", lambda: json.dumps({k: v for k, v in CLIENTS.items()
                                            if k != "classes"}).encode()),
    ("array-not-object", lambda: b"[]"),
]


@pytest.mark.parametrize("make", [case[1] for case in CLIENT_CORRUPTIONS],
                         ids=[case[0] for case in CLIENT_CORRUPTIONS])
def test_corrupt_client_tables_are_a_data_error(tmp_path, monkeypatch, make):
    monkeypatch.setattr(clients_module, "_CACHE", {})
    path = tmp_path / "clients.json"
    path.write_bytes(make())
    with pytest.raises(DataError) as caught:
        clients_module.load(str(path))
    message = str(caught.value)
    assert str(path) in message and "\n" not in message


@pytest.mark.parametrize("tool", ["cli", "flake8"])
def test_corrupt_client_tables_through_the_tools(tmp_path, tool):
    path = tmp_path / "clients.json"
    path.write_bytes(CLIENTS_PATH.read_bytes()[:1000])
    (tmp_path / "app.py").write_text('from sp_api.api import Orders\n\nOrders().get_orders()\n')
    (tmp_path / "spapi-roles.toml").write_text("roles = []\n")
    env = harness.guarded_env(tmp_path / "markers", extra={"SPAPI_GUARD_CLIENTS": str(path)})
    if tool == "cli":
        ran = harness.spapi_roles("check", "app.py", cwd=tmp_path, env=env)
        harness.assert_no_traceback(ran)
        assert ran.returncode == 2 and ran.stdout == "", ran.describe()
        [line] = ran.stderr_lines
    else:
        ran = harness.flake8("--select=SPR", "app.py", cwd=tmp_path, env=env)
        harness.assert_no_traceback(ran)
        assert ran.returncode == 1, ran.describe()
        [line] = ran.stdout.splitlines()
        assert line.startswith("app.py:1:1: SPR001 "), ran.describe()
    assert str(path) in line, ran.describe()
