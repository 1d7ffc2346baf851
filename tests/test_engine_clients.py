"""Engine: client calls of the four Python SP-API clients, resolved to operations and versions.

Each snippet marks the uses the engine reports (``# expect:``, on the line or just above it; see
``support.engine``); every other line must stay silent.
"""

from __future__ import annotations

import pytest
from support.engine import assert_marked, position_of


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
    assert_marked(f"""
        {imports}

        def run():
            # expect: operation:getOrders@v0
            return {expression}.get_orders(CreatedAfter='2024-01-01')
    """)


def test_version_keyword_selects_the_class_default_otherwise():
    assert_marked("""
        from sp_api.api import CatalogItems, CatalogItemsVersion, Orders, OrdersVersion
        # expect: operation:getCatalogItem@2020-12-01
        CatalogItems().get_catalog_item("B0")  # clients.md 1.3: default 2020-12-01
        # expect: operation:getCatalogItem@2022-04-01
        CatalogItems(version="2022-04-01").get_catalog_item("B0")
        # expect: operation:getCatalogItem@2022-04-01
        CatalogItems(version=CatalogItemsVersion.V_2022_04_01).get_catalog_item("B0")
        # expect: operation:getCatalogItem@2022-04-01
        CatalogItems(version=CatalogItemsVersion.LATEST).get_catalog_item("B0")  # the enum's LATEST
        # expect: operation:searchOrders@2026-01-01
        Orders(version=OrdersVersion.V_2026_01_01).search_orders()
    """)


def test_unresolvable_version_keeps_every_version_as_keys():
    (use,) = assert_marked("""
        from sp_api.api import CatalogItems
        def item(version):
            # expect: operation:getCatalogItem
            return CatalogItems(version=version).get_catalog_item("B0")
    """)
    assert use.version == ""
    assert len(use.operation_keys) == 2


def test_method_missing_in_chosen_version_falls_back_to_the_version_that_has_it():
    # clients.md 1.3: OrdersV20260101 has no get_orders; the call shows intent for v0
    assert_marked("""
        from sp_api.api import Orders
        Orders(version="2026-01-01").get_orders()  # expect: operation:getOrders@v0
    """)


def test_submit_feed_reaches_two_operations_and_restricted_resources_add_a_token():
    assert_marked("""
        from sp_api.api import Feeds, Orders
        # expect: operation:createFeedDocument@2021-06-30 operation:createFeed@2021-06-30
        # expect: feed:POST_PRODUCT_DATA/carrier
        Feeds().submit_feed("POST_PRODUCT_DATA", b"")
        # expect: operation:getOrders@v0 operation:createRestrictedDataToken@2021-03-01
        Orders().get_orders(RestrictedResources=["buyerInfo"])
        Orders().get_orders()  # expect: operation:getOrders@v0
    """)


def test_method_names_come_from_the_table_not_from_the_operation_id():
    assert_marked("""
        from sp_api.api import Notifications, Inventories, Reports
        # expect: operation:deleteSubscriptionById notification:ORDER_CHANGE/carrier
        Notifications().delete_notification_subscription("ORDER_CHANGE", "sub-1")
        Inventories().get_inventory_summary_marketplace()  # expect: operation:getInventorySummaries
        Reports().delete_report_schedule("s-1")  # expect: operation:cancelReportSchedule
    """)


def test_project_subclass_inherits_methods_and_adds_its_own_endpoints():
    assert_marked("""
        from sp_api.api import OrdersV0
        from sp_api.base import sp_endpoint

        class MyOrders(OrdersV0):
            @sp_endpoint("/sales/v1/orderMetrics")
            def metrics(self, **kwargs):
                return self._request(kwargs.pop("path"), params=kwargs)

        api = MyOrders()
        api.metrics(interval="x")  # expect: operation:getOrderMetrics@v1
        api.get_order("1")  # expect: operation:getOrder@v0
    """)


def test_project_class_with_a_client_name_is_not_a_client():
    assert_marked("""
        from sp_api.api import Reports as AmazonReports

        class Reports:
            def create_report(self, kind):
                return kind

        Reports().create_report("pick-list")
    """)


def test_amzn_sp_api_classes_by_module_and_http_info_twin():
    assert_marked("""
        from spapi import OrdersV0Api, GetOrderApi, SPAPIClient
        from spapi.api.catalogitems_v2022_04_01 import catalog_api
        import spapi.api.listings_items_v2021_08_01.listings_api as listings

        client = SPAPIClient(config).api_client
        OrdersV0Api(client).get_orders(marketplace_ids=["X"])  # expect: operation:getOrders@v0
        # expect: operation:getOrders@v0
        OrdersV0Api(client).get_orders_with_http_info(marketplace_ids=["X"])
        GetOrderApi(client).get_order("1")  # expect: operation:getOrder@2026-01-01
        # expect: operation:getCatalogItem@2022-04-01
        catalog_api.CatalogApi(client).get_catalog_item("B0", ["X"])
        # expect: operation:getListingsItem@2021-08-01
        listings.ListingsApi(client).get_listings_item("S", "sku", ["X"])
    """)


def test_vendored_swagger_client_and_class_chosen_by_name():
    assert_marked("""
        from api_models.orders_api.swagger_client.api.orders_v0_api import OrdersV0Api
        from spapi.spapiclient import SPAPIClient

        OrdersV0Api(api_client).get_order_items("1")  # expect: operation:getOrderItems
        # expect: operation:getReport
        SPAPIClient(config).get_api_client("ReportsApi").get_report("r-1")
    """)


