"""Consistency of the packaged knowledge base (kb.json) on its own and against its inputs."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest

from spapi_roles import knowledge

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INPUTS = os.path.join(REPO_ROOT, "tools", "kb_inputs")
ROLE_SOURCE_KINDS = {
    "role-mappings-table",
    "grantless-list",
    "guide",
    "roles-page",
    "roles-2022",
    "issue-comment",
    "third-party",
    "research-note",
}


@pytest.fixture(scope="module")
def kb():
    return knowledge.load()


@pytest.fixture(scope="module")
def raw():
    with open(knowledge.DATA_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def test_seventeen_roles_five_for_vendors(kb):
    assert len(kb.roles) == 17
    assert {name for name, role in kb.roles.items() if role.vendors} == {
        "Amazon Fulfillment",
        "Amazon Warehousing and Distribution",
        "Brand Analytics",
        "Direct-to-Consumer Shipping (Restricted)",
        "Product Listing",
    }
    assert all(role.sellers and role.description and role.sources for role in kb.roles.values())
    assert {name for name, role in kb.roles.items() if role.restricted} == {
        "Direct-to-Consumer Shipping (Restricted)",
        "Professional Services (Restricted)",
        "Tax Invoicing (Restricted)",
        "Tax Remittance (Restricted)",
    }


def test_every_referenced_role_exists(kb):
    for op in kb.operations.values():
        assert set(op.roles) <= set(kb.roles), op.key
        assert {role for role, _ in op.role_regions} <= set(op.roles), op.key
    for info in kb.types.values():
        assert set(info.roles) <= set(kb.roles), info.name
    for mentioned in kb.mentioned_roles.values():
        assert mentioned.may_mean is None or mentioned.may_mean in kb.roles
        assert mentioned.name not in kb.roles


def test_no_alias_names_two_roles_or_a_mentioned_name(kb):
    owners = {}
    for role in kb.roles.values():
        for spelling in (role.name,) + role.aliases:
            assert kb.role_named(spelling) is role, spelling
            owners.setdefault(spelling.lower(), role.name)
    assert not {m.lower() for m in kb.mentioned_roles} & set(owners)


def test_no_duplicate_keys_in_the_data_file(raw):
    keys = Counter(row[0] for row in raw["operations"])
    assert [k for k, n in keys.items() if n > 1] == []
    types = Counter((row[0], row[1]) for row in raw["types"])
    assert [k for k, n in types.items() if n > 1] == []
    http = Counter((row[4], row[5]) for row in raw["operations"])
    assert [k for k, n in http.items() if n > 1] == []


def test_type_aliases_resolve_to_their_own_type(kb):
    for info in kb.types.values():
        for alias in info.aliases:
            assert kb.type_named(alias, info.kind) is info, alias


def test_roles_known_means_sourced_or_inferred_and_rated(kb):
    for op in kb.operations.values():
        if op.known:
            assert op.confidence in ("high", "medium", "low", "inferred"), op.key
            assert {s.kind for s in op.sources} & ROLE_SOURCE_KINDS, op.key
            assert not op.unknown_reason, op.key
        else:
            assert op.confidence == "unknown", op.key
        if op.grantless:
            assert op.roles == (), op.key
    for info in kb.types.values():
        assert (info.confidence == "unknown") == (not info.roles), info.name
        assert info.sources, info.name


def test_keys_follow_the_model_stem_convention(kb):
    for key, op in kb.operations.items():
        stem, _, rest = key.partition("#")
        assert rest.split(":")[0] == op.operation_id and stem
        if ":" in rest:
            assert rest.split(":")[1] == op.method
            assert (
                len(
                    [
                        o
                        for o in kb.operations_named(op.operation_id)
                        if o.key.startswith(stem + "#")
                    ]
                )
                > 1
            )


def test_type_dependent_operations_are_marked(kb):
    carriers = {
        op.key: (op.type_carrier, op.type_argument)
        for op in kb.operations.values()
        if op.type_carrier
    }
    assert carriers == {
        "reports_2021-06-30#createReport": ("report", "reportType"),
        "reports_2021-06-30#createReportSchedule": ("report", "reportType"),
        "reports_2021-06-30#getReports": ("report", "reportTypes"),
        "reports_2021-06-30#getReportSchedules": ("report", "reportTypes"),
        "reports_2020-09-04#createReport": ("report", "reportType"),
        "reports_2020-09-04#createReportSchedule": ("report", "reportType"),
        "reports_2020-09-04#getReports": ("report", "reportTypes"),
        "reports_2020-09-04#getReportSchedules": ("report", "reportTypes"),
        "feeds_2021-06-30#createFeed": ("feed", "feedType"),
        "feeds_2021-06-30#getFeeds": ("feed", "feedTypes"),
        "feeds_2020-09-04#createFeed": ("feed", "feedType"),
        "feeds_2020-09-04#getFeeds": ("feed", "feedTypes"),
        "notifications#createSubscription": ("notification", "notificationType"),
        "notifications#getSubscription": ("notification", "notificationType"),
        "notifications#getSubscriptions": ("notification", "notificationTypes"),
        "dataKiosk_2023-11-15#createQuery": ("query", "query"),
    }


def test_retired_operations_clients_still_call_are_present(kb):
    for key in (
        "reports_2020-09-04#createReport",
        "feeds_2020-09-04#createFeedDocument",
        "catalogItemsV0#listCatalogItems",
        "catalogItemsV0#getCatalogItem",
        "fulfillmentInboundV0#getTransportDetails",
        "fulfillmentInboundV0#createInboundShipmentPlan",
        "fbaSmallandLight#getSmallAndLightFeePreview",
        "merchantFulfillmentV0#getEligibleShipmentServicesOld",
        "merchantFulfillmentV0#cancelShipmentOld",
        "authorization#getAuthorizationCode",
    ):
        op = kb.operations[key]
        assert op.retired and op.deprecated and not op.in_models, key
        assert op.known, key


def _models_catalog():
    with open(os.path.join(INPUTS, "operations-catalog.json"), encoding="utf-8") as handle:
        return json.load(handle)


def test_every_current_model_operation_is_present(kb):
    catalog = _models_catalog()
    current = {(op.method, op.path): op for op in kb.operations.values() if op.in_models}
    assert len(current) == len(catalog) == 370
    for row in catalog:
        op = current[(row["http_method"], row["path"])]
        stem = os.path.splitext(os.path.basename(row["model_file"]))[0]
        assert op.operation_id == row["operation_id"] and op.key.startswith(stem + "#")
        assert op.version == row["version"] and op.deprecated == row["deprecated"]
