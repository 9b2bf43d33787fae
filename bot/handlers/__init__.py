"""One module per feature; each exposes FEATURE (see bot/context.Feature), listed in bot/app.py."""

from __future__ import annotations

from telegram import LinkPreviewOptions

# Answers carry several links; a preview of the first would bury the quotes under one card.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

__all__ = ["NO_PREVIEW"]
