"""A stand-in for the Telegram Bot API: a small HTTP server on 127.0.0.1 for tests and benchmarks.

The real application talks to it through its configured base URL
(`http://127.0.0.1:PORT/bot`), over real HTTP, through python-telegram-bot's own request layer.
It answers in the Bot API's shape, refuses what Telegram refuses (unknown token, malformed
HTML, unsupported tags, over 4,096 characters, unknown chats and messages, edits that change
nothing, callback queries answered twice, oversized callback data), records every call, and
lets a test play the people on the other side and inject faults:

    api = BotAPI().start()
    ana = api.user(first_name="Ana", language_code="es")
    chat = api.private_chat(ana)
    api.send_message(chat, ana, "¿Qué dijo Ucrania?")          # an update for getUpdates
    [call] = await api.wait_for("sendMessage", chat_id=chat["id"])
    api.fail("sendMessage", 429, retry_after=1)                # the next sendMessage: 429
    api.stop()

Updates are served by long polling (getUpdates, confirmed by offset as Telegram does) or,
after setWebhook, POSTed to the webhook with the secret token header. Every call is recorded
as a `Call`, faulted ones included (with ok=False), with a perf_counter timestamp.
Methods it does not know answer 404 like Telegram; add one with `api.add_method(name, fn)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import itertools
import json
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "123456789:AAH-test-TOKEN-never-in-logs_0123456789"
BOT_ID = 123456789
BOT_USERNAME = "hemeroteca_test_bot"
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200

JSONDict = dict[str, Any]
MethodHandler = Callable[["BotAPI", JSONDict], Any]

# Parameters whose form value is a plain string, never JSON (python-telegram-bot sends every
# other value JSON-encoded: numbers, booleans, objects, lists).
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "query",
        "callback_query_id",
        "inline_query_id",
        "url",
        "secret_token",
        "language_code",
        "description",
        "short_description",
        "name",
        "title",
        "action",
        "file_id",
        "next_offset",
        "emoji",
        "inline_message_id",
    }
)
_ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_START_TAG = re.compile(
    r"([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*"
)
_ATTRIBUTE = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_START_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MENTION = re.compile(r"@[A-Za-z0-9_]{3,32}")
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class BotAPIError(Exception):
    """What Telegram answers with ok=false: an error code and a description."""

    def __init__(
        self,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> JSONDict:
        body: JSONDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


def bad_request(description: str) -> BotAPIError:
    return BotAPIError(400, f"Bad Request: {description}")


@dataclass
class Call:
    """One request the bot made, as the stand-in saw it."""

    method: str
    params: JSONDict
    ok: bool
    at: float  # time.perf_counter() when the request arrived
    result: Any = None
    error_code: int | None = None
    description: str = ""


@dataclass
class Fault:
    """A refusal the stand-in answers instead of the method's result, `times` times."""

    method: str
    error_code: int
    description: str
    retry_after: int | None = None
    times: int = 1
    when: Callable[[JSONDict], bool] | None = None
    migrate_to_chat_id: int | None = None  # a group upgraded to this supergroup (ChatMigrated)


@dataclass
class WebhookDelivery:
    update_id: int
    status: int
    at: float


@dataclass
class _Webhook:
    url: str
    secret_token: str = ""


@dataclass
class _State:
    """Everything the stand-in knows; guarded by BotAPI._lock."""

    users: dict[int, JSONDict] = field(default_factory=dict)
    chats: dict[int, JSONDict] = field(default_factory=dict)
    members: dict[tuple[int, int], str] = field(default_factory=dict)
    messages: dict[tuple[int, int], JSONDict] = field(default_factory=dict)
    html: dict[tuple[int, int], str] = field(default_factory=dict)
    next_message_id: dict[int, int] = field(default_factory=dict)
    updates: list[JSONDict] = field(default_factory=list)
    pushed_at: dict[int, float] = field(default_factory=dict)
    callback_queries: dict[str, bool] = field(default_factory=dict)  # id → answered
    inline_queries: dict[str, bool] = field(default_factory=dict)
    commands: dict[tuple[str, str], list[JSONDict]] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    webhook: _Webhook | None = None


