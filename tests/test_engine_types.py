"""Engine: report / feed / notification types at carriers, as literals, and unresolved ones."""

from __future__ import annotations

from engine_support import found, in_project, uses_in


def types(uses):
    return sorted((u.line, u.kind, u.name, u.evidence) for u in uses if u.kind != "operation")


def test_carrier_forms_of_python_amazon_sp_api():
    source = """
        from sp_api.api import Feeds, Notifications, Reports
        from sp_api.base import FeedType, NotificationType, ReportType
        from sp_api.base.reportTypes import ReportType as RT
        Reports().create_report(reportType="GET_MERCHANT_LISTINGS_ALL_DATA")
        Reports().create_report(reportType=ReportType.GET_EXCESS_INVENTORY_DATA)
        Reports().create_report(reportType=ReportType.GET_FBA_INVENTORY_PLANNING_DATA.value)
        Reports().create_report(reportType=ReportType["GET_SALES_AND_TRAFFIC_REPORT"])
        Reports().create_report(reportType=RT("GET_FBA_REIMBURSEMENTS_DATA"))
        Reports().get_reports(reportTypes=["GET_AFN_INVENTORY_DATA", RT.GET_EASYSHIP_DOCUMENTS])
        Feeds().submit_feed(FeedType.POST_FLAT_FILE_INVLOADER_DATA, b"")
        Feeds().create_feed(feed_type="JSON_LISTINGS_FEED", input_feed_document_id="d")
        Notifications().create_subscription(NotificationType.ANY_OFFER_CHANGED)
        Notifications().get_subscription_by_id(notificationType="ORDER_CHANGE", subscriptionId="s")
    """
    assert types(uses_in(source)) == [
        (4, "report", "GET_MERCHANT_LISTINGS_ALL_DATA", "carrier"),
        (5, "report", "GET_EXCESS_INVENTORY_DATA", "carrier"),
        (6, "report", "GET_FBA_INVENTORY_PLANNING_DATA", "carrier"),
        (7, "report", "GET_SALES_AND_TRAFFIC_REPORT", "carrier"),
        (8, "report", "GET_FBA_REIMBURSEMENTS_DATA", "carrier"),
        (9, "report", "GET_AFN_INVENTORY_DATA", "carrier"),
        (9, "report", "GET_EASYSHIP_DOCUMENTS", "carrier"),
        (10, "feed", "POST_FLAT_FILE_INVLOADER_DATA", "carrier"),
        (11, "feed", "JSON_LISTINGS_FEED", "carrier"),
        (12, "notification", "ANY_OFFER_CHANGED", "carrier"),
        (13, "notification", "ORDER_CHANGE", "carrier"),
    ]


def test_constants_dicts_conditionals_locals_and_kwargs_bodies():
    source = """
        from sp_api.api import Reports
        LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"
        TYPES = {"flat": "GET_AFN_INVENTORY_DATA", "xml": "GET_V2_SETTLEMENT_REPORT_DATA_XML"}

        def run(reports: Reports, aged, start):
            reports.create_report(reportType=LEDGER)
            reports.create_report(reportType=TYPES["xml"])
            reports.create_report(reportType="GET_ORDERS_DATA" if aged else "GET_EASYSHIP_PICKEDUP")
            kind = "GET_RESERVED_INVENTORY_DATA"
            reports.create_report(reportType=kind)
            params = {"reportType": LEDGER, "dataStartTime": start}
            reports.create_report(**params)
    """
    assert types(uses_in(source)) == [
        (2, "report", "GET_LEDGER_DETAIL_VIEW_DATA", "literal"),
        (3, "report", "GET_AFN_INVENTORY_DATA", "literal"),
        (3, "report", "GET_V2_SETTLEMENT_REPORT_DATA_XML", "literal"),
        (6, "report", "GET_LEDGER_DETAIL_VIEW_DATA", "carrier"),
        (7, "report", "GET_V2_SETTLEMENT_REPORT_DATA_XML", "carrier"),
        (8, "report", "GET_EASYSHIP_PICKEDUP", "carrier"),
        (8, "report", "GET_ORDERS_DATA", "carrier"),
        (9, "report", "GET_RESERVED_INVENTORY_DATA", "literal"),
        (10, "report", "GET_RESERVED_INVENTORY_DATA", "carrier"),
        (11, "report", "GET_LEDGER_DETAIL_VIEW_DATA", "carrier"),
    ]


def test_parameter_default_call_site_arguments_and_typing_literal():
    source = """
        from typing import Literal
        from sp_api.api import Reports

        def request(reports: Reports, report_type="GET_LEDGER_DETAIL_VIEW_DATA"):
            return reports.create_report(reportType=report_type)

        def schedule(reports: Reports, kind: Literal["GET_FBA_SNS_FORECAST_DATA"]):
            return reports.create_report_schedule(reportType=kind)

        request(Reports(), "GET_LEDGER_SUMMARY_VIEW_DATA")
    """
    carried = {
        (line, name) for line, _, name, evidence in types(uses_in(source)) if evidence == "carrier"
    }
    assert carried == {
        (5, "GET_LEDGER_DETAIL_VIEW_DATA"),
        (5, "GET_LEDGER_SUMMARY_VIEW_DATA"),
        (8, "GET_FBA_SNS_FORECAST_DATA"),
    }


