"""An update that cannot be parsed is skipped, logged once and counted: it never silences the bot.

python-telegram-bot parses a getUpdates batch in one go (`Bot.get_updates` →
`Update.de_list`). When one update of the batch does not parse (a message without `date` or
`message_id`, `chat` given as a string, an entity without `type`, an inline query without
`query`...), `get_updates` logs the batch at CRITICAL and raises; the Updater's polling loop logs
CRITICAL again and, as it did not move its offset, asks for the same batch at once. The same
update fails again, for ever, and no later update is handled. Its webhook handler answers such an
update with 400, so Telegram delivers it again and again too.

Both ways in share `parse_update`, which logs and counts an update it cannot parse:
- `ResilientBot` checks each update of a getUpdates batch on its own and puts a bare
  `Update(update_id)` in the place of one that does not parse: the Updater's offset moves past it,
  and no handler matches it;
- `ResilientUpdater.start_webhook` serves the webhook with its own small tornado handler (as
  python-telegram-bot does): a missing or wrong secret token is still refused (403), and so is a
  body that is not JSON (400), but an update that cannot be parsed is answered 200, so that
  Telegram does not send it again.

Skipped updates are counted in `update_counters(application.bot)`, for the metrics to come.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tornado.web
from telegram import Bot, Update
from telegram.ext import BaseRateLimiter, ExtBot, Updater
from tornado.httpserver import HTTPServer

__all__ = [
    "ResilientBot",
    "ResilientUpdater",
    "UpdateCounters",
    "parse_update",
    "update_counters",
]

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class UpdateCounters:
    """What happened to the updates Telegram sent; only touched from the event loop."""

    skipped: int = 0  # could not be parsed: logged once, confirmed to Telegram, never handled


def parse_update(data: object, bot: Bot, counters: UpdateCounters) -> Update | None:
    """`data` as an Update; None if it cannot be parsed, and then it is logged and counted."""
    update_id = _update_id(data)
    try:
        if not isinstance(data, dict) or update_id is None:
            raise ValueError("not an object with an integer update_id")
        return Update.de_json(data, bot)
    # Whatever a malformed shape raises deep inside python-telegram-bot (KeyError, TypeError,
    # ValueError...): no shape of one update may stop the others.
    except Exception as error:
        counters.skipped += 1
        kinds = ", ".join(k for k in data if k != "update_id") if isinstance(data, dict) else ""
        # The update's content is left out: it is someone's message, and the error names the
        # field at fault.
        log.warning(
            "skipped update %s (%s) that could not be parsed: %s: %s",
            update_id,
            kinds or type(data).__name__,
            type(error).__name__,
            error,
        )
        return None


def update_counters(bot: Bot) -> UpdateCounters:
    """The counters of an application's bot (bot.app builds it as a ResilientBot)."""
    if not isinstance(bot, ResilientBot):
        raise TypeError(f"the bot is a {type(bot).__name__}, not a ResilientBot")
    return bot.update_counters


class ResilientBot(ExtBot[None]):
    """An ExtBot whose get_updates skips an update it cannot parse instead of failing the batch.

    The raw getUpdates result is checked in `_post`, beneath python-telegram-bot's own
    get_updates, which thus keeps its timeouts, logging and callback data handling. A good update
    is parsed twice (here and there): about 0.1 ms more per update, next to a round trip.
    """

    __slots__ = ("_update_counters",)

    def __init__(
        self,
        token: str,
        *,
        base_url: str,
        base_file_url: str,
        rate_limiter: BaseRateLimiter[Any] | None = None,
    ) -> None:
        # Bot's default requests are those ApplicationBuilder makes: a pool of 256 connections
        # for the methods, one connection for getUpdates.
        super().__init__(
            token,
            base_url=base_url,
            base_file_url=base_file_url,
            rate_limiter=rate_limiter,
        )
        self._update_counters = UpdateCounters()

    @property
    def update_counters(self) -> UpdateCounters:
        return self._update_counters

    async def _post(self, endpoint: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, data, **kwargs)
        if endpoint != "getUpdates" or not isinstance(result, list):
            return result
        return [kept for raw in result if (kept := self._parsable(raw)) is not None]

    def _parsable(self, raw: object) -> object | None:
        """`raw` if it parses; else a bare update in its place, or None without an update_id."""
        if parse_update(raw, self, self._update_counters) is not None:
            return raw
        update_id = _update_id(raw)
        # Without an update_id there is nothing to confirm: it is dropped. Telegram always
        # sends one.
        return None if update_id is None else {"update_id": update_id}


