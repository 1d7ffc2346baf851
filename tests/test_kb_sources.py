"""Spot checks of the knowledge base against what the source files state.

The expected values below were read in the extracted inputs (tools/kb_inputs: role-mappings-*.json,
sources/roles-to-rights-2022*.json, the roles page) and are cited per test; the certain rows of
Amazon's role tables are also compared one by one.
"""

from __future__ import annotations

import json
import os

import pytest

from spapi_roles import knowledge

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INPUTS = os.path.join(REPO_ROOT, "tools", "kb_inputs")
D2C = "Direct-to-Consumer Shipping (Restricted)"


@pytest.fixture(scope="module")
def kb():
    return knowledge.load()


def test_aplus_row_read_on_the_role_mappings_page(kb):
    # role-mappings-operations.json, A+ Content createContentDocument, uncertain false.
    op = kb.operations["aplusContent_2020-11-01#createContentDocument"]
    assert op.roles == ("Brand Analytics", "Product Listing") and op.confidence == "high"
    assert "https://developer-docs.amazon.com/sp-api/docs/role-mappings" in {
        s.ref for s in op.sources
    }


def test_grantless_operations_from_the_grantless_page(kb):
    # role-mappings-current-guides.json: "grantless list" rows; Authorization from the page's list.
    for key in (
        "notifications#createDestination",
        "notifications#getDestinations",
        "notifications#deleteDestination",
        "notifications#getSubscriptionById",
        "notifications#deleteSubscriptionById",
        "application_2023-11-30#rotateApplicationClientSecret",
        "authorization#getAuthorizationCode",
    ):
        op = kb.operations[key]
        assert op.grantless and op.confidence == "high", key
    # The model calls sendTestNotification grantless; the Grantless page does not list it.
    assert kb.operations["notifications#sendTestNotification"].confidence == "medium"


def test_create_restricted_data_token_needs_one_of_twelve_roles(kb):
    # Tokens API role table (lang-fr_FR copy): 12 roles, not grantless.
    op = kb.operations["tokens_2021-03-01#createRestrictedDataToken"]
    assert not op.grantless and len(op.roles) == 12 and op.confidence == "high"
    assert "Notifications in Seller Central" not in op.roles


def test_region_limited_roles(kb):
    # Finances listFinancialEventGroups: "Account Information Service Provider (EU only)".
    op = kb.operations["financesV0#listFinancialEventGroups"]
    assert dict(op.role_regions) == {"Account Information Service Provider": ("EU",)}
    # Sales getOrderMetrics: ten roles FE only; Inventory and Order Tracking and Product Listing
    # everywhere.
    limits = dict(kb.operations["sales#getOrderMetrics"].role_regions)
    assert len(limits) == 10 and set(limits.values()) == {("FE",)}
    assert "Inventory and Order Tracking" not in limits and "Product Listing" not in limits


def test_external_fulfillment_keeps_the_english_guide(kb):
    # English and de_DE guide: Direct to Consumer Shipping (Restricted); es_ES copy: Inventory and
    # Order Tracking.
    op = kb.operations["externalFulfillmentShipments_2024-09-11#getShipments"]
    assert op.roles == (D2C,) and op.confidence == "high"


def test_restricted_data_operations(kb):
    # Tokens API guide list (role-mappings-current-guides.json) and the 2022 "- RDT" rows.
    for key in (
        "ordersV0#getOrders",
        "ordersV0#getOrderAddress",
        "ordersV0#getOrderRegulatedInfo",
        "merchantFulfillmentV0#createShipment",
        "merchantFulfillmentV0#cancelShipmentOld",
        "vendorDirectFulfillmentShippingV1#getShippingLabel",
        "easyShip_2022-03-23#createScheduledPackageBulk",
        "shipmentInvoicingV0#getShipmentDetails",
    ):
        assert kb.operations[key].restricted_data, key
    # "You do not need a Restricted Data Token to access PII with the Orders API v2026-01-01."
    assert not kb.operations["orders_2026-01-01#getOrder"].restricted_data
    # getReportDocument needs an RDT only for restricted report types.
    op = kb.operations["reports_2021-06-30#getReportDocument"]
    assert not op.restricted_data and any("restricted report types" in note for note in op.notes)
    assert kb.type_named("GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING").restricted


def test_roles_2022_lists_for_retired_operations(kb):
    # roles-to-rights-2022-by-operation.json: GET /catalog/v0/items -> Product Listing;
    # POST /fba/smallAndLight/v1/feePreviews -> Amazon Fulfillment, Product Listing.
    assert kb.operations["catalogItemsV0#listCatalogItems"].roles == ("Product Listing",)
    assert kb.operations["fbaSmallandLight#getSmallAndLightFeePreview"].roles == (
        "Amazon Fulfillment",
        "Product Listing",
    )
    assert kb.operations["catalogItemsV0#listCatalogItems"].confidence == "low"


def test_whole_api_statements_of_the_roles_page(kb):
    # "You generally use this role when you use the Services API v1." (Professional Services)
    for op in kb.operations.values():
        if op.key.startswith("services#"):
            assert "Professional Services (Restricted)" in op.roles, op.key


