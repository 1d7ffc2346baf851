"""The whole-project run behind ``spapi-roles check``, ``init`` and ``why``.

Discovered files -> (cache hit: the uses recorded for the same files with the same contents, tool
and data; see ``cache.py``) -> else the engine's project index, built once, which also says which
files may hold a use -> those files analysed in a process pool of ``jobs`` workers (default: one
per ``ANALYSE_FILES_PER_WORKER`` such files, up to every core available), each worker getting the
index when it starts (inherited on fork, pickled once per worker elsewhere). With many files,
reading and screening them for the index is spread over worker processes too. A cache hit imports
no engine, and the analyser is only imported for a file that may hold a use. A progress bar goes to
stderr only when it is a terminal and the ``CI`` variable is unset.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Iterable,
    Iterator,
    List,
    Optional,
    Sequence,
    TextIO,
    Tuple,
    TypeVar,
)

from . import cache as cache_module
from .errors import UserError
from .uses import Use

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")
PROGRESS_DELAY = 0.3  # seconds before a progress bar appears (short runs show none)
# Indexing costs well under a millisecond a file: fewer files than this per worker do not
# pay for one.
INDEX_FILES_PER_WORKER = 250
# Analysing costs about a millisecond a file (the SP-API-dense benchmark: 704 files in 0.7 s) and
# starting a worker tens of milliseconds: by default, a worker per this many files at least.
ANALYSE_FILES_PER_WORKER = 100


@dataclass
class Stats:
    """What a run did (for tests and diagnostics)."""

    files: int = 0
    cached: bool = False  # the uses came from the cache; nothing was indexed or analysed
    candidates: int = 0  # files the index says may hold a use
    analyzed: int = 0  # files the engine analysed
    index_jobs: int = 0  # worker processes that read and screened the files (0: this process did)
    jobs: int = 0  # worker processes that analysed them (0: this process did)


@dataclass
class Result:
    uses: List[Use]
    stats: Stats = field(default_factory=Stats)


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------------------- progress


class Progress:
    """A one-line progress bar on a terminal stream, drawn once a run lasts ``PROGRESS_DELAY``."""

    WIDTH = 30
    INTERVAL = 0.1

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.start = time.monotonic()
        self.drawn_at: Optional[float] = None
        self.label, self.total, self.done = "", 0, 0

    @staticmethod
    def wanted(stream: TextIO) -> bool:
        """Only on an interactive terminal, never in CI."""
        if os.environ.get("CI"):
            return False
        try:
            return stream.isatty()
        except (AttributeError, ValueError):
            return False

    def phase(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0

    def advance(self) -> None:
        self.done += 1
        now = time.monotonic()
        if now - self.start < PROGRESS_DELAY:
            return
        if (
            self.drawn_at is not None
            and now - self.drawn_at < self.INTERVAL
            and self.done < self.total
        ):
            return
        filled = self.WIDTH * self.done // max(self.total, 1)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\rspapi-roles: {self.label:<9} [{bar}] {self.done}/{self.total}")
        self.stream.flush()
        self.drawn_at = now

    def close(self) -> None:
        if self.drawn_at is not None:
            self.stream.write("\r\033[K")
            self.stream.flush()


class _Silent(Progress):
    def advance(self) -> None:
        pass

    def close(self) -> None:
        pass


def _ticking(items: Iterable[T], progress: Progress) -> Iterator[T]:
    for item in items:
        yield item
        progress.advance()


# ---------------------------------------------------------------------------- analysis

_WORKER_INDEX: Any = None


def _init_worker(index: Any) -> None:
    global _WORKER_INDEX
    _WORKER_INDEX = index


def _analyze(task: Tuple[int, str]) -> Tuple[int, List[Use]]:
    """The uses in one file (``task``: its position in the run and its path)."""
    from . import engine
    from .engine.project_index import read_source

    position, path = task
    source = read_source(path)
    return position, [] if source is None else engine.analyze_source(source, path, _WORKER_INDEX)


def _pool(workers: int, index: Any = None) -> ProcessPoolExecutor:
    # Imported here: a run answered from the cache starts no process.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # An executor, not multiprocessing.Pool: when a worker dies (the out-of-memory killer, a
    # crash in native code) a Pool waits forever for its task; an executor raises.
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(),
        initializer=_init_worker,
        initargs=(index,),
    )


def _worker_died(doing: str) -> UserError:
    return UserError(
        f"a worker process died while {doing} the files (killed by the system, "
        "perhaps out of memory); run again, or with --jobs 1 to find the file"
    )


def _analyzed(
    tasks: List[Tuple[int, str]], index: Any, jobs: int
) -> Iterator[Tuple[int, List[Use]]]:
    if jobs == 0:
        _init_worker(index)
        try:
            yield from map(_analyze, tasks)
        finally:
            _init_worker(None)
        return
    from concurrent.futures.process import BrokenProcessPool

    # Four runs of neighbouring files per worker: files of one package share the modules their
    # analysis parses (imports, call sites), so each worker parses little beyond its own files.
    chunksize = max(1, -(-len(tasks) // (jobs * 4)))
    with _pool(jobs, index) as pool:
        try:
            yield from pool.map(_analyze, tasks, chunksize=chunksize)
        except BrokenProcessPool:
            raise _worker_died("analysing") from None


def _worker_count(jobs: Optional[int], tasks: int) -> int:
    """Workers for ``tasks`` units of work: none (this process works) for one job or one unit."""
    wanted = min(jobs or default_jobs(), tasks)
    return 0 if wanted <= 1 else wanted


def _index(
    files: Sequence[str], root: str, jobs: Optional[int], progress: Progress, stats: Stats
) -> Any:
    """The project index; files read and screened in worker processes if there are many."""
    from . import engine

    progress.phase("indexing", len(files))
    stats.index_jobs = _worker_count(jobs, len(files) // INDEX_FILES_PER_WORKER)
    if stats.index_jobs == 0:
        return engine.build_index(_ticking(files, progress), root)
    from concurrent.futures.process import BrokenProcessPool

    engine.prefilter.load()  # built once here; forked workers inherit it
    chunksize = max(1, min(64, len(files) // (stats.index_jobs * 8)))
    with _pool(stats.index_jobs) as pool:

        def map_files(function: Callable[[str], Any], paths: Iterable[str]) -> Iterator[Any]:
            return _ticking(pool.map(function, paths, chunksize=chunksize), progress)

        try:
            return engine.build_index(files, root, map_files)
        except BrokenProcessPool:
            raise _worker_died("reading") from None


def analyze(
    files: Sequence[str],
    root: str,
    jobs: Optional[int],
    progress: Progress,
    stats: Stats,
    project_files: Optional[Sequence[str]] = None,
) -> List[Use]:
    """Index ``project_files`` (default: ``files``) and analyse those of ``files`` that may hold a
    use; uses in file order, absolute paths."""
    index = _index(files if project_files is None else project_files, root, jobs, progress, stats)
    tasks = [
        (position, path) for position, path in enumerate(files) if index.reason(path) is not None
    ]
    stats.candidates = len(tasks)
    stats.jobs = _worker_count(
        jobs, len(tasks) if jobs is not None else len(tasks) // ANALYSE_FILES_PER_WORKER
    )
    progress.phase("analysing", len(tasks))
    found: List[List[Use]] = [[] for _ in files]
    for position, uses in _analyzed(tasks, index, stats.jobs):
        found[position] = uses
        stats.analyzed += 1
        progress.advance()
    return [_absolute(use) for uses in found for use in uses]


def _absolute(use: Use) -> Use:
    if os.path.isabs(use.path):
        return use
    return Use(
        os.path.abspath(use.path),
        use.line,
        use.column,
        use.kind,
        use.name,
        use.evidence,
        use.api,
        use.version,
        use.operation_keys,
        use.via,
    )


def _relative_keys(files: Sequence[str], root: str) -> List[str]:
    """Each path relative to ``root``, with "/" separators (what the cache records files by)."""
    cwd = os.getcwd()
    prefix = os.path.join(root, "")
    keys = []
    for path in files:
        absolute = os.path.normpath(os.path.join(cwd, path))
        key = (
            absolute[len(prefix) :]
            if absolute.startswith(prefix)
            else os.path.relpath(absolute, root)
        )
        keys.append(key.replace(os.sep, "/"))
    return keys


def run(
    files: Sequence[str],
    root: str,
    jobs: Optional[int] = None,
    use_cache: bool = True,
    progress_stream: Optional[TextIO] = None,
    project_files: Optional[Sequence[str]] = None,
) -> Result:
    """The SP-API uses in ``files`` (of the project rooted at ``root``), in file order.

    ``project_files``: every file of the project, which the index covers (default: ``files``).
    ``jobs``: worker processes (None: every core). ``use_cache``: read and update the analysis
    cache. ``progress_stream``: where a progress bar may go (default stderr; drawn only on a
    terminal outside CI). Use paths are absolute.
    """
    root = os.path.abspath(root)
    stats = Stats(files=len(files))
    store = fingerprint = None
    if use_cache:
        store = cache_module.AnalysisCache(root).load()
        indexed = files if project_files is None else project_files
        fingerprint = store.fingerprint(_relative_keys(indexed, root), indexed,
                                        _relative_keys(files, root))
        cached = store.uses(fingerprint)
        if cached is not None:
            store.save()
            stats.cached = True
            return Result(cached, stats)
    stream = sys.stderr if progress_stream is None else progress_stream
    progress = Progress(stream) if Progress.wanted(stream) else _Silent(stream)
    try:
        uses = analyze(files, root, jobs, progress, stats, project_files)
    finally:
        progress.close()
    if store is not None and fingerprint is not None:
        store.store(fingerprint, uses)
        store.save()
    return Result(uses, stats)
