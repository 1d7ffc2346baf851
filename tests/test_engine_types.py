"""Engine: report / feed / notification types at carriers, as literals, and unresolved ones.

Each snippet marks the uses the engine reports (``# expect:``, on the line or just above it; see
``support.engine``), types with their evidence; every other line must stay silent.
"""

from __future__ import annotations

from support.engine import assert_marked, assert_marked_project, position_of, uses_in


def test_carrier_forms_of_python_amazon_sp_api():
    assert_marked("""
        from sp_api.api import Feeds, Notifications, Reports
        from sp_api.base import FeedType, NotificationType, ReportType
        from sp_api.base.reportTypes import ReportType as RT
        # expect: operation:createReport report:GET_MERCHANT_LISTINGS_ALL_DATA/carrier
        Reports().create_report(reportType="GET_MERCHANT_LISTINGS_ALL_DATA")
        # expect: operation:createReport report:GET_EXCESS_INVENTORY_DATA/carrier
        Reports().create_report(reportType=ReportType.GET_EXCESS_INVENTORY_DATA)
        # expect: operation:createReport report:GET_FBA_INVENTORY_PLANNING_DATA/carrier
        Reports().create_report(reportType=ReportType.GET_FBA_INVENTORY_PLANNING_DATA.value)
        # expect: operation:createReport report:GET_SALES_AND_TRAFFIC_REPORT/carrier
        Reports().create_report(reportType=ReportType["GET_SALES_AND_TRAFFIC_REPORT"])
        # expect: operation:createReport report:GET_FBA_REIMBURSEMENTS_DATA/carrier
        Reports().create_report(reportType=RT("GET_FBA_REIMBURSEMENTS_DATA"))
        # expect: operation:getReports
        # expect: report:GET_AFN_INVENTORY_DATA/carrier report:GET_EASYSHIP_DOCUMENTS/carrier
        Reports().get_reports(reportTypes=["GET_AFN_INVENTORY_DATA", RT.GET_EASYSHIP_DOCUMENTS])
        # expect: operation:createFeedDocument operation:createFeed
        # expect: feed:POST_FLAT_FILE_INVLOADER_DATA/carrier
        Feeds().submit_feed(FeedType.POST_FLAT_FILE_INVLOADER_DATA, b"")
        # expect: operation:createFeed feed:JSON_LISTINGS_FEED/carrier
        Feeds().create_feed(feed_type="JSON_LISTINGS_FEED", input_feed_document_id="d")
        # expect: operation:createSubscription notification:ANY_OFFER_CHANGED/carrier
        Notifications().create_subscription(NotificationType.ANY_OFFER_CHANGED)
        # expect: operation:getSubscriptionById notification:ORDER_CHANGE/carrier
        Notifications().get_subscription_by_id(notificationType="ORDER_CHANGE", subscriptionId="s")
    """)


def test_constants_dicts_conditionals_locals_and_kwargs_bodies():
    assert_marked("""
        from sp_api.api import Reports
        LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"  # reaches requests below: their use, not its own
        # no request looks "flat" up: its type stays a use where it is written
        # expect: report:GET_AFN_INVENTORY_DATA/literal
        TYPES = {"flat": "GET_AFN_INVENTORY_DATA", "xml": "GET_V2_SETTLEMENT_REPORT_DATA_XML"}

        def run(reports: Reports, aged, start):
            # expect: operation:createReport report:GET_LEDGER_DETAIL_VIEW_DATA/carrier
            reports.create_report(reportType=LEDGER)
            # expect: operation:createReport report:GET_V2_SETTLEMENT_REPORT_DATA_XML/carrier
            reports.create_report(reportType=TYPES["xml"])
            # expect: operation:createReport
            # expect: report:GET_ORDERS_DATA/carrier report:GET_EASYSHIP_PICKEDUP/carrier
            reports.create_report(reportType="GET_ORDERS_DATA" if aged else "GET_EASYSHIP_PICKEDUP")
            kind = "GET_RESERVED_INVENTORY_DATA"
            # expect: operation:createReport report:GET_RESERVED_INVENTORY_DATA/carrier
            reports.create_report(reportType=kind)
            # expect: report:GET_LEDGER_DETAIL_VIEW_DATA/carrier
            params = {"reportType": LEDGER, "dataStartTime": start}
            reports.create_report(**params)  # expect: operation:createReport
    """)


