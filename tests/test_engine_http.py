"""Engine: raw HTTP requests to SP-API paths, the verb from the call, RDT resource dicts.

Each snippet marks the uses the engine reports (``# expect:``, on the line or just above it; see
``support.engine``); every other line must stay silent.
"""

from __future__ import annotations

from support.engine import assert_marked, assert_marked_project


def test_literal_fstring_plus_and_constant_built_urls():
    assert_marked("""
        import requests
        HOST = "https://sellingpartnerapi-eu.amazon.com"
        REPORTS = "/reports/2021-06-30"
        ENDPOINT = "sellingpartnerapi-na.amazon.com"

        def run(session, report_id, order_id):
            # expect: operation:getOrders
            requests.get("https://sellingpartnerapi-na.amazon.com/orders/v0/orders?MarketplaceIds=X")
            # expect: operation:getReport
            requests.get(f"{HOST}/reports/2021-06-30/reports/{report_id}")
            session.post(HOST + REPORTS + "/reports", json={})  # expect: operation:createReport
            # expect: operation:getOrderItems
            requests.get(f"https://{ENDPOINT}/orders/v0/orders/{order_id}/orderItems")
            url = f"{HOST}/feeds/2021-06-30/documents"
            requests.post(url, json={})  # expect: operation:createFeedDocument
            # expect: operation:getMarketplaceParticipations
            requests.get("{}/sellers/v1/marketplaceParticipations".format(HOST))
    """)


def test_verb_comes_from_the_call_or_its_arguments_unknown_means_every_operation_on_the_path():
    assert_marked("""
        def run(client, verb):
            client.request("POST", "/reports/2021-06-30/reports")  # expect: operation:createReport
            # expect: operation:getReports
            client.request(method="GET", url="/reports/2021-06-30/reports")
            # expect: operation:createReport operation:getReports
            client.request(verb, "/reports/2021-06-30/reports")
    """)


def test_types_in_body_query_and_path():
    assert_marked("""
        import requests
        BASE = "https://sellingpartnerapi-na.amazon.com"
        R = BASE + "/reports/2021-06-30/reports"
        # expect: operation:createReport report:GET_VENDOR_SALES_REPORT
        requests.post(R, json={"reportType": "GET_VENDOR_SALES_REPORT"})
        # expect: operation:getReports
        # expect: report:GET_AFN_INVENTORY_DATA report:GET_LEDGER_DETAIL_VIEW_DATA
        requests.get(R + "?reportTypes=GET_AFN_INVENTORY_DATA,GET_LEDGER_DETAIL_VIEW_DATA")
        # expect: operation:createSubscription notification:ANY_OFFER_CHANGED
        requests.post(BASE + "/notifications/v1/subscriptions/ANY_OFFER_CHANGED", json={})
    """)


def test_restricted_resources_dicts_and_endpoint_tables():
    assert_marked("""
        from sp_api.api import Tokens
        # expect: operation:createReport
        ENDPOINTS = [{"method": "POST", "path": "/reports/2021-06-30/reports"}]

        def token(order_id):
            # expect: operation:createRestrictedDataToken
            return Tokens().create_restricted_data_token(restrictedResources=[
                # expect: operation:getOrderAddress
                {"method": "GET", "path": f"/orders/v0/orders/{order_id}/address"},
            ])
    """)


def test_wrapper_methods_report_the_call_sites_not_the_wrapper(tmp_path):
    assert_marked_project(
        tmp_path,
        {
            "app/http.py": """
            import requests
            HOST = "https://sellingpartnerapi-na.amazon.com"

            class Http:
                def request(self, method, path, **kwargs):
                    return requests.request(method, HOST + path, **kwargs)

                def get(self, path):
                    return self.request("GET", path)
        """,
            "app/jobs.py": """
            from app.http import Http
            from app.paths import ORDERS

            def run(http: Http):
                http.get(ORDERS)  # expect: operation:getOrders
                http.request("GET", "/sellers/v1/account")  # expect: operation:getAccount
        """,
            "app/paths.py": 'ORDERS = "/orders/v0/orders"\n',
        },
    )


def test_not_http_log_messages_unrelated_hosts_and_decorator_paths():
    assert_marked("""
        import logging, requests
        from sp_api.api import OrdersV0
        from sp_api.base import sp_endpoint
        ORDERS_PATH = "/orders/v0/orders"
        log = logging.getLogger(__name__)

        class Mine(OrdersV0):
            @sp_endpoint("/sales/v1/orderMetrics")
            def metrics(self, **kwargs):
                return self._request(kwargs.pop("path"), params=kwargs)

        log.info("GET %s", ORDERS_PATH)
        print(f"calling {ORDERS_PATH}")
        requests.get("https://api.example.com/orders/v0/orders/list")
        requests.get("https://example.com/api/v1/reports")
    """)


