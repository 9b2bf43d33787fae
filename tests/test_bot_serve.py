"""Running the bot: `hemeroteca serve` end to end, webhook mode, configuration errors."""

from __future__ import annotations

import asyncio
import signal
import urllib.error
import urllib.request
from dataclasses import replace

import pytest

from bot.app import build_application
from bot.cli import main
from bot.config import ConfigError
from tests.botapi import TOKEN
from tests.support import free_port, serve

SHOIGU = "¿Qué dijo Ucrania sobre la visita de Shoigu?"


async def test_hemeroteca_serve_answers_and_stops_cleanly_without_logging_the_token(
    botapi, data_dir, tmp_path
):
    process = serve(botapi.base_url, data_dir, tmp_path, TOKEN)  # no config.toml in tmp_path
    try:
        await botapi.wait_for("getUpdates", timeout=60)
        ana = botapi.user()
        botapi.send_message(botapi.private_chat(ana), ana, SHOIGU)
        [answer] = await botapi.wait_for("sendMessage", chat_id=ana["id"], timeout=30)
        assert "realmente reveladora" in answer.params["text"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "serving as @hemeroteca_test_bot" in stderr
    assert TOKEN not in stderr  # even with -v (DEBUG logging)


async def test_hemeroteca_serve_with_a_token_telegram_refuses_says_so(botapi, data_dir, tmp_path):
    process = serve(botapi.base_url, data_dir, tmp_path, "42:not-the-right-token")
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "Telegram refused TELEGRAM_BOT_TOKEN" in stderr
    assert "not-the-right-token" not in stderr


def test_serve_without_a_token_explains_what_to_set(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["serve"]) == 2
    assert "set TELEGRAM_BOT_TOKEN" in capsys.readouterr().err


async def test_webhook_mode_checks_the_secret_and_answers(start_bot, settings, botapi):
    port = free_port()
    hook = f"http://127.0.0.1:{port}/hemeroteca-hook"
    telegram = replace(
        settings.telegram,
        webhook_url=hook,
        webhook_listen=f"127.0.0.1:{port}",
        webhook_secret="s3cret_Token-1",
    )
    async with start_bot(replace(settings, telegram=telegram)):
        assert botapi.webhook == (hook, "s3cret_Token-1")
        forged = urllib.request.Request(
            hook, data=b'{"update_id": 999}', headers={"Content-Type": "application/json"}
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            # Off the event loop: the bot's webhook server runs on it.
            await asyncio.to_thread(urllib.request.urlopen, forged, timeout=5)
        assert refused.value.code == 403

        ana = botapi.user()
        botapi.send_message(botapi.private_chat(ana), ana, SHOIGU)
        [answer] = await botapi.wait_for("sendMessage", chat_id=ana["id"])
        assert "realmente reveladora" in answer.params["text"]
        assert [d.status for d in botapi.deliveries()] == [200]


@pytest.mark.parametrize(
    ("telegram", "message"),
    [
        ({"webhook_url": "https://bot.example.org/hook"}, "webhook_secret is required"),
        (
            {"webhook_url": "https://bot.example.org/hook", "webhook_secret": "has spaces"},
            "webhook_secret is required",
        ),
        (
            {
                "webhook_url": "https://x.org/h",
                "webhook_secret": "ok",
                "webhook_listen": "localhost",
            },
            "HOST:PORT",
        ),
        ({"webhook_listen": "0.0.0.0:8443"}, "webhook_url is not"),
    ],
)
def test_bad_webhook_settings_are_refused_before_starting(settings, telegram, message):
    bad = replace(settings, telegram=replace(settings.telegram, **telegram))
    with pytest.raises(ConfigError, match=message):
        build_application(bad, TOKEN)


def test_an_empty_token_is_refused(settings):
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        build_application(settings, "  ")


def test_the_file_url_is_derived_from_the_base_url(settings, botapi):
    application = build_application(settings, TOKEN)
    assert application.bot.base_url == f"{botapi.base_url}{TOKEN}"
    assert application.bot.base_file_url == f"{botapi.file_url}{TOKEN}"