def test_amzn_sp_api_models_dict_bodies_and_swapped_orders():
    source = """
        from spapi import FeedsApi, NotificationsApi, ReportsApi
        from spapi.models.reports_v2021_06_30 import CreateReportSpecification

        def run(client, subscription_id):
            spec = CreateReportSpecification(report_type="GET_SALES_AND_TRAFFIC_REPORT")
            ReportsApi(client).create_report(body=spec)
            FeedsApi(client).create_feed({"feedType": "POST_PRODUCT_DATA", "marketplaceIds": ["X"]})
            NotificationsApi(client).get_subscription_by_id(subscription_id, "ORDER_CHANGE")
            NotificationsApi(client).create_subscription({"destination": 1}, "ANY_OFFER_CHANGED")
    """
    assert [
        (line, name) for line, _, name, evidence in types(uses_in(source)) if evidence == "carrier"
    ] == [
        (5, "GET_SALES_AND_TRAFFIC_REPORT"),
        (7, "POST_PRODUCT_DATA"),
        (8, "ORDER_CHANGE"),
        (9, "ANY_OFFER_CHANGED"),
    ]


def test_amazon_sp_api_clients_dict_model_and_reversed_notification_argument():
    source = """
        from amazon_sp_api_clients import AmazonSpApiClients
        from amazon_sp_api_clients.reports_2021_06_30 import CreateReportSpecification
        clients = AmazonSpApiClients()
        spec = CreateReportSpecification({"reportType": "GET_AFN_INVENTORY_DATA"})
        clients.reports_2021_06_30.createReport(spec)
        clients.notifications_v1.createSubscription({}, "FBA_INVENTORY_AVAILABILITY_CHANGES")
    """
    assert [
        (line, name) for line, _, name, evidence in types(uses_in(source)) if evidence == "carrier"
    ] == [(4, "GET_AFN_INVENTORY_DATA"), (6, "FBA_INVENTORY_AVAILABILITY_CHANGES")]


def test_imported_constant_reaches_the_carrier_in_another_module(tmp_path):
    uses = in_project(
        tmp_path,
        {
            "app/types.py": """
            RETAIL = ["GET_VENDOR_SALES_REPORT", "GET_VENDOR_TRAFFIC_REPORT"]
        """,
            "app/jobs.py": """
            from spapi import ReportsApi
            from app import types

            def recent(client):
                return ReportsApi(client).get_reports(report_types=types.RETAIL)
        """,
        },
    )
    assert types(uses["app/jobs.py"]) == [
        (5, "report", "GET_VENDOR_SALES_REPORT", "carrier"),
        (5, "report", "GET_VENDOR_TRAFFIC_REPORT", "carrier"),
    ]
    assert {name for _, _, name, evidence in types(uses["app/types.py"])} == {
        "GET_VENDOR_SALES_REPORT",
        "GET_VENDOR_TRAFFIC_REPORT",
    }


def test_call_site_arguments_in_other_modules_reach_the_carrier(tmp_path):
    uses = in_project(
        tmp_path,
        {
            "app/service.py": """
            from sp_api.api import Reports

            def request(kind):
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
    assert (4, "report", "GET_LEDGER_DETAIL_VIEW_DATA", "carrier") in found(uses["app/service.py"])


def test_literals_anywhere_but_not_docstrings_or_messages():
    source = '''
        """Module about GET_FLAT_FILE_OPEN_LISTINGS_DATA."""
        PRESETS = [{"label": "Open listings", "type": "GET_FLAT_FILE_OPEN_LISTINGS_DATA"}]

        def is_settlement(kind):
            """GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE"""
            log("requesting GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE now")
            return kind == "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE"

        LEGACY = "_POST_INVENTORY_AVAILABILITY_DATA_"
        MESSAGE = f"{LEGACY} sent"
    '''
    assert types(uses_in(source)) == [
        (2, "report", "GET_FLAT_FILE_OPEN_LISTINGS_DATA", "literal"),
        (7, "report", "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE", "literal"),
        (9, "feed", "POST_INVENTORY_AVAILABILITY_DATA", "literal"),  # MWS spelling normalised
    ]


def test_enum_members_are_literal_uses_but_project_enums_are_not():
    source = """
        from sp_api.base import ReportType
        from .inhouse import ReportType as OurType
        RESTOCK = ReportType.GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT
        OURS = OurType.GET_MERCHANT_LISTINGS_ALL_DATA
    """
    assert types(uses_in(source)) == [
        (3, "report", "GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT", "literal")
    ]


def test_unresolved_carriers_are_opt_in_evidence():
    source = """
        import os
        from sp_api.api import Reports
        Reports().create_report(reportType=os.environ["REPORT_TYPE"])
        Reports().create_report(reportType=config["type"], marketplaceIds=["X"])
        Reports().get_reports()
    """
    assert types(uses_in(source)) == [
        (3, "report", "", "unresolved"),
        (4, "report", "", "unresolved"),
    ]


def test_type_is_reported_at_the_literal_or_member_token():
    source = """
        from sp_api.api import Reports
        from sp_api.base import ReportType
        Reports().create_report(
            marketplaceIds=["X"],
            reportType=ReportType.GET_EXCESS_INVENTORY_DATA,
        )
    """
    (use,) = [u for u in uses_in(source) if u.kind == "report"]
    assert (use.line, use.column) == (5, len("    reportType=ReportType."))


def test_comma_separated_filter_strings_hold_several_types():
    source = """
        from sp_api.api import Reports
        Reports().get_reports(reportTypes="GET_VENDOR_SALES_REPORT,GET_VENDOR_TRAFFIC_REPORT")
    """
    assert types(uses_in(source)) == [(2, "report", "GET_VENDOR_SALES_REPORT", "carrier"),
                                      (2, "report", "GET_VENDOR_TRAFFIC_REPORT", "carrier")]
