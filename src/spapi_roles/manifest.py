"""The roles manifest: which SP-API roles the app registration holds.

Format (``spapi-roles.toml``, or the same keys under ``[tool.spapi-roles]`` in
``pyproject.toml``)::

    roles = ["Inventory and Order Tracking", "Pricing"]   # required; [] is valid
    account = "seller"            # optional: "seller" | "vendor" | "hybrid"
    regions = ["NA", "EU"]        # optional: any of "NA", "EU", "FE"
    root = true                   # optional: discovery never looks above this directory
    inferred = "warning"          # optional: level of findings resting only on inferred
                                  # roles, "error" (default) or "warning"

    [operations]                  # optional: roles of operations, where you know better
    getOrders = ["Inventory and Order Tracking"]   # any one grants; [] = needs no role

    [types]                       # optional: roles of report / feed / notification types
    GET_MERCHANT_LISTINGS_ALL_DATA = ["Product Listing"]

The run's settings may live beside them (``Settings``; the command line overrides each)::

    select = ["SPR"]              # codes (prefixes) to report; also ignore, extend-select,
    extend-ignore = ["SPR304"]    # extend-ignore, as ruff and flake8 spell them
    exclude = ["build/*"]         # glob patterns replacing the default excludes; extend-exclude
    format = "json"               # the output format
    fail-on = "warning"           # the lowest level that fails the run: error, warning, note
    jobs = 2                      # worker processes

Role names are matched forgivingly through the knowledge base (case, hyphens and
spaces, "(Restricted)" optional, Amazon's other spellings) and stored canonically.
Override keys are operationIds (an override applies to every version of the
operation; the operation must be one the knowledge base knows, as nothing else can be
detected) and type names (canonicalised when known; new type names are allowed, so a
type Amazon added lately can be given its roles).

Discovery (:func:`find_manifest`) walks from the checked file's directory upward. In
each directory ``spapi-roles.toml`` is the manifest if present, else ``pyproject.toml``
if it has a ``[tool.spapi-roles]`` table. The nearest manifest wins; manifests are never
merged, so each app of a monorepo can have its own. ``root = true`` marks a project
boundary: the walk never continues above a directory whose manifest says so. As the
nearest manifest already wins, this matters for a manifest that holds only
``root = true`` (no ``roles``, and nothing invalid): it is a stop marker, telling discovery
that files below it have no manifest rather than the one of an enclosing directory. A
manifest with a typo (``role = [...]``) is never one: it is reported like any other error.

Every problem is one :class:`~spapi_roles.errors.UserError` naming the file and, where
there is one, the line.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from spapi_roles import knowledge, reading, toml_layout
from spapi_roles.errors import UserError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

MANIFEST_NAME = "spapi-roles.toml"
PYPROJECT_NAME = "pyproject.toml"
TOOL_TABLE = "spapi-roles"
ACCOUNTS = ("seller", "vendor", "hybrid")
REGIONS = ("NA", "EU", "FE")
INFERRED_LEVELS = ("error", "warning")
# The run's settings, as ruff and flake8 spell them (``Settings``).
CODE_LIST_KEYS = ("select", "ignore", "extend-select", "extend-ignore")
PATTERN_LIST_KEYS = ("exclude", "extend-exclude")
SETTING_KEYS = CODE_LIST_KEYS + PATTERN_LIST_KEYS + ("format", "fail-on", "jobs")
FAIL_LEVELS = ("error", "warning", "note")
KEYS = ("roles", "account", "regions", "root", "inferred", "operations", "types") + SETTING_KEYS

_TOML_ERROR_LINE = re.compile(r"\(at line (\d+), column \d+\)|\(at end of document\)")
_OPERATION_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_TYPE_NAME = re.compile(r"[A-Za-z0-9_]+\Z")


@dataclass(frozen=True)
class Settings:
    """The run's settings a manifest holds (None / (): not given there)."""

    select: Optional[Tuple[str, ...]] = None
    ignore: Optional[Tuple[str, ...]] = None
    extend_select: Tuple[str, ...] = ()
    extend_ignore: Tuple[str, ...] = ()
    exclude: Optional[Tuple[str, ...]] = None
    extend_exclude: Tuple[str, ...] = ()
    format: Optional[str] = None
    fail_on: Optional[str] = None
    jobs: Optional[int] = None


