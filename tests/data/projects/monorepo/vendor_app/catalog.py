"""A vendor app: listings feeds (Product Listing, open to vendors); Tax Invoicing is seller-only."""
from sp_api.api import Feeds, Invoices
from sp_api.base import FeedType


def upload_listings(document_id):
    return Feeds().create_feed(FeedType.JSON_LISTINGS_FEED, document_id)


def invoices():
    return Invoices().get_invoices(marketplaceId="ATVPDKIKX0DER")  # SPR303
