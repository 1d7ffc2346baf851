"""Competitors' prices: getCompetitivePricing needs Pricing or Product Listing, both undeclared."""
from sp_api.api import Products


def competitor_prices(asins):
    return Products().get_competitive_pricing_for_asins(asins)  # SPR101


def quiet_prices(asins):
    return Products().get_competitive_pricing_for_asins(asins)  # noqa: SPR101
