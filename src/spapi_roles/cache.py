"""The analysis cache: a project's uses, reused while nothing they depend on changed.

One JSON file per project root in the user cache directory (``SPAPI_ROLES_CACHE_DIR`` overrides
it), holding

- ``files``: each file's content hash (SHA-256) with the size and mtime it had when hashed, so that
  an unchanged file is not read again (git's index does the same). A file whose mtime was within
  ``RACY_SECONDS`` of the run is not recorded, so an edit in the same clock tick cannot hide;
- ``runs``: the uses found, by *project fingerprint*: a hash of the tool fingerprint (version plus
  the package's own sources, so an editable install under development never reads stale
  results), the data version (a hash of the packaged data files) and every checked file's
  path and content hash. The engine's project index and every file's analysis are functions of
  exactly these, so equal fingerprints mean equal uses. The last ``KEEP_RUNS`` are kept (a
  whole-project run and the per-commit subsets of pre-commit do not evict each other at once).

Writes are atomic (temporary file + rename). A missing, corrupt or unreadable cache is ignored,
never an error; so is a cache directory that cannot be written.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from . import __version__, reading
from .uses import Use

FORMAT = 1
ENV_DIR = "SPAPI_ROLES_CACHE_DIR"
RACY_SECONDS = 2.0
KEEP_RUNS = 4
UNREADABLE = "unreadable"
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_DATA_DIR = os.path.join(_PACKAGE_DIR, "data")

FileRecord = Tuple[int, int, str]  # (size, mtime_ns, content hash)


def cache_dir() -> str:
    """Where cache files live: ``$SPAPI_ROLES_CACHE_DIR`` or the platform's user cache directory."""
    explicit = os.environ.get(ENV_DIR)
    if explicit:
        return explicit
    import platformdirs

    return platformdirs.user_cache_dir("spapi-roles")


