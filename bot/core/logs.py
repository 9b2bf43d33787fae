"""Keep the bot token out of every log line, whoever logs it and whatever handler prints it.

httpx logs each request URL at INFO, and Bot API URLs carry the token (`.../bot<TOKEN>/getMe`).
Quietening httpx is not enough on its own: an exception message or a third-party DEBUG line can
carry the URL too. So every log record is redacted when it is created, before any handler,
formatter or test capture sees it.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from typing import Any

__all__ = ["NOISY_LOGGERS", "REDACTED", "redact", "redact_secret"]

REDACTED = "[REDACTED]"
NOISY_LOGGERS = ("httpx", "httpcore")

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def redact_secret(secret: str) -> None:
    """From now on, `secret` is replaced by [REDACTED] in every log record of this process."""
    global _installed
    if not secret:
        return
    with _lock:
        _secrets.add(secret)
        if not _installed:
            logging.setLogRecordFactory(_redacting_factory(logging.getLogRecordFactory()))
            _installed = True
    for name in NOISY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


def redact(text: str) -> str:
    """`text` with every registered secret replaced, in any letter case.

    Case-insensitive because python-telegram-bot capitalises error descriptions, and an error
    that quotes the token would otherwise pass with its first letter changed.
    """
    with _lock:
        pattern = _pattern()
    return pattern.sub(REDACTED, text) if pattern is not None else text


@functools.cache
def _compiled(secrets: frozenset[str]) -> re.Pattern[str] | None:
    if not secrets:
        return None
    # Longest first: a short secret inside a longer one must not leave the rest of it visible.
    ordered = sorted(secrets, key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in ordered), re.IGNORECASE)


def _pattern() -> re.Pattern[str] | None:
    return _compiled(frozenset(_secrets))


def _redacting_factory(previous: Any) -> Any:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = previous(*args, **kwargs)
        if not _secrets:
            return record
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: leave it to the handler to report, as logging does
            return record
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when set, so the traceback is printed already redacted.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    return factory
