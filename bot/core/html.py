"""Telegram HTML: escaping, one shortening helper, links, and packing under 4,096 characters.

Every piece of article text (quote, title, outlet, URL) goes through `escape` or `link`, so an
article containing `<`, `&` or `</blockquote>` cannot break the markup. Telegram refuses
messages over 4,096 characters of *visible* text counted in UTF-16 code units (an emoji counts
two), so that is what `telegram_length` measures. Pure: no Telegram types, used by every view.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

__all__ = [
    "BLOCK_SEPARATOR",
    "ELLIPSIS",
    "MAX_OUTLET_CHARS",
    "MAX_TITLE_CHARS",
    "MAX_URL_CHARS",
    "MESSAGE_LIMIT",
    "escape",
    "link",
    "linkable",
    "pack",
    "shorten",
    "telegram_length",
]

MESSAGE_LIMIT = 4096
BLOCK_SEPARATOR = "\n\n"
ELLIPSIS = "…"
MAX_TITLE_CHARS = 300
MAX_OUTLET_CHARS = 100
MAX_URL_CHARS = 2000

_TAG = re.compile(r"<[^>]*>")
_LINKABLE = re.compile(r"https?://\S+", re.IGNORECASE)


def telegram_length(message: str) -> int:
    """Length of an HTML message as Telegram limits it: visible text in UTF-16 code units."""
    visible = html.unescape(_TAG.sub("", message))
    return len(visible.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def shorten(text: str, limit: int, *, one_line: bool = True) -> str:
    """`text` cut to `limit` characters with an ellipsis when longer; on one line unless told.

    The one helper for titles, outlets, snippets and questions shown back: a title keeps its own
    spacing (`one_line=False`), everything else is folded onto one line first.
    """
    if one_line:
        text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def linkable(url: str) -> bool:
    """Whether `url` may become a link: http(s), no spaces, not absurdly long."""
    return bool(_LINKABLE.fullmatch(url)) and len(url) <= MAX_URL_CHARS


def link(label_html: str, url: str) -> str:
    """`label_html` linked to `url` when it is linkable, else `label_html` unchanged."""
    url = url.strip()
    if not linkable(url):
        return label_html
    return f'<a href="{html.escape(url, quote=True)}">{label_html}</a>'


def pack(blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join blocks into messages of at most `limit`, splitting only between blocks."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{BLOCK_SEPARATOR}{block}" if current else block
        if current and telegram_length(candidate) > limit:
            messages.append(current)
            current = block
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages


def outlet_links(outlets: Sequence[tuple[str, str]]) -> str:
    """ "El País, ABC": each (name, url) escaped, shortened and linked when the URL allows."""
    return ", ".join(
        link(escape(shorten(name.strip(), MAX_OUTLET_CHARS, one_line=True)), url)
        for name, url in outlets
    )
