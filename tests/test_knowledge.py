"""The knowledge-base query API: lookups by operation, HTTP path, type and role; loading errors."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from spapi_roles import knowledge
from spapi_roles.errors import DataError


@pytest.fixture(scope="module")
def kb():
    return knowledge.load()


def test_load_is_cached_per_process(kb):
    assert knowledge.load() is kb


def test_operations_named_returns_every_version(kb):
    keys = {op.key for op in kb.operations_named("getOrder")}
    assert {
        "ordersV0#getOrder",
        "orders_2026-01-01#getOrder",
        "vendorDirectFulfillmentOrdersV1#getOrder",
        "vendorDirectFulfillmentOrders_2021-12-28#getOrder",
        "fulfillmentOutbound_2026-07-04#getOrder",
    } <= keys
    assert kb.operations_named("noSuchOperation") == []


def test_match_http_concrete_path_matches_template(kb):
    ops = kb.match_http("GET", "/orders/v0/orders/123-4567890-1234567/buyerInfo")
    assert [op.key for op in ops] == ["ordersV0#getOrderBuyerInfo"]


@pytest.mark.parametrize(
    "path",
    [
        "/orders/v0/orders/123-4567890-1234567/buyerInfo/",
        "/orders/v0/orders/123-4567890-1234567/buyerInfo?MarketplaceIds=ATVPDKIKX0DER",
        "https://sellingpartnerapi-eu.amazon.com/orders/v0/orders/123-4567890-1234567/buyerInfo",
        "/orders/v0/orders/{orderId}/buyerInfo",
    ],
)
def test_match_http_ignores_host_query_and_trailing_slash(kb, path):
    assert [op.operation_id for op in kb.match_http("get", path)] == ["getOrderBuyerInfo"]


def test_match_http_literal_segment_wins_over_placeholder(kb):
    # .../{notificationType}/testNotification (literal) vs .../{notificationType}/{subscriptionId}
    ops = kb.match_http(None, "/notifications/v1/subscriptions/ANY_OFFER_CHANGED/testNotification")
    assert [op.operation_id for op in ops] == ["sendTestNotification"]
    ops = kb.match_http(None, "/notifications/v1/subscriptions/ANY_OFFER_CHANGED/abc-123")
    assert sorted(op.operation_id for op in ops) == [
        "deleteSubscriptionById",
        "getSubscriptionById",
    ]


def test_match_http_method_filters_and_unknown_paths_match_nothing(kb):
    assert [
        op.operation_id for op in kb.match_http("DELETE", "/notifications/v1/destinations/d-1")
    ] == ["deleteDestination"]
    assert kb.match_http("GET", "/no/such/path") == []
    assert kb.match_http("POST", "/orders/v0/orders/1/buyerInfo") == []


def test_match_http_finds_retired_operations(kb):
    ops = kb.match_http("POST", "/reports/2020-09-04/reports")
    assert [(op.key, op.retired) for op in ops] == [("reports_2020-09-04#createReport", True)]


def test_type_named_accepts_mws_spellings_and_kind(kb):
    info = kb.type_named("_GET_MERCHANT_LISTINGS_DATA_")
    assert info is not None and info.name == "GET_MERCHANT_LISTINGS_DATA" and info.kind == "report"
    assert kb.type_named("GET_MERCHANT_LISTINGS_DATA", kind="feed") is None
    assert kb.type_named(" POST_PRODUCT_DATA ", kind="feed").name == "POST_PRODUCT_DATA"
    assert kb.type_named("brandedItemContentChange").name == "BRANDED_ITEM_CONTENT_CHANGE"
    assert kb.type_named("NOT_A_TYPE") is None


def test_type_names_include_aliases(kb):
    assert {
        "GET_MERCHANT_LISTINGS_DATA",
        "_GET_MERCHANT_LISTINGS_DATA_",
        "ANY_OFFER_CHANGED",
    } <= kb.type_names


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Direct-to-Consumer Shipping (Restricted)", "Direct-to-Consumer Shipping (Restricted)"),
        ("Direct to Consumer Shipping (Restricted)", "Direct-to-Consumer Shipping (Restricted)"),
        ("direct to consumer shipping", "Direct-to-Consumer Shipping (Restricted)"),
        ("TAX INVOICING", "Tax Invoicing (Restricted)"),
        ("tax-remittance (restricted)", "Tax Remittance (Restricted)"),
        ("Payment Initiation Service Provider (EU only)", "Payment Initiation Service Provider"),
        ("AISP", "Account Information Service Provider"),
        ("awd", "Amazon Warehousing and Distribution"),
        ("  pricing ", "Pricing"),
    ],
)
def test_role_named_is_forgiving(kb, text, expected):
    role = kb.role_named(text)
    assert role is not None and role.name == expected


def test_mentioned_names_are_not_roles(kb):
    for name in ("Amazon Logistics", "Direct-to-Consumer Delivery (Restricted)"):
        assert kb.role_named(name) is None
        mentioned = kb.mentioned_role(name)
        assert mentioned is not None and mentioned.sources
    assert (
        kb.suggest_role("Direct-to-Consumer Delivery (Restricted)")
        == "Direct-to-Consumer Shipping (Restricted)"
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Pricng", "Pricing"),
        ("Finance & Accounting", "Finance and Accounting"),
        ("Product Listings", "Product Listing"),
        ("Selling Partner Insight", "Selling Partner Insights"),
    ],
)
def test_suggest_role_finds_the_closest_name(kb, text, expected):
    assert kb.suggest_role(text) == expected


def test_suggest_role_gives_up_on_unrelated_text(kb):
    assert kb.suggest_role("qwertyuiop") is None


def test_granted_by_lists_operations_and_types(kb):
    ops, types = kb.granted_by("buyer solicitation")
    assert {
        "solicitations#createProductReviewAndSellerFeedbackSolicitation",
        "solicitations#getSolicitationActionsForOrder",
    } <= {op.key for op in ops}
    assert types == []  # the Buyer Solicitation role page grants no types
    ops, types = kb.granted_by("Brand Analytics")
    assert "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT" in {t.name for t in types}
    assert kb.granted_by("Amazon Logistics") == ([], [])


def test_evidence_keeps_every_source_statement(kb):
    op = kb.operations["notifications#createDestination"]
    tiers = {item.tier for item in kb.evidence(op)}
    assert op.grantless and op.roles == ()
    assert 1 in tiers and 3 in tiers  # the Grantless Operations page wins over the 2022 lists


# ---------------------------------------------------------------------- loading errors


def _copy_kb(tmp_path, edit):
    with open(knowledge.DATA_PATH, encoding="utf-8") as handle:
        doc = json.load(handle)
    edit(doc)
    path = tmp_path / "kb.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def _assert_one_line_error(path, *words):
    with pytest.raises(DataError) as info:
        knowledge.load(path)
    message = str(info.value)
    assert "\n" not in message and path in message
    for word in words:
        assert word in message


def test_wrong_schema_version_is_a_data_error(tmp_path):
    path = _copy_kb(tmp_path, lambda doc: doc.update(schema=99))
    _assert_one_line_error(path, "schema 99", "expected 1")


def test_unknown_role_in_an_operation_is_a_data_error(tmp_path):
    def edit(doc):
        doc["operations"][0][6] = ["Not A Role"]

    _assert_one_line_error(_copy_kb(tmp_path, edit), "corrupt", "unknown role")


def test_wrong_shape_is_a_data_error(tmp_path):
    def edit(doc):
        doc["operations"][0] = doc["operations"][0][:5]

    _assert_one_line_error(_copy_kb(tmp_path, edit), "corrupt")


def test_duplicate_operation_key_is_a_data_error(tmp_path):
    def edit(doc):
        doc["operations"].append(doc["operations"][0])

    _assert_one_line_error(_copy_kb(tmp_path, edit), "duplicate")


def test_truncated_file_is_a_data_error(tmp_path):
    path = tmp_path / "kb.json"
    shutil.copy(knowledge.DATA_PATH, path)
    text = path.read_bytes()
    path.write_bytes(text[: len(text) // 2])
    _assert_one_line_error(str(path), "not valid JSON")


def test_missing_file_is_a_data_error(tmp_path):
    _assert_one_line_error(os.path.join(str(tmp_path), "absent.json"), "cannot read")
