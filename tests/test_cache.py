"""The analysis cache file: round trip, content hashes by stat, and bad caches ignored."""

from __future__ import annotations

import os
import time

import pytest

from spapi_roles import cache
from spapi_roles.uses import Use

OLD = time.time() - 3600


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_DIR, str(directory))
    return directory


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "a.py").write_text("x = 1\n")
    return root


def _use(root, line=3) -> Use:
    return Use(
        str(root / "a.py"),
        line,
        4,
        "operation",
        "getOrders",
        "receiver",
        "Orders API",
        "v0",
        ("ordersV0#getOrders",),
        "sp_api.api.Orders.get_orders",
    )


def _saved(root, fingerprint, uses) -> cache.AnalysisCache:
    store = cache.AnalysisCache(str(root)).load()
    store.store(fingerprint, uses)
    store.save()
    return store


def test_uses_round_trip_through_the_cache_file(project, cache_dir):
    uses = [_use(project), _use(project, line=9)]
    store = _saved(project, "f1", uses)
    assert os.path.dirname(store.path).startswith(str(cache_dir))
    assert cache.AnalysisCache(str(project)).load().uses("f1") == uses
    assert cache.AnalysisCache(str(project)).load().uses("other") is None


def test_each_project_root_has_its_own_cache(tmp_path, project):
    _saved(project, "f1", [_use(project)])
    other = tmp_path / "other"
    other.mkdir()
    assert cache.AnalysisCache(str(other)).load().uses("f1") is None


def test_only_the_most_recent_runs_are_kept(project):
    for number in range(cache.KEEP_RUNS + 1):
        _saved(project, f"f{number}", [])
    store = cache.AnalysisCache(str(project)).load()
    assert store.uses("f0") is None
    assert all(store.uses(f"f{n}") == [] for n in range(1, cache.KEEP_RUNS + 1))


@pytest.mark.parametrize(
    "content", [b"", b"\x00\xff garbage", b"[1, 2]", b'{"format": 1, "root": 3}', b"{" * 100_000]
)
def test_a_corrupt_cache_file_is_ignored_and_replaced(project, content):
    store = _saved(project, "f1", [_use(project)])
    with open(store.path, "wb") as handle:
        handle.write(content)
    assert cache.AnalysisCache(str(project)).load().uses("f1") is None
    _saved(project, "f1", [_use(project)])
    assert cache.AnalysisCache(str(project)).load().uses("f1") == [_use(project)]


def test_a_malformed_entry_is_a_miss(project):
    store = _saved(project, "f1", [_use(project)])
    text = open(store.path, encoding="utf-8").read()
    with open(store.path, "w", encoding="utf-8") as handle:
        handle.write(text.replace('"getOrders"', "42"))
    assert cache.AnalysisCache(str(project)).load().uses("f1") is None


def test_a_cache_written_by_another_tool_version_is_ignored(project, monkeypatch):
    _saved(project, "f1", [_use(project)])
    monkeypatch.setattr(cache, "__version__", "99.0")
    monkeypatch.setattr(cache, "_FINGERPRINTS", {})
    assert cache.AnalysisCache(str(project)).load().uses("f1") is None


def test_an_unwritable_cache_directory_is_not_an_error(project, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(cache.ENV_DIR, str(blocker))
    store = _saved(project, "f1", [_use(project)])  # does not raise
    assert not os.path.exists(store.path)


def test_content_hash_is_remembered_while_size_and_mtime_stay(project):
    path = project / "a.py"
    os.utime(path, (OLD, OLD))
    store = cache.AnalysisCache(str(project)).load()
    first = store.fingerprint(["a.py"], [str(path)])
    store.save()
    with open(path, "w") as handle:  # same size, mtime put back: not read again (as git does)
        handle.write("x = 2\n")
    os.utime(path, (OLD, OLD))
    assert cache.AnalysisCache(str(project)).load().fingerprint(["a.py"], [str(path)]) == first
    os.utime(path, (OLD + 1, OLD + 1))
    assert cache.AnalysisCache(str(project)).load().fingerprint(["a.py"], [str(path)]) != first


def test_a_file_modified_within_the_racy_window_is_always_read(project):
    path = project / "a.py"
    stat = os.stat(path)  # written just now
    store = cache.AnalysisCache(str(project)).load()
    first = store.fingerprint(["a.py"], [str(path)])
    store.save()
    with open(path, "w") as handle:
        handle.write("x = 2\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert cache.AnalysisCache(str(project)).load().fingerprint(["a.py"], [str(path)]) != first


def test_fingerprint_depends_on_paths_and_contents(project):
    (project / "b.py").write_text("x = 1\n")
    store = cache.AnalysisCache(str(project))
    a, b = str(project / "a.py"), str(project / "b.py")
    assert store.fingerprint(["a.py"], [a]) != store.fingerprint(["b.py"], [b])
    assert store.fingerprint(["a.py", "b.py"], [a, b]) == store.fingerprint(
        ["b.py", "a.py"], [b, a]
    )
    assert store.fingerprint(["a.py"], [a]) != store.fingerprint(["a.py", "b.py"], [a, b])
