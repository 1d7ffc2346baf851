"""The whole-project run: cache reuse and invalidation, parallel workers, progress output."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest

from spapi_roles import cache, cli, engine, runner

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
ORDERS = '''from sp_api.api import Orders


def sync():
    return Orders().get_orders(CreatedAfter="2024-01-01")
'''


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_DIR, str(directory))
    monkeypatch.delenv("CI", raising=False)
    return directory


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "app" / "orders.py").write_text(ORDERS)
    (root / "app" / "util.py").write_text("def helper():\n    return 1\n")
    return root


def _files(root: Path):
    return sorted(str(path) for path in root.rglob("*.py"))


def _names(result):
    return [(Path(use.path).name, use.line, use.name) for use in result.uses]


def test_first_run_analyses_the_files_that_may_hold_uses(project):
    result = runner.run(_files(project), str(project))
    assert _names(result) == [("orders.py", 5, "getOrders")]
    assert (result.stats.cached, result.stats.candidates, result.stats.analyzed) == (False, 1, 1)


def test_second_run_reads_the_cache(project):
    first = runner.run(_files(project), str(project))
    second = runner.run(_files(project), str(project))
    assert second.uses == first.uses
    assert (second.stats.cached, second.stats.analyzed) == (True, 0)


def test_a_changed_file_is_analysed_again(project):
    runner.run(_files(project), str(project))
    orders = project / "app" / "orders.py"
    orders.write_text(ORDERS + "\n\ndef one(order_id):\n    return Orders().get_order(order_id)\n")
    result = runner.run(_files(project), str(project))
    assert not result.stats.cached and result.stats.analyzed == 1
    assert _names(result) == [("orders.py", 5, "getOrders"), ("orders.py", 9, "getOrder")]


def test_an_added_file_is_analysed(project):
    runner.run(_files(project), str(project))
    (project / "app" / "more.py").write_text(ORDERS)
    result = runner.run(_files(project), str(project))
    assert not result.stats.cached
    assert [name for name, _, _ in _names(result)] == ["more.py", "orders.py"]


def test_a_touched_but_unchanged_file_keeps_its_cached_uses(project):
    first = runner.run(_files(project), str(project))
    os.utime(project / "app" / "orders.py", (1_000_000_000, 1_000_000_000))
    second = runner.run(_files(project), str(project))
    assert second.stats.cached and second.uses == first.uses


def test_a_new_data_version_invalidates_the_cache(project, tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(cache._DATA_DIR, data)
    monkeypatch.setattr(cache, "_DATA_DIR", str(data))
    monkeypatch.setattr(cache, "_FINGERPRINTS", {})
    runner.run(_files(project), str(project))
    assert runner.run(_files(project), str(project)).stats.cached
    with open(data / "kb.json", "a", encoding="utf-8") as handle:
        handle.write("\n")  # a new build of the data, however small the difference
    monkeypatch.setattr(cache, "_FINGERPRINTS", {})  # a new process
    result = runner.run(_files(project), str(project))
    assert not result.stats.cached and result.stats.analyzed == 1


def test_a_new_tool_version_invalidates_the_cache(project, monkeypatch):
    runner.run(_files(project), str(project))
    monkeypatch.setattr(cache, "__version__", "99.0")
    monkeypatch.setattr(cache, "_FINGERPRINTS", {})
    assert not runner.run(_files(project), str(project)).stats.cached


def test_a_corrupt_cache_is_ignored_and_rewritten(project, cache_dir):
    runner.run(_files(project), str(project))
    [cache_file] = [path for path in cache_dir.rglob("*.json")]
    cache_file.write_bytes(b"\x00 not json")
    result = runner.run(_files(project), str(project))
    assert _names(result) == [("orders.py", 5, "getOrders")] and not result.stats.cached
    json.loads(cache_file.read_text())  # rewritten
    assert runner.run(_files(project), str(project)).stats.cached


def test_no_cache_neither_reads_nor_writes_it(project, cache_dir):
    runner.run(_files(project), str(project), use_cache=False)
    assert not cache_dir.exists()
    runner.run(_files(project), str(project))
    assert not runner.run(_files(project), str(project), use_cache=False).stats.cached


def test_an_unreadable_file_has_no_uses_and_is_no_error(project):
    files = _files(project) + [str(project / "app" / "gone.py")]
    assert _names(runner.run(files, str(project))) == [("orders.py", 5, "getOrders")]


@pytest.mark.parametrize("name", ["sp_api_shop", "amzn_sp_api_app", "raw_http_app"])
def test_two_jobs_find_the_same_uses_as_one_and_as_the_engine(name, monkeypatch):
    root = str(FIXTURES / name)
    files = _files(FIXTURES / name)
    one = runner.run(files, root, jobs=1, use_cache=False)
    monkeypatch.setattr(runner, "INDEX_FILES_PER_WORKER", 1)  # index these few files in workers too
    two = runner.run(files, root, jobs=2, use_cache=False)
    assert (one.stats.index_jobs, one.stats.jobs) == (0, 0)
    assert (two.stats.index_jobs, two.stats.jobs) == (2, 2)
    assert one.uses and two.uses == one.uses

    def key(use):
        return use.path, use.line, use.column, use.kind, use.name

    assert sorted(one.uses, key=key) == sorted(engine.analyze_paths(files, root), key=key)


def test_by_default_a_few_files_are_analysed_without_starting_workers(monkeypatch):
    root = FIXTURES / "sp_api_shop"
    monkeypatch.setattr(runner, "default_jobs", lambda: 2)
    few = runner.run(_files(root), str(root), use_cache=False)
    assert few.stats.candidates < runner.ANALYSE_FILES_PER_WORKER * 2
    assert few.stats.jobs == 0 and few.uses
    monkeypatch.setattr(runner, "ANALYSE_FILES_PER_WORKER", 1)
    many = runner.run(_files(root), str(root), use_cache=False)
    assert many.stats.jobs == 2 and many.uses == few.uses


def _check_json(arguments, capsys):
    code = cli.main(["check", "--format", "json", *arguments, "."])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_cli_jobs_and_cache_give_the_same_diagnostics(monkeypatch, capsys):
    monkeypatch.chdir(FIXTURES / "demo")
    code, one, err = _check_json(["--jobs", "1", "--no-cache"], capsys)
    assert code == 1 and one["diagnostics"] and "\r" not in err
    assert _check_json(["--jobs", "2", "--no-cache"], capsys)[:2] == (code, one)
    assert _check_json([], capsys)[:2] == (code, one)  # fills the cache
    assert _check_json([], capsys)[:2] == (code, one)  # reads it


def test_cli_rejects_a_job_count_below_one(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["check", "--jobs", "0"])
    assert exit_info.value.code == 2
    assert "positive number of jobs" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal_outside_ci(project, monkeypatch):
    monkeypatch.setattr(runner, "PROGRESS_DELAY", 0.0)
    piped = io.StringIO()
    runner.run(_files(project), str(project), use_cache=False, progress_stream=piped)
    assert piped.getvalue() == ""
    terminal = _Terminal()
    runner.run(_files(project), str(project), use_cache=False, progress_stream=terminal)
    assert "spapi-roles: indexing" in terminal.getvalue() and "2/2" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\033[K")  # the line is cleared at the end
    monkeypatch.setenv("CI", "true")
    in_ci = _Terminal()
    runner.run(_files(project), str(project), use_cache=False, progress_stream=in_ci)
    assert in_ci.getvalue() == ""


def test_workers_started_by_spawn_get_the_index_too(monkeypatch):
    """macOS and Windows start workers by spawn: the index is pickled to them, not inherited."""
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    monkeypatch.setattr(multiprocessing, "get_context", lambda method=None: spawn)
    root = FIXTURES / "sp_api_shop"
    one = runner.run(_files(root), str(root), jobs=1, use_cache=False)
    two = runner.run(_files(root), str(root), jobs=2, use_cache=False)
    assert two.stats.jobs == 2
    assert two.uses == one.uses
