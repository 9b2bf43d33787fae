"""/start and /help: what the bot does, what the archive holds, an example, the commands."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.context import BotApplication, BotContext, Command, Feature
from bot.core.replies import NO_PREVIEW
from bot.help.service import archive_facts
from bot.help.view import help_message

__all__ = ["FEATURE"]


async def help_command(update: Update, context: BotContext) -> None:
    """Introduce the bot in the person's language, with live facts about the archive."""
    message = update.effective_message
    if message is None:
        return
    facts = await context.run(archive_facts, context.services.archive.store)
    lines = [(f.help_rank, f.help_line) for f in context.bot_data.features if f.help_line]
    kept_days = context.settings.bot.answers_kept_days
    text = help_message(facts, lines, context.language, context.bot.username, kept_days)
    await message.reply_html(text, link_preview_options=NO_PREVIEW)


def register(application: BotApplication) -> None:
    application.add_handler(
        CommandHandler(["start", "help"], help_command, filters=filters.UpdateType.MESSAGE)
    )


FEATURE = Feature(
    "help",
    register,
    commands=(Command("start", "command.start"), Command("help", "command.help")),
    help_line="help_line.help",
    help_rank=3,
)