def test_type_rows(kb):
    # role-mappings-types.json: JSON_LISTINGS_FEED and POST_EASYSHIP_DOCUMENTS (types page rows).
    info = kb.type_named("JSON_LISTINGS_FEED", "feed")
    assert (
        info.roles == ("Inventory and Order Tracking", "Product Listing")
        and info.confidence == "high"
    )
    info = kb.type_named("POST_EASYSHIP_DOCUMENTS", "feed")
    assert info.roles == (D2C, "Inventory and Order Tracking", "Tax Invoicing (Restricted)")
    # POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA: Payment Initiation Service Provider, EU only.
    info = kb.type_named("POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA")
    assert dict(info.role_regions)["Payment Initiation Service Provider"] == ("EU",)
    # Deprecated settlement report and removed notifications.
    assert kb.type_named("GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE").deprecated
    assert kb.type_named("ORDER_STATUS_CHANGE", "notification").deprecated
    # 2022 quirk: Tax Remittance lists _GET_FLAT_FILE_SALES_TAX_DATA (MWS spelling).
    assert kb.type_named("_GET_FLAT_FILE_SALES_TAX_DATA").name == "GET_FLAT_FILE_SALES_TAX_DATA"


def test_third_party_roles_do_not_override_amazon(kb):
    # DATA_KIOSK_QUERY_PROCESSING_FINISHED: the AWD role page (Amazon) names AWD; only a
    # third-party summary adds Brand Analytics.
    info = kb.type_named("DATA_KIOSK_QUERY_PROCESSING_FINISHED")
    assert info.roles == ("Amazon Warehousing and Distribution",)
    # ORDER_CHANGE: only the third-party summary names roles, so they are used, at low confidence.
    assert kb.type_named("ORDER_CHANGE").confidence == "low"


def test_types_from_client_enums_without_roles_stay_unknown(kb):
    # known_types_without_mapping: no source gives roles.
    info = kb.type_named("GET_FLAT_FILE_OFFAMAZONPAYMENTS_SANDBOX_SETTLEMENT_DATA")
    assert info.roles == () and info.confidence == "unknown"


def _load_input(name):
    with open(os.path.join(INPUTS, name), encoding="utf-8") as handle:
        return json.load(handle)


def test_certain_table_rows_are_taken_as_stated(kb):
    for name in ("role-mappings-operations.json", "role-mappings-current-guides.json"):
        data = _load_input(name)
        for api in data["apis"]:
            stem = os.path.splitext(os.path.basename(api["model_file"]))[0]
            for row in api["operations"]:
                if row["uncertain"]:
                    continue
                for op in kb.operations_named(row["operation"]):
                    if not op.key.startswith(stem + "#"):
                        continue
                    assert op.grantless == row["grantless"], op.key
                    stated = {kb.role_named(r).name for r in row["roles"]}
                    assert set(op.roles) == stated and op.confidence == "high", op.key


def test_every_2022_type_is_known(kb):
    data = _load_input("sources/roles-to-rights-2022-by-operation.json")
    kinds = {"Reports": "report", "Feeds": "feed", "Notifications": "notification"}
    for row in data["types"]:
        info = kb.type_named(row["type"], kinds[row["section"]])
        assert info is not None and info.roles, row["type"]


def test_rows_found_later_with_amazons_role_tables(kb):
    # role-mappings-2026-12.json: "Roles for the Delivery by Amazon API" (Regions BR) and
    # "Roles for the Transfers API v2024-06-01" (Regions EU) are Amazon's stated lists.
    for key in ("deliveryShipmentInvoiceV2022-07-01#submitInvoice",
                "deliveryShipmentInvoiceV2022-07-01#getInvoiceStatus"):
        op = kb.operations[key]
        assert (op.roles, op.confidence, op.regions) == (
            ("Tax Invoicing (Restricted)",), "high", ("NA",)), key
    op = kb.operations["transfers_2024-06-01#getPaymentMethods"]
    assert op.roles == ("Account Information Service Provider", "Finance and Accounting",
                        "Payment Initiation Service Provider")
    assert op.confidence == "high" and op.regions == ("EU",)
    guide = "https://developer-docs.amazon.com/sp-api/docs/transfers-api-v2024-06-01-use-case-guide"
    assert guide in {s.ref for s in op.sources}


def test_rows_found_later_from_role_pages_and_tutorials_are_lower_bounds(kb):
    # The Amazon Fulfillment role page lists cancelSelfShipAppointment (no other source names it);
    # the carton-information tutorial's prerequisites name Amazon Fulfillment and Product Listing.
    op = kb.operations["fulfillmentInbound_2024-03-20#cancelSelfShipAppointment"]
    assert (op.roles, op.confidence) == (("Amazon Fulfillment",), "medium")
    op = kb.operations["fulfillmentInbound_2024-03-20#generatePlacementOptions"]
    assert (op.roles, op.confidence) == (("Amazon Fulfillment", "Product Listing"), "medium")
    # create-mcf-return: the tutorial raises the 2022-list fact to medium, roles unchanged.
    op = kb.operations["fulfillmentOutbound_2020-07-01#createFulfillmentReturn"]
    assert (op.roles, op.confidence) == (("Amazon Fulfillment",), "medium")


def test_a_fact_the_later_rows_change_is_listed_among_the_conflicts():
    with open(os.path.join(REPO_ROOT, "tools", "kb_conflicts.md"), encoding="utf-8") as handle:
        conflicts = handle.read()
    section = conflicts.split("## Facts changed by the rows found later")[1].split("\n## ")[0]
    assert ("transfers_2024-06-01#getPaymentMethods: was Account Information Service Provider, "
            "Finance and Accounting (medium") in section
    assert "Payment Initiation Service Provider (high" in section