def test_parameter_default_call_site_arguments_and_typing_literal():
    assert_marked("""
        from typing import Literal
        from sp_api.api import Reports

        def request(reports: Reports, report_type="GET_LEDGER_DETAIL_VIEW_DATA"):
            # expect: operation:createReport report:GET_LEDGER_DETAIL_VIEW_DATA/carrier
            # expect: report:GET_LEDGER_SUMMARY_VIEW_DATA/carrier
            return reports.create_report(reportType=report_type)

        def schedule(reports: Reports, kind: Literal["GET_FBA_SNS_FORECAST_DATA"]):
            # expect: operation:createReportSchedule report:GET_FBA_SNS_FORECAST_DATA/carrier
            return reports.create_report_schedule(reportType=kind)

        request(Reports(), "GET_LEDGER_SUMMARY_VIEW_DATA")
    """)


def test_amzn_sp_api_models_dict_bodies_and_swapped_orders():
    assert_marked("""
        from spapi import FeedsApi, NotificationsApi, ReportsApi
        from spapi.models.reports_v2021_06_30 import CreateReportSpecification

        def run(client, subscription_id):
            # expect: report:GET_SALES_AND_TRAFFIC_REPORT/carrier
            spec = CreateReportSpecification(report_type="GET_SALES_AND_TRAFFIC_REPORT")
            ReportsApi(client).create_report(body=spec)  # expect: operation:createReport
            # expect: operation:createFeed feed:POST_PRODUCT_DATA/carrier
            FeedsApi(client).create_feed({"feedType": "POST_PRODUCT_DATA", "marketplaceIds": ["X"]})
            # expect: operation:getSubscriptionById notification:ORDER_CHANGE/carrier
            NotificationsApi(client).get_subscription_by_id(subscription_id, "ORDER_CHANGE")
            # expect: operation:createSubscription notification:ANY_OFFER_CHANGED/carrier
            NotificationsApi(client).create_subscription({"destination": 1}, "ANY_OFFER_CHANGED")
    """)


def test_amazon_sp_api_clients_dict_model_and_reversed_notification_argument():
    assert_marked("""
        from amazon_sp_api_clients import AmazonSpApiClients
        from amazon_sp_api_clients.reports_2021_06_30 import CreateReportSpecification
        clients = AmazonSpApiClients()
        # expect: report:GET_AFN_INVENTORY_DATA/carrier
        spec = CreateReportSpecification({"reportType": "GET_AFN_INVENTORY_DATA"})
        clients.reports_2021_06_30.createReport(spec)  # expect: operation:createReport
        # expect: operation:createSubscription
        # expect: notification:FBA_INVENTORY_AVAILABILITY_CHANGES/carrier
        clients.notifications_v1.createSubscription({}, "FBA_INVENTORY_AVAILABILITY_CHANGES")
    """)


def test_imported_constant_reaches_the_carrier_in_another_module(tmp_path):
    assert_marked_project(
        tmp_path,
        {
            "app/types.py": """
            RETAIL = ["GET_VENDOR_SALES_REPORT", "GET_VENDOR_TRAFFIC_REPORT"]
        """,
            "app/jobs.py": """
            from spapi import ReportsApi
            from app import types

            def recent(client):
                # expect: operation:getReports
                # expect: report:GET_VENDOR_SALES_REPORT/carrier
                # expect: report:GET_VENDOR_TRAFFIC_REPORT/carrier
                return ReportsApi(client).get_reports(report_types=types.RETAIL)
        """,
        },
    )


def test_call_site_arguments_in_other_modules_reach_the_carrier(tmp_path):
    assert_marked_project(
        tmp_path,
        {
            "app/service.py": """
            from sp_api.api import Reports

            def request(kind):
                # expect: operation:createReport report:GET_LEDGER_DETAIL_VIEW_DATA/carrier
                return Reports().create_report(reportType=kind)
        """,
            "app/main.py": """
            from app.service import request
            from app.consts import LEDGER
            request(LEDGER)
        """,
            "app/consts.py": """
            LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"
        """,
        },
    )


def test_literals_anywhere_but_not_docstrings_or_messages():
    assert_marked('''
        """Module about GET_FLAT_FILE_OPEN_LISTINGS_DATA."""
        # expect: report:GET_FLAT_FILE_OPEN_LISTINGS_DATA/literal
        PRESETS = [{"label": "Open listings", "type": "GET_FLAT_FILE_OPEN_LISTINGS_DATA"}]

        def settlement(kind):
            """GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE"""
            note("requesting GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE now")
            # expect: report:GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE/literal
            return remember(kind or "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE")
    ''')


