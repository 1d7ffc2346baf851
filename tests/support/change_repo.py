"""A git repository holding one pull request: the base commit on `main`, the change on `feature`.

The manifest declares Inventory and Order Tracking. Against the base, the change
- adds a call that needs a role the manifest lacks (`getCatalogItem`: Product Listing only);
- moves a call that already lacked a role at the base (`getCompetitivePricing`, lines shift);
- removes a call that lacked a role at the base (`listFinancialEvents`).
The `# SPRxxx` comments mark where each finding is reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

MANIFEST = 'roles = ["Inventory and Order Tracking"]  # order sync\n'

BASE = '''\
from sp_api.api import Finances, Orders, Products


def new_orders():
    return Orders().get_orders(CreatedAfter="2024-01-01")


def prices(asins):
    return Products().get_competitive_pricing_for_asins(asins)  # SPR101 at the base


def settlements():
    return Finances().list_financial_events()  # SPR101 at the base, removed by the change
'''

HEAD = '''\
from sp_api.api import CatalogItems, Orders, Products


def new_orders():
    return Orders().get_orders(CreatedAfter="2024-01-01")


def title(asin):
    return CatalogItems().get_catalog_item(asin)  # SPR101 new: Product Listing


def prices(asins):
    return Products().get_competitive_pricing_for_asins(asins)  # SPR101 moved, not new
'''

NEW_LINE = HEAD.splitlines().index(
    "    return CatalogItems().get_catalog_item(asin)  # SPR101 new: Product Listing") + 1
MOVED_LINE = HEAD.splitlines().index(
    "    return Products().get_competitive_pricing_for_asins(asins)  # SPR101 moved, not new") + 1


def make_change_repo(target: Path, git: Callable[..., None], commit_head: bool = True) -> Path:
    """The repository at ``target``: `main` at the base, `feature` checked out with the change
    (committed unless ``commit_head`` is false: then it is only in the working tree)."""
    (target / "shop").mkdir(parents=True)
    (target / "spapi-roles.toml").write_text(MANIFEST, encoding="utf-8")
    (target / "shop" / "__init__.py").write_text("", encoding="utf-8")
    (target / "shop" / "sync.py").write_text(BASE, encoding="utf-8")
    git("init", "-q", "-b", "main", ".", cwd=target)
    git("add", "-A", cwd=target)
    git("commit", "-q", "-m", "base", cwd=target)
    git("checkout", "-q", "-b", "feature", cwd=target)
    (target / "shop" / "sync.py").write_text(HEAD, encoding="utf-8")
    if commit_head:
        git("commit", "-q", "-am", "change", cwd=target)
    return target


def make_granted_project(target: Path) -> Path:
    """A project whose only use (getOrders) the manifest's role grants: nothing to report."""
    (target / "spapi-roles.toml").write_text('roles = ["Inventory and Order Tracking"]\n',
                                             encoding="utf-8")
    (target / "app.py").write_text("from sp_api.api import Orders\n\n"
                                   "Orders().get_orders(CreatedAfter='2024-01-01')\n",
                                   encoding="utf-8")
    return target