@dataclass(frozen=True)
class Manifest:
    """A validated manifest; role names are canonical."""

    path: str
    roles: Tuple[str, ...]
    role_lines: Dict[str, int]
    account: Optional[str]
    regions: Tuple[str, ...]
    operation_overrides: Dict[str, Tuple[str, ...]]
    type_overrides: Dict[str, Tuple[str, ...]]
    root: bool
    inferred: Optional[str] = None  # level of findings resting only on inferred roles
    settings: Settings = Settings()


# ---------------------------------------------------------------------------
# Reading


def read_manifest_bytes(path: str) -> bytes:
    """The bytes of a manifest file, or a UserError saying why it cannot be read."""
    return reading.read_user_file(path, reading.MANIFEST)


def decode_manifest(data: bytes, path: str) -> str:
    """UTF-8 text (a byte order mark is allowed), or a UserError with the line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UserError(
            f"the manifest is not valid UTF-8 (byte 0x{data[error.start]:02x})", path, line
        ) from None


def read_manifest_text(path: str) -> str:
    """The text of a manifest file, or a UserError saying why it cannot be read."""
    return decode_manifest(read_manifest_bytes(path), path)


def parse_toml(text: str, path: str) -> Dict[str, Any]:
    """tomllib's parse, with a parser error turned into a located UserError."""
    try:
        document: Dict[str, Any] = tomllib.loads(text)  # untyped where tomli stands in
        return document
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_ERROR_LINE.search(message)
        if match and match.group(1):
            line: Optional[int] = int(match.group(1))
        elif match:
            line = text.count("\n") + 1
        else:
            line = None
        reason = _TOML_ERROR_LINE.sub("", message).strip().rstrip(".")
        raise UserError(f"invalid TOML: {reason[:1].lower()}{reason[1:]}", path, line) from None
    except RecursionError:
        raise UserError("invalid TOML: nested too deeply", path) from None