def test_mentions_are_not_uses():
    """Compared, logged, a database filter's value, a record written: only mentioned."""
    assert_marked("""
        import logging
        from sp_api.api import Reports
        from sp_api.base import ReportType

        logger = logging.getLogger(__name__)

        def audit(row, reports: Reports, session, table):
            if row["reportType"] != "GET_AFN_INVENTORY_DATA":
                return row.get("kind") in ("GET_LEDGER_DETAIL_VIEW_DATA", "GET_ORDERS_DATA")
            if row["reportType"] == ReportType.GET_FBA_REIMBURSEMENTS_DATA:
                logger.info("%s done", "GET_FBA_REIMBURSEMENTS_DATA")
            print("see", "GET_FBA_REIMBURSEMENTS_DATA")
            Run.objects.filter(report_type__in=["GET_EXCESS_INVENTORY_DATA"]).count()
            Run.objects.filter(Q(report_type="GET_EXCESS_INVENTORY_DATA"))
            self.search([("report_type", "=", "GET_MERCHANT_LISTINGS_ALL_DATA")], limit=1)
            Run.objects.create(report_type="GET_SELLER_FEEDBACK_DATA", status="DONE")
            table.put_item(Item={"type": "ORDER_CHANGE" if row else "other"})
            logger.info(
                "requested %s",
                # expect: operation:createReport
                reports.create_report(
                    # expect: report:GET_FBA_MYI_ALL_INVENTORY_DATA/carrier
                    reportType="GET_FBA_MYI_ALL_INVENTORY_DATA",
                ),
            )
    """)


def test_mws_spelling_is_a_use_only_at_an_sp_api_carrier():
    assert_marked("""
        from mws import mws
        from sp_api.api import Feeds

        LEGACY = "_POST_INVENTORY_AVAILABILITY_DATA_"
        MWS_TYPES = {"listings": "_GET_MERCHANT_LISTINGS_ALL_DATA_"}
        MESSAGE = f"{LEGACY} sent"

        def legacy(key):
            mws.Reports(access_key=key).request_report(report_type=MWS_TYPES["listings"])
            mws.Reports(access_key=key).request_report(report_type="_GET_AFN_INVENTORY_DATA_")

        def upload(feeds: Feeds, document_id):
            # expect: operation:createFeed feed:POST_INVENTORY_AVAILABILITY_DATA/carrier
            return feeds.create_feed(LEGACY, document_id)
    """)


def test_enum_members_are_literal_uses_but_project_enums_are_not():
    assert_marked("""
        from sp_api.base import ReportType
        from .inhouse import ReportType as OurType
        # expect: report:GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT/literal
        RESTOCK = ReportType.GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT
        OURS = OurType.GET_MERCHANT_LISTINGS_ALL_DATA
    """)


def test_unresolved_carriers_are_opt_in_evidence():
    assert_marked("""
        import os
        from sp_api.api import Reports
        # expect: operation:createReport report:?/unresolved
        Reports().create_report(reportType=os.environ["REPORT_TYPE"])
        # expect: operation:createReport report:?/unresolved
        Reports().create_report(reportType=config["type"], marketplaceIds=["X"])
        Reports().get_reports()  # expect: operation:getReports
    """)


def test_type_is_reported_at_the_literal_or_member_token():
    source = """
        from sp_api.api import Reports
        from sp_api.base import ReportType
        Reports().create_report(  # expect: operation:createReport
            marketplaceIds=["X"],
            # expect: report:GET_EXCESS_INVENTORY_DATA/carrier
            reportType=ReportType.GET_EXCESS_INVENTORY_DATA,
        )
    """
    (use,) = [u for u in assert_marked(source) if u.kind == "report"]
    assert (use.line, use.column) == position_of(source, "GET_EXCESS_INVENTORY_DATA,")


def test_comma_separated_filter_strings_hold_several_types():
    assert_marked("""
        from sp_api.api import Reports
        # expect: operation:getReports
        # expect: report:GET_VENDOR_SALES_REPORT/carrier report:GET_VENDOR_TRAFFIC_REPORT/carrier
        Reports().get_reports(reportTypes="GET_VENDOR_SALES_REPORT,GET_VENDOR_TRAFFIC_REPORT")
    """)


