"""Writing manifests: a new least-privilege one (``init``) and added roles (``check --fix``).

Both write atomically (a temporary file in the manifest's directory, fsync, rename)
under a lock file ``<manifest>.lock``, so two runs at once are serialised, and neither
ever replaces a manifest that changed after it was read.

:func:`add_roles` edits the text itself: every byte outside the roles array stays as it
was, and the new roles go at the end of the array in its style (one per line with the
same indentation and comma style in multi-line arrays, aligned under the last role when
the closing bracket shares its line, inline in one-line arrays; the quote style of the
last role). The result is checked by parsing it again: it must hold exactly the old
settings plus the new roles, or nothing is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import sys
import tempfile
import time
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import tomlkit

from spapi_roles import knowledge, reading, toml_layout
from spapi_roles.errors import UserError
from spapi_roles.manifest import (
    PYPROJECT_NAME,
    TOOL_TABLE,
    decode_manifest,
    parse_manifest_text,
    parse_toml,
    read_manifest_bytes,
    read_manifest_text,
    tool_table,
)

LOCK_TIMEOUT_SECONDS = 10.0
STALE_LOCK_SECONDS = 60.0
BOM = b"\xef\xbb\xbf"
REASONS_PER_ROLE = 5  # reason comments written per role; the rest are counted
INLINE_ARRAY_WIDTH = 100  # a one-line roles array longer than this is written one role per line

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")

HEADER = """\
# SP-API roles this app registration holds; spapi-roles checks the code against them.
# Written by `spapi-roles init`: the fewest roles that grant every SP-API use found,
# avoiding restricted roles where possible. Each role lists the uses that need it.
"""


# ---------------------------------------------------------------------------
# Files: lock, read, atomic write


@contextlib.contextmanager
def manifest_lock(path: str, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    """Hold ``<path>.lock`` (created exclusively, already holding this process's id) while
    editing ``path``; on taking it, remove what runs killed while holding it left behind.

    A lock that holds no live process id (empty, garbage, a process that no longer runs) is
    taken over at once, one older than a minute too; after ``timeout`` seconds of waiting a
    UserError says who holds it.
    """
    lock = path + ".lock"
    deadline = time.monotonic() + timeout
    while True:
        try:
            _create_lock(lock)
            break
        except FileExistsError:
            pass
        except OSError as error:
            raise UserError(f"cannot create the lock file {lock}: {error.strerror or error}",
                            path) from None
        if time.monotonic() > deadline:
            raise UserError("another spapi-roles run is editing the manifest; if none is, "
                            f"delete {lock}", path)
        if _lock_is_stale(lock):
            try:
                os.unlink(lock)
                continue
            except FileNotFoundError:
                continue
            except OSError:
                pass  # cannot be removed (a directory?): wait, then say so
        time.sleep(0.02)
    try:
        _remove_orphans(path)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)


def _write_identity(path: str) -> None:
    """Create ``path`` exclusively, holding this process's id and host."""
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    try:
        os.write(descriptor, f"{os.getpid()} {socket.gethostname()}\n".encode())
    finally:
        os.close(descriptor)


def _create_lock(lock: str) -> None:
    """Create ``lock`` holding this process's id and host, in one step where the file system
    has hard links (so a lock file is never seen empty); FileExistsError if it is held."""
    directory, name = os.path.split(lock)
    temporary = os.path.join(directory, f".{name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)
    _write_identity(temporary)
    try:
        os.link(temporary, lock)
    except FileNotFoundError:  # removed by the lock's holder as an orphan: as if held
        raise FileExistsError(lock) from None
    except FileExistsError:
        raise
    except OSError:  # no hard links on this file system: create, then write
        _write_identity(lock)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _lock_is_stale(lock: str) -> bool:
    """Whether no live spapi-roles run holds ``lock``: it holds no process id (empty: a run was
    killed before writing one, or garbage), the process is gone, or it is older than a minute.
    A lock from another host is judged by its age only."""
    try:
        words = reading.read_bytes(lock, reading.LOCK).decode("utf-8", "replace").split()
        age = time.time() - os.stat(lock).st_mtime
    except reading.ReadError as error:
        return not error.missing  # gone meanwhile: just try again
    except OSError:
        return False
    if age > STALE_LOCK_SECONDS or not words or not words[0].isdigit():
        return True
    host = words[1] if len(words) > 1 else socket.gethostname()
    if host != socket.gethostname() or sys.platform == "win32":
        return False  # another host's process, or no cheap liveness test: wait
    try:
        os.kill(int(words[0]), 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False
    return False


def _remove_orphans(path: str) -> None:
    """Remove the temporary files of runs killed while editing ``path``: they are made only
    under its lock, so while this run holds the lock, any there is an orphan."""
    directory, name = os.path.split(path)
    prefix = f".{name}."
    try:
        names = os.listdir(directory or os.curdir)
    except OSError:
        return
    for orphan in names:
        if orphan.startswith(prefix) and orphan.endswith(".tmp"):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(directory, orphan))


def _fingerprint(path: str) -> Optional[str]:
    try:
        return reading.digest(path, reading.MANIFEST)
    except reading.ReadError:
        return None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _temporary(data: bytes, target: str, mode: int, path: str) -> str:
    """A temporary file next to the manifest ``target`` holding ``data`` (synced), with ``mode``."""
    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=os.path.dirname(target))
    except OSError as error:
        raise UserError(f"cannot write next to the manifest: {error.strerror or error}",
                        path) from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


def _write_atomically(path: str, target: str, text: str, expected: Optional[str],
                      replace: bool) -> bool:
    """Write ``text`` to ``target`` (``path`` resolved) via a temporary file and a rename.

    ``expected`` is the fingerprint the file had when it was read (None: it did not exist).
    Returns False, having kept the manifest as another writer left it, when it changed
    meanwhile: up to the rename, or in the replaced file in the instant before the rename (that
    edit is put back). An editor writing at the very same moment as the rename may still lose
    its edit; other spapi-roles runs never do (they wait for the lock).
    """
    directory = os.path.dirname(target)
    data = text.encode("utf-8")
    _, mode = reading.write_target(target, "manifest")
    temporary = _temporary(data, target, mode, path)
    try:
        if not replace:
            if _fingerprint(target) != expected:
                return False
            _link_new(temporary, target, path)
        else:
            with reading.held_open(target, reading.MANIFEST) as replaced:
                if _digest(replaced()) != expected:  # the last look, right before the rename
                    return False
                os.replace(temporary, target)
                late = replaced()
            if _digest(late) != expected:
                _put_back(late, target, data, mode, path)
                return False
        _fsync_directory(directory)
        return True
    except reading.ReadError:
        return False  # the manifest went away or changed kind meanwhile: read it again
    except OSError as error:
        raise UserError(f"cannot write the manifest: {error.strerror or error}", path) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _put_back(late: bytes, target: str, ours: bytes, mode: int, path: str) -> None:
    """An edit landed in the file this run replaced: put that file back, unless the manifest
    changed yet again since (then the newest content stays)."""
    temporary = _temporary(late, target, mode, path)
    try:
        if _fingerprint(target) == _digest(ours):
            os.replace(temporary, target)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _link_new(temporary: str, target: str, path: str) -> None:
    """Put ``temporary`` at ``target`` only if nothing is there (hard link, no race)."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise UserError("already exists; not overwriting it", path) from None
    except OSError:  # no hard links on this file system
        if os.path.lexists(target):
            raise UserError("already exists; not overwriting it", path) from None
        os.replace(temporary, target)


def _fsync_directory(directory: str) -> None:
    """Make the rename durable where the OS allows syncing a directory."""
    with contextlib.suppress(OSError, AttributeError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


# ---------------------------------------------------------------------------
# Text helpers


def _toml_string(value: str, quote: str = '"') -> str:
    if quote == "'" and "'" not in value and not _CONTROL.search(value):
        return f"'{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = _CONTROL.sub(lambda match: "".join(f"\\u{ord(c):04x}" for c in match.group()),
                           escaped)
    return f'"{escaped}"'


def _comment_lines(reasons: Sequence[str], indent: str) -> List[str]:
    """Reason comments, one line each, control characters removed, file names that are not
    UTF-8 written ``\\xNN``, capped."""
    cleaned = [" ".join(_CONTROL.sub(" ", reading.printable(reason)).split()) for reason in reasons]
    cleaned = [reason for reason in cleaned if reason]
    lines = [f"{indent}# {reason}" for reason in cleaned[:REASONS_PER_ROLE]]
    if len(cleaned) > REASONS_PER_ROLE:
        lines.append(f"{indent}# ... and {len(cleaned) - REASONS_PER_ROLE} more")
    return lines


def _canonical_roles(roles: Sequence[str]) -> List[str]:
    """Canonical names, in order, without repeats; an unknown name is a UserError."""
    kb = knowledge.load()
    result: List[str] = []
    for written in roles:
        role = kb.role_named(written)
        if role is None:
            raise UserError(f"unknown role `{written}`")
        if role.name not in result:
            result.append(role.name)
    return result


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


# ---------------------------------------------------------------------------
# Adding roles to an existing manifest


def _roles_key(path: str, text: str) -> Tuple[str, ...]:
    if os.path.basename(path) != PYPROJECT_NAME:
        return ("roles",)
    key, _ = tool_table(parse_toml(text, path))
    return ("tool", key or TOOL_TABLE, "roles")


def _insert_into_array(text: str, layout: toml_layout.Layout, array: toml_layout.ArraySpan,
                       values: List[str], reasons: List[List[str]]) -> str:
    """``text`` with ``values`` (TOML strings) appended to ``array`` in its style."""
    newline = _newline(text)
    elements = array.elements
    last = elements[-1] if elements else None
    multiline = "\n" in text[array.start:array.end]
    trailing = last.comma is not None if last else multiline
    items = [value + ("," if index < len(values) - 1 or trailing else "")
             for index, value in enumerate(values)]
    comma_fix = "," if last is not None and last.comma is None else ""
    edits: List[Tuple[int, str]] = []

    if not multiline:
        if last is None:
            edits.append((array.start + 1, " ".join(items)))
        else:
            at = last.comma + 1 if last.comma is not None else last.end
            edits.append((at, comma_fix + "".join(" " + item for item in items)))
        edited = _applied(text, edits)
        line_start = layout.line_start(array.start)
        line_end = edited.find("\n", line_start)
        line_end = len(edited) if line_end < 0 else line_end
        if len(edited[line_start:line_end].rstrip("\r")) > INLINE_ARRAY_WIDTH:
            return _one_per_line(text, layout, array, values, reasons)
    else:
        closing_line = layout.line_start(array.end)
        closing_alone = not text[closing_line:array.end].strip()
        on_opener = last is not None and last.line == layout.line_at(array.start)
        if closing_alone and not on_opener:
            indent = _array_indent(text, layout, array)
            lines: List[str] = []
            for item, why in zip(items, reasons):
                lines.extend(_comment_lines(why, indent))
                lines.append(indent + item)
            if comma_fix and last is not None:
                edits.append((last.end, comma_fix))
            edits.append((closing_line, newline.join(lines) + newline))
        else:
            assert last is not None  # an empty array's bracket never shares a line with a role
            line_start = layout.line_start(last.start)
            first_on_line = next(e for e in elements if e.line == last.line)
            pad = "".join(c if c == "\t" else " " for c in text[line_start:first_on_line.start])
            after = last.comma + 1 if last.comma is not None else last.end
            line_end = text.find("\n", after)
            line_end = len(text) if line_end < 0 else line_end
            rest = text[after:line_end].strip()
            if not rest or rest.startswith("#"):
                at = line_end - 1 if text[line_end - 1:line_end] == "\r" else line_end
                if comma_fix:
                    edits.append((last.end, comma_fix))
                    comma_fix = ""
            else:
                at = after
            edits.append((at, comma_fix + "".join(newline + pad + item for item in items)))
    return _applied(text, edits)


def _applied(text: str, edits: List[Tuple[int, str]]) -> str:
    for offset, insertion in sorted(edits, reverse=True):
        text = text[:offset] + insertion + text[offset:]
    return text


def _one_per_line(text: str, layout: toml_layout.Layout, array: toml_layout.ArraySpan,
                  values: List[str], reasons: List[List[str]]) -> str:
    """``text`` with the one-line ``array`` rewritten one role per line, ``values`` appended with
    the comments of their uses; the roles already there keep their spelling and quotes."""
    newline = _newline(text)
    line_start = layout.line_start(array.start)
    before = text[line_start:array.start]
    indent = before[:len(before) - len(before.lstrip())] + "    "
    lines = ["["]
    lines += [f"{indent}{text[element.start:element.end]}," for element in array.elements]
    for value, why in zip(values, reasons):
        lines.extend(_comment_lines(why, indent))
        lines.append(f"{indent}{value},")
    lines.append(before[:len(before) - len(before.lstrip())] + "]")
    return text[:array.start] + newline.join(lines) + text[array.end + 1:]  # end: the "]"


def _line_end(text: str, line: int) -> int:
    """The offset just after line ``line`` (1-based) of ``text``, its line break included."""
    offset = 0
    for _ in range(line):
        found = text.find("\n", offset)
        if found < 0:
            return len(text)
        offset = found + 1
    return offset


def _array_indent(text: str, layout: toml_layout.Layout, array: toml_layout.ArraySpan) -> str:
    """Indentation of the last role's line, else of a comment line inside the array."""
    if array.elements:
        last = array.elements[-1]
        before = text[layout.line_start(last.start):last.start]
        return before[:len(before) - len(before.lstrip())]
    first_line = layout.line_at(array.start) + 1
    last_line = layout.line_at(array.end)
    lines = text.split("\n")
    for number in range(first_line, last_line):
        content = lines[number - 1]
        if content.strip():
            return content[:len(content) - len(content.lstrip())]
    return "    "


def _with_roles_added(path: str, text: str, key: Tuple[str, ...], roles: List[str],
                      reasons: Dict[str, List[str]]) -> str:
    """The manifest text with ``roles`` appended to its roles array."""
    layout = toml_layout.scan(text)
    found = layout.assignment(key)
    if found is not None and found.array is not None:
        elements = found.array.elements
        quote = "'" if elements and text[elements[-1].start] == "'" else '"'
        values = [_toml_string(role, quote) for role in roles]
        return _insert_into_array(text, layout, found.array, values,
                                  [reasons.get(role, []) for role in roles])
    # Roles written where the scanner does not look (inside an inline table): tomlkit.
    document = tomlkit.parse(text)
    container: Any = document
    for part in key[:-1]:
        container = container[part]
    for role in roles:
        container[key[-1]].append(role)
    return tomlkit.dumps(document)


def _check_edit(path: str, old_text: str, new_text: str, key: Tuple[str, ...],
                added: List[str]) -> None:
    """The edited text must parse to the old settings plus exactly the added roles."""
    expected = parse_toml(old_text, path)
    container = expected
    for part in key[:-1]:
        container = container[part]
    container[key[-1]] = list(container[key[-1]]) + added
    try:
        actual = parse_toml(new_text, path)
    except UserError:
        actual = None
    if actual != expected:
        raise UserError("cannot add the roles without disturbing the manifest; add them by "
                        "hand: " + ", ".join(added), path)
    parse_manifest_text(path, new_text)


def add_roles(path: str, roles: Sequence[str],
              reasons: Optional[Dict[str, List[str]]] = None) -> List[str]:
    """Add roles to the manifest at ``path``; return those that were not there yet.

    ``reasons`` maps a role to the uses that need it; in multi-line arrays they are
    written as comment lines above the role. The manifest must be valid before the
    edit. If it changes while being edited, the edit is made again on the new text
    once; if it changes again, a UserError says so and nothing is written.
    """
    wanted = _canonical_roles(roles)
    reasons = {role.name: list(why) for written, why in (reasons or {}).items()
               for role in [knowledge.load().role_named(written)] if role is not None}
    target = os.path.realpath(path)
    with manifest_lock(target):
        for _attempt in range(2):
            data = read_manifest_bytes(path)
            text = decode_manifest(data, path)
            manifest = parse_manifest_text(path, text)
            added = [role for role in wanted if role not in manifest.roles]
            if not added:
                return []
            key = _roles_key(path, text)
            new_text = _with_roles_added(path, text, key, added, reasons)
            _check_edit(path, text, new_text, key, added)
            if data.startswith(BOM):
                new_text = "\ufeff" + new_text
            if _write_atomically(path, target, new_text, _digest(data), replace=True):
                return added
    raise UserError("the manifest keeps changing while spapi-roles edits it; not writing it; "
                    "run again", path)


# ---------------------------------------------------------------------------
# A new manifest


def manifest_body(roles_with_reasons: Dict[str, List[str]], account: Optional[str] = None,
                  newline: str = "\n", regions: Sequence[str] = ()) -> str:
    """The settings of a new manifest: sorted roles, each after the comments of its uses; the
    account type and the regions when given."""
    roles = sorted(_canonical_roles(list(roles_with_reasons)))
    by_canonical: Dict[str, List[str]] = {}
    kb = knowledge.load()
    for written, why in roles_with_reasons.items():
        known = kb.role_named(written)
        by_canonical.setdefault(known.name if known else written, []).extend(why)
    if roles:
        lines = ["roles = ["]
        for role in roles:
            lines.extend(_comment_lines(by_canonical.get(role, []), "    "))
            lines.append(f"    {_toml_string(role)},")
        lines.append("]")
    else:
        lines = ["roles = []"]
    if account is not None:
        lines.append(f"account = {_toml_string(account)}")
    if regions:
        lines.append("regions = [" + ", ".join(_toml_string(region) for region in regions) + "]")
    return newline.join(lines) + newline


def write_new_manifest(path: str, roles_with_reasons: Dict[str, List[str]],
                       account: Optional[str] = None, overwrite: bool = False,
                       regions: Sequence[str] = ()) -> None:
    """Write a new manifest holding these roles, commented with the uses that need them.

    ``path`` is a ``spapi-roles.toml`` (any name but pyproject.toml), written whole; an
    existing file is a UserError unless ``overwrite``. For a ``pyproject.toml`` a
    ``[tool.spapi-roles]`` table is appended (the file is created if missing); a table that
    holds no ``roles`` yet (settings only) gets them at its top, every other byte kept; a table
    with roles is a UserError unless ``overwrite``, which replaces that table only.
    """
    target = os.path.realpath(path)
    is_pyproject = os.path.basename(path) == PYPROJECT_NAME
    with manifest_lock(target):
        exists = os.path.lexists(target)
        fingerprint = _fingerprint(target) if exists else None
        if not is_pyproject:
            if exists and not overwrite:
                raise UserError("already exists; not overwriting it", path)
            text = HEADER + "\n" + manifest_body(roles_with_reasons, account, regions=regions)
        else:
            text = _pyproject_with_table(path, target, exists, roles_with_reasons, account,
                                         overwrite, regions)
        parse_manifest_text(path, text)
        if not _write_atomically(path, target, text, fingerprint, replace=exists):
            raise UserError("the file changed while spapi-roles was writing it; run again", path)


def _pyproject_with_table(path: str, target: str, exists: bool,
                          roles_with_reasons: Dict[str, List[str]], account: Optional[str],
                          overwrite: bool, regions: Sequence[str] = ()) -> str:
    old = read_manifest_text(target) if exists else ""
    newline = _newline(old)
    data = parse_toml(old, path)
    key, table = tool_table(data)
    body = manifest_body(roles_with_reasons, account, newline, regions)
    comments = "".join(line + newline for line in HEADER.splitlines())
    if key is None:
        separator = "" if not old else (newline if old.endswith("\n") else newline * 2)
        return old + separator + comments + f"[tool.{TOOL_TABLE}]" + newline + body
    header = toml_layout.scan(old).tables.get(("tool", key))
    if isinstance(table, dict) and "roles" not in table and header is not None:
        body = manifest_body(roles_with_reasons, None if "account" in table else account,
                             newline, () if "regions" in table else regions)
        after_header = _line_end(old, header)
        return old[:after_header] + comments + body + old[after_header:]
    if not overwrite:
        raise UserError(f"already has a [tool.{key}] table; not overwriting it", path)
    document = tomlkit.parse(old)
    document["tool"][key] = tomlkit.parse(body)
    return tomlkit.dumps(document)
