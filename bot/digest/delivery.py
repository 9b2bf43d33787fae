"""Sending one chat's digest so that it arrives once, or is known not to have.

The rules, and why:
* Claim (chat, local date) in the ledger before the first message; whoever loses the claim
  (a catch-up racing the regular job, a second instance) sends nothing.
* Record each attempt before making it. After a connection that was never made, Telegram has
  certainly not delivered, so the part is retried. After a read or write timeout it may have:
  the digest is marked `uncertain` and never re-sent, because a duplicate digest is worse than a
  late one.
* A 429 is waited out and resent by python-telegram-bot's rate limiter ([telegram] max_retries),
  the one layer that resends a refused send, for digests as for answers. A RetryAfter that
  reaches this module means the limiter has given up: the digest is marked failed (Telegram
  certainly did not take it), not resent again here, which would multiply the two layers'
  attempts and keep sending into a flood wait.
* 403 (blocked, kicked): the subscription is removed. ChatMigrated: the subscription, ledger and
  cursor move to the supergroup and the remaining messages go there.
* Sends are paced (all chats together, and per chat) under Telegram's broadcast limits; every
  failure is caught and logged here, so one chat never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import httpx
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.core.offload import Pool
from bot.core.replies import NO_PREVIEW
from bot.digest import view
from bot.digest.service import DigestContent, DigestService
from bot.digest.state import Claim, DeliveryStatus

__all__ = ["DeliveryOutcome", "DeliveryResult", "DigestDelivery", "Pacer"]

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]

MAX_ATTEMPTS = 5  # per message, for connections that were never made (429s: see above)
RETRY_BACKOFF_SECONDS = 2.0


class DeliveryOutcome(StrEnum):
    """What became of one scheduled digest (the ledger's own states: DeliveryStatus)."""

    SENT = "sent"
    EMPTY = "empty"  # nothing new; nothing sent (or "nothing new" when configured)
    ALREADY = "already"  # the ledger says this date is done or in progress elsewhere
    NOT_SUBSCRIBED = "not_subscribed"
    UNSUBSCRIBED = "unsubscribed"  # 403: the subscription was removed
    UNCERTAIN = "uncertain"
    FAILED = "failed"


@dataclass(frozen=True)
class DeliveryResult:
    outcome: DeliveryOutcome
    chat_id: int  # where the digest went (the supergroup's id after a migration)
    messages: int = 0


class Pacer:
    """Spaces sends: at most `per_second` overall, one a second per chat, slower for groups.

    Slots are reserved under a lock and waited for outside it, so chats wait in parallel.
    """

    def __init__(
        self,
        per_second: float = 20.0,
        per_chat_interval: float = 1.0,
        group_interval: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._gap = 1.0 / per_second
        self._per_chat = per_chat_interval
        self._group = group_interval
        self._clock = clock
        self._sleep = sleep
        self._next = -math.inf
        self._last: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def wait(self, chat_id: int) -> None:
        async with self._lock:
            now = self._clock()
            interval = self._group if chat_id < 0 else self._per_chat
            at = max(now, self._next, self._last.get(chat_id, -math.inf) + interval)
            self._next = at + self._gap
            self._last[chat_id] = at
            if len(self._last) > 10_000:
                self._last = {c: t for c, t in self._last.items() if t + self._group > now}
        if at > now:
            await self._sleep(at - now)


class _Uncertain(Exception):
    """Telegram may have delivered the message; it must not be sent again."""


class DigestDelivery:
    """Composes and sends digests; blocking work (store reads, summaries) runs on `pool`."""

    def __init__(
        self,
        digests: DigestService,
        pool: Pool,
        pacer: Pacer | None = None,
        sleep: Sleep = asyncio.sleep,
        send_timeout: float | None = None,
    ) -> None:
        self.digests = digests
        self.subscriptions = digests.subscriptions
        self.pacer = pacer or Pacer()
        self.pool = pool
        self._sleep = sleep
        self._send_timeout = send_timeout  # seconds to wait for Telegram's answer; None: default
        self._chat_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def chat_lock(self, chat_id: int) -> asyncio.Lock:
        """Held from composing a chat's digest to moving its cursor, so two digests at once
        (a double-tapped /digest, or /digest during the scheduled one) cannot both show the
        same articles."""
        lock = self._chat_locks.get(chat_id)
        if lock is None:
            lock = asyncio.Lock()
            self._chat_locks[chat_id] = lock
        return lock

    async def compose(
        self, chat_id: int, language: str, always_reply: bool
    ) -> tuple[list[str], DigestContent]:
        """Messages for what is new in `chat_id` (on the pool: store reads, summaries)."""
        send_empty = always_reply or self.digests.settings.send_when_empty
        return await self.pool.run(self._compose, chat_id, language, send_empty)

    def _compose(
        self, chat_id: int, language: str, send_empty: bool
    ) -> tuple[list[str], DigestContent]:
        content = self.digests.content(chat_id)
        return view.messages(content, language, send_when_empty=send_empty), content

    # --- scheduled ----------------------------------------------------------------------------

    async def deliver(self, bot: Bot, chat_id: int, local_date: date) -> DeliveryResult:
        """The scheduled digest of `chat_id` for `local_date`, at most once, never raising."""
        try:
            return await self._deliver(bot, chat_id, local_date)
        except Exception:
            log.exception("digest for chat %s (%s) failed", chat_id, local_date)
            return DeliveryResult(DeliveryOutcome.FAILED, chat_id)

    async def _deliver(self, bot: Bot, chat_id: int, local_date: date) -> DeliveryResult:
        async with self.chat_lock(chat_id):
            return await self._deliver_locked(bot, chat_id, local_date)

    async def _deliver_locked(self, bot: Bot, chat_id: int, local_date: date) -> DeliveryResult:
        subscription = await self.pool.run(self.subscriptions.get, chat_id)
        if subscription is None:
            return DeliveryResult(DeliveryOutcome.NOT_SUBSCRIBED, chat_id)
        claim = await self.pool.run(
            self.subscriptions.claim, chat_id, local_date, self.digests.clock()
        )
        if claim is None:
            log.info("digest for chat %s (%s) already claimed; not sending", chat_id, local_date)
            return DeliveryResult(DeliveryOutcome.ALREADY, chat_id)
        try:
            messages, content = await self.compose(chat_id, subscription.language, False)
        except BaseException:
            await self.pool.run(self._finish, claim, DeliveryStatus.FAILED, "could not compose")
            raise
        if not messages:
            await self.pool.run(self._finish, claim, DeliveryStatus.EMPTY)
            return DeliveryResult(DeliveryOutcome.EMPTY, chat_id)
        return await self._send_all(bot, claim, messages, content)

    async def _send_all(
        self, bot: Bot, claim: Claim, messages: Sequence[str], content: DigestContent
    ) -> DeliveryResult:
        chat_id = claim.chat_id
        sent = migrations = 0
        while sent < len(messages):
            try:
                await self._send_one(bot, claim, chat_id, messages[sent], len(messages))
                sent += 1
            except ChatMigrated as migrated:
                migrations += 1
                if migrations > 2:
                    raise
                new_id = int(migrated.new_chat_id)
                log.warning("chat %s became supergroup %s; moving its digest", chat_id, new_id)
                await self.pool.run(self.subscriptions.migrate, chat_id, new_id)
                claim = Claim(new_id, claim.local_date)
                chat_id = new_id
            except Forbidden as error:
                log.warning("chat %s refused the digest (%s); unsubscribing it", chat_id, error)
                await self.pool.run(self.subscriptions.unsubscribe, chat_id)
                await self.pool.run(
                    self._finish, claim, DeliveryStatus.FAILED, f"forbidden: {error}"
                )
                return DeliveryResult(DeliveryOutcome.UNSUBSCRIBED, chat_id, sent)
            except _Uncertain as error:
                log.warning(
                    "digest for chat %s (%s) may or may not have arrived (%s); not re-sending",
                    chat_id,
                    claim.local_date,
                    error,
                )
                await self.pool.run(self._finish, claim, DeliveryStatus.UNCERTAIN, str(error))
                await self._advance(chat_id, content)
                return DeliveryResult(DeliveryOutcome.UNCERTAIN, chat_id, sent)
            except TelegramError as error:
                log.error("digest for chat %s not delivered: %s", chat_id, error)
                await self.pool.run(self._finish, claim, DeliveryStatus.FAILED, str(error))
                return DeliveryResult(DeliveryOutcome.FAILED, chat_id, sent)
        await self.pool.run(self._finish, claim, DeliveryStatus.SENT)
        await self._advance(chat_id, content)
        return DeliveryResult(DeliveryOutcome.SENT, chat_id, sent)

    async def _send_one(self, bot: Bot, claim: Claim, chat_id: int, text: str, parts: int) -> None:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            await self.pacer.wait(chat_id)
            await self.pool.run(self.subscriptions.record_attempt, claim, parts)
            try:
                await bot.send_message(
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                    read_timeout=self._send_timeout,
                )
            except RetryAfter:
                # The rate limiter already waited out and resent this max_retries times.
                await self.pool.run(self.subscriptions.record_not_delivered, claim)
                raise
            except ChatMigrated:
                await self.pool.run(self.subscriptions.record_not_delivered, claim)
                raise
            except NetworkError as error:  # TimedOut is a NetworkError too
                if not _never_sent(error):
                    raise _Uncertain(f"{type(error).__name__}: {error}") from error
                await self.pool.run(self.subscriptions.record_not_delivered, claim)
                if attempt == MAX_ATTEMPTS:
                    raise
                await self._sleep(RETRY_BACKOFF_SECONDS * attempt)
                continue
            await self.pool.run(self.subscriptions.record_part_sent, claim)
            return
        raise TelegramError(f"not delivered after {MAX_ATTEMPTS} attempts")

    def _finish(self, claim: Claim, status: DeliveryStatus, error: str = "") -> None:
        self.subscriptions.finish(claim, status, self.digests.clock(), error)

    async def _advance(self, chat_id: int, content: DigestContent) -> None:
        await self.pool.run(self.digests.advance, chat_id, content)


def _never_sent(error: NetworkError) -> bool:
    """True when the request provably never reached Telegram, so a retry cannot duplicate."""
    cause = error.__cause__
    if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return True
    # python-telegram-bot words a pool timeout this way when it raises TimedOut itself.
    return "Pool timeout" in str(error)