def _digest_files(paths: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(os.path.relpath(path, _PACKAGE_DIR).encode() + b"\0")
        try:
            with open(path, "rb") as handle:
                digest.update(handle.read())
        except OSError:
            digest.update(b"\0missing")
    return digest.hexdigest()[:20]


def _files_under(directory: str, suffix: str) -> List[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = [name for name in dirnames if name != "__pycache__"]
        found += [os.path.join(dirpath, name) for name in filenames if name.endswith(suffix)]
    return found


_FINGERPRINTS: Dict[str, str] = {}


def tool_fingerprint() -> str:
    """The tool version plus a hash of the package's Python sources (computed once per process)."""
    if "tool" not in _FINGERPRINTS:
        _FINGERPRINTS["tool"] = f"{__version__}+{_digest_files(_files_under(_PACKAGE_DIR, '.py'))}"
    return _FINGERPRINTS["tool"]


def data_fingerprint() -> str:
    """A hash of the packaged data files (knowledge base, client tables), once per process."""
    if "data" not in _FINGERPRINTS:
        _FINGERPRINTS["data"] = _digest_files(_files_under(_DATA_DIR, ".json"))
    return _FINGERPRINTS["data"]


def content_hash(path: str) -> str:
    """SHA-256 of the file's bytes, or ``UNREADABLE`` (also past the reader's size limit)."""
    try:
        return reading.digest(path, reading.SOURCE)
    except reading.ReadError:
        return UNREADABLE


# ---------------------------------------------------------------------------- uses <-> JSON


def encode_uses(uses: Iterable[Use], root: str) -> list:
    """Uses as JSON rows, their paths relative to ``root``."""
    return [
        [
            os.path.relpath(u.path, root).replace(os.sep, "/"),
            u.line,
            u.column,
            u.kind,
            u.name,
            u.evidence,
            u.api,
            u.version,
            list(u.operation_keys),
            u.via,
        ]
        for u in uses
    ]


def decode_uses(rows: object, root: str) -> List[Use]:
    """Uses of ``rows`` with absolute paths under ``root``; ValueError if anything is malformed."""
    if not isinstance(rows, list):
        raise ValueError("malformed cached uses")
    uses = []
    for row in rows:
        if not isinstance(row, list) or len(row) != 10:
            raise ValueError("malformed cached use")
        path, line, column, kind, name, evidence, api, version, keys, via = row
        texts = (path, kind, name, evidence, api, version, via)
        if not (
            isinstance(line, int)
            and isinstance(column, int)
            and isinstance(keys, list)
            and all(isinstance(text, str) for text in texts + tuple(keys))
        ):
            raise ValueError("malformed cached use")
        absolute = os.path.normpath(os.path.join(root, path.replace("/", os.sep)))
        uses.append(
            Use(absolute, line, column, kind, name, evidence, api, version, tuple(keys), via)
        )
    return uses


# ---------------------------------------------------------------------------- the cache


class AnalysisCache:
    """Content hashes and cached uses of one project (files keyed by path relative to its root)."""

    def __init__(self, root: str, directory: Optional[str] = None):
        self.root = os.path.abspath(root)
        name = hashlib.sha256(self.root.encode("utf-8", "surrogateescape")).hexdigest()[:24]
        self.path = os.path.join(directory or cache_dir(), f"v{FORMAT}", f"{name}.json")
        self.files: Dict[str, FileRecord] = {}
        self.runs: Dict[str, list] = {}  # project fingerprint -> use rows, most recent first
        self.changed = False

    def load(self) -> "AnalysisCache":
        """Read the cache file; anything missing, stale or malformed is left out."""
        try:
            doc = json.loads(reading.read_bytes(self.path, reading.CACHE))
        except (reading.ReadError, ValueError, RecursionError):
            return self
        if not (
            isinstance(doc, dict)
            and doc.get("format") == FORMAT
            and doc.get("root") == self.root
            and doc.get("tool") == tool_fingerprint()
            and doc.get("data") == data_fingerprint()
        ):
            return self
        files, runs = doc.get("files"), doc.get("runs")
        if isinstance(files, dict):
            for key, record in files.items():
                if (
                    isinstance(record, list)
                    and len(record) == 3
                    and isinstance(record[0], int)
                    and isinstance(record[1], int)
                    and isinstance(record[2], str)
                ):
                    self.files[key] = (record[0], record[1], record[2])
        if isinstance(runs, dict):
            self.runs = {
                fingerprint: rows for fingerprint, rows in runs.items() if isinstance(rows, list)
            }
        return self

    def content_hash(self, key: str, path: str) -> str:
        """The file's content hash: remembered while its size and mtime are unchanged, else read."""
        try:
            stat = os.stat(path)
        except OSError:
            return UNREADABLE
        record = self.files.get(key)
        if record is not None and record[:2] == (stat.st_size, stat.st_mtime_ns):
            return record[2]
        sha = content_hash(path)
        if sha == UNREADABLE:
            return sha
        if time.time() - stat.st_mtime > RACY_SECONDS:
            self.files[key] = (stat.st_size, stat.st_mtime_ns, sha)
            self.changed = True
        elif self.files.pop(key, None) is not None:
            self.changed = True
        return sha

    def fingerprint(
        self, keys: Sequence[str], paths: Sequence[str], analysed: Sequence[str] = ()
    ) -> str:
        """The project fingerprint of ``paths`` (``keys``: their paths relative to the root) when
        ``analysed`` (keys too; default: all of them) are the files analysed."""
        digest = hashlib.sha256(f"{tool_fingerprint()}\0{data_fingerprint()}\0".encode())
        for key in sorted(analysed):
            digest.update(f"{key}\0".encode("utf-8", "surrogateescape"))
        for key, path in sorted(zip(keys, paths)):
            digest.update(
                f"{key}\0{self.content_hash(key, path)}\n".encode("utf-8", "surrogateescape")
            )
        return digest.hexdigest()

    def uses(self, fingerprint: str) -> Optional[List[Use]]:
        """The uses cached for ``fingerprint``, or None (also when the entry is malformed)."""
        rows = self.runs.get(fingerprint)
        if rows is None:
            return None
        try:
            uses = decode_uses(rows, self.root)
        except ValueError:
            return None
        self._remember(fingerprint, rows)
        return uses

    def store(self, fingerprint: str, uses: Iterable[Use]) -> None:
        self._remember(fingerprint, encode_uses(uses, self.root))

    def _remember(self, fingerprint: str, rows: list) -> None:
        if next(iter(self.runs), None) == fingerprint:
            return
        others = [(key, value) for key, value in self.runs.items() if key != fingerprint]
        self.runs = dict([(fingerprint, rows)] + others[: KEEP_RUNS - 1])
        self.changed = True

    def save(self) -> None:
        """Write the cache atomically when something changed; failures are ignored."""
        if not self.changed:
            return
        doc = {
            "format": FORMAT,
            "root": self.root,
            "tool": tool_fingerprint(),
            "data": data_fingerprint(),
            "files": {key: list(record) for key, record in self.files.items()},
            "runs": self.runs,
        }
        directory = os.path.dirname(self.path)
        try:
            os.makedirs(directory, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=directory)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump(doc, stream, separators=(",", ":"))
                os.replace(temporary, self.path)
            except BaseException:
                _remove(temporary)
                raise
        except OSError:
            return
        self.changed = False


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