class ResilientUpdater(Updater):
    """An Updater whose webhook answers 200 to an update it cannot parse (see the module doc).

    Long polling is python-telegram-bot's own (its bot is a ResilientBot). The webhook server
    is plain HTTP, as the bot serves it behind a TLS proxy: cert, key and unix are refused.
    """

    __slots__ = ("_webhook",)
    bot: ResilientBot

    def __init__(self, bot: ResilientBot, update_queue: asyncio.Queue[object]) -> None:
        super().__init__(bot, update_queue)
        self._webhook: HTTPServer | None = None

    @property
    def running(self) -> bool:
        return self._webhook is not None or super().running

    async def start_webhook(
        self,
        listen: Any = "127.0.0.1",
        port: Any = 80,
        url_path: str = "",
        cert: str | Path | None = None,
        key: str | Path | None = None,
        bootstrap_retries: int = 0,
        webhook_url: str | None = None,
        allowed_updates: Sequence[str] | None = None,
        drop_pending_updates: bool | None = None,
        ip_address: str | None = None,
        max_connections: int = 40,
        secret_token: str | None = None,
        unix: Any = None,
    ) -> asyncio.Queue[object]:
        """Serve the webhook on listen:port/url_path, then tell Telegram its URL."""
        if cert or key or unix or bootstrap_retries:
            raise ValueError("this webhook serves plain HTTP on listen:port, set once")
        if self.running:
            raise RuntimeError("This Updater is already running!")
        # Application.run_webhook passes python-telegram-bot's DefaultValue placeholders for what
        # its caller left out.
        host, number = getattr(listen, "value", listen), getattr(port, "value", port)
        path = "/" + url_path.lstrip("/")
        handler = (
            rf"{re.escape(path)}/?",
            _WebhookHandler,
            {"updater": self, "secret": secret_token},
        )
        server = HTTPServer(tornado.web.Application([handler], log_function=_no_access_log))
        server.listen(number, address=host)
        try:
            await self.bot.set_webhook(
                url=webhook_url or f"http://{host}:{number}{path}",
                allowed_updates=allowed_updates,
                ip_address=ip_address,
                drop_pending_updates=drop_pending_updates,
                max_connections=max_connections,
                secret_token=secret_token,
            )
        except BaseException:
            await _stop(server)
            raise
        self._webhook = server
        return self.update_queue

    async def stop(self) -> None:
        server, self._webhook = self._webhook, None
        if server is None:
            await super().stop()  # long polling
            return
        await _stop(server)


class _WebhookHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, updater: ResilientUpdater, secret: str | None) -> None:
        self.updater = updater
        self.secret = secret

    async def post(self) -> None:
        kind = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise tornado.web.HTTPError(403)  # as python-telegram-bot's own webhook does
        if self.secret and not hmac.compare_digest(
            self.request.headers.get(SECRET_HEADER, "").encode(), self.secret.encode()
        ):
            raise tornado.web.HTTPError(403)
        try:
            data = json.loads(self.request.body)
        except ValueError as error:  # not Telegram: nothing worth confirming
            raise tornado.web.HTTPError(400) from error
        bot = self.updater.bot
        update = parse_update(data, bot, bot.update_counters)
        if update is not None:
            bot.insert_callback_data(update)
            await self.updater.update_queue.put(update)
        self.set_status(200)  # even when skipped: Telegram would resend an update it failed


def _update_id(data: object) -> int | None:
    update_id = data.get("update_id") if isinstance(data, dict) else None
    return update_id if isinstance(update_id, int) and not isinstance(update_id, bool) else None


def _no_access_log(handler: tornado.web.RequestHandler) -> None:
    """Telegram posts every update: an access line each would drown the bot's own log."""


async def _stop(server: HTTPServer) -> None:
    server.stop()
    await server.close_all_connections()
