"""Shared builders for bot tests: people, chats and conversations through the Bot API stand-in.

Each builder is one step a test would otherwise copy: who is talking, in which chat, and what
the bot answered there (only the messages sent after the step, so earlier answers in the same
chat never count).

    ana, chat = private(botapi)
    [answer] = await say(botapi, chat, ana, "¿Qué dijo Ucrania?")
    async with unchanged(lambda: article_count(application)):
        [refusal] = await say(botapi, chat, stranger, "/delete 1")
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from tests.botapi import BotAPI, Call, JSONDict

__all__ = ["forward", "group_with_people", "private", "replies_after", "say", "unchanged"]


def private(botapi: BotAPI, name: str = "Ana", language_code: str | None = "es") -> tuple:
    """A person and their private chat with the bot."""
    person = botapi.user(name, language_code=language_code)
    return person, botapi.private_chat(person)


def group_with_people(botapi: BotAPI, title: str = "Redacción") -> tuple:
    """A group, Ana (Spanish) and Luis (English) in it."""
    return botapi.group(title), botapi.user("Ana"), botapi.user("Luis", language_code="en")


async def replies_after(
    botapi: BotAPI, chat: JSONDict, step: Callable[[], Any], count: int = 1
) -> list[Call]:
    """Do `step`, then wait for the bot's next `count` messages in `chat`."""
    before = len(botapi.calls("sendMessage", chat_id=chat["id"]))
    step()
    calls = await botapi.wait_for("sendMessage", count=before + count, chat_id=chat["id"])
    return calls[before:]


async def say(
    botapi: BotAPI,
    chat: JSONDict,
    user: JSONDict,
    text: str,
    count: int = 1,
    reply_to: JSONDict | None = None,
) -> list[Call]:
    """`user` writes `text` in `chat` (a reply to `reply_to`); the bot's next `count` messages."""
    return await replies_after(
        botapi, chat, lambda: botapi.send_message(chat, user, text, reply_to=reply_to), count
    )


async def forward(
    botapi: BotAPI, user: JSONDict, origin: JSONDict, count: int = 1, **post: Any
) -> list[Call]:
    """`user` forwards a post (`text=…`, `caption=…`, `photo=True`) to the bot in private."""
    chat = botapi.private_chat(user)
    return await replies_after(
        botapi, chat, lambda: botapi.forward_message(chat, user, origin, **post), count
    )


@asynccontextmanager
async def unchanged(measure: Callable[[], Any]) -> AsyncIterator[None]:
    """What `measure` reads (the articles stored, the subscriptions…) is the same after."""
    before = measure()
    yield
    assert measure() == before
