"""Offer notifications: ANY_OFFER_CHANGED needs Pricing."""
from sp_api.api import Notifications
from sp_api.base import NotificationType


def watch_offers(dest):
    return Notifications().create_subscription(NotificationType.ANY_OFFER_CHANGED, dest)  # SPR203
