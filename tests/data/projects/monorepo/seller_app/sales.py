"""A seller app selling in Europe.

getCompetitivePricing is granted by Pricing. getOrderMetrics is open to Pricing in FE only; in EU
it needs Inventory and Order Tracking or Product Listing. getInvoices is offered in NA only.
"""
from sp_api.api import Invoices, Products, Sales

INTERVAL = "2024-01-01T00:00:00Z--2024-02-01T00:00:00Z"


def dashboard(asins):
    Products().get_competitive_pricing_for_asins(asins)
    Sales().get_order_metrics(interval=INTERVAL, granularity="Day")  # SPR101
    return Invoices().get_invoices(marketplaceId="A1PA6795UKMFR9")  # SPR304
