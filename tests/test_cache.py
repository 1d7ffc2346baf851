"""The analysis cache: each file's uses are reused exactly while nothing they depend on changed,
and a cache that is corrupt, stale, forged or not ours is never trusted."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from spapi_roles import cache, runner

OLD = time.time() - 3600
CLIENTS = '''from sp_api.api import Orders, Reports


def orders_client():
    return Orders()
'''
USER = '''from shop.clients import orders_client


def sync():
    return orders_client().get_orders(CreatedAfter="2024-01-01")
'''
SERVICE = '''def fetch(api, order_id):
    return api.get_order(order_id)
'''
CALLER = '''from sp_api.api import Orders

from shop.service import fetch

fetch(Orders(), "1")
'''


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_DIR, str(directory))
    # Every write sets a file's ctime to now, and a file changed in the last RACY_SECONDS is never
    # recorded: the files written here count as old unless a test says otherwise.
    monkeypatch.setattr(cache, "RACY_SECONDS", -1.0)
    return directory


@pytest.fixture
def project(tmp_path) -> Path:
    """A package whose factory module two modules use, a call-site parameter, and a bystander."""
    root = tmp_path / "project"
    files = {"shop/__init__.py": "", "shop/clients.py": CLIENTS, "shop/orders.py": USER,
             "shop/more_orders.py": USER, "shop/service.py": SERVICE, "shop/caller.py": CALLER,
             "shop/util.py": "def helper():\n    return 1\n"}
    for name, text in files.items():
        write(root / name, text)
    return root


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def check(root: Path) -> runner.Result:
    return runner.run(sorted(str(path) for path in root.rglob("*.py")), str(root), jobs=1)


def summary(result: runner.Result):
    return sorted((Path(use.path).name, use.line, use.name) for use in result.uses)


def test_a_second_run_analyses_nothing_and_finds_the_same_uses(project):
    first = check(project)
    assert first.stats.analyzed == 5 and summary(first) == [
        ("more_orders.py", 5, "getOrders"), ("orders.py", 5, "getOrders"),
        ("service.py", 2, "getOrder")]
    second = check(project)
    assert (second.stats.cached, second.stats.rescanned, second.stats.analyzed) == (True, 0, 0)
    assert second.uses == first.uses


def test_changing_one_file_analyses_it_and_the_files_that_read_it(project):
    check(project)
    write(project / "shop" / "util.py", "def helper():\n    return 2\n")
    assert check(project).stats.analyzed == 0  # nothing that may hold a use read it
    write(project / "shop" / "clients.py", CLIENTS.replace("Orders()", "Reports()"))
    changed = check(project)
    assert changed.stats.analyzed == 3  # the factory module and its two users
    assert summary(changed) == [("service.py", 2, "getOrder")]


def test_a_new_call_site_reanalyses_the_function_whose_parameter_it_feeds(project):
    check(project)
    write(project / "shop" / "caller.py", CALLER.replace("Orders", "Reports"))
    changed = check(project)
    assert summary(changed) == [("more_orders.py", 5, "getOrders"), ("orders.py", 5, "getOrders")]


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(project):
    """The ctime changes with every write, whatever the size and mtime (as git's index knows)."""
    orders = project / "shop" / "orders.py"
    os.utime(orders, (OLD, OLD))
    check(project)
    orders.write_text(USER.replace("get_orders(", "get_order ("))
    os.utime(orders, (OLD, OLD))
    assert ("orders.py", 5, "getOrder") in summary(check(project))


def test_a_file_changed_within_the_racy_window_is_read_again(project, monkeypatch):
    monkeypatch.setattr(cache, "RACY_SECONDS", 3600.0)  # every file was written "just now"
    check(project)
    again = check(project)
    assert (again.stats.rescanned, again.stats.analyzed) == (7, 0)


@pytest.mark.parametrize(
    "content", [b"", b"\x00\xff garbage", b"[1, 2]", b'{"format": 2, "root": 3}', b"{" * 100_000]
)
def test_a_corrupt_cache_file_is_ignored_and_replaced(project, cache_dir, content):
    first = check(project)
    [cache_file] = cache_dir.rglob("*.json")
    cache_file.write_bytes(content)
    again = check(project)
    assert again.uses == first.uses and again.stats.analyzed == 5
    assert json.loads(cache_file.read_text())["format"] == cache.FORMAT


def _forge(cache_dir: Path, change) -> None:
    [cache_file] = cache_dir.rglob("*.json")
    doc = json.loads(cache_file.read_text())
    change(doc)
    cache_file.write_text(json.dumps(doc))


def test_a_forged_position_outside_the_file_voids_the_entry(project, cache_dir):
    first = check(project)
    _forge(cache_dir, lambda doc: doc["uses"]["shop/orders.py"]["rows"][0].__setitem__(0, 999))
    again = check(project)
    assert again.uses == first.uses and again.stats.analyzed == 1


def test_a_forged_entry_outside_the_project_is_ignored(project, cache_dir):
    check(project)
    entry = {"sha": "x", "modules": "x", "paths": {}, "queries": [], "functions": None,
             "rows": [[2, 14, "operation", "getOrders", "receiver", "", "", [], ""]]}
    _forge(cache_dir, lambda doc: doc["uses"].update({"../../../etc/passwd": entry}))
    assert all(use.path.startswith(str(project)) for use in check(project).uses)


def test_a_malformed_entry_is_analysed_again(project, cache_dir):
    first = check(project)
    _forge(cache_dir, lambda doc: doc["uses"]["shop/orders.py"]["rows"][0].__setitem__(3, 42))
    again = check(project)
    assert again.uses == first.uses and again.stats.analyzed == 1


def test_a_cache_file_others_may_write_is_not_trusted(project, cache_dir):
    check(project)
    [cache_file] = cache_dir.rglob("*.json")
    os.chmod(cache_file, 0o666)
    assert check(project).stats.analyzed == 5


def test_each_project_root_has_its_own_cache(project, tmp_path, cache_dir):
    check(project)
    other = tmp_path / "other"
    write(other / "shop" / "orders.py", USER)
    check(other)
    assert len(list(cache_dir.rglob("*.json"))) == 2


def test_an_unwritable_cache_directory_is_not_an_error(project, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(cache.ENV_DIR, str(blocker))
    assert summary(check(project)) == summary(check(project))
    assert blocker.read_text() == "not a directory"


CONSTS = 'LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"\n'
LEDGER = '''from sp_api.api import Reports

from shop.consts import LEDGER


def ledger():
    return Reports().create_report(reportType=LEDGER)
'''


def test_a_type_reported_at_a_request_in_another_file_follows_both_files(project):
    consts, ledger = project / "shop" / "consts.py", project / "shop" / "ledger.py"
    write(consts, CONSTS)
    write(ledger, LEDGER)
    first = check(project)
    assert ("consts.py", 1, "GET_LEDGER_DETAIL_VIEW_DATA") not in summary(first)
    [carried] = [use for use in first.uses if use.name == "GET_LEDGER_DETAIL_VIEW_DATA"]
    assert (Path(carried.path).name, carried.line, carried.related) == (
        "ledger.py", 7, ((str(consts), 1, 9),))
    write(consts, "# report types\n" + CONSTS)  # the related location moves with its file
    [moved] = [use for use in check(project).uses if use.name == "GET_LEDGER_DETAIL_VIEW_DATA"]
    assert moved.related == ((str(consts), 2, 9),)
    write(ledger, LEDGER.replace("Reports().create_report(reportType=LEDGER)", "print(LEDGER)"))
    gone = check(project)  # no request takes the type any more: it is a use where it is written
    assert ("consts.py", 2, "GET_LEDGER_DETAIL_VIEW_DATA") in summary(gone)
    assert gone.stats.analyzed == 2
