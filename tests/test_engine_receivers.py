"""Engine: which client a receiver is, through locals, attributes, factories, modules and scopes.

Each snippet marks the uses the engine reports (``# expect:``, on the line or just above it; see
``support.engine``); every other line must stay silent.
"""

from __future__ import annotations

from support.engine import assert_marked, assert_marked_project


def test_local_self_attribute_set_in_another_method_and_module_global():
    assert_marked("""
        from sp_api.api import Orders, Reports
        SHARED = Reports()

        class Sync:
            def setup(self):
                self.api = Orders()

            def run(self):
                local = self.api
                local.get_order("1")  # expect: operation:getOrder
                self.api.get_order_items("1")  # expect: operation:getOrderItems
                return SHARED.get_report("r")  # expect: operation:getReport
    """)


def test_with_and_async_with_and_factory_functions():
    assert_marked("""
        from sp_api.asyncio.api import Reports
        from sp_api.api import Orders

        def make():
            return Reports()

        async def job():
            async with make() as reports:
                await reports.get_report("r")  # expect: operation:getReport
            with Orders() as orders:
                orders.get_order("1")  # expect: operation:getOrder
    """)


def test_inherited_factory_method_and_chained_call():
    assert_marked("""
        from sp_api.api import Feeds

        class Base:
            def feeds(self):
                return Feeds()

        class Job(Base):
            def run(self):
                return self.feeds().get_feed("f-1")  # expect: operation:getFeed
    """)


def test_dict_cache_of_clients():
    assert_marked("""
        from sp_api.api import CatalogItems

        class Lookup:
            def __init__(self):
                self._apis = {}

            def item(self, mp, asin):
                if mp not in self._apis:
                    self._apis[mp] = CatalogItems(marketplace=mp, version="2022-04-01")
                return self._apis[mp].get_catalog_item(asin)  # expect: operation:getCatalogItem

            def cached(self, mp):
                # expect: operation:searchCatalogItems
                return self._apis.get(mp).search_catalog_items()
    """)


def test_same_name_bound_to_different_clients_in_different_scopes_and_rebinding():
    uses = assert_marked("""
        from sp_api.api import Orders, VendorDirectFulfillmentOrders

        def seller():
            client = Orders()
            return client.get_order("1")  # expect: operation:getOrder@v0

        def vendor():
            client = VendorDirectFulfillmentOrders()
            return client.get_order("1")  # expect: operation:getOrder@v1

        def both():
            client = Orders()
            client.get_order("1")  # expect: operation:getOrder@v0
            client = VendorDirectFulfillmentOrders()
            return client.get_order("2")  # expect: operation:getOrder@v1
    """)
    seller, vendor = "Orders API", "Vendor Direct Fulfillment Orders API"
    assert [use.api for use in sorted(uses, key=lambda use: use.line)] == [
        seller, vendor, seller, vendor]


def test_branch_bindings_both_reach_the_use():
    (use,) = assert_marked("""
        from sp_api.api import Orders, VendorDirectFulfillmentOrders
        def pick(vendor):
            if vendor:
                client = VendorDirectFulfillmentOrders()
            else:
                client = Orders()
            return client.get_order("1")  # expect: operation:getOrder
    """)
    assert len(use.operation_keys) >= 2  # the seller and the vendor getOrder


def test_annotated_parameter_and_annotated_attribute():
    assert_marked("""
        from typing import Optional
        from sp_api.api import Reports, Sellers

        class Service:
            sellers: Sellers

            def run(self, reports: "Reports", other: Optional[Reports] = None):
                reports.get_report("r")  # expect: operation:getReport
                other.cancel_report("r")  # expect: operation:cancelReport
                self.sellers.get_account()  # expect: operation:getAccount
    """)


def test_parameter_takes_the_arguments_of_project_call_sites():
    assert_marked("""
        from sp_api.api import Reports

        def status(client, report_id):
            return client.get_report(report_id)  # expect: operation:getReport

        status(Reports(), "r-1")
    """)


