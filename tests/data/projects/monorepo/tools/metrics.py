"""No manifest governs this script: the CLI checks it against no roles; flake8 stays quiet."""
from sp_api.api import Sales

INTERVAL = "2024-01-01T00:00:00Z--2024-02-01T00:00:00Z"


def metrics():
    return Sales().get_order_metrics(interval=INTERVAL, granularity="Day")  # SPR101 (no manifest)
