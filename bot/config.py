"""Configuration: config.toml parsed once into frozen dataclasses, overridable from the environment.

Secrets (the bot token) come only from the environment and are never part of Settings.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.settings import BotSettings, DigestSettings, TelegramSettings
from corpus.settings import ChunkingSettings, FetchSettings, IngestSettings, StorageSettings
from retrieval.archive import ArchiveSettings
from retrieval.settings import EmbeddingSettings, IndexSettings, SearchSettings

DEFAULT_CONFIG = Path("config.toml")
T = TypeVar("T")


class ConfigError(ValueError):
    """config.toml or an environment variable has a value that cannot be used."""


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
