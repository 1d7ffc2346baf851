"""Engine: client calls of the four Python SP-API clients, resolved to operations and versions."""

from __future__ import annotations

import textwrap

import pytest

from engine_support import found, line_of, names, uses_in


def operations(source: str):
    return {(u.line, u.name, u.version) for u in uses_in(source) if u.kind == "operation"}


@pytest.mark.parametrize(
    "imports, expression",
    [
        ("from sp_api.api import Orders", "Orders()"),
        ("from sp_api.api import Orders as O", "O()"),
        ("from sp_api.api.orders.orders import Orders", "Orders()"),
        ("import sp_api.api as amazon", "amazon.Orders()"),
        ("import sp_api", "sp_api.api.Orders()"),
        ("from sp_api import api", "api.Orders()"),
        ("from sp_api.api import *", "Orders()"),
        ("from sp_api.api import OrdersV0", "OrdersV0()"),
        ("from sp_api.api.orders.orders_v0 import OrdersV0 as Legacy", "Legacy()"),
        ("from sp_api.asyncio.api import Orders", "Orders()"),
    ],
)
def test_every_import_form_reaches_the_same_operation(imports, expression):
    source = (
        f"{imports}\n\ndef run():\n    return {expression}.get_orders(CreatedAfter='2024-01-01')\n"
    )
    assert operations(source) == {(4, "getOrders", "v0")}


def test_version_keyword_selects_the_class_default_otherwise():
    source = """
        from sp_api.api import CatalogItems, CatalogItemsVersion, Orders, OrdersVersion
        CatalogItems().get_catalog_item("B0")
        CatalogItems(version="2022-04-01").get_catalog_item("B0")
        CatalogItems(version=CatalogItemsVersion.V_2022_04_01).get_catalog_item("B0")
        CatalogItems(version=CatalogItemsVersion.LATEST).get_catalog_item("B0")
        Orders(version=OrdersVersion.V_2026_01_01).search_orders()
    """
    assert operations(source) == {
        (2, "getCatalogItem", "2020-12-01"),  # clients.md 1.3: default 2020-12-01
        (3, "getCatalogItem", "2022-04-01"),
        (4, "getCatalogItem", "2022-04-01"),
        (5, "getCatalogItem", "2022-04-01"),  # LATEST = 2022-04-01 in the version enum
        (6, "searchOrders", "2026-01-01"),
    }


def test_unresolvable_version_keeps_every_version_as_keys():
    uses = uses_in("""
        from sp_api.api import CatalogItems
        def item(version):
            return CatalogItems(version=version).get_catalog_item("B0")
    """)
    (use,) = uses
    assert use.name == "getCatalogItem" and use.version == ""
    assert len(use.operation_keys) == 2


def test_method_missing_in_chosen_version_falls_back_to_the_version_that_has_it():
    # clients.md 1.3: OrdersV20260101 has no get_orders; the call shows intent for v0
    assert operations("""
        from sp_api.api import Orders
        Orders(version="2026-01-01").get_orders()
    """) == {(2, "getOrders", "v0")}


def test_submit_feed_reaches_two_operations_and_restricted_resources_add_a_token():
    source = """
        from sp_api.api import Feeds, Orders
        Feeds().submit_feed("POST_PRODUCT_DATA", b"")
        Orders().get_orders(RestrictedResources=["buyerInfo"])
        Orders().get_orders()
    """
    assert operations(source) == {
        (2, "createFeedDocument", "2021-06-30"),
        (2, "createFeed", "2021-06-30"),
        (3, "getOrders", "v0"),
        (3, "createRestrictedDataToken", "2021-03-01"),
        (4, "getOrders", "v0"),
    }


def test_method_names_come_from_the_table_not_from_the_operation_id():
    assert (
        {(line, name) for line, name, _ in operations("""
        from sp_api.api import Notifications, Inventories, Reports
        Notifications().delete_notification_subscription("ORDER_CHANGE", "sub-1")
        Inventories().get_inventory_summary_marketplace()
        Reports().delete_report_schedule("s-1")
    """)}
        == {
            (2, "deleteSubscriptionById"),
            (3, "getInventorySummaries"),
            (4, "cancelReportSchedule"),
        }
    )


def test_project_subclass_inherits_methods_and_adds_its_own_endpoints():
    source = """
        from sp_api.api import OrdersV0
        from sp_api.base import sp_endpoint

        class MyOrders(OrdersV0):
            @sp_endpoint("/sales/v1/orderMetrics")
            def metrics(self, **kwargs):
                return self._request(kwargs.pop("path"), params=kwargs)

        api = MyOrders()
        api.metrics(interval="x")
        api.get_order("1")
    """
    assert operations(source) == {(10, "getOrderMetrics", "v1"), (11, "getOrder", "v0")}


def test_project_class_with_a_client_name_is_not_a_client():
    assert uses_in("""
        from sp_api.api import Reports as AmazonReports

        class Reports:
            def create_report(self, kind):
                return kind

        Reports().create_report("pick-list")
    """) == []


