"""What every feature shares: html (escaping, shortening, links, packing), guards (who may),
callbacks (button data), replies (views → Telegram), offload (the worker pools), limits (the
per-person budget), language, logs (no token in them), errors (the one error handler), updates
(malformed updates skipped)."""

__all__ = [
    "callbacks",
    "errors",
    "guards",
    "html",
    "language",
    "limits",
    "logs",
    "offload",
    "replies",
    "updates",
]