class BotAPI:
    """The stand-in server. Thread-safe; its HTTP server runs in its own threads."""

    def __init__(
        self, token: str = TOKEN, username: str = BOT_USERNAME, bot_id: int = BOT_ID
    ) -> None:
        self.token = token
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Hemeroteca",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self._state = _State()
        self._lock = threading.RLock()
        self._new_update = threading.Condition(self._lock)
        self._calls: list[Call] = []
        # Requests being answered right now, long polls aside: settle() waits for them, since a
        # call is recorded only once answered.
        self._answering = 0
        self._faults: list[Fault] = []
        self._deliveries: list[WebhookDelivery] = []
        self._methods: dict[str, MethodHandler] = dict(_METHODS)
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> BotAPI:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.api = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="botapi", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._new_update.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> BotAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the stand-in first"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """For ApplicationBuilder().base_url(): the token is appended to it."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # --- the people and chats on the other side -------------------------------------------------

    def user(
        self,
        first_name: str = "Ana",
        language_code: str | None = "es",
        username: str | None = None,
        user_id: int | None = None,
    ) -> JSONDict:
        with self._lock:
            user_id = user_id or 1000 + len(self._state.users) + 1
            user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
            if language_code:
                user["language_code"] = language_code
            if username:
                user["username"] = username
            self._state.users[user_id] = user
            return user

    def private_chat(self, user: JSONDict) -> JSONDict:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        with self._lock:
            self._state.chats[chat["id"]] = chat
        return chat

    def group(self, title: str = "Redacción", supergroup: bool = True) -> JSONDict:
        with self._lock:
            chat_id = -(1_000_000_000_000 if supergroup else 1000) - len(self._state.chats) - 1
            chat = {"id": chat_id, "type": "supergroup" if supergroup else "group", "title": title}
            self._state.chats[chat_id] = chat
            return chat

    def set_member_status(self, chat: JSONDict, user: JSONDict, status: str) -> None:
        """For getChatMember: "creator", "administrator", "member", "left", "kicked"..."""
        with self._lock:
            self._state.members[(chat["id"], user["id"])] = status

    def add_file(self, content: bytes, file_path: str = "documents/file.txt") -> str:
        """Make a file downloadable via getFile and the file URL; returns its file_id."""
        file_id = f"file-{next(self._ids)}"
        with self._lock:
            self._state.files[file_id] = (file_path, content)
        return file_id

    # --- updates: what people do ----------------------------------------------------------------

    def send_message(
        self,
        chat: JSONDict,
        user: JSONDict,
        text: str,
        reply_to: JSONDict | None = None,
        entities: list[JSONDict] | None = None,
    ) -> JSONDict:
        """A person writes `text`; commands and @mentions get their entities as Telegram's."""
        message = self._user_message(chat, user, reply_to)
        message["text"] = text
        found = _entities(text) if entities is None else entities
        if found:
            message["entities"] = found
        self.push_update({"message": message})
        return message

    def send_document(
        self,
        chat: JSONDict,
        user: JSONDict,
        content: bytes,
        file_name: str = "article.txt",
        mime_type: str = "text/plain",
        caption: str | None = None,
    ) -> JSONDict:
        file_id = self.add_file(content, f"documents/{file_name}")
        message = self._user_message(chat, user, None)
        message["document"] = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        if caption is not None:
            message["caption"] = caption
        self.push_update({"message": message})
        return message

    def forward_message(
        self,
        chat: JSONDict,
        user: JSONDict,
        origin: JSONDict,
        text: str | None = None,
        caption: str | None = None,
        entities: list[JSONDict] | None = None,
        photo: bool = False,
    ) -> JSONDict:
        """A person forwards a post into `chat`; `origin` is its MessageOrigin as Telegram sends
        it ({"type": "channel", "chat": ..., "message_id": ..., "date": ...}, "user", ...)."""
        message = self._user_message(chat, user, None)
        message["forward_origin"] = origin
        key = "text" if text is not None else "caption"
        if text is not None:
            message["text"] = text
        if caption is not None:
            message["caption"] = caption
        if entities:
            message["entities" if key == "text" else "caption_entities"] = entities
        if photo:
            file_id = self.add_file(b"\xff\xd8 a photo", "photos/file.jpg")
            message["photo"] = [
                {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 800, "height": 600}
            ]
        self.push_update({"message": message})
        return message

    def edit_message(self, message: JSONDict, text: str) -> JSONDict:
        """The person edits an earlier message of theirs."""
        edited = {**message, "text": text, "edit_date": int(time.time())}
        edited.pop("entities", None)
        if found := _entities(text):
            edited["entities"] = found
        with self._lock:
            self._state.messages[(message["chat"]["id"], message["message_id"])] = edited
        self.push_update({"edited_message": edited})
        return edited

    def press_button(self, message: JSONDict, data: str, user: JSONDict) -> str:
        """The person presses an inline button carrying `data` under a bot message."""
        query_id = str(next(self._ids) * 7919)
        with self._lock:
            current = self._state.messages.get((message["chat"]["id"], message["message_id"]))
            self._state.callback_queries[query_id] = False
        self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "chat_instance": str(message["chat"]["id"]),
                    "message": current or message,
                    "data": data,
                }
            }
        )
        return query_id

    def inline_query(self, user: JSONDict, query: str) -> str:
        """The person types `@bot query` in some chat."""
        query_id = str(next(self._ids) * 104729)
        with self._lock:
            self._state.inline_queries[query_id] = False
        self.push_update(
            {
                "inline_query": {
                    "id": query_id,
                    "from": user,
                    "query": query,
                    "offset": "",
                    "chat_type": "sender",
                }
            }
        )
        return query_id

    def push_update(self, update: JSONDict) -> int:
        """Queue an update (any shape); returns its update_id."""
        with self._lock:
            update_id = next(self._update_ids)
            update = {"update_id": update_id, **update}
            self._state.updates.append(update)
            self._state.pushed_at[update_id] = time.perf_counter()
            webhook = self._state.webhook
            self._new_update.notify_all()
        if webhook is not None:
            threading.Thread(target=self._deliver, args=(webhook, update), daemon=True).start()
        return update_id

    def pushed_at(self, update_id: int) -> float:
        with self._lock:
            return self._state.pushed_at[update_id]

    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by the bot (getUpdates offset) nor delivered by webhook."""
        with self._lock:
            return list(self._state.updates)

    # --- faults ---------------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        error_code: int,
        description: str = "",
        retry_after: int | None = None,
        times: int = 1,
        when: Callable[[JSONDict], bool] | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> Fault:
        """Answer the next `times` calls of `method` (matching `when`) with an error.

        429 gets "Too Many Requests: retry after N" and parameters.retry_after, as Telegram;
        `migrate_to_chat_id` answers 400 with parameters.migrate_to_chat_id (a group upgraded).
        """
        if not description:
            description = {
                429: f"Too Many Requests: retry after {retry_after or 1}",
                403: "Forbidden: bot was blocked by the user",
                400: "Bad Request: something is wrong",
                500: "Internal Server Error",
            }.get(error_code, "Error")
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if migrate_to_chat_id is not None and error_code == 400 and description.endswith("wrong"):
            description = "Bad Request: group chat was upgraded to a supergroup chat"
        fault = Fault(method, error_code, description, retry_after, times, when, migrate_to_chat_id)
        with self._lock:
            self._faults.append(fault)
        return fault

    def add_method(self, name: str, handler: MethodHandler) -> None:
        """Serve (or replace) a Bot API method: handler(api, params) returns the result or
        raises BotAPIError."""
        with self._lock:
            self._methods[name] = handler

    # --- what the bot did -----------------------------------------------------------------------

    def calls(self, method: str | None = None, ok: bool | None = None, **params: Any) -> list[Call]:
        """Recorded calls, oldest first, filtered by method, outcome and parameter values."""
        with self._lock:
            found = list(self._calls)
        return [
            c
            for c in found
            if (method is None or c.method == method)
            and (ok is None or c.ok == ok)
            and all(c.params.get(k) == v for k, v in params.items())
        ]

    def sent_texts(self, chat_id: int) -> list[str]:
        """The HTML of every message the bot delivered to `chat_id`, in order."""
        return [c.params["text"] for c in self.calls("sendMessage", ok=True, chat_id=chat_id)]

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """A message as it stands now (after the bot's edits)."""
        with self._lock:
            return self._state.messages.get((chat_id, message_id))

    def commands(self, language_code: str = "", scope: str = "default") -> list[JSONDict]:
        with self._lock:
            return list(self._state.commands.get((scope, language_code), []))

    @property
    def webhook(self) -> tuple[str, str] | None:
        with self._lock:
            hook = self._state.webhook
            return (hook.url, hook.secret_token) if hook else None

    def deliveries(self) -> list[WebhookDelivery]:
        with self._lock:
            return list(self._deliveries)

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 15.0,
        ok: bool | None = True,
        where: Callable[[Call], bool] | None = None,
        **params: Any,
    ) -> list[Call]:
        """Wait (without blocking the event loop) until `count` matching calls were made."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.calls(method, ok, **params) if where is None or where(c)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"expected {count} {method} call(s) matching {params}, got {len(found)}; "
                    f"calls so far: {[(c.method, c.ok, c.description) for c in self.calls()]}"
                )
            await asyncio.sleep(0.01)

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.01)

    async def settle(self, quiet: float = 0.3, timeout: float = 15.0) -> None:
        """Wait until the bot has made no call for `quiet` seconds (to assert on silence)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                # Calls are recorded when answered: the last one recorded may be a long poll
                # that arrived seconds before the latest call.
                last = max((c.at for c in self._calls), default=0.0)
                pending = bool(self._state.updates) or self._answering > 0
            if not pending and time.perf_counter() - last >= quiet:
                return
            await asyncio.sleep(0.02)
        raise AssertionError("the bot never went quiet")

    # --- serving --------------------------------------------------------------------------------

    def handle(self, token: str, method: str, params: JSONDict) -> tuple[int, JSONDict]:
        """One Bot API request → (HTTP status, JSON body); records the call."""
        at = time.perf_counter()
        if token != self.token:
            return 401, BotAPIError(401, "Unauthorized").payload()
        # Telegram's method names are case-insensitive.
        name = next((m for m in self._methods if m.lower() == method.lower()), method)
        long_poll = name == "getUpdates"
        if not long_poll:
            with self._lock:
                self._answering += 1
        try:
            return self._answer(name, params, at)
        finally:
            if not long_poll:
                with self._lock:
                    self._answering -= 1

    def _answer(self, name: str, params: JSONDict, at: float) -> tuple[int, JSONDict]:
        try:
            fault = self._take_fault(name, params)
            if fault is not None:
                raise BotAPIError(
                    fault.error_code, fault.description, fault.retry_after, fault.migrate_to_chat_id
                )
            handler = self._methods.get(name)
            if handler is None:
                raise BotAPIError(404, "Not Found")
            result = handler(self, params)
        except BotAPIError as error:
            self._record(Call(name, params, False, at, None, error.error_code, error.description))
            return error.error_code, error.payload()
        self._record(Call(name, params, True, at, result))
        return 200, {"ok": True, "result": result}

    def file(self, token: str, file_path: str) -> bytes | None:
        if token != self.token:
            return None
        with self._lock:
            for path, content in self._state.files.values():
                if path == file_path:
                    return content
        return None

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)

    def _take_fault(self, method: str, params: JSONDict) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.method == method and (fault.when is None or fault.when(params)):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _user_message(self, chat: JSONDict, user: JSONDict, reply_to: JSONDict | None) -> JSONDict:
        with self._lock:
            message: JSONDict = {
                "message_id": self._next_message_id(chat["id"]),
                "date": int(time.time()),
                "chat": chat,
                "from": user,
            }
            if reply_to is not None:
                message["reply_to_message"] = reply_to
            self._state.messages[(chat["id"], message["message_id"])] = message
            return message

    def _next_message_id(self, chat_id: int) -> int:
        number = self._state.next_message_id.get(chat_id, 0) + 1
        self._state.next_message_id[chat_id] = number
        return number

    def _deliver(self, webhook: _Webhook, update: JSONDict) -> None:
        request = urllib.request.Request(
            webhook.url,
            data=json.dumps(update).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        if webhook.secret_token:
            request.add_header("X-Telegram-Bot-Api-Secret-Token", webhook.secret_token)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        with self._lock:
            self._deliveries.append(
                WebhookDelivery(update["update_id"], status, time.perf_counter())
            )
            if 200 <= status < 300 and update in self._state.updates:
                self._state.updates.remove(update)


# --- reading what the bot sent ------------------------------------------------------------------


def buttons(message: JSONDict | None) -> dict[str, str]:
    """A message's inline buttons as {label: callback_data} (url buttons map to their url)."""
    rows = ((message or {}).get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b.get("callback_data") or b.get("url") or "" for row in rows for b in row}


def visible(html: str) -> str:
    """What a person sees of an HTML message (tags dropped, entities decoded)."""
    return parse_html(html)


# --- Telegram's HTML ------------------------------------------------------------------------------


def parse_html(text: str) -> str:
    """The visible text of an HTML-formatted message, or BotAPIError as Telegram refuses it."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        offset = len(text[:i].encode())
        if char == "<":
            end = text.find(">", i)
            if end < 0:
                raise bad_request(
                    f"can't parse entities: Unclosed start tag at byte offset {offset}"
                )
            _tag(text[i + 1 : end], stack, offset)
            i = end + 1
        elif char == "&":
            match = _ENTITY.match(text, i)
            if match is None:
                raise bad_request(
                    f'can\'t parse entities: Unsupported HTML entity or unescaped "&" at byte '
                    f"offset {offset}"
                )
            name = match.group(1)
            if name.startswith("#x"):
                out.append(chr(int(name[2:], 16)))
            elif name.startswith("#"):
                out.append(chr(int(name[1:])))
            else:
                out.append(_NAMED[name])
            i = match.end()
        elif char == ">":
            raise bad_request(f'can\'t parse entities: Unescaped ">" at byte offset {offset}')
        else:
            out.append(char)
            i += 1
    if stack:
        raise bad_request(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(out)


def _tag(body: str, stack: list[str], offset: int) -> None:
    if body.startswith("/"):
        name = body[1:].strip().lower()
        if not stack:
            raise bad_request(f"can't parse entities: Unexpected end tag at byte offset {offset}")
        if name and name != stack[-1]:
            raise bad_request(
                "can't parse entities: Can't find end tag corresponding to start tag "
                f'"{stack[-1]}"'
            )
        stack.pop()
        return
    match = _START_TAG.fullmatch(body)
    name = match.group(1).lower() if match else body.split(" ")[0]
    if match is None or name not in _ALLOWED_TAGS:
        raise bad_request(
            f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {offset}'
        )
    attributes = {
        m.group(1).lower(): _unescape_attribute(m.group(2) or m.group(3) or m.group(4) or "")
        for m in _ATTRIBUTE.finditer(match.group(2))
    }
    if name == "a":
        href = attributes.get("href", "")
        if not re.match(r"^(https?://|tg://|mailto:)\S+$", href):
            raise bad_request(f'can\'t parse entities: Unsupported URL "{href}" in a tag')
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise bad_request(
            f'can\'t parse entities: Unsupported start tag "span" at byte offset {offset}'
        )
    if name == "blockquote" and "blockquote" in stack:
        raise bad_request("can't parse entities: Blockquote entities can't be nested")
    if name in ("pre", "code") and "pre" in stack and name == "pre":
        raise bad_request("can't parse entities: Pre entities can't be nested")
    stack.append(name)


def _unescape_attribute(value: str) -> str:
    return _ENTITY.sub(
        lambda m: (
            _NAMED.get(m.group(1))
            or chr(int(m.group(1)[2:], 16) if m.group(1).startswith("#x") else int(m.group(1)[1:]))
        ),
        value,
    )


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def message_text(params: JSONDict, key: str = "text", limit: int = MESSAGE_LIMIT) -> str:
    """The visible text Telegram would show for params[key], validated as Telegram does."""
    raw = params.get(key)
    if raw is None or raw == "":
        if key == "text":
            raise bad_request("message text is empty")
        return ""
    if not isinstance(raw, str):
        raise bad_request(f'field "{key}" must be of type String')
    mode = (params.get("parse_mode") or "").lower()
    if mode == "html":
        text = parse_html(raw)
    elif mode in ("", "none"):
        text = raw
    else:
        raise bad_request(f"unsupported parse_mode {params['parse_mode']!r} in the stand-in")
    text = text.strip()
    if not text and key == "text":
        raise bad_request("message text is empty")
    if utf16_length(text) > limit:
        raise bad_request("message is too long" if key == "text" else "message caption is too long")
    return text


def check_reply_markup(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return  # reply keyboards and the like: not checked here
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request('field "inline_keyboard" must be an Array of Arrays')
    for row in rows:
        for button in row:
            if not button.get("text"):
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
            kinds = {
                "url",
                "callback_data",
                "switch_inline_query",
                "switch_inline_query_current_chat",
                "login_url",
                "web_app",
                "copy_text",
                "pay",
                "callback_game",
                "switch_inline_query_chosen_chat",
            }
            if not kinds & set(button):
                raise bad_request("text buttons are unallowed in the inline keyboard")


# --- the methods ------------------------------------------------------------------------------


def _chat(api: BotAPI, params: JSONDict) -> JSONDict:
    chat_id = params.get("chat_id")
    if chat_id is None:
        raise bad_request("chat_id is empty")
    try:
        return api._state.chats[int(chat_id)]
    except (KeyError, ValueError):
        raise bad_request("chat not found") from None


def _bot_message(api: BotAPI, params: JSONDict) -> tuple[tuple[int, int], JSONDict]:
    if params.get("inline_message_id"):
        raise bad_request("inline messages are not kept by the stand-in")
    chat = _chat(api, params)
    key = (chat["id"], int(params.get("message_id") or 0))
    message = api._state.messages.get(key)
    if message is None:
        raise bad_request("message to edit not found")
    if message.get("from", {}).get("id") != api.bot_user["id"]:
        raise bad_request("message can't be edited")
    return key, message


def _new_bot_message(api: BotAPI, params: JSONDict, chat: JSONDict) -> JSONDict:
    message: JSONDict = {
        "message_id": api._next_message_id(chat["id"]),
        "date": int(time.time()),
        "chat": chat,
        "from": api.bot_user,
    }
    reply = params.get("reply_parameters")
    if reply is None and params.get("reply_to_message_id") is not None:
        reply = {"message_id": params["reply_to_message_id"]}
    if reply is not None:
        replied = api._state.messages.get((chat["id"], int(reply.get("message_id", 0))))
        if replied is not None:
            message["reply_to_message"] = {
                k: v for k, v in replied.items() if k != "reply_to_message"
            }
        elif not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
    if params.get("message_thread_id") is not None:
        message["message_thread_id"] = params["message_thread_id"]
    markup = params.get("reply_markup")
    check_reply_markup(markup)
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        message["reply_markup"] = markup
    return message


def _store(api: BotAPI, message: JSONDict, html: str | None) -> JSONDict:
    key = (message["chat"]["id"], message["message_id"])
    api._state.messages[key] = message
    if html is not None:
        api._state.html[key] = html
    return message


def get_me(api: BotAPI, params: JSONDict) -> JSONDict:
    return api.bot_user


def get_updates(api: BotAPI, params: JSONDict) -> list[JSONDict]:
    offset = int(params.get("offset") or 0)
    limit = max(1, min(100, int(params.get("limit") or 100)))
    timeout = max(0.0, min(50.0, float(params.get("timeout") or 0)))
    deadline = time.monotonic() + timeout
    with api._new_update:
        if api._state.webhook is not None:
            raise BotAPIError(409, "Conflict: can't use getUpdates method while webhook is active")
        if offset:
            api._state.updates = [u for u in api._state.updates if u["update_id"] >= offset]
        while not api._state.updates and not api._stopping:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            api._new_update.wait(remaining)
        return list(api._state.updates[:limit])


def send_message(api: BotAPI, params: JSONDict) -> JSONDict:
    with api._lock:
        chat = _chat(api, params)
        text = message_text(params)
        message = _new_bot_message(api, params, chat)
        message["text"] = text
        return _store(api, message, params["text"])


def send_document(api: BotAPI, params: JSONDict) -> JSONDict:
    with api._lock:
        chat = _chat(api, params)
        caption = message_text(params, "caption", CAPTION_LIMIT)
        document = params.get("document")
        if isinstance(document, dict) and "content" in document:
            file_id = f"file-{next(api._ids)}"
            api._state.files[file_id] = (f"documents/{document['filename']}", document["content"])
            name, size = document["filename"], len(document["content"])
        elif isinstance(document, str) and document in api._state.files:
            file_id, (path, content) = document, api._state.files[document]
            name, size = path.rsplit("/", 1)[-1], len(content)
        else:
            raise bad_request("there is no document in the request")
        message = _new_bot_message(api, params, chat)
        message["document"] = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": name,
            "file_size": size,
        }
        if caption:
            message["caption"] = caption
        return _store(api, message, None)


def edit_message_text(api: BotAPI, params: JSONDict) -> JSONDict:
    with api._lock:
        key, message = _bot_message(api, params)
        text = message_text(params)
        markup = params.get("reply_markup")
        check_reply_markup(markup)
        if api._state.html.get(key) == params["text"] and message.get("reply_markup") == markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        edited = {**message, "text": text, "edit_date": int(time.time())}
        edited.pop("reply_markup", None)
        if markup:
            edited["reply_markup"] = markup
        return _store(api, edited, params["text"])


def edit_message_reply_markup(api: BotAPI, params: JSONDict) -> JSONDict:
    with api._lock:
        _, message = _bot_message(api, params)
        markup = params.get("reply_markup")
        check_reply_markup(markup)
        if message.get("reply_markup") == (markup or None):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        edited = {**message, "edit_date": int(time.time())}
        edited.pop("reply_markup", None)
        if markup and markup.get("inline_keyboard"):
            edited["reply_markup"] = markup
        return _store(api, edited, None)


def answer_callback_query(api: BotAPI, params: JSONDict) -> bool:
    with api._lock:
        query_id = str(params.get("callback_query_id", ""))
        if api._state.callback_queries.get(query_id, True):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if len(params.get("text") or "") > CALLBACK_ANSWER_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")
        api._state.callback_queries[query_id] = True
        return True


def answer_inline_query(api: BotAPI, params: JSONDict) -> bool:
    with api._lock:
        query_id = str(params.get("inline_query_id", ""))
        if api._state.inline_queries.get(query_id, True):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        results = params.get("results")
        if not isinstance(results, list) or len(results) > 50:
            raise bad_request(
                "RESULTS_TOO_MUCH" if isinstance(results, list) else "results are empty"
            )
        ids = [str(r.get("id", "")) for r in results]
        if len(set(ids)) != len(ids) or not all(1 <= len(i.encode()) <= 64 for i in ids):
            raise bad_request("RESULT_ID_INVALID")
        for result in results:
            if result.get("type") == "article" and not result.get("title"):
                raise bad_request("RESULT_TITLE_EMPTY")
            content = result.get("input_message_content")
            if isinstance(content, dict) and "message_text" in content:
                message_text(
                    {"text": content["message_text"], "parse_mode": content.get("parse_mode")}
                )
        button = params.get("button")
        if button is not None:
            if not button.get("text"):
                raise bad_request("BUTTON_TEXT_INVALID")
            if "start_parameter" in button and not _START_PARAMETER.match(
                button["start_parameter"]
            ):
                raise bad_request("START_PARAM_INVALID")
        api._state.inline_queries[query_id] = True
        return True


def set_my_commands(api: BotAPI, params: JSONDict) -> bool:
    commands = params.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be a list of at most 100 BotCommand")
    for command in commands:
        if not _COMMAND.match(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    language = params.get("language_code") or ""
    if language and not re.match(r"^[a-z]{2}$", language):
        raise bad_request("LANG_CODE_INVALID")
    scope = (params.get("scope") or {}).get("type", "default")
    with api._lock:
        api._state.commands[(scope, language)] = commands
    return True


def get_my_commands(api: BotAPI, params: JSONDict) -> list[JSONDict]:
    scope = (params.get("scope") or {}).get("type", "default")
    return api.commands(params.get("language_code") or "", scope)


def delete_webhook(api: BotAPI, params: JSONDict) -> bool:
    with api._lock:
        api._state.webhook = None
        if params.get("drop_pending_updates"):
            api._state.updates.clear()
    return True


def set_webhook(api: BotAPI, params: JSONDict) -> bool:
    url = params.get("url") or ""
    secret = params.get("secret_token") or ""
    if not url:
        return delete_webhook(api, params)
    if not re.match(r"^https?://", url):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if secret and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    with api._lock:
        api._state.webhook = _Webhook(url, secret)
        if params.get("drop_pending_updates"):
            api._state.updates.clear()
        pending = list(api._state.updates)
    for update in pending:
        threading.Thread(
            target=api._deliver, args=(_Webhook(url, secret), update), daemon=True
        ).start()
    return True


def get_webhook_info(api: BotAPI, params: JSONDict) -> JSONDict:
    with api._lock:
        hook = api._state.webhook
        return {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(api._state.updates),
        }


def send_chat_action(api: BotAPI, params: JSONDict) -> bool:
    with api._lock:
        _chat(api, params)
    if params.get("action") not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def get_chat(api: BotAPI, params: JSONDict) -> JSONDict:
    with api._lock:
        return {**_chat(api, params), "accent_color_id": 0, "max_reaction_count": 11}


def get_chat_member(api: BotAPI, params: JSONDict) -> JSONDict:
    with api._lock:
        chat = _chat(api, params)
        user_id = int(params.get("user_id") or 0)
        user = api._state.users.get(user_id)
        if user_id == api.bot_user["id"]:
            user = api.bot_user
        if user is None:
            raise bad_request("PARTICIPANT_ID_INVALID")
        default = "member" if chat["type"] != "private" or chat["id"] == user_id else "left"
        status = api._state.members.get((chat["id"], user_id), default)
    member: JSONDict = {"status": status, "user": user}
    if status == "administrator":
        member.update(_ADMIN_RIGHTS)
    if status == "creator":
        member["is_anonymous"] = False
    if status == "restricted":
        member.update({"is_member": True, "until_date": 0})
    if status == "kicked":
        member["until_date"] = 0
    return member


def get_chat_administrators(api: BotAPI, params: JSONDict) -> list[JSONDict]:
    with api._lock:
        chat = _chat(api, params)
        ids = [
            u
            for (c, u), s in api._state.members.items()
            if c == chat["id"] and s in ("creator", "administrator")
        ]
    return [get_chat_member(api, {"chat_id": chat["id"], "user_id": u}) for u in ids]


def get_file(api: BotAPI, params: JSONDict) -> JSONDict:
    file_id = str(params.get("file_id", ""))
    with api._lock:
        found = api._state.files.get(file_id)
    if found is None:
        raise bad_request("invalid file_id")
    path, content = found
    return {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "file_size": len(content),
        "file_path": path,
    }


def _true(api: BotAPI, params: JSONDict) -> bool:
    return True


_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
}

_METHODS: dict[str, MethodHandler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "sendMessage": send_message,
    "sendDocument": send_document,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "answerCallbackQuery": answer_callback_query,
    "answerInlineQuery": answer_inline_query,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteWebhook": delete_webhook,
    "setWebhook": set_webhook,
    "getWebhookInfo": get_webhook_info,
    "sendChatAction": send_chat_action,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "getFile": get_file,
    "close": _true,
    "logOut": _true,
}


def _entities(text: str) -> list[JSONDict]:
    """bot_command at the start and @mentions, with UTF-16 offsets, as Telegram marks them."""
    found: list[JSONDict] = []
    command = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?", text)
    if command:
        found.append({"type": "bot_command", "offset": 0, "length": utf16_length(command.group())})
    for match in _MENTION.finditer(text):
        if command and match.start() < command.end():
            continue
        found.append(
            {
                "type": "mention",
                "offset": utf16_length(text[: match.start()]),
                "length": utf16_length(match.group()),
            }
        )
    return found


# --- HTTP -------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    api: BotAPI

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connections the bot drops (cancelled long polls) are normal; others are printed."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_POST(self) -> None:
        self._api_call()

    def do_GET(self) -> None:
        if self.path.startswith("/file/bot"):
            token, _, file_path = self.path[len("/file/bot") :].partition("/")
            # httpx sends the token's ":" percent-encoded; Telegram accepts either form.
            token = urllib.parse.unquote(token)
            content = self.server.api.file(token, urllib.parse.unquote(file_path))
            if content is None:
                self._reply(404, b'{"ok":false,"error_code":404,"description":"Not Found"}')
            else:
                self._reply(200, content, "application/octet-stream")
            return
        self._api_call()

    def _api_call(self) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", parsed.path)
        if match is None:
            self._read_body()
            self._reply(404, b'{"ok":false,"error_code":404,"description":"Not Found"}')
            return
        try:
            params = self._params(parsed.query)
        except ValueError as error:
            self._reply(400, json.dumps(bad_request(str(error)).payload()).encode())
            return
        status, body = self.server.api.handle(match.group(1), match.group(2), params)
        self._reply(status, json.dumps(body, ensure_ascii=False).encode())

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _params(self, query: str) -> JSONDict:
        body = self._read_body()
        kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        params: JSONDict = {k: _decode(k, v) for k, v in urllib.parse.parse_qsl(query)}
        if kind == "application/json" and body:
            params.update(json.loads(body))
        elif kind == "application/x-www-form-urlencoded":
            pairs = urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)
            params.update({k: _decode(k, v) for k, v in pairs})
        elif kind == "multipart/form-data":
            params.update(_multipart(self.headers.get("Content-Type", ""), body))
        return params

    def _reply(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # The bot may have given up on the request (a long poll cancelled at shutdown).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


def _decode(key: str, value: str) -> Any:
    if key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _multipart(content_type: str, body: bytes) -> JSONDict:
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    params: JSONDict = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True)
        payload = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename:
            params[str(name)] = {"filename": filename, "content": payload}
        else:
            params[str(name)] = _decode(str(name), payload.decode())
    return params
