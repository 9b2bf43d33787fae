"""Admins grow and tidy the archive from Telegram: handlers (Telegram), forwards (a forwarded
post → a draft), service (the Curator), view (HTML). Admins keep no tables of their own."""

from bot.admin.service import AddOutcome, AdminStats, Curator

__all__ = ["AddOutcome", "AdminStats", "Curator"]
