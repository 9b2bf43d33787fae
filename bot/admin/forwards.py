"""A message an admin forwards to the bot → an article draft. Pure: no I/O, no bot calls.

Part of reading an update (the admin handlers' parsing), split out to be tested on its own.

Only channels and groups are named as sources: a forwarded user's name or id would put a third
party's identity into an archive they never agreed to be in, so those get a neutral label.
"""

from __future__ import annotations

from telegram import (
    Message,
    MessageEntity,
    MessageOrigin,
    MessageOriginChannel,
    MessageOriginChat,
)

from corpus.loaders import title_from_text
from corpus.models import ArticleDraft

__all__ = ["EmptyPostError", "draft_from_forward", "origin_key", "with_links"]


class EmptyPostError(ValueError):
    """A forwarded post with no text and no caption (a bare photo, a sticker…)."""


def draft_from_forward(message: Message, forwarded_label: str) -> ArticleDraft:
    """The article a forwarded post makes; `forwarded_label` names posts from people.

    Called only for forwarded messages (filters.FORWARDED); anything else is a programming error.
    """
    origin = message.forward_origin
    if origin is None:
        raise ValueError("the message is not forwarded")
    raw = message.text if message.text is not None else message.caption
    entities = message.entities if message.text is not None else message.caption_entities
    text = with_links(raw or "", entities).strip()
    if not text:
        raise EmptyPostError("the forwarded post has no text or caption")
    source, url = _source(origin, forwarded_label)
    return ArticleDraft(
        title=title_from_text(text),
        text=text,
        source=source,
        url=url,
        published=origin.date,
        origin=origin_key(message),
    )


def origin_key(message: Message) -> str:
    """The post's identity for dedupe: a channel post is the same post whoever forwards it.

    Other origins carry no message id, so the forwarded copy in this chat stands for them; an
    edit of that copy keeps the key, so it is never stored a second time.
    """
    origin = message.forward_origin
    if isinstance(origin, MessageOriginChannel):
        return f"tg:{origin.chat.id}:{origin.message_id}"
    return f"tg:{message.chat_id}:{message.message_id}"


def with_links(text: str, entities: tuple[MessageEntity, ...]) -> str:
    """Plain text, with each hidden link's address written after its words: "aquí (https://…)".

    Telegram counts entity offsets in UTF-16 code units, so slicing is done on that encoding.
    """
    links = sorted(
        (e for e in entities if e.type == MessageEntity.TEXT_LINK and e.url),
        key=lambda e: e.offset,
    )
    if not links:
        return text
    units = text.encode("utf-16-le")
    parts: list[str] = []
    done = 0
    for entity in links:
        end = (entity.offset + entity.length) * 2
        if end < done:
            continue  # overlapping entities: keep the first
        start = max(entity.offset * 2, done)
        shown = units[start:end].decode("utf-16-le", "replace")
        words = shown.rstrip()  # an entity may take in the space after it: the link goes before
        parts.append(units[done:start].decode("utf-16-le", "replace") + words)
        url = entity.url or ""
        if url.rstrip("/") != words.strip().rstrip("/"):
            parts.append(f" ({url})")
        parts.append(shown[len(words) :])
        done = end
    parts.append(units[done:].decode("utf-16-le", "replace"))
    return "".join(parts)


def _source(origin: MessageOrigin, forwarded_label: str) -> tuple[str, str]:
    if isinstance(origin, MessageOriginChannel):
        chat = origin.chat
        url = f"https://t.me/{chat.username}/{origin.message_id}" if chat.username else ""
        return chat.title or forwarded_label, url
    if isinstance(origin, MessageOriginChat):
        return origin.sender_chat.title or forwarded_label, ""
    return forwarded_label, ""  # a user or a hidden user: no third party's identity is stored