def test_types_and_clients_through_several_call_layers_and_framework_calls(tmp_path):
    assert_marked_project(
        tmp_path,
        {
            "app/service.py": """
            def request(reports, kind):
                # expect: operation:createReport
                return reports.create_report(
                    # expect: report:GET_LEDGER_DETAIL_VIEW_DATA/carrier
                    # expect: report:GET_FBA_REIMBURSEMENTS_DATA/carrier
                    # expect: report:GET_EXCESS_INVENTORY_DATA/carrier
                    # expect: report:GET_MERCHANT_LISTINGS_DATA/carrier
                    # expect: report:?/unresolved
                    reportType=kind,
                )
        """,
            "app/tasks.py": """
            from celery import shared_task
            from sp_api.api import Reports
            from app.service import request

            @shared_task
            def task(kind):
                return middle(kind)

            def middle(kind):
                return request(Reports(), kind)

            def nightly(form, pool):
                task.delay("GET_LEDGER_DETAIL_VIEW_DATA")
                task.apply_async(("GET_FBA_REIMBURSEMENTS_DATA",))
                pool.submit(middle, "GET_EXCESS_INVENTORY_DATA")
                list(map(middle, ["GET_MERCHANT_LISTINGS_DATA"]))
                task.delay(form["kind"])  # unknown: the carrier also says so (opt-in)
        """,
        },
    )


def test_unpacking_loops_joined_lists_and_lookups_with_a_default():
    assert_marked("""
        from sp_api.api import Reports

        PAIRS = (("afn", "GET_AFN_INVENTORY_DATA"),)
        BY_NAME = {"easyship": "GET_EASYSHIP_DOCUMENTS"}

        def run(event, http):
            for name, kind in PAIRS:
                # expect: operation:createReport report:GET_AFN_INVENTORY_DATA/carrier
                Reports().create_report(reportType=kind)
            for name, kind in BY_NAME.items():
                # expect: operation:getReports report:GET_EASYSHIP_DOCUMENTS/carrier
                Reports().get_reports(reportTypes=",".join([kind]))
            # expect: operation:createReport report:?/unresolved
            # expect: report:GET_AFN_INVENTORY_DATA/carrier
            Reports().create_report(reportType=event.get("kind", PAIRS[0][1]))
    """)


def test_a_type_that_reaches_a_request_is_one_use_there_with_where_it_is_written(tmp_path):
    uses = assert_marked_project(
        tmp_path,
        {
            "app/consts.py": """
            LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"
            # a menu label table no request reads: its type is a use where it is written
            # expect: report:GET_AFN_INVENTORY_DATA/literal
            MENU = {"afn": "GET_AFN_INVENTORY_DATA"}
        """,
            "app/service.py": """
            from sp_api.api import Reports
            from app.consts import LEDGER

            def ledger():
                # expect: operation:createReport report:GET_LEDGER_DETAIL_VIEW_DATA/carrier
                return Reports().create_report(reportType=LEDGER)
        """,
        },
    )
    (carried,) = [use for use in uses["app/service.py"] if use.kind == "report"]
    assert carried.related == ((str(tmp_path / "app" / "consts.py"), 1, 9),)
    assert [use.related for use in uses["app/consts.py"]] == [()]


def test_template_method_types_are_uses_where_each_subclass_names_them(tmp_path):
    assert_marked_project(
        tmp_path,
        {
            "app/base.py": """
            from sp_api.api import Reports

            class Job:
                report_type = None

                def run(self):
                    # expect: operation:createReport
                    return Reports().create_report(reportType=self.report_type)
        """,
            "app/jobs.py": """
            from app.base import Job

            class Ledger(Job):
                # expect: report:GET_LEDGER_DETAIL_VIEW_DATA/carrier
                report_type = "GET_LEDGER_DETAIL_VIEW_DATA"

            class Monthly(Ledger):
                pass

            class Returns(Job):
                # expect: report:GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA/carrier
                report_type = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
        """,
        },
    )


def test_no_silent_drops_unknown_types_and_unfiltered_listings():
    """A type the knowledge base does not know keeps its call (the type is a use of its own,
    SPR301 names it); listing reports or feeds without a type filter is a use of the operation;
    an unresolved type names its operation and argument (SPR902)."""
    source = """
        import os
        from sp_api.api import Feeds, Reports

        def run():
            # expect: operation:createReport report:GET_NOT_YET_IN_THE_KB_DATA/carrier
            Reports().create_report(reportType="GET_NOT_YET_IN_THE_KB_DATA")
            Reports().get_reports(processingStatuses=["DONE"])  # expect: operation:getReports
            Feeds().get_feeds()  # expect: operation:getFeeds
            # expect: operation:createReport report:?/unresolved
            Reports().create_report(reportType=os.environ["REPORT_TYPE"])
    """
    assert_marked(source)
    [unresolved] = [u for u in uses_in(source) if u.evidence == "unresolved"]
    assert unresolved.via == "createReport: os.environ['REPORT_TYPE']"
