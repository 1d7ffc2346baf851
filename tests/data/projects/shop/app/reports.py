"""Reports: the FBA inventory report needs Amazon Fulfillment or Pricing; the other is dynamic."""
from sp_api.api import Reports
from sp_api.base import ReportType


def fba_inventory():
    return Reports().create_report(
        reportType=ReportType.GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA,  # SPR201
    )


def any_report(kind):
    return Reports().create_report(reportType=kind)  # SPR902 (opt-in)
