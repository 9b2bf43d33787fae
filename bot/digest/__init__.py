"""Daily digests of what is new: handlers and jobs (Telegram), service (logic), view (HTML),
state (subscriptions, the delivery ledger, cursors), delivery (sending once), schedule (when).

Only the Telegram-free, dependency-free parts are re-exported here, so that bot/config.py can
check digest settings without importing the feature's service.
"""

from bot.digest.schedule import DigestTime, ScheduleError, parse_subscribe_args
from bot.digest.state import DIGEST_SCHEMA, Subscriptions

__all__ = ["DIGEST_SCHEMA", "DigestTime", "ScheduleError", "Subscriptions", "parse_subscribe_args"]