def _kind(value: Any) -> str:
    """How TOML would call a parsed value, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date/time"


def _did_you_mean(text: str, choices: List[str]) -> str:
    close = difflib.get_close_matches(text, choices, n=1, cutoff=0.6)
    if not close:
        folded = {choice.lower(): choice for choice in choices}
        close = [folded[text.lower()]] if text.lower() in folded else []
    return f"; did you mean `{close[0]}`?" if close else ""


def tool_table(data: Dict[str, Any]) -> Tuple[Optional[str], Any]:
    """The key and value of the spapi-roles table under [tool], matched loosely."""
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return None, None
    if TOOL_TABLE in tool:
        return TOOL_TABLE, tool[TOOL_TABLE]
    for key, value in tool.items():
        if re.sub(r"[-_ ]", "", key.lower()) == "spapiroles":
            return key, value
    return None, None


class _Validator:
    """Turns a parsed manifest table into a Manifest, or the first error in it."""

    def __init__(self, path: str, text: str, prefix: Tuple[str, ...]):
        self.path = path
        self.prefix = prefix
        self.layout = toml_layout.scan(text)
        self.kb = knowledge.load()

    def line(self, *key: str) -> Optional[int]:
        return self.layout.line_of(self.prefix + key)

    def element_lines(self, *key: str) -> List[Optional[int]]:
        found = self.layout.assignment(self.prefix + key)
        if found is None or found.array is None:
            return []
        return [element.line for element in found.array.elements]

    def fail(self, message: str, *key: str, line: Optional[int] = None) -> UserError:
        return UserError(message, self.path, line if line is not None else self.line(*key))

    def manifest(self, table: Dict[str, Any], marker: bool = False) -> Manifest:
        """The Manifest of ``table``; ``marker``: it may lack ``roles`` (a stop marker)."""
        for key in table:
            if key not in KEYS:
                raise self.fail(f"unknown key `{key}`{_did_you_mean(key, list(KEYS))}", key)
        if "roles" not in table and not marker:
            if table.get("root") is True:  # meant as a stop marker: what makes it invalid first
                self.manifest(table, marker=True)
            where = "[tool.spapi-roles]" if self.prefix else "the manifest"
            raise self.fail(f'{where} has no `roles` key; write e.g. `roles = ["Pricing"]` '
                            "(`roles = []` if the app needs none)")
        roles, role_lines = self.role_list(table.get("roles", []), "roles")
        account = self.account(table.get("account"))
        regions = self.regions(table.get("regions"))
        root = table.get("root", False)
        if not isinstance(root, bool):
            raise self.fail(f"`root` must be true or false, not {_kind(root)}", "root")
        inferred = table.get("inferred")
        if inferred is not None and inferred not in INFERRED_LEVELS:
            shown = f"`{inferred}`" if isinstance(inferred, str) else _kind(inferred)
            raise self.fail(f"`inferred` must be \"error\" or \"warning\", not {shown}",
                            "inferred")
        return Manifest(
            path=self.path,
            roles=roles,
            role_lines=role_lines,
            account=account,
            regions=regions,
            operation_overrides=self.operation_overrides(table.get("operations", {})),
            type_overrides=self.type_overrides(table.get("types", {})),
            root=root,
            inferred=inferred,
            settings=self.settings(table),
        )

    def settings(self, table: Dict[str, Any]) -> Settings:
        """The run's settings in ``table``, each checked."""
        found: Dict[str, Any] = {}
        for key in CODE_LIST_KEYS:
            if key in table:
                found[key.replace("-", "_")] = self.strings(table[key], key, self.code)
        for key in PATTERN_LIST_KEYS:
            if key in table:
                found[key.replace("-", "_")] = self.strings(table[key], key, None)
        if "format" in table:
            from .formats import FORMATS  # here: formats reads the checks, which read this

            found["format"] = self.choice(table["format"], "format", FORMATS)
        if "fail-on" in table:
            found["fail_on"] = self.choice(table["fail-on"], "fail-on", FAIL_LEVELS)
        if "jobs" in table:
            jobs = table["jobs"]
            if isinstance(jobs, bool) or not isinstance(jobs, int):
                raise self.fail(f"`jobs` must be a positive integer, not {_kind(jobs)}", "jobs")
            if jobs < 1:
                raise self.fail(f"`jobs` must be a positive integer, not {jobs}", "jobs")
            found["jobs"] = jobs
        return Settings(**found)

    def strings(self, value: Any, key: str,
                check: Optional[Callable[[str, str, Optional[int]], str]]) -> Tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(f"`{key}` must be an array of strings, not {_kind(value)}", key)
        lines = self.element_lines(key)
        items: List[str] = []
        for index, written in enumerate(value):
            line = lines[index] if index < len(lines) else None
            if not isinstance(written, str):
                raise self.fail(f"`{key}` must hold strings, not {_kind(written)}", key, line=line)
            items.append(check(written, key, line) if check else written)
        return tuple(items)

    def code(self, written: str, key: str, line: Optional[int]) -> str:
        from .rules import RULES  # here: the rules table is only needed when codes are given

        code = written.strip().upper()
        if not code or not any(known.startswith(code) for known in RULES):
            hint = _did_you_mean(code, list(RULES)) or "; codes: `spapi-roles explain SPR101`"
            raise self.fail(f"`{written}` in `{key}` matches no SPR code{hint}", key, line=line)
        return code

    def choice(self, value: Any, key: str, choices: Tuple[str, ...]) -> str:
        if not isinstance(value, str):
            raise self.fail(f"`{key}` must be a string, not {_kind(value)}", key)
        if value.strip().lower() not in choices:
            hint = _did_you_mean(value.strip().lower(), list(choices)) or (
                "; expected one of: " + ", ".join(choices))
            raise self.fail(f"unknown {key} `{value}`{hint}", key)
        return value.strip().lower()

    def role_list(self, value: Any, *key: str) -> Tuple[Tuple[str, ...], Dict[str, int]]:
        name = ".".join(key)
        if not isinstance(value, list):
            raise self.fail(f"`{name}` must be an array of role names, not {_kind(value)}", *key)
        lines = self.element_lines(*key)
        roles: List[str] = []
        role_lines: Dict[str, int] = {}
        for index, written in enumerate(value):
            line = lines[index] if index < len(lines) else None
            if not isinstance(written, str):
                raise self.fail(f"`{name}` must hold role names (strings), not {_kind(written)}",
                                *key, line=line)
            role = self.kb.role_named(written)
            if role is None:
                suggestion = self.kb.suggest_role(written)
                hint = (f"; did you mean `{suggestion}`?" if suggestion
                        else "; known roles: " + ", ".join(sorted(self.kb.roles)))
                if self.kb.mentioned_role(written) is not None:
                    hint = " (a name Amazon's pages use, but not an SP-API role)" + hint
                raise self.fail(f"unknown role `{written}`{hint}", *key, line=line)
            if role.name in roles:
                first = role_lines.get(role.name)
                again = f" (as `{written}`)" if written != role.name else ""
                where = f" on line {first}" if first else ""
                raise self.fail(f"duplicate role `{role.name}`{again}: already listed{where}",
                                *key, line=line)
            roles.append(role.name)
            if line is not None:
                role_lines[role.name] = line
        return tuple(roles), role_lines

    def account(self, value: Any) -> Optional[str]:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(f"`account` must be a string, not {_kind(value)}", "account")
        if value.strip().lower() not in ACCOUNTS:
            hint = _did_you_mean(value.strip().lower(), list(ACCOUNTS)) or (
                "; expected one of: " + ", ".join(ACCOUNTS))
            raise self.fail(f"unknown account `{value}`{hint}", "account")
        return value.strip().lower()

    def regions(self, value: Any) -> Tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(f"`regions` must be an array of region codes, not {_kind(value)}",
                            "regions")
        lines = self.element_lines("regions")
        regions: List[str] = []
        for index, written in enumerate(value):
            line = lines[index] if index < len(lines) else None
            if not isinstance(written, str):
                raise self.fail(f"`regions` must hold region codes (strings), not {_kind(written)}",
                                "regions", line=line)
            region = written.strip().upper()
            if region not in REGIONS:
                raise self.fail(f"unknown region `{written}`; SP-API regions are "
                                + ", ".join(REGIONS), "regions", line=line)
            if region in regions:
                raise self.fail(f"duplicate region `{region}`", "regions", line=line)
            regions.append(region)
        return tuple(regions)

    def override_table(self, value: Any, key: str) -> Dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"`{key}` must be a table of {key[:-1]} name = [roles], "
                            f"not {_kind(value)}", key)
        return value

    def operation_overrides(self, value: Any) -> Dict[str, Tuple[str, ...]]:
        overrides: Dict[str, Tuple[str, ...]] = {}
        known = sorted({operation.operation_id for operation in self.kb.operations.values()})
        for name, roles in self.override_table(value, "operations").items():
            if not _OPERATION_ID.match(name) or not self.kb.operations_named(name):
                raise self.fail(f"unknown operation `{name}` in [operations]"
                                f"{_did_you_mean(name, known)}", "operations", name)
            overrides[name] = self.role_list(roles, "operations", name)[0]
        return overrides

    def type_overrides(self, value: Any) -> Dict[str, Tuple[str, ...]]:
        overrides: Dict[str, Tuple[str, ...]] = {}
        for name, roles in self.override_table(value, "types").items():
            if not _TYPE_NAME.match(name):
                raise self.fail(f"`{name}` in [types] is not a report, feed or notification "
                                "type name", "types", name)
            known = self.kb.type_named(name)
            canonical = known.name if known is not None else name
            if canonical in overrides:
                raise self.fail(f"duplicate type `{canonical}` in [types]", "types", name)
            overrides[canonical] = self.role_list(roles, "types", name)[0]
        return overrides


