"""Which files `spapi-roles check` reads: Python files under the given paths, minus excluded
and gitignored ones."""

from __future__ import annotations

import fnmatch
import os
import re
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Tuple

if TYPE_CHECKING:
    import pathspec

from . import reading
from .errors import UserError

DEFAULT_EXCLUDE: Tuple[str, ...] = (
    ".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".tox", ".nox", ".eggs", "*.egg-info",
    "node_modules", "build", "dist", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
)
PYTHON_SUFFIXES = (".py",)


def find_git_root(start: str) -> Optional[str]:
    """The nearest directory at or above ``start`` holding ``.git``, or None."""
    current = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def display_path(path: str) -> str:
    """``path`` relative to the working directory when it lies inside it, else as given."""
    if not os.path.isabs(path):  # the common case, without relpath's cost (a run calls this
        relative = os.path.normpath(path)  # for every file and every use)
        if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
            return relative
    relative = os.path.relpath(os.path.abspath(path))
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return os.path.normpath(path)
    return relative


def is_within(path: str, directory: str) -> bool:
    """Whether absolute ``path`` is ``directory`` or lies below it."""
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _read_spec(path: str) -> Optional[pathspec.GitIgnoreSpec]:
    """The patterns of an ignore file; None if there is none; a UserError if it cannot be read."""
    try:
        data = reading.read_bytes(path, reading.IGNORE_FILE)
    except reading.ReadError as error:
        if error.missing:
            return None
        raise UserError(f"cannot read the ignore file: {error.reason}", path) from None
    lines = reading.split_lines(data.decode("utf-8", "replace"))
    import pathspec  # here: a tree without ignore files never pays for importing it

    return pathspec.GitIgnoreSpec.from_lines(lines)


class _GitIgnores:
    """The ``.gitignore`` files that apply below a directory, loaded lazily per directory."""

    def __init__(self) -> None:
        self.specs: Dict[str, Optional[pathspec.GitIgnoreSpec]] = {}

    def spec_for(self, directory: str) -> Optional[pathspec.GitIgnoreSpec]:
        if directory not in self.specs:
            spec = _read_spec(os.path.join(directory, ".gitignore"))
            if spec is not None and os.path.isdir(os.path.join(directory, ".git")):
                extra = _read_spec(os.path.join(directory, ".git", "info", "exclude"))
                if extra is not None:
                    spec = extra + spec
            elif spec is None and os.path.isdir(os.path.join(directory, ".git")):
                spec = _read_spec(os.path.join(directory, ".git", "info", "exclude"))
            self.specs[directory] = spec
        return self.specs[directory]

    def ignored(self, path: str, is_dir: bool, bases: Sequence[str]) -> bool:
        """Whether git ignores absolute ``path`` by the ignore files of ``bases`` (deepest last)."""
        for base in reversed(bases):
            spec = self.spec_for(base)
            if spec is None:
                continue
            relative = path[len(base):].lstrip(os.sep).replace(os.sep, "/")  # under ``base``
            relative += "/" if is_dir else ""
            decision = spec.check_file(relative).include
            if decision is not None:
                return decision
        return False


def _ancestors(directory: str, stop: Optional[str]) -> List[str]:
    """``directory`` and its parents up to ``stop`` (inclusive), outermost first.

    Just ``directory`` when ``stop`` is None or not above it.
    """
    if stop is None or not is_within(directory, stop):
        return [directory]
    chain = [directory]
    while chain[-1] != stop:
        chain.append(os.path.dirname(chain[-1]))
    return list(reversed(chain))