def test_amzn_sp_api_classes_by_module_and_http_info_twin():
    source = """
        from spapi import OrdersV0Api, GetOrderApi, SPAPIClient
        from spapi.api.catalogitems_v2022_04_01 import catalog_api
        import spapi.api.listings_items_v2021_08_01.listings_api as listings

        client = SPAPIClient(config).api_client
        OrdersV0Api(client).get_orders(marketplace_ids=["X"])
        OrdersV0Api(client).get_orders_with_http_info(marketplace_ids=["X"])
        GetOrderApi(client).get_order("1")
        catalog_api.CatalogApi(client).get_catalog_item("B0", ["X"])
        listings.ListingsApi(client).get_listings_item("S", "sku", ["X"])
    """
    assert operations(source) == {
        (6, "getOrders", "v0"),
        (7, "getOrders", "v0"),
        (8, "getOrder", "2026-01-01"),
        (9, "getCatalogItem", "2022-04-01"),
        (10, "getListingsItem", "2021-08-01"),
    }


def test_vendored_swagger_client_and_class_chosen_by_name():
    source = """
        from api_models.orders_api.swagger_client.api.orders_v0_api import OrdersV0Api
        from spapi.spapiclient import SPAPIClient

        OrdersV0Api(api_client).get_order_items("1")
        SPAPIClient(config).get_api_client("ReportsApi").get_report("r-1")
    """
    assert {(line, name) for line, name, _ in operations(source)} == {
        (4, "getOrderItems"),
        (5, "getReport"),
    }


def test_amzn_selling_partner_resources_bare_names_are_the_newest_version():
    source = """
        from amzn_selling_partner import SellingPartner, AsyncSellingPartner
        sp = SellingPartner()
        sp.orders_v0.list_orders()
        sp.orders.list_orders()
        sp.reports.get_document("d-1")
        sp.orders_v0.iter_list_orders()
        AsyncSellingPartner().orders_v0.get_order("1")
    """
    assert operations(source) == {
        (3, "getOrders", "v0"),
        (4, "searchOrders", "2026-01-01"),
        (5, "getReportDocument", "2021-06-30"),
        (6, "getOrders", "v0"),
        (7, "getOrder", "v0"),
    }


def test_amzn_selling_partner_documents_helper_and_rdt_option():
    source = """
        from amzn_selling_partner import SellingPartner
        from amzn_selling_partner.plugins.amazon_spapi import with_rdt
        sp = SellingPartner()
        sp.documents.create_feed("POST_PRODUCT_DATA", ["X"], b"")
        sp.orders_v0.get_order("1", request_options=with_rdt("buyerInfo"))
    """
    assert {(line, name) for line, name, _ in operations(source)} == {
        (4, "createFeedDocument"),
        (4, "createFeed"),
        (5, "getOrder"),
        (5, "createRestrictedDataToken"),
    }
    assert (4, "feed", "POST_PRODUCT_DATA", "carrier") in found(uses_in(source))


def test_amazon_sp_api_clients_cached_properties_and_retired_versions():
    source = """
        from amazon_sp_api_clients import AmazonSpApiClients
        clients = AmazonSpApiClients(refresh_token="t")
        clients.orders_v0.getOrders(MarketplaceIds=["X"])
        clients.reports_2020_09_04.getReports(reportTypes=["GET_AFN_INVENTORY_DATA"])
        clients.catalog_items_v0.listCatalogItems(MarketplaceId="X")
    """
    assert operations(source) == {
        (3, "getOrders", "v0"),
        (4, "getReports", "2020-09-04"),
        (5, "listCatalogItems", "v0"),
    }


def test_operation_is_reported_at_the_method_name_token():
    source = """
        from sp_api.api import Orders
        result = (Orders()
                  .get_orders(CreatedAfter="x"))
    """
    (use,) = uses_in(source)
    line = line_of(source, ".get_orders")
    assert (use.line, use.column) == (
        line,
        textwrap.dedent(source).lstrip("\n").splitlines()[line - 1].index("get_orders"),
    )
    assert use.operation_keys == ("ordersV0#getOrders",)
    assert "get_orders" in use.via


def test_other_marketplace_clients_with_the_same_method_names_are_not_sp_api():
    assert uses_in("""
        from sp_api.api import Orders
        from kaufland_api import Client
        from ebaysdk.trading import Connection

        Client().get_orders()
        Connection().get_order_items("1")
    """) == []


def test_name_only_for_unknown_receivers_of_a_unique_method_when_the_package_is_imported():
    source = """
        from sp_api.api import Reports

        def buyer(orders_client, order_id):
            return orders_client.get_order_buyer_info(order_id)

        def ambiguous(client):
            return client.get_orders()
    """
    uses = uses_in(source)
    assert found(uses) == {(4, "operation", "getOrderBuyerInfo", "name-only")}
    # get_orders exists in Orders and VendorDirectFulfillmentOrders: not unique, so silent
    assert "getOrders" not in names(uses)


def test_name_only_needs_the_client_package_imported():
    assert uses_in("""
        import requests

        def buyer(orders_client, order_id):
            return orders_client.get_order_buyer_info(order_id)
    """) == []