def test_a_project_helper_is_a_request_only_when_it_passes_the_path_on_to_one():
    assert_marked("""
        import logging, requests
        from urllib.parse import urlparse
        HOST = "https://sellingpartnerapi-na.amazon.com"
        log = logging.getLogger(__name__)

        def sign(method, url):
            return {"authorization": method + urlparse(url).path}

        def trace(url, status):
            log.info("%s -> %s", url, status)

        def _get(url):
            return requests.get(url, headers=sign("GET", url))

        def job(order_id):
            url = f"{HOST}/orders/v0/orders/{order_id}"
            headers = sign("GET",
                           url)
            response = requests.get(url, headers=headers)  # expect: operation:getOrder
            trace(url,
                  response.status_code)
            # the verb of the wrapper's own request: getReport, not cancelReport too
            _get(HOST + "/reports/2021-06-30/reports/" + order_id)  # expect: operation:getReport
    """)


def test_servers_route_tables_and_http_mocks_serve_paths_they_do_not_request():
    assert_marked("""
        import responses
        from aiohttp import web
        from flask import Flask
        app = Flask(__name__)

        @app.get("/orders/v0/orders/<order_id>")
        def order(order_id): ...

        app.add_url_rule("/sellers/v1/marketplaceParticipations", view_func=order)
        routes = [web.get("/fba/inventory/v1/summaries", order)]
        responses.post("https://sellingpartnerapi-na.amazon.com/feeds/2021-06-30/feeds", json={})
    """)


def test_urls_built_with_percent_format_joins_and_a_base_kept_on_the_object():
    assert_marked("""
        import os, posixpath, requests
        from urllib.parse import urljoin
        HOST = os.environ["SP_API_HOST"]
        V = "2022-04-01"

        class Api:
            def __init__(self, root):
                self.root = root

            def call(self, method, path, json_body=None):
                return requests.request(method, self.root + path, json=json_body)

        def run(api, asin, seller, sku, order):
            # expect: operation:getCatalogItem
            api.call("GET", "/catalog/%s/items/%s" % (V, asin))
            # expect: operation:confirmShipment
            api.call("POST", "/orders/%(v)s/orders/%(o)s/shipmentConfirmation" % {"o": order,
                                                                                   "v": "v0"})
            # expect: operation:putListingsItem
            api.call("PUT", posixpath.join("/listings/2021-08-01", "items", seller, sku))
            # expect: feed:POST_PRODUCT_PRICING_DATA
            body = {"feedType": "POST_PRODUCT_PRICING_DATA"}
            # expect: operation:createFeed
            api.call("POST", "{}/feeds".format("/feeds/2021-06-30"), json_body=body)
            # expect: operation:getInventorySummaries
            requests.get(urljoin(HOST, "fba/inventory/v1/summaries"))
            # expect: operation:getAccount
            requests.get("/".join([HOST, "sellers", "v1", "account"]))
            requests.get("{0}/orders/{1}/orders".format(HOST, "v0"))  # expect: operation:getOrders
            print(urljoin(HOST, "fba/inventory/v1/summaries"))
    """)


def test_a_request_returned_as_data_and_unpacked_takes_its_verb_from_the_data():
    assert_marked("""
        import requests
        HOST = "https://sellingpartnerapi-na.amazon.com"

        def order(order_id, method="GET"):
            return (method, f"{HOST}/orders/v0/orders/{order_id}", None)

        def feed(verb):
            return {"method": verb, "url": f"{HOST}/feeds/2021-06-30/feeds"}

        def elsewhere(verb):
            return {"method": verb, "url": "https://api.example.com/feeds/2021-06-30/feeds"}

        def send(log):
            requests.request(*order("1"))  # expect: operation:getOrder/receiver
            requests.request(**feed("POST"))  # expect: operation:createFeed/receiver
            requests.request(**elsewhere("POST"))
            log.info("%s %s %s", *order("1"))
    """)


def test_a_request_table_entry_is_the_use_not_the_call_that_sends_it():
    assert_marked("""
        import requests
        HOST = "https://sellingpartnerapi-na.amazon.com"
        TABLE = {
            # expect: operation:getMarketplaceParticipations/receiver
            "participations": ("GET", "/sellers/v1/marketplaceParticipations"),
            "order": ("GET", "/orders/v0/orders/{id}"),  # expect: operation:getOrder/receiver
        }

        def send(name, **args):
            verb, template = TABLE[name]
            return requests.request(verb, HOST + template.format(**args))
    """)
