"""The analysis cache: each file's uses, reused while nothing they depend on changed.

One JSON file per project root in the user cache directory (``SPAPI_ROLES_CACHE_DIR`` overrides
it), valid only for the same tool (version plus the package's own sources) and data (a hash of the
packaged data files), holding

- ``files``: what indexing learnt of each file (``FileScan``: content hash, prefilter verdict,
  names it defines), with the size, mtime, ctime and inode it had. A file whose four are unchanged
  is not read again, as git's index does: an edit changes the ctime even when it restores the size
  and mtime. A file changed within ``RACY_SECONDS`` of the run is not recorded.
- ``promotion``: the project-anchor propagation (``Promotion``), reused while its anchors and the
  files it read are unchanged.
- ``uses``: per file, its uses and what its analysis read: the content hashes of the modules it
  parsed, the results of its call-site searches (searched again only when a file that may hold a
  use changed), the project's module map and (for name-only verdicts) its function names. A file
  is analysed again when any of these differs, so changing one file re-analyses it and the files
  whose analysis read it.

The cache is a trust boundary: a file not owned by this user or writable by others is ignored; a
path outside the project, a malformed row or a position outside its file voids the entry. A cache
shared between CI runs must be keyed by the tool and data versions (``spapi-roles --version``).
Writes are atomic (temporary file + rename); a missing, corrupt or unwritable cache is ignored,
never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat as stat_module
import tempfile
import time
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from . import __version__, reading
from .engine.project_index import Dependencies, FileScan, ProjectIndex, Promotion
from .uses import Use

FORMAT = 2
ENV_DIR = "SPAPI_ROLES_CACHE_DIR"
RACY_SECONDS = 2.0
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_DATA_DIR = os.path.join(_PACKAGE_DIR, "data")

Signature = Tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


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


def _signature(path: str) -> Optional[Signature]:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


# ---------------------------------------------------------------------------- uses <-> JSON


def decode_use(row: Any, path: str, lines: Sequence[str]) -> Use:
    """The use of ``row`` (``Use.as_row``) in the file ``path`` whose text has ``lines``;
    ValueError if the row is malformed or its position lies outside the file."""
    use = Use.from_row(path, row)
    if not (0 < use.line <= len(lines) and 0 <= use.column <= len(lines[use.line - 1])):
        raise ValueError("cached position outside the file")
    return use


# ---------------------------------------------------------------------------- the cache


class ProjectCache:
    """Scans, anchor propagation and per-file uses of the project at ``root``."""

    def __init__(self, root: str, directory: Optional[str] = None):
        self.root = os.path.abspath(root)
        self._prefix = os.path.join(self.root, "")
        name = hashlib.sha256(self.root.encode("utf-8", "surrogateescape")).hexdigest()[:24]
        self.path = os.path.join(directory or cache_dir(), f"v{FORMAT}", f"{name}.json")
        self.files: Dict[str, List[Any]] = {}  # relative path -> [*signature, *scan]
        self.promotion: Optional[Promotion] = None
        self.entries: Dict[str, Dict[str, Any]] = {}  # relative path -> its uses and what they read
        self.changed = False

    # ------------------------------------------------------------------ paths
    def relative(self, path: str) -> str:
        """The key of the absolute ``path`` (below the root): relative, with "/" separators."""
        if path.startswith(self._prefix):
            return path[len(self._prefix):].replace(os.sep, "/")
        return os.path.relpath(path, self.root).replace(os.sep, "/")

    def absolute(self, key: str) -> Optional[str]:
        """The absolute path of the relative ``key``; None if it lies outside the project."""
        if not isinstance(key, str) or not key or key.startswith("/") or "\0" in key:
            return None
        parts = key.split("/")
        if ".." in parts or "." in parts or "" in parts:
            return None
        return self._prefix + key.replace("/", os.sep)

    # ------------------------------------------------------------------ reading
    def load(self) -> "ProjectCache":
        """Read the cache file; anything missing, stale, untrusted or malformed is left out."""
        try:
            if not _trusted(os.stat(self.path)):
                return self
            doc = json.loads(reading.read_bytes(self.path, reading.CACHE))
        except (OSError, reading.ReadError, ValueError, RecursionError):
            return self
        if not (
            isinstance(doc, dict)
            and doc.get("format") == FORMAT
            and doc.get("root") == self.root
            and doc.get("tool") == tool_fingerprint()
            and doc.get("data") == data_fingerprint()
        ):
            return self
        files, entries = doc.get("files"), doc.get("uses")
        if isinstance(files, dict):
            self.files = {key: record for key, record in files.items()
                          if self.absolute(key) is not None and _file_record(record)}
        if isinstance(entries, dict):
            self.entries = {key: entry for key, entry in entries.items()
                            if self.absolute(key) is not None and isinstance(entry, dict)}
        self.promotion = self._promotion(doc.get("promotion"))
        return self

    def _promotion(self, doc: Any) -> Optional[Promotion]:
        if not isinstance(doc, dict):
            return None
        anchors, pending, promoted = doc.get("anchors"), doc.get("pending"), doc.get("promoted")
        if not (_strings(anchors) and isinstance(pending, dict) and isinstance(promoted, dict)):
            return None
        pending_paths = {self.absolute(key): sha for key, sha in pending.items()}
        scans = {}
        for key, record in promoted.items():
            path = self.absolute(key)
            scan = self.files.get(key)
            if path is None or scan is None or not (
                    isinstance(record, list) and len(record) == 2 and all(map(_strings, record))):
                return None
            scans[path] = FileScan(path, scan[4], scan[5], scan[6], scan[7],
                                   frozenset(record[0]), frozenset(record[1]))
        if None in pending_paths or not all(isinstance(sha, str) for sha in pending.values()):
            return None
        return Promotion(frozenset(anchors), pending_paths, scans)  # type: ignore[arg-type]

    def unchanged_scans(self, paths: Iterable[str]) -> Dict[str, FileScan]:
        """The recorded scans of the files among ``paths`` whose size, mtime, ctime and inode are
        what they were (absolute paths)."""
        found: Dict[str, FileScan] = {}
        for path in paths:
            record = self.files.get(self.relative(path))
            if record is not None and tuple(record[:4]) == _signature(path):
                found[path] = FileScan(path, record[4], record[5], record[6], record[7],
                                       frozenset(record[8]), frozenset(record[9]))
        return found

    def uses(self, path: str, index: ProjectIndex) -> Optional[List[Use]]:
        """The recorded uses of ``path`` if everything its analysis read is unchanged, else None."""
        entry = self.entries.get(self.relative(path))
        scan = index.scans.get(path)
        if entry is None or scan is None:
            return None
        try:
            if not (entry.get("sha") == scan.sha
                    and entry.get("modules") == index.modules_digest()
                    and self._same_files(entry.get("paths"), index)
                    and (entry.get("candidates") == index.candidates_digest()
                         or self._same_searches(entry.get("queries"), index))
                    and entry.get("functions") in (None, index.functions_digest())):
                return None
            rows = entry.get("rows")
            if not isinstance(rows, list):
                return None
            lines = (index.source_of(path) or "").split("\n") if rows else []
            return [decode_use(row, path, lines) for row in rows]
        except (ValueError, TypeError):
            return None

    def _same_files(self, recorded: Any, index: ProjectIndex) -> bool:
        if not isinstance(recorded, dict):
            return False
        for key, sha in recorded.items():
            path = self.absolute(key)
            scan = index.scans.get(path) if path is not None else None
            if scan is None or scan.sha != sha:
                return False
        return True

    def _same_searches(self, recorded: Any, index: ProjectIndex) -> bool:
        if not isinstance(recorded, list):
            return False
        for query in recorded:
            if not (isinstance(query, list) and len(query) == 3 and isinstance(query[0], str)
                    and _strings(query[2])):
                return False
            word, defined_in, found = query
            where = self.absolute(defined_in) if defined_in is not None else None
            if defined_in is not None and where is None:
                return False
            expected = [self.absolute(key) for key in found]
            if list(index.candidate_paths(word, where)) != expected:
                return False
        return True

    # ------------------------------------------------------------------ writing
    def record_index(self, index: ProjectIndex, rescanned: Iterable[str]) -> None:
        """Remember the scans of the files read again this run (those not changed lately), forget
        the files gone, and keep the index's anchor propagation."""
        now = time.time()
        for path in rescanned:
            scan = index.scans.get(path)
            signature = _signature(path)
            key = self.relative(path)
            if scan is None or signature is None or (
                    now - max(signature[1], signature[2]) / 1e9 <= RACY_SECONDS):
                self.changed |= self.files.pop(key, None) is not None
                continue
            self.files[key] = [*signature, scan.sha, scan.text_sha, scan.reason, scan.talks,
                               sorted(scan.defined), sorted(scan.functions)]
            self.changed = True
        if len(self.files) > len(index.scans):
            present = {self.relative(path) for path in index.scans}
            self.files = {key: record for key, record in self.files.items() if key in present}
            self.changed = True
        if index.promotion != self.promotion:
            self.promotion = index.promotion
            self.changed = True

    def _promotion_doc(self) -> Optional[Dict[str, Any]]:
        promotion = self.promotion
        if promotion is None:
            return None
        return {
            "anchors": sorted(promotion.anchors),
            "pending": {self.relative(path): sha for path, sha in promotion.pending.items()},
            "promoted": {self.relative(path): [sorted(scan.defined), sorted(scan.functions)]
                         for path, scan in promotion.promoted.items()},
        }

    def record_uses(
        self, path: str, uses: List[Use], read: Dependencies, index: ProjectIndex
    ) -> None:
        """Remember ``path``'s uses and what its analysis read."""
        scan = index.scans.get(path)
        if scan is None:
            return
        self.entries[self.relative(path)] = {
            "sha": scan.sha,
            "modules": index.modules_digest(),
            "candidates": index.candidates_digest(),
            "paths": {self.relative(other): index.scans[other].sha
                      for other in sorted(read.paths) if other != path and other in index.scans},
            "queries": [[word, None if where is None else self.relative(where),
                         [self.relative(found) for found in paths]]
                        for (word, where), paths in sorted(read.queries.items(), key=str)],
            "functions": index.functions_digest() if read.functions else None,
            "rows": [use.as_row() for use in uses],
        }
        self.changed = True

    def save(self, keep: Iterable[str]) -> None:
        """Write the cache atomically when something changed, keeping the entries of ``keep``
        (the project's files); failures are ignored."""
        if not self.changed:
            return
        kept = {self.relative(path) for path in keep}
        doc = {
            "format": FORMAT,
            "root": self.root,
            "tool": tool_fingerprint(),
            "data": data_fingerprint(),
            "files": self.files,
            "promotion": self._promotion_doc(),
            "uses": {key: entry for key, entry in self.entries.items() if key in kept},
        }
        directory = os.path.dirname(self.path)
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
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


def _file_record(record: Any) -> bool:
    return (isinstance(record, list) and len(record) == 10
            and all(isinstance(item, int) for item in record[:4])
            and isinstance(record[4], str) and isinstance(record[5], str)
            and (record[6] is None or isinstance(record[6], str))
            and isinstance(record[7], bool) and _strings(record[8]) and _strings(record[9]))


def _trusted(found: os.stat_result) -> bool:
    """A cache file this user owns and nobody else may write."""
    if not stat_module.S_ISREG(found.st_mode):
        return False
    if hasattr(os, "getuid") and found.st_uid != os.getuid():
        return False
    return not found.st_mode & (stat_module.S_IWGRP | stat_module.S_IWOTH)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
