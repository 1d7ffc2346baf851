"""The role request (`spapi-roles request ROLE...`, `why ROLE --format markdown|json`): for each
role, what the app does with it in Amazon's words, every call site, whether it is restricted and
which data it exposes.

The demo (fixtures/demo) declares Inventory and Order Tracking; its findings suggest Pricing (the
FBA inventory report, competitive pricing) and Product Listing (catalog, marketplace
participations in the EU): the least-privilege plan `check --fix` follows.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.change_repo import make_granted_project

from spapi_roles import markdown

REPO = Path(__file__).resolve().parent.parent
SPAPI_ROLES = str(Path(sys.executable).with_name("spapi-roles"))


def load_tool(name: str):
    """A script of tools/ as a module."""
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def spapi_roles(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, SPAPI_ROLES_CACHE_DIR=str(cwd.parent / "cache"))
    return subprocess.run([SPAPI_ROLES, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("request") / "demo"
    shutil.copytree(REPO / "fixtures" / "demo", target)
    return target


def sections(document: str) -> dict:
    """The document's `## Role` sections by role name."""
    parts = document.split("\n## ")
    return {part.split("\n", 1)[0]: part for part in parts[1:]}


def test_request_without_roles_asks_for_what_the_findings_call_for(demo):
    result = spapi_roles("request", cwd=demo)
    assert result.returncode == 0, result.stderr
    found = sections(result.stdout)
    assert list(found) == ["Pricing", "Product Listing"]
    pricing, listing = found["Pricing"], found["Product Listing"]
    assert "**Restricted:** no." in pricing
    assert ("| report type `GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA` | Requests this report. | "
            "`shop_sync/inventory.py:20` | Amazon Fulfillment |"
            ) in pricing
    # What each operation does: the first sentence of its description in Amazon's models.
    assert ("| `getCatalogItem` (Catalog Items API 2022-04-01) | Retrieves details for an item in "
            "the Amazon catalog. | `shop_sync/pricing.py:20` | none |") in listing
    assert "`getCompetitivePricing` (Product Pricing API v0) | Returns competitive pricing" \
        in pricing
    # Uses the declared Inventory and Order Tracking already grants are counted, not listed.
    assert "getOrders" not in listing
    assert "It would also grant" in listing
    assert "The Product Listing role provides access to operations that create and manage" \
        in listing


def test_a_restricted_role_says_what_amazon_asks_and_which_data_it_exposes(tmp_path):
    (tmp_path / "spapi-roles.toml").write_text("roles = []\n", encoding="utf-8")
    (tmp_path / "ship.py").write_text(
        "from sp_api.api import Orders\n\n\n"
        "def ship_to(order_id):\n    return Orders().get_order_address(order_id)\n",
        encoding="utf-8")
    result = spapi_roles("request", "direct-to-consumer shipping", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    section = sections(result.stdout)["Direct-to-Consumer Shipping (Restricted)"]
    assert f"**Restricted:** yes. {markdown.RESTRICTED_ROLE_ASKS}" in section
    assert ("**Data it exposes:** personally identifiable information (PII) through "
            "`getOrderAddress` (Orders API v0) (returns PII: call it with a Restricted Data "
            "Token).") in section
    assert "| `getOrderAddress` (Orders API v0) | Returns the shipping address for the order " \
        "that you specify. | `ship.py:5` |" in section


def test_why_markdown_is_the_request_for_one_role(demo):
    why = spapi_roles("why", "Product Listing", "--format", "markdown", cwd=demo)
    request = spapi_roles("request", "product listing", cwd=demo)
    assert why.returncode == request.returncode == 0
    assert why.stdout == request.stdout


def test_why_json_lists_every_use_with_its_roles(demo):
    text = spapi_roles("why", "Product Listing", cwd=demo)
    result = spapi_roles("why", "Product Listing", "--format", "json", cwd=demo)
    assert result.returncode == 0
    document = json.loads(result.stdout)
    assert (document["role"], document["restricted"]) == ("Product Listing", False)
    uses = document["uses"]
    assert f"{len(uses)} use(s) can use `Product Listing`" in text.stdout
    catalog = next(use for use in uses if use["name"] == "getCatalogItem")
    assert catalog == {
        "path": "shop_sync/pricing.py", "line": 20, "column": 25, "kind": "operation",
        "name": "getCatalogItem", "api": "Catalog Items API", "version": "2022-04-01",
        "subject": "`getCatalogItem` (Catalog Items API 2022-04-01)",
        "roles": ["Product Listing"], "only_this_role": True,
        "granted_by_another_declared_role": False, "evidence": "receiver",
        "restricted_data": False,
        "what_it_does": "Retrieves details for an item in the Amazon catalog."}
    orders = next(use for use in uses if use["name"] == "getOrders")
    assert orders["granted_by_another_declared_role"] is True
    assert orders["restricted_data"] is True


def test_nothing_to_request(tmp_path):
    make_granted_project(tmp_path)
    result = spapi_roles("request", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (
        0, "No role to request: every use found is granted by a role its manifest declares\n")


def test_an_unknown_role_is_one_line_with_a_suggestion(demo):
    result = spapi_roles("request", "Prcing", cwd=demo)
    assert result.returncode == 2
    assert result.stderr == "spapi-roles: error: unknown role `Prcing`; did you mean `Pricing`?\n"


def test_the_summaries_are_regenerated_from_the_committed_input():
    build_summaries = load_tool("build_summaries")
    with open(build_summaries.OUTPUT, encoding="utf-8") as stream:
        assert stream.read() == build_summaries.build(), \
            "summaries.json is stale: run python tools/build_summaries.py"


def test_every_operation_of_amazons_models_has_its_summary():
    from spapi_roles import knowledge

    texts = markdown.summaries()["operations"]
    in_models = [op.key for op in knowledge.load().operations.values() if op.in_models]
    assert len(in_models) == 370
    assert [key for key in in_models if key not in texts] == []
    assert all(text.strip() and "\n" not in text for text in texts.values())


def test_first_sentence_of_a_model_description():
    build_summaries = load_tool("build_summaries")
    assert build_summaries.first_sentence(
        "Returns the order that you specify.\n\n**Usage Plan:**\n\n| Rate |") == \
        "Returns the order that you specify."
    assert build_summaries.first_sentence("Creates a draft. The operation creates one shipment.") \
        == "Creates a draft."
