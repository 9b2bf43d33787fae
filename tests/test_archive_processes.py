"""Several processes on one archive, and the files under it going bad.

The `hash` stand-in embedder keeps these fast: they test storage, the change log and the
indexes, not meaning. "Another process" is either a real `hemeroteca` subprocess or a second
`Archive` on the same directory, which has its own SQLite connection and its own indexes, just
as another process would.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from corpus.models import ArticleDraft
from corpus.store import ArticleStore, DuplicateArticleError
from retrieval.archive import Archive, IndexDirectoryError
from retrieval.embedders import HashEmbedder
from retrieval.searcher import Searcher
from retrieval.settings import EmbeddingSettings
from tests.support import (
    HEMEROTECA,
    REPO,
    archive_settings,
    command_env,
    draft,
    in_step,
    run_command,
)

HASH = EmbeddingSettings(backend="hash")


def hash_archive(data_dir: Path, embedder: HashEmbedder | None = None) -> Archive:
    archive = Archive(archive_settings(data_dir, embedding=HASH), embedder or HashEmbedder())
    archive.open_indexes()
    return archive


def story(number: int, topic: str = "puerto") -> tuple[str, ArticleDraft]:
    text = (
        f"Noticia {number} sobre el {topic} número {number}. "
        f"El consejo del {topic} aprobó la medida {number} el lunes tras un largo debate. "
        f"Los vecinos del barrio {number} celebraron la decisión."
    )
    return draft(text, title=f"Noticia {number}")


def write_articles(folder: Path, numbers: Sequence[int]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number in numbers:
        _, article = story(number)
        (folder / f"{number:03d}.md").write_text(f"# {article.title}\n\n{article.text}\n")


def cli_config(tmp_path: Path, data_dir: Path) -> Path:
    config = tmp_path / "hash.toml"
    config.write_text(f'[storage]\ndata_dir = "{data_dir}"\n\n[embedding]\nbackend = "hash"\n')
    return config


def hemeroteca(config: Path, *args: str, drop_root_override: bool = False) -> list[str]:
    """The command line for a real `hemeroteca` process; optionally without root's power to
    write read-only files (so permission tests mean the same as for an ordinary user)."""
    command = [*HEMEROTECA, "--config", str(config), *args]
    if drop_root_override and os.geteuid() == 0:
        if shutil.which("setpriv") is None:  # util-linux; on every Debian machine here
            pytest.skip("root ignores file permissions, and setpriv is not installed to drop that")
        command = ["setpriv", "--bounding-set=-dac_override", *command]
    return command


run = run_command


# --- several writers ----------------------------------------------------------------------------


class RacingEmbedder(HashEmbedder):
    """Lets another archive store the same article while this one is embedding it: exactly the
    window between the duplicate check and the insert."""

    def __init__(self, other: Archive, article: tuple[str, ArticleDraft]) -> None:
        self.other, self.article, self.raced = other, article, False

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not self.raced:
            self.raced = True
            assert self.other.ingest([self.article]).added
        return super().embed_passages(texts)


def test_a_duplicate_found_at_insert_time_is_reported_and_the_rest_kept(tmp_path: Path) -> None:
    other = hash_archive(tmp_path)
    contested = story(1)
    racing = RacingEmbedder(other, contested)
    archive = hash_archive(tmp_path, racing)
    result = archive.ingest([contested, story(2), story(3)])
    assert racing.raced
    existing = other.store.find_duplicate(contested[1])
    assert existing is not None
    assert result.duplicates == [(contested[0], existing)]
    assert len(result.added) == 2 and not result.failed
    assert archive.store.count_articles() == 3
    with pytest.raises(DuplicateArticleError) as raised:
        archive.store.add_article(contested[1], "es", [], np.zeros((0, 384)))
    assert raised.value.existing_id == existing


def test_two_ingest_processes_on_overlapping_folders_lose_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    config = cli_config(tmp_path, data_dir)
    shared = list(range(40))
    write_articles(tmp_path / "a", [*shared, *range(100, 120)])
    write_articles(tmp_path / "b", [*shared, *range(200, 220)])
    env = command_env()
    processes = [
        subprocess.Popen(
            hemeroteca(config, "ingest", str(tmp_path / folder)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=env,
        )
        for folder in ("a", "b")
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr
        added, duplicates = (int(n) for n in _summary_numbers(stdout))
        assert added + duplicates == 60  # every file is either added or a duplicate
    archive = hash_archive(data_dir)
    titles = {a.title for a in archive.store.list_articles(limit=1000)}
    expected = {f"Noticia {n}" for n in [*shared, *range(100, 120), *range(200, 220)]}
    assert titles == expected
    assert in_step(archive)


def _summary_numbers(stdout: str) -> tuple[str, str]:
    # "Added 43 articles (43 passages), 17 already in the archive, 0 failed."
    found = re.search(r"Added (\d+) articles? \(.*?\), (\d+) already in the archive", stdout)
    assert found is not None, stdout
    return found[1], found[2]


# --- a reader beside a writer -------------------------------------------------------------------


def test_a_reader_picks_up_another_processes_writes_within_seconds(tmp_path: Path) -> None:
    writer = hash_archive(tmp_path)
    writer.ingest([story(1), story(2)])
    reader = hash_archive(tmp_path)
    searcher = Searcher(reader)
    assert not _quoted_titles(searcher, "¿Qué pasó con el faro del cabo?")

    writer.ingest([story(3, topic="faro del cabo")])
    deadline = time.monotonic() + 5
    while "Noticia 3" not in _quoted_titles(searcher, "¿Qué pasó con el faro del cabo?"):
        assert time.monotonic() < deadline, "the reader never saw the new article"
        time.sleep(0.2)
    time.sleep(1.1)  # the shared keyword index may show it first; vectors follow within 1 s
    searcher.search("¿Qué pasó con el faro del cabo?")
    assert in_step(reader)


def test_a_chunk_deleted_elsewhere_is_skipped_never_an_error(tmp_path: Path) -> None:
    writer = hash_archive(tmp_path)
    [first, _] = writer.ingest([story(1), story(2)]).added
    reader = hash_archive(tmp_path)
    searcher = Searcher(reader)
    question = "¿Qué aprobó el consejo del puerto número 1?"
    assert "Noticia 1" in _quoted_titles(searcher, question)
    assert writer.delete(first)
    # At once, before the reader has replayed the delete: its index still has the chunks.
    assert first not in {p.article_id for p in searcher.search(question).passages}
    time.sleep(1.1)
    assert first not in {p.article_id for p in searcher.search(question).passages}
    time.sleep(1.1)  # the shared keyword index may show it first; vectors follow within 1 s
    searcher.search("¿Qué pasó con el faro del cabo?")
    assert in_step(reader)


def _quoted_titles(searcher: Searcher, question: str) -> set[str]:
    return {p.title for p in searcher.search(question).passages}


# --- index files going bad ----------------------------------------------------------------------


def test_zeroed_vectors_in_the_saved_index_are_caught_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    archive = hash_archive(tmp_path)
    archive.ingest([story(n) for n in range(5)])
    archive.close()
    path = tmp_path / "index" / "dense.faiss"
    data = bytearray(path.read_bytes())
    data[-2000:-200] = bytes(1800)  # vector bytes; the header and the id map's length stay
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="retrieval.archive"):
        reopened = hash_archive(tmp_path)
    assert "checksum" in caplog.text
    ids, vectors = reopened.store.chunk_embeddings()
    for chunk_id, vector in zip(ids, vectors, strict=True):
        assert reopened.search_backend().dense_search(vector, 1)[0].chunk_id == chunk_id


def test_a_saved_index_ahead_of_the_store_is_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    archive = hash_archive(tmp_path)
    archive.ingest([story(n) for n in range(3)])
    archive.close()
    backup = (tmp_path / "archive.sqlite3").read_bytes()
    archive = hash_archive(tmp_path)
    archive.ingest([story(n) for n in range(3, 6)])
    archive.close()
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"archive.sqlite3{suffix}").unlink(missing_ok=True)
    (tmp_path / "archive.sqlite3").write_bytes(backup)  # the store restored from a backup
    with caplog.at_level(logging.WARNING, logger="retrieval.archive"):
        reopened = hash_archive(tmp_path)
    assert "but the store ends at" in caplog.text
    assert in_step(reopened)


# --- files this user cannot write ---------------------------------------------------------------


def test_an_unwritable_index_folder_refuses_writes_before_storing_anything(
    tmp_path: Path,
) -> None:
    archive = hash_archive(tmp_path)
    archive.ingest([story(1)])
    archive.close()
    index_dir = tmp_path / "index"
    blocked = replace(archive.settings.storage, data_dir=tmp_path)
    # As root, permissions do not stop this process; a file where the folder should be does.
    moved = tmp_path / "index.moved"
    index_dir.rename(moved)
    index_dir.write_text("not a folder")
    try:
        writer = Archive(replace(archive.settings, storage=blocked), HashEmbedder())
        with pytest.raises(IndexDirectoryError, match="cannot write the index folder"):
            writer.ingest([story(2)])
        assert writer.store.count_articles() == 1
        writer.close()
    finally:
        index_dir.unlink()
        moved.rename(index_dir)


@pytest.fixture
def cli_archive(tmp_path: Path) -> tuple[Path, Path]:
    data_dir = tmp_path / "data"
    config = cli_config(tmp_path, data_dir)
    write_articles(tmp_path / "articles", [1, 2])
    assert run(hemeroteca(config, "ingest", str(tmp_path / "articles"))).returncode == 0
    write_articles(tmp_path / "more", [3])
    return config, data_dir


def _one_clear_line(done: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("hemeroteca: ")]
    assert len(lines) == 1, done.stderr
    for phrase in phrases:
        assert phrase in lines[0]


def test_cli_with_a_read_only_index_folder(cli_archive: tuple[Path, Path], tmp_path: Path) -> None:
    config, data_dir = cli_archive
    index_dir = data_dir / "index"
    index_dir.chmod(0o555)
    try:
        done = run(hemeroteca(config, "ingest", str(tmp_path / "more"), drop_root_override=True))
        _one_clear_line(done, "cannot write the index folder", "nothing was changed")
        asked = run(hemeroteca(config, "ask", "¿Qué aprobó el consejo?", drop_root_override=True))
        assert asked.returncode == 0, asked.stderr
        assert "Noticia" in asked.stdout
    finally:
        index_dir.chmod(0o755)
    archive = hash_archive(data_dir)
    assert archive.store.count_articles() == 2  # nothing half-added


def test_cli_with_a_read_only_archive_file(cli_archive: tuple[Path, Path], tmp_path: Path) -> None:
    config, data_dir = cli_archive
    database = data_dir / "archive.sqlite3"
    database.chmod(0o444)
    try:
        done = run(hemeroteca(config, "ingest", str(tmp_path / "more"), drop_root_override=True))
        _one_clear_line(done, str(database), "writable")
        deleted = run(hemeroteca(config, "delete", "1", drop_root_override=True))
        _one_clear_line(deleted, str(database))
    finally:
        database.chmod(0o644)
    assert hash_archive(data_dir).store.count_articles() == 2


def test_stats_says_when_the_saved_index_is_out_of_step(
    cli_archive: tuple[Path, Path], tmp_path: Path
) -> None:
    config, data_dir = cli_archive
    assert "index state:    in step with the store" in run(hemeroteca(config, "stats")).stdout
    index_dir = data_dir / "index"
    saved = {p.name: p.read_bytes() for p in index_dir.iterdir() if p.is_file()}
    assert run(hemeroteca(config, "ingest", str(tmp_path / "more"))).returncode == 0
    for name, data in saved.items():  # the saves after that ingest were lost
        (index_dir / name).write_bytes(data)
    shown = run(hemeroteca(config, "stats")).stdout
    assert "index state:    out of step: 1 change(s) behind the store" in shown
    (index_dir / "dense.json").unlink()
    assert "missing or unreadable" in run(hemeroteca(config, "stats")).stdout


# --- killed mid-write ---------------------------------------------------------------------------


@pytest.mark.parametrize("articles_before_kill", [1, 25])
def test_kill_9_during_an_ingest_then_the_next_start_replays_only_the_tail(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, articles_before_kill: int
) -> None:
    data_dir = tmp_path / "data"
    config = cli_config(tmp_path, data_dir)
    write_articles(tmp_path / "base", range(20))
    assert run(hemeroteca(config, "ingest", str(tmp_path / "base"))).returncode == 0
    write_articles(tmp_path / "big", range(1000, 1400))
    env = command_env()
    process = subprocess.Popen(
        hemeroteca(config, "ingest", str(tmp_path / "big")),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=REPO,
        env=env,
    )
    store = ArticleStore(data_dir / "archive.sqlite3")
    try:
        deadline = time.monotonic() + 60
        while store.count_articles() < 20 + articles_before_kill:
            assert process.poll() is None, "the ingest ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        process.kill()  # SIGKILL: no handler, no cleanup
        process.wait(timeout=10)
    finally:
        store.close()
    with caplog.at_level(logging.INFO, logger="retrieval.archive"):
        archive = hash_archive(data_dir)
    assert "rebuild" not in caplog.text  # the saved indexes were replayed forward, not rebuilt
    stored = archive.store.count_articles()
    assert 20 + articles_before_kill <= stored < 420
    assert in_step(archive)
    # Every stored article is whole: it has its chunks, and every chunk is searchable.
    per_article = archive.store.count_chunks_by_article(
        [a.id for a in archive.store.list_articles(limit=1000)]
    )
    assert len(per_article) == stored and min(per_article.values()) >= 1
    # And the interrupted ingest can simply be run again.
    again = run(hemeroteca(config, "ingest", str(tmp_path / "big")))
    assert again.returncode == 0, again.stderr
    assert hash_archive(data_dir).store.count_articles() == 420


def test_ask_filters_by_date_source_and_language(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    config = cli_config(tmp_path, data_dir)
    archive = hash_archive(data_dir)
    for number, (source, day) in enumerate(
        [("El Faro", "2025-03-02"), ("La Voz", "2025-07-15"), ("El Faro", "2026-01-20")]
    ):
        _, article = story(number)
        archive.ingest(
            [(f"t{number}", replace(article, source=source, published=datetime.fromisoformat(day)))]
        )
    archive.close()
    question = "¿Qué aprobó el consejo del puerto?"

    def sources(*flags: str) -> set[tuple[str, str]]:
        done = run(hemeroteca(config, "ask", question, "--json", "--k", "5", *flags))
        assert done.returncode == 0, done.stderr
        return {(p["source"], p["published"][:10]) for p in json.loads(done.stdout)["passages"]}

    assert len(sources()) == 3
    assert sources("--source", "El Faro") == {("El Faro", "2025-03-02"), ("El Faro", "2026-01-20")}
    assert sources("--from", "2025-06-01", "--to", "2025-12-31") == {("La Voz", "2025-07-15")}
    assert sources("--language", "en") == set()
    refused = run(hemeroteca(config, "ask", question, "--from", "2025-02-31"))
    assert refused.returncode == 2 and "is not a date as YYYY-MM-DD" in refused.stderr
