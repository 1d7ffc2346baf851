"""`spapi-roles data export`, `data coverage` and the knowledge-base part of `explain`."""

from __future__ import annotations

import io
import os
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


def test_coverage_gives_sourced_and_inferred_counts_and_why_the_rest_is_unknown():
    out = io.StringIO()
    kb_report.print_coverage(out)
    text = out.getvalue()
    figures = kb_report.coverage()
    inferred = figures["by_confidence"]["inferred"]
    assert f"sourced {figures['known'] - inferred} (" in text and f"inferred {inferred} (" in text
    assert f"    inferred {inferred:>4}" in text
    assert "  Finances API 2024-06-19: listBalances, listSummary\n      why: " in text
    assert "Operations newer than the models with unknown roles" in text
    assert "Promotions API 2025-12-01: getPromotion, getSelection, searchPromotions" in text
    assert "--extend-select SPR301" in text


def test_explain_shows_what_an_inference_rests_on():
    text = kb_report.explain("fulfillmentInbound_2024-03-20#listInboundPlans")
    assert "roles (any one grants; confidence inferred: no source names them" in text
    assert "inference (no source names this operation's roles): Amazon Fulfillment" in text
    assert "sourced operations of the Fulfillment Inbound API 2024-03-20, all Amazon Fulfillment"\
        in text


def test_explain_says_why_roles_are_unknown():
    text = kb_report.explain("getShipmentTracking")
    assert "roles: unknown (no source states them; no earlier version of the Tracking API" in text
    assert "note: roles unknown" not in text


def test_the_readme_gives_the_coverage_figures_of_the_data():
    with open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                           "README.md"), encoding="utf-8") as handle:
        section = " ".join(handle.read().split("## The knowledge base")[1].split("\n## ")[0]
                           .split())
    figures = kb_report.coverage()
    count = figures["by_confidence"].get
    current, known = figures["current"], figures["known"]
    assert f"of the {current} operations in Amazon's current models, {known} (" in section
    assert f"{known - count('inferred')} ({100 * (known - count('inferred')) / current:.1f}%)" \
        " from sources" in section
    for confidence in ("high", "medium", "low"):
        assert f"{count(confidence)} {confidence}" in section \
            or f"{count(confidence)} with {confidence} confidence" in section, confidence
    assert f"and {count('inferred')} ({100 * count('inferred') / current:.1f}%) inferred" \
        in section
    assert f"{len(figures['unknown'])} stay unknown" in section
