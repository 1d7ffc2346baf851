"""A generated monorepo of SP-API apps, for the agreement tests and the benchmarks.

Every app has its own manifest and its own source root, in one of three layouts real teams use:

- ``lambda``: Amazon's samples' layout, ``code/python/src/`` without ``__init__.py`` files, the
  handlers importing ``from src.utils.api_utils import ApiUtils`` (the same module name in every
  app of this layout) and calling a ``getattr`` dispatch wrapper;
- ``src``: a ``src/`` layout package whose client factory lives in another module;
- ``flat``: a top-level package with a service class holding the client, and raw HTTP through a
  settings module's host.

Each SP-API use carries an ``# expect:`` marker (``tests/support/markers.py``), and every app
holds filler modules without SP-API that share their function names with every other app (the
monorepo trap of prefilter anchors). Nothing here is imported or run by the tests that use it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

LAYOUTS = ("lambda", "src", "flat")

LAMBDA_FILES: Dict[str, str] = {
    "code/python/src/utils/api_utils.py": '''\
from spapi import OrdersV0Api, SPAPIClient, SPAPIConfig


class ApiUtils:
    def __init__(self, refresh_token, client_id, client_secret, region):
        config = SPAPIConfig(client_id=client_id, client_secret=client_secret,
                             refresh_token=refresh_token, region=region)
        self.api_client = SPAPIClient(config).api_client

    def call_orders_api(self, method, **kwargs):
        api = OrdersV0Api(self.api_client)
        return getattr(api, method)(**kwargs)
''',
    "code/python/src/retrieve_order_handler.py": '''\
from src.utils.api_utils import ApiUtils


def lambda_handler(event, context):
    api = ApiUtils(event["token"], "id", "secret", "NA")
    oid = event["id"]
    order = api.call_orders_api(method="get_order", order_id=oid)  # expect: operation:getOrder
    items = api.call_orders_api(method="get_order_items", order_id=oid)  # expect: operation:getOrderItems
    return order, items
''',
    "code/python/src/utils/constants.py": '''\
ORDER_STATUS = "Unshipped"
''',
}

SRC_FILES: Dict[str, str] = {
    "src/{pkg}/__init__.py": "",
    "src/{pkg}/clients.py": '''\
from sp_api.api import Reports
from sp_api.base import Marketplaces


def reports_client(credentials):
    return Reports(credentials=credentials, marketplace=Marketplaces.US)
''',
    "src/{pkg}/jobs.py": '''\
from {pkg}.clients import reports_client


def request_listings(credentials):
    reports = reports_client(credentials)
    return reports.create_report(  # expect: operation:createReport
        reportType="GET_MERCHANT_LISTINGS_ALL_DATA")  # expect: report:GET_MERCHANT_LISTINGS_ALL_DATA
''',
    "tests/test_jobs.py": '''\
from {pkg} import jobs


def test_request_listings():
    assert jobs.request_listings
''',
}

FLAT_FILES: Dict[str, str] = {
    "{pkg}/__init__.py": "",
    "{pkg}/settings.py": '''\
SP_API_HOST = "https://sellingpartnerapi-na.amazon.com"
''',
    "{pkg}/service.py": '''\
import requests
from sp_api.api import Orders

from {pkg}.settings import SP_API_HOST


class OrderService:
    def __init__(self, credentials):
        self.orders = Orders(credentials=credentials)

    def recent(self, since):
        return self.orders.get_orders(CreatedAfter=since)  # expect: operation:getOrders

    def inventory(self, token):
        return requests.get(
            f"{SP_API_HOST}/fba/inventory/v1/summaries",  # expect: operation:getInventorySummaries
            headers={"x-amz-access-token": token},
        )
''',
    "{pkg}/views.py": '''\
from {pkg}.service import OrderService


def order_detail(request, order_id):
    service = OrderService(request.credentials)
    return service.orders.get_order(order_id)  # expect: operation:getOrder
''',
}

FILLER = '''\
"""Module {n} of app {app}: no SP-API here."""
import logging

log = logging.getLogger(__name__)


def main(event=None):
    log.info("step %s", {n})
    return handler(event)


def handler(event):
    return {{"ok": True, "n": {n}}}
'''

MANIFEST = 'roles = {roles}\n'
ROLE_CHOICES = ("[]", '["Pricing"]', "[]", '["Product Listing", "Pricing"]')


def _layout_files(layout: str, pkg: str) -> Dict[str, str]:
    files = {"lambda": LAMBDA_FILES, "src": SRC_FILES, "flat": FLAT_FILES}[layout]
    return {path.format(pkg=pkg): text.replace("{pkg}", pkg) for path, text in files.items()}


def filler_directory(layout: str, pkg: str) -> str:
    """Where an app's filler modules go (inside its source tree, like real helper modules)."""
    return {"lambda": "code/python/src/helpers", "src": f"src/{pkg}/helpers",
            "flat": f"{pkg}/helpers"}[layout]


def generate(root: Path, apps: int = 20, files_per_app: int = 8) -> List[Path]:
    """Write the monorepo under ``root``; return the app directories. Deterministic."""
    app_dirs = []
    for number in range(apps):
        layout = LAYOUTS[number % len(LAYOUTS)]
        app = root / "apps" / f"app{number:03d}"
        pkg = f"shop{number:03d}"
        files = _layout_files(layout, pkg)
        helpers = filler_directory(layout, pkg)
        if layout != "lambda":
            files[f"{helpers}/__init__.py"] = ""
        for n in range(max(0, files_per_app - len(files))):
            files[f"{helpers}/step_{n:03d}.py"] = FILLER.format(n=n, app=number)
        for relative, text in files.items():
            path = app / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        roles = ROLE_CHOICES[number % len(ROLE_CHOICES)]
        (app / "spapi-roles.toml").write_text(MANIFEST.format(roles=roles), encoding="utf-8")
        app_dirs.append(app)
    return app_dirs
