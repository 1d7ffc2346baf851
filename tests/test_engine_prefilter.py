"""Engine: the substring prefilter and the project anchors of the index."""

from __future__ import annotations

import ast
import glob
import os
import sysconfig
import time

import pytest

from support.engine import assert_marked_project

from spapi_roles.engine import build_index, prefilter
from spapi_roles.engine.project_index import defined_names


@pytest.fixture(scope="module")
def screen():
    return prefilter.load()


@pytest.mark.parametrize(
    "source, reason",
    [
        ("from sp_api.api import Orders\n", prefilter.REASON_IMPORT),
        ("import spapi\n", prefilter.REASON_IMPORT),
        ("from amzn_selling_partner import SellingPartner\n", prefilter.REASON_IMPORT),
        ("URL = 'https://sellingpartnerapi-eu.amazon.com'\n", prefilter.REASON_IMPORT),
        ("PATH = '/orders/v0/orders'\n", prefilter.REASON_PATH),
        ("BASE = f'{HOST}/reports/2021-06-30'\n", prefilter.REASON_PATH),
        ("KIND = 'GET_FLAT_FILE_OPEN_LISTINGS_DATA'\n", prefilter.REASON_TYPE),
        ('EVENT = "ORDER_CHANGE"\n', prefilter.REASON_TYPE),
        ("OLD = '_POST_PRODUCT_DATA_'\n", prefilter.REASON_TYPE),
        (
            "from airbyte_cdk.sources.streams.http import HttpStream\n"
            "def path(self, **kw): return f'orders/{ORDERS_API_VERSION}/orders'\n",
            prefilter.REASON_STREAM,
        ),
        (
            "from singer_sdk import typing as th\npath = f'/fba/inventory/{V}/summaries'\n",
            prefilter.REASON_STREAM,
        ),
    ],
)
def test_files_that_may_hold_a_use_pass(screen, source, reason):
    assert screen.reason(source) == reason


@pytest.mark.parametrize(
    "source",
    [
        "import requests\nrequests.get('https://example.com/api/v1/orders')\n",
        "GET_PARAMS = {}\nx = 'GET_'\n",  # type-like tokens, but no type name
        "def do_GET(self):\n    self.send_response(200)\n",
        # not a whole-string type name:
        "MESSAGE = 'requesting GET_FLAT_FILE_OPEN_LISTINGS_DATA now'\n",
        # a relative SP-API-like path, but no stream framework to send it; a stream of another API
        "def path(self): return f'orders/{ORDERS_API_VERSION}/orders'\n",
        "from singer_sdk.streams import RESTStream\npath = '/admin/api/2024-01/products.json'\n",
    ],
)
def test_files_that_cannot_hold_a_use_are_skipped(screen, source):
    assert screen.reason(source) is None


def test_project_anchors_let_files_that_use_project_clients_through(tmp_path):
    assert_marked_project(
        tmp_path,
        {
            "app/factory.py": """
            from sp_api.api import Orders

            def orders_client():
                return Orders()
        """,
            "app/job.py": """
            from app.factory import orders_client

            def run():
                return orders_client().get_order("1")  # expect: operation:getOrder
        """,
            "app/unrelated.py": "def total(values):\n    return sum(values)\n",
        },
    )
    index = build_index(
        [str(tmp_path / p) for p in ("app/factory.py", "app/job.py", "app/unrelated.py")],
        str(tmp_path),
    )
    assert sorted(os.path.basename(p) for p in index.reasons) == ["factory.py", "job.py"]


def test_defined_names_reads_top_level_definitions_and_reexports():
    source = (
        "from sp_api.api import Orders, Reports as AmazonReports\n"
        "from .x import (\n    a,\n    b as c,\n)\n"
        "CONSTANT: str = 'x'\nOTHER = 1\ndef factory():\n    inner = 2\nclass Client:\n    pass\n"
    )
    assert defined_names(source) == {
        "Orders",
        "AmazonReports",
        "a",
        "c",
        "CONSTANT",
        "OTHER",
        "factory",
        "Client",
    }


def test_prefilter_costs_a_fraction_of_parsing(screen):
    """The stdlib email package: no file passes, and screening costs < 25% of ast.parse."""
    folder = os.path.join(sysconfig.get_paths()["stdlib"], "email")
    sources = []
    for path in sorted(glob.glob(os.path.join(folder, "**", "*.py"), recursive=True)):
        with open(path, encoding="utf-8") as handle:
            sources.append(handle.read())
    assert sources and not any(screen.reason(s) for s in sources)
    start = time.perf_counter()
    for source in sources:
        ast.parse(source)
    parse_time = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(3):
        for source in sources:
            screen.reason(source)
    screen_time = (time.perf_counter() - start) / 3
    assert screen_time < 0.25 * parse_time
