"""Engine: raw HTTP requests to SP-API paths, the verb from the call, RDT resource dicts."""

from __future__ import annotations

from engine_support import in_project, uses_in


def ops(uses):
    return sorted((u.line, u.name) for u in uses if u.kind == "operation")


def test_literal_fstring_plus_and_constant_built_urls():
    source = """
        import requests
        HOST = "https://sellingpartnerapi-eu.amazon.com"
        REPORTS = "/reports/2021-06-30"
        ENDPOINT = "sellingpartnerapi-na.amazon.com"

        def run(session, report_id, order_id):
            requests.get("https://sellingpartnerapi-na.amazon.com/orders/v0/orders?MarketplaceIds=X")
            requests.get(f"{HOST}/reports/2021-06-30/reports/{report_id}")
            session.post(HOST + REPORTS + "/reports", json={})
            requests.get(f"https://{ENDPOINT}/orders/v0/orders/{order_id}/orderItems")
            url = f"{HOST}/feeds/2021-06-30/documents"
            requests.post(url, json={})
            requests.get("{}/sellers/v1/marketplaceParticipations".format(HOST))
    """
    assert ops(uses_in(source)) == [
        (7, "getOrders"),
        (8, "getReport"),
        (9, "createReport"),
        (10, "getOrderItems"),
        (12, "createFeedDocument"),
        (13, "getMarketplaceParticipations"),
    ]


def test_verb_comes_from_the_call_or_its_arguments_unknown_means_every_operation_on_the_path():
    source = """
        def run(client, verb):
            client.request("POST", "/reports/2021-06-30/reports")
            client.request(method="GET", url="/reports/2021-06-30/reports")
            client.request(verb, "/reports/2021-06-30/reports")
    """
    assert ops(uses_in(source)) == [
        (2, "createReport"),
        (3, "getReports"),
        (4, "createReport"),
        (4, "getReports"),
    ]


def test_types_in_body_query_and_path():
    source = """
        import requests
        BASE = "https://sellingpartnerapi-na.amazon.com"
        R = BASE + "/reports/2021-06-30/reports"
        requests.post(R, json={"reportType": "GET_VENDOR_SALES_REPORT"})
        requests.get(R + "?reportTypes=GET_AFN_INVENTORY_DATA,GET_LEDGER_DETAIL_VIEW_DATA")
        requests.post(BASE + "/notifications/v1/subscriptions/ANY_OFFER_CHANGED", json={})
    """
    kinds = sorted((u.line, u.name) for u in uses_in(source) if u.kind != "operation")
    assert kinds == [
        (4, "GET_VENDOR_SALES_REPORT"),
        (5, "GET_AFN_INVENTORY_DATA"),
        (5, "GET_LEDGER_DETAIL_VIEW_DATA"),
        (6, "ANY_OFFER_CHANGED"),
    ]


def test_restricted_resources_dicts_and_endpoint_tables():
    source = """
        from sp_api.api import Tokens
        ENDPOINTS = [{"method": "POST", "path": "/reports/2021-06-30/reports"}]

        def token(order_id):
            return Tokens().create_restricted_data_token(restrictedResources=[
                {"method": "GET", "path": f"/orders/v0/orders/{order_id}/address"},
            ])
    """
    assert ops(uses_in(source)) == [
        (2, "createReport"),
        (5, "createRestrictedDataToken"),
        (6, "getOrderAddress"),
    ]


def test_wrapper_methods_report_the_call_sites_not_the_wrapper(tmp_path):
    uses = in_project(
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
                http.get(ORDERS)
                http.request("GET", "/sellers/v1/account")
        """,
            "app/paths.py": 'ORDERS = "/orders/v0/orders"\n',
        },
    )
    assert uses["app/http.py"] == []
    assert ops(uses["app/jobs.py"]) == [(5, "getOrders"), (6, "getAccount")]


def test_not_http_log_messages_unrelated_hosts_and_decorator_paths():
    source = """
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
    """
    assert uses_in(source) == []
