"""`hemeroteca serve`: run the Telegram bot; the token comes only from the environment."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from bot.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from bot.config import Settings

__all__ = ["add_parser"]


def add_parser(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    serve.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the Telegram bot until interrupted."""
    # Imported here so the other commands do not pay for loading python-telegram-bot.
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application
    from bot.app import run as serve_forever

    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        print("hemeroteca: set TELEGRAM_BOT_TOKEN to run the bot.", file=sys.stderr)
        return EXIT_USAGE
    if not args.verbose:
        logging.getLogger("bot").setLevel(logging.INFO)  # start-up and failures, not chatter
    try:
        serve_forever(build_application(settings, token))
    except InvalidToken:
        print("hemeroteca: Telegram refused TELEGRAM_BOT_TOKEN (check the token).", file=sys.stderr)
        return EXIT_FAILED
    except NetworkError as error:
        print(
            f"hemeroteca: cannot reach the Bot API at {settings.telegram.api_base_url}: "
            f"{error.message}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK
