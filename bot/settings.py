"""Settings of the Telegram side (read by bot/config.py with everything else)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TelegramSettings:
    # As python-telegram-bot's ApplicationBuilder().base_url(): the token is appended to it.
    api_base_url: str = "https://api.telegram.org/bot"
    api_file_url: str = ""  # default: api_base_url with its final "/bot" replaced by "/file/bot"
    webhook_listen: str = ""  # HOST:PORT the webhook server binds; default "0.0.0.0:8443"
    webhook_url: str = ""  # public URL Telegram posts updates to; empty means long polling
    webhook_secret: str = ""  # secret token Telegram echoes in a header, checked by the bot
    concurrent_updates: int = 64  # updates handled at once, so one slow question holds no one up
    max_retries: int = 3  # times a request refused with 429 (retry_after) is waited out and resent

    @property
    def file_url(self) -> str:
        if self.api_file_url:
            return self.api_file_url
        base = self.api_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"


@dataclass(frozen=True)
class BotSettings:
    admin_ids: tuple[int, ...] = ()
    questions_per_minute: int = 10
    default_language: str = "es"
    results_per_page: int = 3
    inline_results: int = 5  # quotes offered in inline mode (@bot question)
    search_workers: int = 2  # threads for searches and SQLite writes (about one per CPU core)
    answers_kept_days: int = 30  # questions, "more results" and feedback buttons are kept this long


@dataclass(frozen=True)
class DigestSettings:
    default_time: str = "08:00"
    default_timezone: str = "Europe/Madrid"
    max_articles: int = 10
    send_when_empty: bool = False
