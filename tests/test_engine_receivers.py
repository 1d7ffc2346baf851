"""Engine: which client a receiver is, through locals, attributes, factories, modules and scopes."""

from __future__ import annotations

from engine_support import in_project, uses_in


def ops(uses):
    return sorted((u.line, u.name) for u in uses if u.kind == "operation")


def test_local_self_attribute_set_in_another_method_and_module_global():
    assert ops(uses_in("""
        from sp_api.api import Orders, Reports
        SHARED = Reports()

        class Sync:
            def setup(self):
                self.api = Orders()

            def run(self):
                local = self.api
                local.get_order("1")
                self.api.get_order_items("1")
                return SHARED.get_report("r")
    """)) == [(10, "getOrder"), (11, "getOrderItems"), (12, "getReport")]


def test_with_and_async_with_and_factory_functions():
    assert ops(uses_in("""
        from sp_api.asyncio.api import Reports
        from sp_api.api import Orders

        def make():
            return Reports()

        async def job():
            async with make() as reports:
                await reports.get_report("r")
            with Orders() as orders:
                orders.get_order("1")
    """)) == [(9, "getReport"), (11, "getOrder")]


def test_inherited_factory_method_and_chained_call():
    assert ops(uses_in("""
        from sp_api.api import Feeds

        class Base:
            def feeds(self):
                return Feeds()

        class Job(Base):
            def run(self):
                return self.feeds().get_feed("f-1")
    """)) == [(9, "getFeed")]


def test_dict_cache_of_clients():
    assert ops(uses_in("""
        from sp_api.api import CatalogItems

        class Lookup:
            def __init__(self):
                self._apis = {}

            def item(self, mp, asin):
                if mp not in self._apis:
                    self._apis[mp] = CatalogItems(marketplace=mp, version="2022-04-01")
                return self._apis[mp].get_catalog_item(asin)

            def cached(self, mp):
                return self._apis.get(mp).search_catalog_items()
    """)) == [(10, "getCatalogItem"), (13, "searchCatalogItems")]


def test_same_name_bound_to_different_clients_in_different_scopes_and_rebinding():
    assert ops(uses_in("""
        from sp_api.api import Orders, VendorDirectFulfillmentOrders

        def seller():
            client = Orders()
            return client.get_order("1")

        def vendor():
            client = VendorDirectFulfillmentOrders()
            return client.get_order("1")

        def both():
            client = Orders()
            client.get_order("1")
            client = VendorDirectFulfillmentOrders()
            return client.get_order("2")
    """)) == [(5, "getOrder"), (9, "getOrder"), (13, "getOrder"), (15, "getOrder")]
    uses = uses_in("""
        from sp_api.api import Orders, VendorDirectFulfillmentOrders
        def both():
            client = Orders()
            client.get_order("1")
            client = VendorDirectFulfillmentOrders()
            return client.get_order("2")
    """)
    apis = {u.line: u.api for u in uses}
    assert apis[4] == "Orders API" and apis[6] != "Orders API"


def test_branch_bindings_both_reach_the_use():
    uses = uses_in("""
        from sp_api.api import Orders, VendorDirectFulfillmentOrders
        def pick(vendor):
            if vendor:
                client = VendorDirectFulfillmentOrders()
            else:
                client = Orders()
            return client.get_order("1")
    """)
    (use,) = uses
    assert len(use.operation_keys) >= 2  # the seller and the vendor getOrder


def test_annotated_parameter_and_annotated_attribute():
    assert ops(uses_in("""
        from typing import Optional
        from sp_api.api import Reports, Sellers

        class Service:
            sellers: Sellers

            def run(self, reports: "Reports", other: Optional[Reports] = None):
                reports.get_report("r")
                other.cancel_report("r")
                self.sellers.get_account()
    """)) == [(8, "getReport"), (9, "cancelReport"), (10, "getAccount")]


def test_parameter_takes_the_arguments_of_project_call_sites():
    assert ops(uses_in("""
        from sp_api.api import Reports

        def status(client, report_id):
            return client.get_report(report_id)

        status(Reports(), "r-1")
    """)) == [(4, "getReport")]


def test_factories_reexports_and_constants_from_other_project_modules(tmp_path):
    uses = in_project(
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
                    return self.feeds().get_feeds()

            def backfill():
                return orders_client().get_orders()

            def report(report_id):
                return AmazonReports().get_report(report_id)
        """,
        },
    )
    assert ops(uses["shop/jobs.py"]) == [(5, "getFeeds"), (8, "getOrders"), (11, "getReport")]


def test_getattr_with_literal_and_wrapper_parameter_flowing_into_getattr():
    source = """
        from sp_api.api import Orders

        class Sync:
            def __init__(self):
                self.api = Orders()

            def call(self, operation, *args):
                return getattr(self.api, operation)(*args)

            def items(self, order_id):
                return self.call("get_order_items", order_id)

            def buyer(self, order_id):
                return getattr(self.api, "get_order_buyer_info")(order_id)
    """
    assert ops(uses_in(source)) == [(11, "getOrderItems"), (14, "getOrderBuyerInfo")]


def test_getattr_wrapper_called_from_another_module(tmp_path):
    uses = in_project(
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
                Utils(client).call("get_order_address", order_id="1")
        """,
        },
    )
    assert ops(uses["app/main.py"]) == [(4, "getOrderAddress")]
    assert uses["app/utils.py"] == []


def test_methods_of_project_objects_are_silent():
    assert ops(uses_in("""
        from sp_api.api import Orders

        class Exporter:
            def get_orders(self):
                return []

        Exporter().get_orders()
        Orders().get_orders().payload.get("Orders")
    """)) == [(8, "getOrders")]


def test_class_rebound_through_an_unknown_wrapper_keeps_its_client():
    assert ops(uses_in("""
        from sp_api.api import Orders
        from ratelimit import throttled

        Orders = throttled(Orders, calls=1)

        class Sync:
            api = Orders()

            def run(self):
                return self.api.get_order("1")
    """)) == [(10, "getOrder")]


def test_client_injected_through_the_constructor_at_a_project_call_site():
    assert ops(uses_in("""
        from sp_api.api import Feeds

        class Uploader:
            def __init__(self, feeds_api):
                self.feeds_api = feeds_api

            def status(self, feed_id):
                return self.feeds_api.get_feed(feed_id)

        uploader = Uploader(Feeds())
    """)) == [(8, "getFeed")]


def test_properties_closures_lambdas_and_factories_returning_dicts_of_clients():
    assert ops(uses_in("""
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
                self.orders.get_order_address("1")
                self.reports.cancel_report("r")
                clients()["orders"].get_order("1")

        def outer():
            api = Orders()
            fetch = lambda: api.get_order_regulated_info("1")
            def inner():
                return api.get_order_buyer_info("1")
    """)) == [(17, "getOrderAddress"), (18, "cancelReport"), (19, "getOrder"),
              (23, "getOrderRegulatedInfo"), (25, "getOrderBuyerInfo")]