def test_amzn_selling_partner_resources_bare_names_are_the_newest_version():
    assert_marked("""
        from amzn_selling_partner import SellingPartner, AsyncSellingPartner
        sp = SellingPartner()
        sp.orders_v0.list_orders()  # expect: operation:getOrders@v0
        sp.orders.list_orders()  # expect: operation:searchOrders@2026-01-01
        sp.reports.get_document("d-1")  # expect: operation:getReportDocument@2021-06-30
        sp.orders_v0.iter_list_orders()  # expect: operation:getOrders@v0
        AsyncSellingPartner().orders_v0.get_order("1")  # expect: operation:getOrder@v0
    """)


def test_amzn_selling_partner_documents_helper_and_rdt_option():
    assert_marked("""
        from amzn_selling_partner import SellingPartner
        from amzn_selling_partner.plugins.amazon_spapi import with_rdt
        sp = SellingPartner()
        # expect: operation:createFeedDocument operation:createFeed feed:POST_PRODUCT_DATA/carrier
        sp.documents.create_feed("POST_PRODUCT_DATA", ["X"], b"")
        # expect: operation:getOrder operation:createRestrictedDataToken
        sp.orders_v0.get_order("1", request_options=with_rdt("buyerInfo"))
    """)


def test_amazon_sp_api_clients_cached_properties_and_retired_versions():
    assert_marked("""
        from amazon_sp_api_clients import AmazonSpApiClients
        clients = AmazonSpApiClients(refresh_token="t")
        clients.orders_v0.getOrders(MarketplaceIds=["X"])  # expect: operation:getOrders@v0
        # expect: operation:getReports@2020-09-04 report:GET_AFN_INVENTORY_DATA
        clients.reports_2020_09_04.getReports(reportTypes=["GET_AFN_INVENTORY_DATA"])
        # expect: operation:listCatalogItems@v0
        clients.catalog_items_v0.listCatalogItems(MarketplaceId="X")
    """)


def test_operation_is_reported_at_the_method_name_token():
    source = """
        from sp_api.api import Orders
        result = (Orders()
                  .get_orders(CreatedAfter="x"))  # expect: operation:getOrders
    """
    (use,) = assert_marked(source)
    assert (use.line, use.column) == position_of(source, "get_orders")
    assert use.operation_keys == ("ordersV0#getOrders",)
    assert "get_orders" in use.via


def test_other_marketplace_clients_with_the_same_method_names_are_not_sp_api():
    assert_marked("""
        from sp_api.api import Orders
        from kaufland_api import Client
        from ebaysdk.trading import Connection

        Client().get_orders()
        Connection().get_order_items("1")
    """)


def test_name_only_for_unknown_receivers_of_a_unique_method_when_the_package_is_imported():
    assert_marked("""
        from sp_api.api import Reports

        def buyer(orders_client, order_id):
            # expect: operation:getOrderBuyerInfo/name-only
            return orders_client.get_order_buyer_info(order_id)

        def ambiguous(client):
            # get_orders exists in Orders and VendorDirectFulfillmentOrders: not unique, so silent
            return client.get_orders()
    """)


def test_name_only_needs_the_client_package_imported():
    assert_marked("""
        import requests

        def buyer(orders_client, order_id):
            return orders_client.get_order_buyer_info(order_id)
    """)


def test_a_client_method_used_as_a_value_is_a_use_where_it_is_named():
    assert_marked("""
        import asyncio, functools
        from sp_api.api import Orders, Reports
        from sp_api.base import ReportType

        def run(retry, pool, ids):
            orders = Orders()
            # expect: operation:getOrder@v0
            retry(orders.get_order, ids[0])
            # expect: operation:getOrderItems@v0
            pool.submit(orders.get_order_items, ids[0])
            # expect: operation:getOrderAddress@v0
            fetch = functools.partial(orders.get_order_address, ids[0])
            fetch()  # running it later is no second use
            # expect: operation:getOrderBuyerInfo@v0
            asyncio.to_thread(orders.get_order_buyer_info, ids[0])
            # expect: operation:getOrders@v0
            table = {"orders": orders.get_orders}
            table["orders"]()
            # the arguments after the method are its own: the type is carried
            # expect: operation:createReport report:GET_EXCESS_INVENTORY_DATA/carrier
            retry(Reports().create_report, reportType=ReportType.GET_EXCESS_INVENTORY_DATA)
            return orders.get_order.__name__, Orders.get_orders  # names, not uses
    """)


def test_project_client_on_the_sdk_base_with_a_version_placeholder():
    assert_marked("""
        from sp_api.base import Client, fill_query_params, sp_endpoint

        class Catalog(Client):
            @sp_endpoint("/catalog/{}/items/{}", method="GET")
            def item(self, asin, **kwargs):
                version = kwargs.pop("version", "2022-04-01")
                return self._request(fill_query_params(kwargs.pop("path"), version, asin))

            def local(self):
                return {}

        def run(asin):
            catalog = Catalog()
            # expect: operation:getCatalogItem@2022-04-01
            catalog.item(asin)
            # expect: operation:getCatalogItem@v0
            catalog.item(asin, version="v0")
            catalog.local()
    """)
