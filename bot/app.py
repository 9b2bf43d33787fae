"""The composition root: the only place that builds the Telegram application and its services.

    application = build_application(settings, token)   # handlers registered, nothing started
    run(application)                                   # blocking: long polling or webhook
    async with running(application): ...               # the same lifecycle, inside a loop (tests)

Extension point: a feature lives in `bot/handlers/<feature>.py` and exposes
`FEATURE = Feature(name, register, commands, on_start, on_stop)` (see bot/context.Feature);
add it to FEATURES below. Handlers are registered in FEATURES order, and in one handler group
the first matching handler wins: `ask` stays last because it treats any private text as a
question. `on_start` hooks run in post_init, after the services exist and before updates are
handled: schedule JobQueue jobs (application.job_queue) there. Commands from every feature are
sent to Telegram (setMyCommands) in Spanish and English at start-up.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder

from bot.asking import AskService
from bot.config import ConfigError, Settings
from bot.context import CONTEXT_TYPES, BotApplication, Feature, Services
from bot.feedback import AnswerLog
from bot.handlers import admin, ask, digest, help
from bot.handlers.errors import on_error
from bot.i18n import LANGUAGES
from bot.logs import redact_secret
from bot.questions import QuestionLog
from bot.ratelimit import QuestionLimiter
from bot.settings import TelegramSettings
from bot.updates import ResilientBot, ResilientUpdater
from retrieval.archive import Archive
from retrieval.searcher import Searcher

log = logging.getLogger(__name__)

FEATURES: list[Feature] = [help.FEATURE, admin.FEATURE, digest.FEATURE, ask.FEATURE]

_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def build_application(
    settings: Settings, token: str, features: Sequence[Feature] | None = None
) -> BotApplication:
    """The application with every feature's handlers; services start in post_init."""
    if not token.strip():
        raise ConfigError("set TELEGRAM_BOT_TOKEN to run the bot")
    # Validated first: a refused configuration starts nothing, so it has no secret to hide,
    # and registering an invalid "secret" would redact that text from every later log line.
    _check_webhook(settings)
    redact_secret(token)
    redact_secret(settings.telegram.webhook_secret)
    telegram = settings.telegram
    bot = ResilientBot(
        token,
        base_url=telegram.api_base_url,
        base_file_url=telegram.file_url,
        rate_limiter=AIORateLimiter(max_retries=telegram.max_retries),
    )
    builder = (
        ApplicationBuilder()
        # Both skip an update that cannot be parsed, which would otherwise stall polling (and
        # be redelivered to the webhook) for ever: see bot/updates.py.
        .updater(ResilientUpdater(bot, asyncio.Queue()))
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(telegram.concurrent_updates)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    # The builder's generics cannot follow context_types(); this is what it builds.
    application = cast(BotApplication, builder.build())
    application.bot_data.settings = settings
    application.bot_data.features = tuple(FEATURES if features is None else features)
    for feature in application.bot_data.features:
        feature.register(application)
    application.add_error_handler(on_error)
    return application


def run(application: BotApplication) -> None:
    """Serve until SIGINT/SIGTERM: long polling, or a webhook when [telegram] webhook_url is set."""
    telegram = application.bot_data.settings.telegram
    if not telegram.webhook_url:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    application.run_webhook(**_webhook_arguments(telegram))


@asynccontextmanager
async def running(
    application: BotApplication, poll_timeout: float = 10.0
) -> AsyncIterator[BotApplication]:
    """`run`'s lifecycle inside an existing event loop, stopping cleanly on exit.

    initialize → post_init → updater (polling or webhook) → start; then the reverse, as
    Application.run_polling does.
    """
    telegram = application.bot_data.settings.telegram
    updater = application.updater
    if updater is None:
        raise RuntimeError("the application has no updater")
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if telegram.webhook_url:
            await updater.start_webhook(**_webhook_arguments(telegram))
        else:
            await updater.start_polling(
                timeout=timedelta(seconds=poll_timeout), allowed_updates=Update.ALL_TYPES
            )
        await application.start()
        yield application
    finally:
        if updater.running:
            await updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


# --- services -------------------------------------------------------------------------------


def open_services(settings: Settings) -> Services:
    """Open the archive and load the model once (blocking: called off the event loop)."""
    archive = Archive(settings.archive)
    executor = ThreadPoolExecutor(
        max_workers=max(1, settings.bot.search_workers), thread_name_prefix="hemeroteca"
    )
    try:
        archive.open_indexes()
        searcher = Searcher(archive)
        archive.embedder.embed_queries(["warm-up"])  # load the model now, not on a question
        answers = AnswerLog(archive.store)
        asker = AskService(
            searcher,
            answers,
            QuestionLog(archive.store),
            QuestionLimiter(settings.bot.questions_per_minute, exempt=settings.bot.admin_ids),
            executor,
            page_size=settings.bot.results_per_page,
            inline_results=settings.bot.inline_results,
            default_language=settings.bot.default_language,
        )
        # Kept as long as config says, whether or not the ask feature's periodic pruning runs.
        asker.prune(datetime.now(UTC) - timedelta(days=settings.bot.answers_kept_days))
    except BaseException:
        executor.shutdown(wait=False)
        archive.close()
        raise
    return Services(settings, archive, searcher, answers, asker, executor)


async def _post_init(application: BotApplication) -> None:
    data = application.bot_data
    data.services = await asyncio.to_thread(open_services, data.settings)
    await _set_commands(application, data.features)
    for feature in data.features:
        if feature.on_start is not None:
            await feature.on_start(application)
    log.info(
        "serving as @%s: %d articles, features %s",
        application.bot.username,
        data.services.archive.store.count_articles(),
        ", ".join(f.name for f in data.features),
    )


async def _post_shutdown(application: BotApplication) -> None:
    data = application.bot_data
    if not data.started:
        return
    for feature in reversed(data.features):
        if feature.on_stop is not None:
            await feature.on_stop(application)
    services, data.services = data.services, None
    await asyncio.to_thread(services.close)


async def _set_commands(application: BotApplication, features: Sequence[Feature]) -> None:
    """The command menu in each bot language, and the default language's for everyone else."""
    default = application.bot_data.settings.bot.default_language
    try:
        for language in LANGUAGES:
            commands = _commands(features, language)
            await application.bot.set_my_commands(commands, language_code=language)
            if language == default:
                await application.bot.set_my_commands(commands)
    except TelegramError as error:  # a menu is a convenience: never a reason not to serve
        log.warning("could not register the command menu with Telegram: %s", error)


def _commands(features: Sequence[Feature], language: str) -> list[BotCommand]:
    return [command for feature in features for command in feature.commands(language)]


# --- configuration checks -------------------------------------------------------------------


def _check_webhook(settings: Settings) -> None:
    telegram = settings.telegram
    if not telegram.webhook_url:
        if telegram.webhook_listen:
            raise ConfigError("[telegram] webhook_listen is set but webhook_url is not")
        return
    if urlsplit(telegram.webhook_url).scheme not in ("http", "https"):
        raise ConfigError(
            f"[telegram] webhook_url must be an http(s) URL: {telegram.webhook_url!r}"
        )
    if not _SECRET_TOKEN.match(telegram.webhook_secret):
        raise ConfigError(
            "[telegram] webhook_secret is required with webhook_url: 1-256 characters of "
            "A-Z, a-z, 0-9, _ and - (Telegram echoes it in a header and the bot checks it)"
        )
    _listen_address(telegram.webhook_listen)


def _webhook_arguments(telegram: TelegramSettings) -> dict[str, Any]:
    """What run_webhook and Updater.start_webhook both take, from the settings."""
    host, port = _listen_address(telegram.webhook_listen)
    return {
        "listen": host,
        "port": port,
        "url_path": urlsplit(telegram.webhook_url).path.lstrip("/"),
        "webhook_url": telegram.webhook_url,
        "secret_token": telegram.webhook_secret,
        "allowed_updates": Update.ALL_TYPES,
    }


def _listen_address(listen: str) -> tuple[str, int]:
    host, _, port = (listen or "0.0.0.0:8443").rpartition(":")
    if not port.isdigit():
        raise ConfigError(f"[telegram] webhook_listen must be HOST:PORT, got {listen!r}")
    return host or "0.0.0.0", int(port)
