"""`spapi-roles data export`, `data coverage` and the knowledge-base part of `explain`."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from spapi_roles import kb_report, knowledge


@pytest.fixture(scope="module")
def exported():
    out = subprocess.run(
        [sys.executable, "-m", "spapi_roles.cli", "data", "export", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_export_has_the_documented_shape(exported):
    assert len(exported["roles"]) == 17
    for key in ("name", "restricted", "sellers", "vendors", "aliases", "description", "sources"):
        assert key in exported["roles"][0]
    for key in (
        "api",
        "version",
        "operation",
        "method",
        "path",
        "roles",
        "grantless",
        "restricted_data",
        "deprecated",
        "regions",
        "sources",
        "confidence",
        "key",
        "type_carrier",
        "retired",
    ):
        assert key in exported["operations"][0]
    for key in (
        "kind",
        "name",
        "roles",
        "sources",
        "confidence",
        "aliases",
        "restricted",
        "deprecated",
    ):
        assert key in exported["types"][0]
    assert {t["kind"] for t in exported["types"]} == {"report", "feed", "notification"}
    assert {"ref", "date", "kind"} == set(exported["operations"][0]["sources"][0])


def test_export_matches_the_loaded_knowledge_base(exported):
    kb = knowledge.load()
    assert len(exported["operations"]) == len(kb.operations)
    row = next(r for r in exported["operations"] if r["key"] == "ordersV0#getOrderBuyerInfo")
    op = kb.operations["ordersV0#getOrderBuyerInfo"]
    assert (row["operation"], row["method"], row["path"], row["roles"]) == (
        "getOrderBuyerInfo",
        "GET",
        "/orders/v0/orders/{orderId}/buyerInfo",
        list(op.roles),
    )
    assert row["restricted_data"] is True


def test_export_is_stable():
    first, second = io.StringIO(), io.StringIO()
    kb_report.export_json(first)
    kb_report.export_json(second)
    assert first.getvalue() == second.getvalue()


def test_coverage_counts_and_lists_unknown_operations():
    out = subprocess.run(
        [sys.executable, "-m", "spapi_roles.cli", "data", "coverage"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures = kb_report.coverage()
    assert figures["current"] == 370
    assert "Operations in the current models: 370" in out
    assert f"roles known or grantless: {figures['known']}" in out
    for op in figures["unknown"]:
        assert op.operation_id in out
    assert "Types with unknown roles" in out and "notification TRANSACTION_UPDATE" in out


def test_explain_operation_lists_every_version_with_roles_and_sources():
    text = kb_report.explain("getOrders")
    for key in (
        "ordersV0#getOrders",
        "vendorDirectFulfillmentOrdersV1#getOrders",
        "vendorDirectFulfillmentOrders_2021-12-28#getOrders",
    ):
        assert key in text
    assert (
        "Direct-to-Consumer Shipping (Restricted)" in text
        and "needs a Restricted Data Token" in text
    )
    assert "roles-to-rights" in text  # the 2022 lists are cited


def test_explain_http_path_and_key():
    assert "ordersV0#getOrderBuyerInfo" in kb_report.explain(
        "GET /orders/v0/orders/902-1/buyerInfo"
    )
    assert "grantless" in kb_report.explain("notifications#createDestination")


def test_explain_type_role_and_mentioned_name():
    text = kb_report.explain("_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_")
    assert "POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA — feed type" in text
    assert "Payment Initiation Service Provider (EU only)" in text
    text = kb_report.explain("buyer solicitation")
    assert text.startswith("Buyer Solicitation — SP-API role") and "Solicitations API v1" in text
    text = kb_report.explain("Amazon Logistics")
    assert "not one of the 17 SP-API roles" in text


def test_explain_unknown_name_is_none():
    assert kb_report.explain("definitelyNotAnOperation") is None
    assert kb_report.explain("   ") is None
