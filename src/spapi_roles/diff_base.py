"""What a change newly needs: the findings of the working tree that were not there at the merge
base of a git ref (``spapi-roles check --diff-base REF``).

The base is analysed from git objects: the Python files, manifests and ``.gitignore`` files of
the merge-base commit are written from ``git ls-tree`` / ``git cat-file`` into a temporary
directory and the library layer checks that tree with the same paths and options; the user's
working tree, index and HEAD are never touched. Findings are matched as the baseline matches
them: by code, file (relative to the repository, followed through renames git detects) and
subject, with counts, so a call that moved within its file or with its file is not new.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, FrozenSet, List, Optional, Sequence, Tuple

from .errors import UserError

if TYPE_CHECKING:
    from .checks import Diagnostic
    from .manifest import Manifest
    from .rules import Selection

# The files of a tree the analysis reads (besides Python files).
CONFIG_NAMES = ("spapi-roles.toml", "pyproject.toml", ".gitignore")
_BLOB_MODES = (b"100644", b"100755")
# A boundary above the materialised tree: manifests outside it are not the base's.
_BOUNDARY = "# spapi-roles --diff-base: the base tree lies below; nothing above it applies\n" \
            "root = true\n"


@dataclass
class Change:
    """The working tree against the merge base of ``ref``."""

    ref: str
    base_commit: str
    new: List["Diagnostic"]                 # findings of the working tree not at the base
    at_base: int                            # findings of the working tree present at the base
    fixed: int                              # findings at the base that are gone
    # manifest (as the working tree's findings name it) -> roles it declares that the base's
    # version did not: roles the app registration must newly hold
    roles_declared: Dict[str, List[str]] = field(default_factory=dict)

    @property
    def short(self) -> str:
        return self.base_commit[:12]


def _git(
    root: str, *args: str, data: Optional[bytes] = None
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", root, *args], input=data, capture_output=True)
    except OSError as error:
        raise UserError(f"--diff-base needs git, which could not be run ({error.strerror})") \
            from None


def repository_root(start: str) -> str:
    done = _git(start, "rev-parse", "--show-toplevel")
    if done.returncode:
        raise UserError("--diff-base: not inside a git repository", start)
    return os.fsdecode(done.stdout.rstrip(b"\n"))


def _is_shallow(root: str) -> bool:
    done = _git(root, "rev-parse", "--is-shallow-repository")
    return done.stdout.strip() == b"true"


def merge_base(root: str, ref: str) -> str:
    """The commit where HEAD left ``ref``; a UserError that says what to fetch when the clone
    lacks it."""
    resolved = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                    f"{ref}^{{commit}}")
    if resolved.returncode:
        raise UserError(f"--diff-base: `{ref}` is not a commit in this clone; fetch it first "
                        f"(`{_fetch_command(root, ref)}`)")
    commit = resolved.stdout.decode().strip()
    if _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode:
        raise UserError("--diff-base: this repository has no commit yet (HEAD)")
    base = _git(root, "merge-base", commit, "HEAD")
    if base.returncode == 0:
        return base.stdout.decode().strip()
    if _is_shallow(root):
        raise UserError(f"--diff-base: no merge base of `{ref}` and HEAD in this shallow clone; "
                        "fetch their history (`git fetch --unshallow origin`, or "
                        "`fetch-depth: 0` in actions/checkout)")
    raise UserError(f"--diff-base: `{ref}` and HEAD share no history")


def _fetch_command(root: str, ref: str) -> str:
    """The git command that brings ``ref`` into the clone: a remote-tracking name
    (``origin/main``) is fetched into itself, anything else from origin."""
    remotes = _git(root, "remote").stdout.decode(errors="replace").split()
    remote, _, branch = ref.partition("/")
    if branch and remote in remotes:
        return f"git fetch {remote} {branch}:refs/remotes/{remote}/{branch}"
    return f"git fetch origin {ref}"


def materialise(root: str, commit: str, target: str) -> int:
    """Write the Python files, manifests and ignore files of ``commit`` below ``target``;
    return how many files were written."""
    listing = _git(root, "ls-tree", "-r", "-z", "--full-tree", commit)
    if listing.returncode:
        raise UserError(f"--diff-base: cannot list commit {commit[:12]}: "
                        f"{listing.stderr.decode(errors='replace').strip()}")
    wanted: List[Tuple[bytes, str]] = []
    for entry in listing.stdout.split(b"\0"):
        if not entry:
            continue
        info, _, raw_path = entry.partition(b"\t")
        mode, kind, sha = info.split(b" ")
        path = os.fsdecode(raw_path)
        name = os.path.basename(path)
        if kind != b"blob" or mode not in _BLOB_MODES:
            continue  # symlinks and submodules: not part of the analysed tree
        if not (name.endswith(".py") or name in CONFIG_NAMES):
            continue
        parts = path.split("/")
        if any(part in ("", ".", "..", ".git") for part in parts):
            continue
        wanted.append((sha, path))
    if not wanted:
        return 0
    batch = _git(root, "cat-file", "--batch", data=b"".join(sha + b"\n" for sha, _ in wanted))
    if batch.returncode:
        raise UserError(f"--diff-base: cannot read the files of {commit[:12]}: "
                        f"{batch.stderr.decode(errors='replace').strip()}")
    output = batch.stdout
    position = 0
    for sha, path in wanted:
        header_end = output.index(b"\n", position)
        header = output[position:header_end].split(b" ")
        size = int(header[2])
        content = output[header_end + 1:header_end + 1 + size]
        position = header_end + 1 + size + 1
        destination = os.path.join(target, *path.split("/"))
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        with open(destination, "wb") as stream:
            stream.write(content)
    return len(wanted)


def renames(root: str, commit: str) -> Dict[str, str]:
    """Files git sees as renamed between ``commit`` and the working tree: old path -> new path
    (repository-relative, "/" separators)."""
    done = _git(root, "diff", "--no-ext-diff", "--name-status", "-M", "-z", commit, "--")
    moved: Dict[str, str] = {}
    fields = done.stdout.split(b"\0") if done.returncode == 0 else []
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index].decode()
        if status.startswith(("R", "C")):
            if status.startswith("R"):
                moved[os.fsdecode(fields[index + 1])] = os.fsdecode(fields[index + 2])
            index += 3
        else:
            index += 2
    return moved


def _relative(path: str, top: str) -> str:
    return os.path.relpath(os.path.abspath(path), top).replace(os.sep, "/")


def _key(diagnostic: "Diagnostic", top: str) -> Tuple[str, str, str]:
    return (_relative(diagnostic.path, top), diagnostic.code, diagnostic.name or "")


def _in_tree(path: str, root: str, tree: str) -> Optional[str]:
    """``path`` (a working-tree path) in the materialised ``tree``, or None outside the repo."""
    absolute = os.path.abspath(path)
    if absolute != root and not absolute.startswith(root.rstrip(os.sep) + os.sep):
        return None
    return os.path.join(tree, os.path.relpath(absolute, root))


def compare(
    ref: str,
    head: Sequence["Diagnostic"],
    paths: Sequence[str] = (),
    *,
    manifest: Optional[str] = None,
    selection: Optional["Selection"] = None,
    exclude: Optional[Sequence[str]] = None,
    extend_exclude: Sequence[str] = (),
    jobs: Optional[int] = None,
    use_cache: bool = True,
    inferred: Optional[str] = None,
    head_manifests: Sequence["Manifest"] = (),
) -> Change:
    """The working tree's findings ``head`` (selected, ``# noqa`` applied) against those of the
    same check at the merge base of ``ref``."""
    from . import project

    root = repository_root(os.getcwd())
    commit = merge_base(root, ref)
    scratch = tempfile.mkdtemp(prefix="spapi-roles-base-")
    try:
        with open(os.path.join(scratch, "spapi-roles.toml"), "w", encoding="utf-8") as stream:
            stream.write(_BOUNDARY)
        tree = os.path.join(scratch, "tree")
        os.makedirs(os.path.join(tree, ".git"))  # the tree is its own repository, as root is
        materialise(root, commit, tree)
        mapped = [_in_tree(path, root, tree) for path in (paths or ["."])]
        outside = [path for path, there in zip(paths or ["."], mapped) if there is None]
        if outside:
            raise UserError("--diff-base: path outside the git repository", outside[0])
        base_paths = [there for there in mapped if there is not None and os.path.exists(there)]
        base_manifest = manifest
        if manifest is not None:
            base_manifest = _in_tree(manifest, root, tree) or manifest
            if not os.path.exists(base_manifest):
                base_manifest = None
        base_diagnostics: List["Diagnostic"] = []
        base_declared: Dict[str, FrozenSet[str]] = {}
        if base_paths:
            try:
                analysis = project.Analysis(base_paths, manifest=base_manifest, exclude=exclude,
                                            extend_exclude=extend_exclude, jobs=jobs,
                                            use_cache=use_cache)
            except project.ConfigErrors as errors:
                raise UserError(f"--diff-base: the base {commit[:12]} has an invalid manifest: "
                                f"{_in_repo_terms(str(errors.errors[0]), tree)}") from None
            except UserError as error:
                raise UserError(f"--diff-base: at the base {commit[:12]}: "
                                f"{_in_repo_terms(str(error), tree)}") from None
            base_diagnostics = project.reported(analysis, selection, inferred)[0]
            base_declared = {_relative(found.path, tree): frozenset(found.roles)
                             for found in analysis.manifests()}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    moved = renames(root, commit)
    remaining: Counter[Tuple[str, str, str]] = Counter()
    for diagnostic in base_diagnostics:
        path, code, name = _key(diagnostic, tree)
        remaining[(moved.get(path, path), code, name)] += 1
    new: List["Diagnostic"] = []
    for diagnostic in sorted(head, key=lambda d: (d.line, d.column)):
        key = _key(diagnostic, root)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            new.append(diagnostic)
    order = {id(diagnostic): position for position, diagnostic in enumerate(head)}
    new.sort(key=lambda diagnostic: order[id(diagnostic)])
    declared: Dict[str, List[str]] = {}
    for found in head_manifests:
        relative = _relative(found.path, root)
        before = base_declared.get({v: k for k, v in moved.items()}.get(relative, relative),
                                   frozenset())
        added = [role for role in found.roles if role not in before]
        if added:
            declared[found.path] = added
    return Change(ref, commit, new, at_base=len(head) - len(new),
                  fixed=sum(remaining.values()), roles_declared=declared)


def _in_repo_terms(message: str, tree: str) -> str:
    """An error message about the materialised tree, with its paths as the repository's."""
    return message.replace(tree + os.sep, "").replace(tree, ".")
