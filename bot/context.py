"""Typed access to the bot's services from every handler and job.

Handlers receive a `BotContext`: `context.services.asker`, `context.settings`,
`context.language` are typed, instead of `cast(X, context.bot_data["x"])` scattered over the
handlers. Every service is built once, in bot/app.py, before any update is handled; before that,
`context.services` raises a clear error, so no service is ever Optional.

Adding a service: give `Services` a field, build it in `bot.app.open_services`, read it through
`context.services` in your handlers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple, ParamSpec, TypeAlias, TypeVar

from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.admin.service import Curator
from bot.ask.service import AskService
from bot.ask.state import AnswerLog
from bot.config import Settings
from bot.core.language import user_language
from bot.core.limits import QuestionLimits
from bot.core.offload import WorkerPools
from bot.digest.delivery import DigestDelivery, Pacer
from bot.digest.service import Clock, DigestService
from retrieval.archive import Archive
from retrieval.searcher import Searcher

__all__ = [
    "CONTEXT_TYPES",
    "BotApplication",
    "BotContext",
    "BotData",
    "Command",
    "Feature",
    "Hooks",
    "Services",
]

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Services:
    """Everything the handlers and jobs use, created once at start-up and closed at shutdown."""

    archive: Archive
    searcher: Searcher
    answers: AnswerLog
    asker: AskService
    limits: QuestionLimits
    curator: Curator
    digests: DigestService
    delivery: DigestDelivery
    pools: WorkerPools  # the worker threads for blocking work (core/offload.py)

    def close(self) -> None:
        self.pools.shutdown(wait=True)
        self.archive.close()


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Hooks:
    """What tests replace when bot/app.py builds the services: the digests' clock and pacer,
    and how long a digest's send may wait for Telegram (None: python-telegram-bot's default)."""

    clock: Clock = _utc_now
    pacer: Callable[[], Pacer] = field(default=Pacer)
    send_timeout: float | None = None


class BotData:
    """The application-wide state: settings and features from the start, services once started."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._services: Services | None = None
        self.features: tuple[Feature, ...] = ()
        self.hooks = Hooks()

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("the application was not built with bot.app.build_application")
        return self._settings

    @settings.setter
    def settings(self, value: Settings) -> None:
        self._settings = value

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError(
                "the services are not started yet: they are created in post_init, which "
                "run_polling/run_webhook and bot.app.running() call"
            )
        return self._services

    @services.setter
    def services(self, value: Services | None) -> None:
        self._services = value

    @property
    def started(self) -> bool:
        return self._services is not None


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The CallbackContext every handler and job of this bot receives."""

    _language_code: str | None = None  # the Telegram language of the update's sender

    @classmethod
    def from_update(cls, update: object, application: Any) -> BotContext:
        context: BotContext = super().from_update(update, application)
        if isinstance(update, Update) and update.effective_user is not None:
            context._language_code = update.effective_user.language_code
        return context

    @property
    def services(self) -> Services:
        return self.bot_data.services

    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    @property
    def language(self) -> str:
        """The bot language for the update's sender ("es-419" → "es"); the default in jobs."""
        return user_language(self._language_code, self.settings.bot.default_language)

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`function` on the search pool: how a handler calls a service without blocking."""
        return await self.services.pools.search.run(function, *args, **kwargs)


CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotData)

BotApplication: TypeAlias = Application[
    ExtBot[None],
    BotContext,
    dict[Any, Any],
    dict[Any, Any],
    BotData,
    JobQueue[BotContext],
]


class Command(NamedTuple):
    """An entry of Telegram's command menu; `description` is its catalogue key."""

    name: str
    description: str


@dataclass(frozen=True)
class Feature:
    """One feature's part in the application; bot/app.py lists them in FEATURES.

    - `register` adds the feature's handlers (called once, in FEATURES order);
    - `commands` are its entries in Telegram's command menu, in each bot language;
    - `help_line` is the catalogue key of its line under "Commands" in /help, and `help_rank`
      where that line goes (lower first): the menu and /help are built from these;
    - `on_start` runs in post_init once the services exist and before any update is handled
      (the place to schedule the feature's JobQueue jobs); `on_stop` in post_shutdown, before
      the services are closed.
    """

    name: str
    register: Callable[[BotApplication], None]
    commands: tuple[Command, ...] = ()
    help_line: str = ""
    help_rank: int = 0
    on_start: Callable[[BotApplication], Awaitable[None]] | None = None
    on_stop: Callable[[BotApplication], Awaitable[None]] | None = None
