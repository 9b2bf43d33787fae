"""Typed access to the bot's services from every handler and job.

Handlers receive a `BotContext`: `context.services.asker`, `context.settings`, ... are typed,
instead of `cast(X, context.bot_data["x"])` scattered over the handlers. The services are built
once in `post_init` (see bot/app.py); before that, `context.services` raises a clear error.

Adding a service for a new feature: give `Services` a field with a default of None (so the
existing construction keeps working), set it from your feature's `on_start` hook, and read it
through `context.services` in your handlers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeAlias, TypeVar

from telegram import BotCommand
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.asking import AskService
from bot.config import Settings
from bot.delivery import DigestDelivery
from bot.feedback import AnswerLog
from bot.offload import run_blocking
from retrieval.archive import Archive
from retrieval.searcher import Searcher

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class Services:
    """Everything the handlers use, created once at start-up and closed at shutdown."""

    settings: Settings
    archive: Archive
    searcher: Searcher
    answers: AnswerLog
    asker: AskService
    executor: ThreadPoolExecutor  # the worker threads for blocking work (search, SQLite)
    digests: DigestDelivery | None = None  # set by the digest feature's on_start

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking `function` on the worker threads, keeping the event loop free."""
        return await run_blocking(self.executor, function, *args, **kwargs)

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.archive.close()


class BotData:
    """The application-wide state: settings from the start, services once post_init ran."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._services: Services | None = None
        self.features: tuple[Feature, ...] = ()

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

    @property
    def services(self) -> Services:
        return self.bot_data.services

    @property
    def settings(self) -> Settings:
        return self.bot_data.settings


CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotData)

BotApplication: TypeAlias = Application[
    ExtBot[None],
    BotContext,
    dict[Any, Any],
    dict[Any, Any],
    BotData,
    JobQueue[BotContext],
]


def _no_commands(language: str) -> Sequence[BotCommand]:
    return ()


@dataclass(frozen=True)
class Feature:
    """One feature module's part in the application; bot/app.py lists them in FEATURES.

    - `register` adds the feature's handlers (called once, in FEATURES order);
    - `commands` gives its entries for Telegram's command menu, per bot language ("es", "en");
    - `on_start` runs in post_init once the services exist and before any update is handled:
      the place to schedule JobQueue jobs or build the feature's own service;
    - `on_stop` runs in post_shutdown, before the services are closed.
    """

    name: str
    register: Callable[[BotApplication], None]
    commands: Callable[[str], Sequence[BotCommand]] = _no_commands
    on_start: Callable[[BotApplication], Awaitable[None]] | None = None
    on_stop: Callable[[BotApplication], Awaitable[None]] | None = None
