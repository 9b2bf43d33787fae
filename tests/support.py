"""Helpers for archive tests: settings in a temporary directory, drafts, ingestion."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from corpus.loaders import iter_files, load_path
from corpus.models import ArticleDraft
from corpus.settings import StorageSettings
from retrieval.archive import Archive, ArchiveSettings

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "corpus" / "samples"
SHOIGU_QUESTION = "¿Qué dijo Ucrania sobre la visita de Shoigu?"


def archive_settings(data_dir: Path, **sections: Any) -> ArchiveSettings:
    return replace(ArchiveSettings(), storage=StorageSettings(data_dir=data_dir), **sections)


def open_archive(data_dir: Path, **sections: Any) -> Archive:
    archive = Archive(archive_settings(data_dir, **sections))
    archive.open_indexes()
    return archive


def sample_drafts() -> list[tuple[str, ArticleDraft]]:
    drafts = []
    for path in iter_files([SAMPLES]):
        for item in load_path(path):
            assert item.draft is not None, item.error
            drafts.append((item.where, item.draft))
    return drafts


def draft(text: str, title: str = "Titular", **fields: object) -> tuple[str, ArticleDraft]:
    return (f"test:{title}", ArticleDraft(title=title, text=text, **fields))  # type: ignore[arg-type]


def in_step(archive: Archive) -> bool:
    """Whether every part of the archive's search backend holds exactly the stored chunks."""
    return archive.search_backend().consistent_with(archive.store.chunk_ids())


HEMEROTECA = [sys.executable, "-m", "bot"]  # the `hemeroteca` command, from this checkout


def command_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment for a child, where of the HEMEROTECA_* variables only those
    in `env` are passed on, so a developer's own settings never leak into a test."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HEMEROTECA_")}
    return {**clean, **(env or {})}


def run_command(
    command: Sequence[str], env: Mapping[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a real process in the repository and wait for it (see `command_env`)."""
    return subprocess.run(
        list(command),
        input=stdin,
        capture_output=True,
        text=True,
        env=command_env(env),
        cwd=REPO,
        timeout=120,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(base_url: str, data_dir: Path, cwd: Path, token: str) -> subprocess.Popen[str]:
    """`hemeroteca -v serve` in `cwd` (its config.toml, if any), against the Bot API at
    `base_url`; the caller stops it."""
    env = {
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": base_url,
        "HEMEROTECA_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(REPO),
    }
    return subprocess.Popen(
        [*HEMEROTECA, "-v", "serve"],
        cwd=cwd,
        env=command_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
