"""From the views' plain data to Telegram: keyboards, link previews, several messages in a row."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)

from bot.core.callbacks import ButtonData, Keyboard

__all__ = ["NO_PREVIEW", "markup", "pressed", "reply_all"]

# Answers carry several links; a preview of the first would bury the quotes under one card.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    """A view's keyboard as Telegram's inline keyboard (None: no buttons)."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in keyboard]
    )


def pressed(update: Update, button: ButtonData) -> tuple[CallbackQuery, tuple[str, ...]] | None:
    """The press of `button` and the parts its data carries; None for anything else."""
    query = update.callback_query
    parts = button.parse(query.data) if query is not None else None
    return (query, parts) if query is not None and parts is not None else None


async def reply_all(
    message: Message, texts: Sequence[str], keyboard: Keyboard | None = None, *, quote: bool
) -> None:
    """`texts` in order, as replies to `message`: the first quotes it (when `quote`), the last
    carries the buttons, none shows a link preview."""
    buttons = markup(keyboard)
    for index, text in enumerate(texts):
        await message.reply_html(
            text,
            do_quote=quote and index == 0,
            allow_sending_without_reply=True,
            link_preview_options=NO_PREVIEW,
            reply_markup=buttons if index == len(texts) - 1 else None,
        )
