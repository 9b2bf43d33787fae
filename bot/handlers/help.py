"""/start and /help: what the bot does, what the archive holds, an example, the commands."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.ext import CommandHandler, filters

from bot import i18n, render
from bot.context import BotApplication, BotContext, Feature
from bot.handlers import NO_PREVIEW
from bot.language import user_language


async def help_command(update: Update, context: BotContext) -> None:
    """Introduce the bot in the person's language, with live facts about the archive."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    language = user_language(
        user.language_code if user else None, context.settings.bot.default_language
    )
    facts = await context.services.asker.facts()
    kept_days = context.settings.bot.answers_kept_days
    text = render.help_message(
        facts.articles, facts.newest, language, context.bot.username, kept_days
    )
    await message.reply_html(text, link_preview_options=NO_PREVIEW)


def commands(language: str) -> list[BotCommand]:
    return [
        BotCommand("start", i18n.plain("command_start", language)),
        BotCommand("help", i18n.plain("command_help", language)),
    ]


def register(application: BotApplication) -> None:
    application.add_handler(
        CommandHandler(["start", "help"], help_command, filters=filters.UpdateType.MESSAGE)
    )


FEATURE = Feature("help", register, commands)