class FileFinder:
    """Python files under the given paths, honouring exclude patterns and ``.gitignore`` files."""

    def __init__(
        self,
        exclude: Optional[Sequence[str]] = None,
        extend_exclude: Iterable[str] = (),
        nested_projects: bool = True,
    ):
        """``nested_projects=False``: below a walked directory, skip the directories that hold a
        manifest of their own (each is another project)."""
        self.nested_projects = nested_projects
        # directory -> why it could not be listed (its files were not found, so not checked)
        self.unreadable_directories: Dict[str, str] = {}
        base = DEFAULT_EXCLUDE if exclude is None else exclude
        self.patterns = tuple(base) + tuple(extend_exclude)
        # fnmatch.fnmatch per pattern and path dominated a run over cached files: one regex.
        self._matcher = re.compile(
            "|".join(fnmatch.translate(os.path.normcase(p)) for p in self.patterns) or "(?!)"
        ).match
        self.gitignores = _GitIgnores()

    def excluded(self, path: str, absolute: Optional[str] = None) -> bool:
        """flake8's rule: a pattern matches the base name or the absolute path (``absolute``:
        ``path`` made absolute, when the caller has it)."""
        absolute = os.path.normcase(absolute or os.path.abspath(path))
        return bool(self._matcher(os.path.basename(absolute)) or self._matcher(absolute))

    def find(self, paths: Sequence[str]) -> List[str]:
        """Files to check, in a stable order. Files named explicitly are kept unless excluded."""
        found: List[str] = []
        seen = set()
        for given in paths or ["."]:
            if not os.path.lexists(given):
                raise UserError("no such file or directory", path=given)
            if os.path.isdir(given):
                candidates: Iterable[str] = self._walk(given)
            elif not os.path.isfile(given):
                # Reading a named pipe (or a device) would block or never end.
                reason = ("a broken symbolic link" if not os.path.exists(given)
                          else "not a regular file (a named pipe, socket or device)")
                raise UserError(f"cannot check it: {reason}", path=given)
            else:
                candidates = [] if self.excluded(given) else [os.path.normpath(given)]
            cwd = os.getcwd()
            for path in candidates:
                key = os.path.join(cwd, path)  # ``path`` is normalised already
                if key not in seen:
                    seen.add(key)
                    found.append(path)
        return found

    def _walk(self, top: str) -> Iterable[str]:
        top_abs = os.path.abspath(top)
        git_root = find_git_root(top_abs)
        outer = _ancestors(top_abs, git_root)[:-1]
        if outer and self.gitignores.ignored(top_abs, True, outer):
            outer = []  # a directory named explicitly is checked even if its repository ignores it
        if self.excluded(top) and top_abs != os.path.abspath("."):
            return

        def unreadable(error: OSError) -> None:
            where = display_path(error.filename) if error.filename else top
            self.unreadable_directories[where] = error.strerror or type(error).__name__

        for dirpath, dirnames, filenames in os.walk(top, onerror=unreadable, followlinks=False):
            dir_abs = os.path.abspath(dirpath)
            if not self.nested_projects and dir_abs != top_abs and _holds_manifest(
                    dir_abs, filenames):
                dirnames[:] = []
                continue
            bases = outer + _ancestors(dir_abs, top_abs)
            keep = []
            for name in sorted(dirnames):
                sub = os.path.join(dirpath, name)
                absolute = os.path.join(dir_abs, name)
                if self.excluded(sub, absolute) or self.gitignores.ignored(absolute, True, bases):
                    continue
                keep.append(name)
            dirnames[:] = keep
            for name in sorted(filenames):
                if not name.endswith(PYTHON_SUFFIXES):
                    continue
                path = os.path.join(dirpath, name)
                absolute = os.path.join(dir_abs, name)
                if self.excluded(path, absolute) or self.gitignores.ignored(
                        absolute, False, bases):
                    continue
                if os.path.isfile(path):
                    yield os.path.normpath(path)


def _holds_manifest(directory: str, filenames: Sequence[str]) -> bool:
    """Whether ``directory`` (whose files are ``filenames``) holds a manifest or a boundary."""
    from .manifest import MANIFEST_NAME, PYPROJECT_NAME, pyproject_holds_manifest

    if MANIFEST_NAME in filenames:
        return True
    return PYPROJECT_NAME in filenames and pyproject_holds_manifest(
        os.path.join(directory, PYPROJECT_NAME))


def find_python_files(
    paths: Sequence[str],
    exclude: Optional[Sequence[str]] = None,
    extend_exclude: Iterable[str] = (),
) -> List[str]:
    """Python files under ``paths`` (default "."), skipping excluded and gitignored paths."""
    return FileFinder(exclude, extend_exclude).find(paths)


def unreadable(paths: Iterable[str]) -> Dict[str, str]:
    """The files among ``paths`` that cannot be read as Python sources, with the reason."""
    reasons: Dict[str, str] = {}
    for path in paths:
        try:
            reading.check(path, reading.SOURCE)
        except reading.ReadError as error:
            reasons[path] = error.reason
    return reasons
