"""/start and /help: handlers (Telegram), service (archive facts), view (the help text)."""

from bot.help.service import ArchiveFacts, archive_facts

__all__ = ["ArchiveFacts", "archive_facts"]
