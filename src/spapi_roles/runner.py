"""The analysis of one project behind ``spapi-roles check``, ``init`` and ``why``.

The project's files -> the engine's project index (files the cache knows unchanged are not read
again; with many files, reading and screening them is spread over worker processes) -> the named
files that may hold a use -> each file's cached uses, when everything its analysis read is
unchanged (``cache.py``) -> the others analysed in a process pool of ``jobs`` workers (default:
one per ``ANALYSE_FILES_PER_WORKER`` such files, up to every core available), each worker getting
the index when it starts (inherited on fork, pickled once per worker elsewhere). The analyser is
only imported for a file that is analysed. A progress bar goes to stderr only when it is a
terminal and the ``CI`` variable is unset.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Callable,
    Dict,
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

    from .engine.project_index import Dependencies, FileScan, ProjectIndex

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
    cached: bool = False  # every use came from the cache: no file was analysed
    rescanned: int = 0  # files read and screened (the others' screening came from the cache)
    candidates: int = 0  # files the index says may hold a use
    analyzed: int = 0  # files the engine analysed
    index_jobs: int = 0  # worker processes that read and screened the files (0: this process did)
    jobs: int = 0  # worker processes that analysed them (0: this process did)


@dataclass
class Result:
    uses: List[Use]
    stats: Stats = field(default_factory=Stats)
    not_analysed: Dict[str, str] = field(default_factory=dict)  # absolute path -> why
    not_read: Dict[str, str] = field(default_factory=dict)  # absolute path -> why
    index: Optional[ProjectIndex] = None  # the project's index the uses were found with


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

_WORKER_INDEX: Optional[ProjectIndex] = None


def _init_worker(index: Optional[ProjectIndex]) -> None:
    global _WORKER_INDEX
    _WORKER_INDEX = index


Analysed = Tuple[int, List[Use], "Dependencies", Optional[str]]


def _analyze(task: Tuple[int, str]) -> Analysed:
    """The uses in one file, what their analysis read, and why it could not be analysed (None:
    it was); ``task``: its position in the run and its path."""
    from . import engine

    position, path = task
    index = _WORKER_INDEX
    assert index is not None  # _init_worker gave it before any task
    source = index.source_of(path)
    with index.recording_dependencies() as read:
        uses = [] if source is None else engine.analyze_source(source, path, index)
    failure = "cannot be read" if source is None else index.not_analysed.get(path)
    return position, uses, read, failure


def _pool(workers: int, index: Optional[ProjectIndex] = None) -> ProcessPoolExecutor:
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


def _analyzed(tasks: List[Tuple[int, str]], index: ProjectIndex, jobs: int
              ) -> Iterator[Analysed]:
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
    files: Sequence[str],
    root: str,
    jobs: Optional[int],
    progress: Progress,
    stats: Stats,
    store: Optional[cache_module.ProjectCache],
    known: Dict[str, FileScan],
) -> ProjectIndex:
    """The project index; files read and screened in worker processes if there are many. Files
    the cache knows unchanged (``known``) are not read again."""
    from . import engine

    promotion = store.promotion if store is not None else None
    stats.rescanned = len(files) - len(known)
    progress.phase("indexing", stats.rescanned)
    stats.index_jobs = _worker_count(jobs, stats.rescanned // INDEX_FILES_PER_WORKER)
    if stats.index_jobs == 0:

        def scan_here(function: Callable[[str], Optional[FileScan]], paths: Iterable[str]
                      ) -> Iterator[Optional[FileScan]]:
            return _ticking(map(function, paths), progress)

        return engine.build_index(files, root, scan_here, known, promotion)
    from concurrent.futures.process import BrokenProcessPool

    engine.prefilter.load()  # built once here; forked workers inherit it
    chunksize = max(1, min(64, stats.rescanned // (stats.index_jobs * 8)))
    with _pool(stats.index_jobs) as pool:

        def map_files(function: Callable[[str], Optional[FileScan]], paths: Iterable[str]
                      ) -> Iterator[Optional[FileScan]]:
            return _ticking(pool.map(function, paths, chunksize=chunksize), progress)

        try:
            return engine.build_index(files, root, map_files, known, promotion)
        except BrokenProcessPool:
            raise _worker_died("reading") from None


def analyze(
    files: Sequence[str],
    root: str,
    jobs: Optional[int],
    progress: Progress,
    stats: Stats,
    project_files: Optional[Sequence[str]] = None,
    store: Optional[cache_module.ProjectCache] = None,
    not_analysed: Optional[Dict[str, str]] = None,
    not_read: Optional[Dict[str, str]] = None,
) -> Tuple[List[Use], ProjectIndex]:
    """Index ``project_files`` (default: ``files``) and analyse those of ``files`` that may hold a
    use, unless ``store`` holds their uses with everything they depend on unchanged; uses in file
    order, absolute paths. Files that could not be read go into ``not_read``, those that could not
    be analysed into ``not_analysed``, with the reason. Returns the uses and the index."""
    not_analysed = {} if not_analysed is None else not_analysed
    not_read = {} if not_read is None else not_read
    files = [path if os.path.isabs(path) else os.path.abspath(path) for path in files]
    indexed = files if project_files is None else [
        path if os.path.isabs(path) else os.path.abspath(path) for path in project_files]
    known_scans = store.unchanged_scans(indexed) if store is not None else {}
    index = _index(indexed, root, jobs, progress, stats, store, known_scans)
    found: List[List[Use]] = [[] for _ in files]
    tasks = []
    for position, path in enumerate(files):
        if path not in index.scans:  # it could not be read (the cache knows only readable files)
            from .files import unreadable

            not_read[path] = unreadable([path]).get(path, "vanished")
            continue
        if index.reason(path) is None:
            continue
        stats.candidates += 1
        cached = store.uses(path, index) if store is not None else None
        if cached is None:
            tasks.append((position, path))
        else:
            found[position] = cached
    stats.jobs = _worker_count(
        jobs, len(tasks) if jobs is not None else len(tasks) // ANALYSE_FILES_PER_WORKER
    )
    progress.phase("analysing", len(tasks))
    for position, uses, read, failure in _analyzed(tasks, index, stats.jobs):
        found[position] = uses
        if failure is not None:
            not_analysed[files[position]] = failure
        elif store is not None:
            store.record_uses(files[position], uses, read, index)
        stats.analyzed += 1
        progress.advance()
    if store is not None:
        store.record_index(index, [path for path in indexed if path not in known_scans])
        store.save(indexed)
    return [use for uses in found for use in uses], index


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
    store = cache_module.ProjectCache(root).load() if use_cache else None
    stream = sys.stderr if progress_stream is None else progress_stream
    progress = Progress(stream) if Progress.wanted(stream) else _Silent(stream)
    not_analysed: Dict[str, str] = {}
    not_read: Dict[str, str] = {}
    try:
        uses, index = analyze(files, root, jobs, progress, stats, project_files, store,
                              not_analysed, not_read)
    finally:
        progress.close()
    stats.cached = stats.analyzed == 0
    return Result(uses, stats, not_analysed, not_read, index)