def load_manifest(path: str) -> Manifest:
    """Read and validate the manifest at ``path`` (spapi-roles.toml or pyproject.toml)."""
    return parse_manifest_text(path, read_manifest_text(path))


def parse_manifest_text(path: str, text: str) -> Manifest:
    """Validate manifest ``text`` read from ``path`` (whose name says which kind it is)."""
    if not text.strip():
        raise UserError('the manifest is empty; it needs at least `roles = [...]`', path)
    data = parse_toml(text, path)
    if os.path.basename(path) == PYPROJECT_NAME:
        key, table = tool_table(data)
        if key is None:
            raise UserError(f"has no [tool.{TOOL_TABLE}] table", path)
        validator = _Validator(path, text, ("tool", key))
        if key != TOOL_TABLE:
            raise validator.fail(f"the table is spelled [tool.{key}]; write [tool.{TOOL_TABLE}]")
        if not isinstance(table, dict):
            raise validator.fail(f"`tool.{TOOL_TABLE}` must be a table, not {_kind(table)}")
        return validator.manifest(table)
    return _Validator(path, text, ()).manifest(data)


# ---------------------------------------------------------------------------
# Discovery

_PEEK_CACHE: Dict[Tuple[str, int, int], Optional[Dict[str, Any]]] = {}


