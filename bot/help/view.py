"""/start and /help: what the bot does, what it knows, an example, and the commands, listed from
what each feature registered (bot/context.Feature), so a new command is never missing from it."""

from __future__ import annotations

from collections.abc import Iterable

from bot import i18n
from bot.help.service import ArchiveFacts

__all__ = ["help_message"]


def help_message(
    facts: ArchiveFacts,
    help_lines: Iterable[tuple[int, str]],
    language: str,
    bot_username: str,
    kept_days: int,
) -> str:
    """`help_lines` are the features' (rank, catalogue key); the message also says how long
    questions are kept (people should know their questions are stored)."""
    if facts.articles:
        when = i18n.date(facts.newest, language) if facts.newest else "?"
        articles = i18n.count("articles", facts.articles, language)
        archive = i18n.plain("help.archive_facts", language, articles=articles, newest=when)
    else:
        archive = i18n.plain("help.archive_empty", language)
    commands = "\n".join(i18n.html(key, language) for _, key in sorted(help_lines))
    return i18n.html(
        "help.text",
        language,
        archive=archive,
        example=i18n.plain("ask.example_question", language),
        example_when=i18n.plain("ask.example_when", language),
        bot=bot_username,
        days=kept_days,
        commands=i18n.Markup(commands),
    )
