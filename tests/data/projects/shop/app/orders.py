"""Order sync: getOrders (Orders API v0) is granted by Inventory and Order Tracking.

It is deprecated and returns restricted data, which only the opt-in SPR402 and SPR401 report.
"""
from sp_api.api import Orders


def new_orders(since):
    return Orders().get_orders(CreatedAfter=since)  # SPR401 SPR402 (opt-in)
