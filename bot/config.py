"""Configuration: config.toml parsed once into frozen dataclasses, overridable from the environment.

Every environment variable is read here, and every check on the values is made here: what
`load_settings` cannot know (whether the bot will serve) is checked by `check_serving`, which
bot/app.py calls before building anything. The bot token comes only from the environment and is
never part of Settings; the webhook secret may come from config.toml, but the environment's
TELEGRAM_WEBHOOK_SECRET wins (a secret is better kept out of config files).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from bot.digest.schedule import ScheduleError, parse_subscribe_args
from corpus.settings import ChunkingSettings, FetchSettings, IngestSettings, StorageSettings
from retrieval.archive import ArchiveSettings
from retrieval.settings import EmbeddingSettings, IndexSettings, SearchSettings

__all__ = [
    "BotSettings",
    "ConfigError",
    "DigestSettings",
    "Settings",
    "TelegramSettings",
    "check_serving",
    "listen_address",
    "load_settings",
]

DEFAULT_CONFIG = Path("config.toml")
T = TypeVar("T")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigError(ValueError):
    """config.toml or an environment variable has a value that cannot be used."""


@dataclass(frozen=True)
class TelegramSettings:
    # As python-telegram-bot's ApplicationBuilder().base_url(): the token is appended to it.
    api_base_url: str = "https://api.telegram.org/bot"
    api_file_url: str = ""  # default: api_base_url with its final "/bot" replaced by "/file/bot"
    webhook_listen: str = ""  # HOST:PORT the webhook server binds; default "0.0.0.0:8443"
    webhook_url: str = ""  # public URL Telegram posts updates to; empty means long polling
    webhook_secret: str = ""  # secret token Telegram echoes in a header, checked by the bot
    concurrent_updates: int = 64  # updates handled at once, so one slow question holds no one up
    max_retries: int = 3  # times a request refused with 429 (retry_after) is waited out and resent

    @property
    def file_url(self) -> str:
        if self.api_file_url:
            return self.api_file_url
        base = self.api_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"


@dataclass(frozen=True)
class BotSettings:
    admin_ids: tuple[int, ...] = ()
    questions_per_minute: int = 10
    default_language: str = "es"
    results_per_page: int = 3
    inline_results: int = 5  # quotes offered in inline mode (@bot question)
    search_workers: int = 2  # threads for searches and SQLite writes (about one per CPU core)
    answers_kept_days: int = 30  # questions, "more results" and feedback buttons are kept this long


@dataclass(frozen=True)
class DigestSettings:
    default_time: str = "08:00"
    default_timezone: str = "Europe/Madrid"
    max_articles: int = 10
    send_when_empty: bool = False


@dataclass(frozen=True)
class Settings:
    archive: ArchiveSettings = field(default_factory=ArchiveSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    bot: BotSettings = field(default_factory=BotSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    fetch: FetchSettings = field(default_factory=FetchSettings)


_SECTIONS: dict[str, type] = {
    "storage": StorageSettings,
    "chunking": ChunkingSettings,
    "ingest": IngestSettings,
    "embedding": EmbeddingSettings,
    "index": IndexSettings,
    "search": SearchSettings,
    "telegram": TelegramSettings,
    "bot": BotSettings,
    "digest": DigestSettings,
    "fetch": FetchSettings,
}


def load_settings(
    path: Path | None = None, environ: typing.Mapping[str, str] | None = None
) -> Settings:
    """Read `path` (or $HEMEROTECA_CONFIG, or ./config.toml), then apply env overrides."""
    environ = os.environ if environ is None else environ
    path = path or Path(environ.get("HEMEROTECA_CONFIG", DEFAULT_CONFIG))
    raw: dict[str, Any] = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: {error}") from error
    elif "HEMEROTECA_CONFIG" in environ:
        raise ConfigError(f"HEMEROTECA_CONFIG points to {path}, which does not exist")
    unknown = set(raw) - set(_SECTIONS)
    if unknown:
        raise ConfigError(
            f"{path}: unknown section(s) {sorted(unknown)}; valid: {sorted(_SECTIONS)}"
        )
    sections: dict[str, Any] = {
        name: _build(cls, raw.get(name, {}), f"{path}[{name}]") for name, cls in _SECTIONS.items()
    }
    sections = _apply_environment(sections, environ)
    return Settings(
        archive=ArchiveSettings(
            storage=sections["storage"],
            chunking=sections["chunking"],
            ingest=sections["ingest"],
            embedding=sections["embedding"],
            index=sections["index"],
            search=sections["search"],
        ),
        telegram=sections["telegram"],
        bot=sections["bot"],
        digest=sections["digest"],
        fetch=sections["fetch"],
    )


def _apply_environment(
    sections: dict[str, Any], environ: typing.Mapping[str, str]
) -> dict[str, Any]:
    overrides = {
        ("storage", "data_dir"): environ.get("HEMEROTECA_DATA_DIR"),
        ("telegram", "api_base_url"): environ.get("TELEGRAM_API_BASE_URL"),
        ("telegram", "api_file_url"): environ.get("TELEGRAM_API_FILE_URL"),
        ("telegram", "webhook_secret"): environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or None,
        ("bot", "admin_ids"): environ.get("HEMEROTECA_ADMIN_IDS"),
    }
    for (section, key), value in overrides.items():
        if value is None:
            continue
        parsed: Any = value
        if key == "admin_ids":
            parsed = _parse_admin_ids(value)
        sections[section] = _build(
            type(sections[section]),
            {**dataclasses.asdict(sections[section]), key: parsed},
            f"environment ({key})",
        )
    return sections


def _parse_admin_ids(value: str) -> list[int]:
    try:
        return [int(part) for part in value.replace(" ", "").split(",") if part]
    except ValueError as error:
        raise ConfigError(
            f"HEMEROTECA_ADMIN_IDS must be numeric user ids, comma-separated: {value!r}"
        ) from error


def _build(cls: type[T], values: dict[str, Any], where: str) -> T:
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = set(values) - set(fields)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}; valid: {sorted(fields)}")
    hints = typing.get_type_hints(cls)
    converted = {
        name: _coerce(value, hints[name], f"{where}.{name}") for name, value in values.items()
    }
    return cls(**converted)


def _coerce(value: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if hint is Path:
        return Path(value)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        item_type = typing.get_args(hint)[0]
        return tuple(_coerce(v, item_type, where) for v in value)
    if origin in (types.UnionType, typing.Union):
        return value
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(hint, type) and not isinstance(value, hint):
        raise ConfigError(f"{where}: expected {hint.__name__}, got {value!r}")
    return value


# --- checks for serving ---------------------------------------------------------------------


def check_serving(settings: Settings) -> None:
    """Refuse to start the bot on settings it cannot serve with, before anything starts.

    Webhook settings that Telegram or the server would refuse, and digest defaults a person
    would only discover by running /subscribe.
    """
    _check_webhook(settings.telegram)
    _check_digest(settings.digest)


def listen_address(listen: str) -> tuple[str, int]:
    """[telegram] webhook_listen as (host, port); default 0.0.0.0:8443."""
    host, _, port = (listen or "0.0.0.0:8443").rpartition(":")
    if not port.isdigit():
        raise ConfigError(f"[telegram] webhook_listen must be HOST:PORT, got {listen!r}")
    return host or "0.0.0.0", int(port)


def _check_webhook(telegram: TelegramSettings) -> None:
    if not telegram.webhook_url:
        if telegram.webhook_listen:
            raise ConfigError("[telegram] webhook_listen is set but webhook_url is not")
        return
    if urlsplit(telegram.webhook_url).scheme not in ("http", "https"):
        raise ConfigError(
            f"[telegram] webhook_url must be an http(s) URL: {telegram.webhook_url!r}"
        )
    if not _SECRET_TOKEN.match(telegram.webhook_secret):
        raise ConfigError(
            "[telegram] webhook_secret is required with webhook_url: 1-256 characters of "
            "A-Z, a-z, 0-9, _ and - (Telegram echoes it in a header and the bot checks it)"
        )
    listen_address(telegram.webhook_listen)


def _check_digest(digest: DigestSettings) -> None:
    try:
        parse_subscribe_args([], digest.default_time, digest.default_timezone)
    except ScheduleError as error:
        raise ConfigError(f"[digest] default_time / default_timezone: {error}") from error
    if digest.max_articles < 1:
        raise ConfigError(f"[digest] max_articles must be at least 1, got {digest.max_articles}")
