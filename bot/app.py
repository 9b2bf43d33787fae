"""The composition root: the only place that builds the Telegram application and its services.

    application = build_application(settings, token)   # handlers registered, nothing started
    run(application)                                   # blocking: long polling or webhook
    async with running(application): ...               # the same lifecycle, inside a loop (tests)

Every service is built in `open_services`, once, when the application starts (post_init): the
archive, its feature tables (each owner's schema, migrated at open), the ask, digest and admin
services, the rate limits and the worker pools. Handlers only read them (bot/context.py).

Extension point: a feature is a package `bot/<feature>/` whose handlers module exposes
`FEATURE = Feature(...)` (see bot/context.Feature); add it to FEATURES below. Handlers are
registered in FEATURES order, and in one handler group the first matching handler wins: `ask`
stays last because it treats any private text as a question. The command menu (setMyCommands, in
Spanish and English) and /help's list of commands are built from the features' registrations.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder

from bot import i18n
from bot.admin.handlers import FEATURE as ADMIN
from bot.admin.service import Curator
from bot.ask.handlers import FEATURE as ASK
from bot.ask.service import AskService
from bot.ask.state import ASK_SCHEMA, AnswerLog, QuestionLog
from bot.config import ConfigError, Settings, TelegramSettings, check_serving, listen_address
from bot.context import CONTEXT_TYPES, BotApplication, BotContext, Feature, Hooks, Services
from bot.core.errors import on_error
from bot.core.limits import QuestionLimits
from bot.core.logs import redact_secret
from bot.core.offload import WorkerPools
from bot.core.updates import ResilientBot, ResilientUpdater
from bot.digest.delivery import DigestDelivery
from bot.digest.handlers import FEATURE as DIGEST
from bot.digest.service import DigestService
from bot.digest.state import DIGEST_SCHEMA, Subscriptions
from bot.help.handlers import FEATURE as HELP
from corpus.schema import apply_schemas
from retrieval.archive import Archive
from retrieval.searcher import Searcher

__all__ = ["FEATURES", "SCHEMAS", "Hooks", "build_application", "open_services", "run", "running"]

log = logging.getLogger(__name__)

FEATURES: list[Feature] = [HELP, ADMIN, DIGEST, ASK]
# Every owner of tables in the archive file, migrated when the bot opens it (admins keep none).
SCHEMAS = (ASK_SCHEMA, DIGEST_SCHEMA)
PRUNE_EVERY = timedelta(hours=6)
PRUNE_JOB = "prune-old-answers"


def _now() -> datetime:
    return datetime.now(UTC)


def build_application(
    settings: Settings,
    token: str,
    features: Sequence[Feature] | None = None,
    hooks: Hooks | None = None,
) -> BotApplication:
    """The application with every feature's handlers; services start in post_init."""
    if not token.strip():
        raise ConfigError("set TELEGRAM_BOT_TOKEN to run the bot")
    # Checked first: a refused configuration starts nothing, so it has no secret to hide,
    # and registering an invalid "secret" would redact that text from every later log line.
    check_serving(settings)
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
        # be redelivered to the webhook) for ever: see bot/core/updates.py.
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
    application.bot_data.hooks = hooks or Hooks()
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


def open_services(settings: Settings, hooks: Hooks | None = None) -> Services:
    """Open the archive, migrate the features' tables, load the model once, build every service
    (blocking: called off the event loop)."""
    hooks = hooks or Hooks()
    archive = Archive(settings.archive)
    pools = WorkerPools.start(settings.bot.search_workers)
    try:
        archive.open_indexes()
        apply_schemas(archive.store, SCHEMAS)
        searcher = Searcher(archive)
        archive.embedder.embed_queries(["warm-up"])  # load the model now, not on a question
        answers, questions = AnswerLog(archive.store), QuestionLog(archive.store)
        subscriptions = Subscriptions(archive.store)
        asker = AskService(
            searcher,
            answers,
            questions,
            page_size=settings.bot.results_per_page,
            inline_results=settings.bot.inline_results,
        )
        # Kept as long as config says, whether or not the periodic pruning job runs.
        asker.prune(_now() - timedelta(days=settings.bot.answers_kept_days))
        digests = DigestService(archive.store, subscriptions, settings.digest, hooks.clock)
        delivery = DigestDelivery(
            digests, pools.search, hooks.pacer(), send_timeout=hooks.send_timeout
        )
    except BaseException:
        pools.shutdown(wait=False)
        archive.close()
        raise
    return Services(
        archive=archive,
        searcher=searcher,
        answers=answers,
        asker=asker,
        limits=QuestionLimits.per_minute(
            settings.bot.questions_per_minute, exempt=settings.bot.admin_ids
        ),
        curator=Curator(archive, settings.fetch, questions, subscriptions),
        digests=digests,
        delivery=delivery,
        pools=pools,
    )


async def _post_init(application: BotApplication) -> None:
    data = application.bot_data
    # The pools are among what this builds, so opening (and, below, closing them) is the one
    # blocking call that cannot go through them.
    data.services = await asyncio.to_thread(open_services, data.settings, data.hooks)
    await _set_commands(application, data.features)
    _schedule_pruning(application)
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
        for language in i18n.LANGUAGES:
            commands = _commands(features, language)
            await application.bot.set_my_commands(commands, language_code=language)
            if language == default:
                await application.bot.set_my_commands(commands)
    except TelegramError as error:  # a menu is a convenience: never a reason not to serve
        log.warning("could not register the command menu with Telegram: %s", error)


def _commands(features: Sequence[Feature], language: str) -> list[BotCommand]:
    return [
        BotCommand(command.name, i18n.plain(command.description, language))
        for feature in features
        for command in feature.commands
    ]


# --- jobs -----------------------------------------------------------------------------------


def _schedule_pruning(application: BotApplication) -> None:
    """Forget old answers and questions every few hours, as /help promises, while serving."""
    if application.job_queue is None:  # without the job-queue extra: pruned at start-up only
        return
    application.job_queue.run_repeating(
        _prune_old_answers, interval=PRUNE_EVERY, first=PRUNE_EVERY, name=PRUNE_JOB
    )


async def _prune_old_answers(context: BotContext) -> None:
    before = _now() - timedelta(days=context.settings.bot.answers_kept_days)
    await context.run(context.services.asker.prune, before)


# --- webhook --------------------------------------------------------------------------------


def _webhook_arguments(telegram: TelegramSettings) -> dict[str, Any]:
    """What run_webhook and Updater.start_webhook both take, from the settings."""
    host, port = listen_address(telegram.webhook_listen)
    return {
        "listen": host,
        "port": port,
        "url_path": urlsplit(telegram.webhook_url).path.lstrip("/"),
        "webhook_url": telegram.webhook_url,
        "secret_token": telegram.webhook_secret,
        "allowed_updates": Update.ALL_TYPES,
    }