def test_factories_reexports_and_constants_from_other_project_modules(tmp_path):
    assert_marked_project(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/amazon/__init__.py": """
            from sp_api.api import Reports as AmazonReports
            from .factory import orders_client, ClientFactory
        """,
            "shop/amazon/factory.py": """
            from sp_api.api import Orders, Feeds

            def orders_client():
                return Orders(version="v0")

            class ClientFactory:
                def feeds(self):
                    return Feeds()
        """,
            "shop/jobs.py": """
            from shop.amazon import AmazonReports, ClientFactory, orders_client

            class Nightly(ClientFactory):
                def push(self):
                    return self.feeds().get_feeds()  # expect: operation:getFeeds

            def backfill():
                return orders_client().get_orders()  # expect: operation:getOrders

            def report(report_id):
                return AmazonReports().get_report(report_id)  # expect: operation:getReport
        """,
        },
    )


def test_getattr_with_literal_and_wrapper_parameter_flowing_into_getattr():
    assert_marked("""
        from sp_api.api import Orders

        class Sync:
            def __init__(self):
                self.api = Orders()

            def call(self, operation, *args):
                return getattr(self.api, operation)(*args)

            def items(self, order_id):
                return self.call("get_order_items", order_id)  # expect: operation:getOrderItems

            def buyer(self, order_id):
                # expect: operation:getOrderBuyerInfo
                return getattr(self.api, "get_order_buyer_info")(order_id)
    """)


def test_getattr_wrapper_called_from_another_module(tmp_path):
    assert_marked_project(
        tmp_path,
        {
            "app/utils.py": """
            from spapi import OrdersV0Api

            class Utils:
                def __init__(self, client):
                    self.orders = OrdersV0Api(client)

                def call(self, method, **kwargs):
                    return getattr(self.orders, method)(**kwargs)
        """,
            "app/main.py": """
            from app.utils import Utils

            def main(client):
                # expect: operation:getOrderAddress
                Utils(client).call("get_order_address", order_id="1")
        """,
        },
    )


def test_methods_of_project_objects_are_silent():
    assert_marked("""
        from sp_api.api import Orders

        class Exporter:
            def get_orders(self):
                return []

        Exporter().get_orders()
        Orders().get_orders().payload.get("Orders")  # expect: operation:getOrders
    """)


def test_class_rebound_through_an_unknown_wrapper_keeps_its_client():
    assert_marked("""
        from sp_api.api import Orders
        from ratelimit import throttled

        Orders = throttled(Orders, calls=1)

        class Sync:
            api = Orders()

            def run(self):
                return self.api.get_order("1")  # expect: operation:getOrder
    """)


def test_client_injected_through_the_constructor_at_a_project_call_site():
    assert_marked("""
        from sp_api.api import Feeds

        class Uploader:
            def __init__(self, feeds_api):
                self.feeds_api = feeds_api

            def status(self, feed_id):
                return self.feeds_api.get_feed(feed_id)  # expect: operation:getFeed

        uploader = Uploader(Feeds())
    """)


def test_properties_closures_lambdas_and_factories_returning_dicts_of_clients():
    assert_marked("""
        from functools import cached_property
        from sp_api.api import Orders, Reports

        def clients():
            return {"orders": Orders(), "reports": Reports()}

        class Service:
            @property
            def orders(self):
                return Orders()

            @cached_property
            def reports(self):
                return Reports()

            def run(self):
                self.orders.get_order_address("1")  # expect: operation:getOrderAddress
                self.reports.cancel_report("r")  # expect: operation:cancelReport
                clients()["orders"].get_order("1")  # expect: operation:getOrder

        def outer():
            api = Orders()
            # expect: operation:getOrderRegulatedInfo
            fetch = lambda: api.get_order_regulated_info("1")
            def inner():
                return api.get_order_buyer_info("1")  # expect: operation:getOrderBuyerInfo
    """)
