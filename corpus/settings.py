"""Settings the archive itself needs: where it lives, how articles are cut, what is accepted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StorageSettings:
    data_dir: Path = Path("data")

    @property
    def database_path(self) -> Path:
        return self.data_dir / "archive.sqlite3"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


@dataclass(frozen=True)
class ChunkingSettings:
    # A chunk is one paragraph, or a run of its sentences when the paragraph is longer than this.
    max_chars: int = 900
    # Sentences repeated between consecutive chunks of one long paragraph, so no quote is cut off.
    overlap_sentences: int = 1


@dataclass(frozen=True)
class IngestSettings:
    max_article_chars: int = 200_000
    min_article_chars: int = 20


@dataclass(frozen=True)
class FetchSettings:
    """Limits for fetching a page an admin links to: the bot must not be turned against its host."""

    timeout_seconds: float = 10.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    # Only for tests and closed networks: lets links point at loopback and private addresses.
    allow_private_addresses: bool = False
    # Narrower than the above: only these networks (CIDR, e.g. "127.0.0.1/32") are let through.
    allowed_networks: tuple[str, ...] = ()