def _peek(path: str) -> Optional[Dict[str, Any]]:
    """The parsed TOML of ``path`` (cached on its stat), or None if it does not parse."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    cache_key = (path, stat.st_mtime_ns, stat.st_size)
    if cache_key not in _PEEK_CACHE:
        try:
            data = reading.read_bytes(path, reading.MANIFEST)
            _PEEK_CACHE[cache_key] = tomllib.loads(data.decode("utf-8-sig"))
        except (reading.ReadError, ValueError, RecursionError):  # TOMLDecodeError, UnicodeError
            _PEEK_CACHE[cache_key] = None
    return _PEEK_CACHE[cache_key]


def _is_stop_marker(path: str, table: Any) -> bool:
    """Whether the manifest table at ``path`` is a stop marker: ``root = true``, no ``roles``, and
    valid otherwise. One with a typo (``role = [...]``) is not: loading it reports the typo."""
    if not (isinstance(table, dict) and table.get("root") is True and "roles" not in table):
        return False
    prefix = ("tool", TOOL_TABLE) if os.path.basename(path) == PYPROJECT_NAME else ()
    try:
        _Validator(path, "", prefix).manifest(table, marker=True)
    except UserError:
        return False
    return True


def _pyproject_table(path: str) -> Tuple[bool, Any]:
    """Whether a pyproject.toml holds a manifest (unparsable ones do if they mention it), and its
    table (None where the key is misspelt: loading it reports that)."""
    data = _peek(path)
    if data is None:
        try:
            return b"spapi-roles" in reading.read_bytes(path, reading.MANIFEST), None
        except reading.ReadError:
            return False, None
    key, table = tool_table(data)
    return key is not None, table if key == TOOL_TABLE else None


def pyproject_holds_manifest(path: str) -> bool:
    """Whether the ``pyproject.toml`` at ``path`` holds a ``[tool.spapi-roles]`` table."""
    return _pyproject_table(path)[0]


def find_manifest(file_path: str) -> Optional[str]:
    """The manifest that governs ``file_path`` (a file or a directory), or None.

    Walks upward from the file's directory: in each directory ``spapi-roles.toml``,
    else a ``pyproject.toml`` with a ``[tool.spapi-roles]`` table; the nearest wins.
    A valid manifest holding ``root = true`` and no ``roles`` is a stop marker: the result
    is None. Files that cannot be read or parsed are returned, so that loading them
    reports the problem. The result is relative when ``file_path`` is.
    """
    found, _ = locate_manifest(file_path)
    return found


def locate_manifest(file_path: str) -> Tuple[Optional[str], Optional[str]]:
    """The manifest governing ``file_path`` (as ``find_manifest``) and the directory where the
    upward walk stopped: the governing manifest's, a stop marker's, or None (no manifest above)."""
    start = os.path.abspath(file_path)
    directory = start if os.path.isdir(start) else os.path.dirname(start)
    while True:
        candidate = os.path.join(directory, MANIFEST_NAME)
        found: Optional[str] = None
        if os.path.lexists(candidate):
            found = candidate
            table = _peek(candidate)
        else:
            pyproject = os.path.join(directory, PYPROJECT_NAME)
            if os.path.isfile(pyproject):
                has_table, table = _pyproject_table(pyproject)
                found = pyproject if has_table else None
        if found is not None:
            if _is_stop_marker(found, table):
                return None, directory
            return (found if os.path.isabs(file_path) else os.path.relpath(found)), directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None, None
        directory = parent


_MANIFEST_CACHE: Dict[Tuple[str, int, int], Manifest] = {}


def manifest_for(file_path: str, explicit: Optional[str] = None) -> Optional[Manifest]:
    """The manifest for ``file_path``: ``explicit`` if given, else the one discovered.

    Loaded manifests are cached per process on (path, mtime_ns, size), so a manifest
    edited meanwhile is read again.
    """
    path = explicit if explicit else find_manifest(file_path)
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return load_manifest(path)  # raises the located error
    cache_key = (os.path.abspath(path), stat.st_mtime_ns, stat.st_size)
    if cache_key not in _MANIFEST_CACHE:
        _MANIFEST_CACHE[cache_key] = load_manifest(path)
    return _MANIFEST_CACHE[cache_key]
