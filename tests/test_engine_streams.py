"""Engine: declarative HTTP streams (Singer SDK, Airbyte CDK, in-house bases of the same shape)
are requests: the operation where the path is written, the verb the class declares, the types
its body or query methods write.

Each snippet marks the uses the engine reports (``# expect:``; see ``support.engine``); every
other line must stay silent.
"""

from __future__ import annotations

from support.engine import assert_marked, assert_marked_project


def test_singer_streams_path_attribute_property_rest_method_and_payload():
    assert_marked("""
        from singer_sdk.streams import RESTStream
        REPORTS = "/reports/2021-06-30"

        class Base(RESTStream):
            url_base = "https://sellingpartnerapi-na.amazon.com"

        class Orders(Base):
            path = "/orders/v0/orders"  # expect: operation:getOrders/receiver

        class Inventory(Base):
            @property
            def path(self):
                return "/fba/inventory/v1/summaries"  # expect: operation:getInventorySummaries

        class CreateReport(Base):
            rest_method = "POST"
            path = REPORTS + "/reports"  # expect: operation:createReport

            def prepare_request_payload(self, context, next_page_token):
                return {
                    # expect: report:GET_FBA_MYI_ALL_INVENTORY_DATA/carrier
                    "reportType": "GET_FBA_MYI_ALL_INVENTORY_DATA",
                    "marketplaceIds": self.config["marketplace_ids"],
                }

        class ListReports(Base):
            path = f"{REPORTS}/reports"  # expect: operation:getReports

            def get_url_params(self, context, next_page_token):
                return {"reportTypes": self.config["report_types"]}  # expect: report:?/unresolved
    """)


def test_airbyte_streams_relative_path_methods_http_method_and_prepared_requests():
    assert_marked("""
        from airbyte_cdk.sources.streams.http import HttpStream
        VERSION = "2021-06-30"

        class Base(HttpStream):
            url_base = "https://sellingpartnerapi-eu.amazon.com/"

        class Orders(Base):
            def path(self, **kwargs):
                return "orders/v0/orders"  # expect: operation:getOrders

        class CreateReport(Base):
            http_method = "POST"

            def path(self, **kwargs):
                return f"reports/{VERSION}/reports"  # expect: operation:createReport

            def request_body_json(self, **kwargs):
                # expect: report:GET_SALES_AND_TRAFFIC_REPORT
                return {"reportType": "GET_SALES_AND_TRAFFIC_REPORT"}

        class Poller(Base):
            def poll(self, report_id):
                # the framework's default verb: getReport, not cancelReport too
                # expect: operation:getReport
                self._create_prepared_request(path=f"reports/{VERSION}/reports/{report_id}")

            def again(self):
                self.http_method = "POST"
                # expect: operation:createReport
                self._create_prepared_request(path=f"reports/{VERSION}/reports")
    """)


def test_in_house_bases_of_the_same_shape_and_classes_that_are_no_stream(tmp_path):
    assert_marked_project(
        tmp_path,
        {
            "app/base.py": """
            import requests

            class Resource:
                base_url = "https://sellingpartnerapi-eu.amazon.com"
                http_method = "GET"
                path = ""

                def fetch(self):
                    return requests.request(self.http_method, self.base_url + self.path)
        """,
            "app/resources.py": """
            from app.base import Resource

            class Participations(Resource):
                # expect: operation:getMarketplaceParticipations
                path = "/sellers/v1/marketplaceParticipations"

            class Feeds(Resource):
                http_method = "POST"
                path = "/feeds/2021-06-30/feeds"  # expect: operation:createFeed

            class NotAStream:
                path = "/orders/v0/orders"
        """,
        },
    )
