"""ArticleStore: the archive's single source of truth, on SQLite in WAL mode.

Articles, their chunks (exact spans) and each chunk's embedding live here; the search indexes
are caches rebuilt from this file. Every article is written in one transaction, so a crash
leaves it either fully stored or absent.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from corpus.attribution import Attribution
from corpus.models import Article, ArticleDraft, Chunk, Span
from corpus.text import content_hash, normalise_url

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    url_key TEXT,
    published TEXT,
    language TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    origin TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS articles_url_key ON articles(url_key) WHERE url_key IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS articles_origin ON articles(origin) WHERE origin IS NOT NULL;
CREATE INDEX IF NOT EXISTS articles_added_at ON articles(added_at);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    embedding BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE TABLE IF NOT EXISTS sentences (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    embedding BLOB NOT NULL,
    PRIMARY KEY (article_id, start)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attributions (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    speaker TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    country TEXT NOT NULL,
    PRIMARY KEY (article_id, start)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS story_members (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    vector BLOB NOT NULL,
    names TEXT NOT NULL
);
-- (day, story_id) answers "the stories of these days" from the index alone (twice as fast for
-- a year as the index on day it replaces, which older archives drop).
CREATE INDEX IF NOT EXISTS story_members_day_story ON story_members(day, story_id);
DROP INDEX IF EXISTS story_members_day;
CREATE INDEX IF NOT EXISTS story_members_story ON story_members(story_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('add', 'delete')),
    article_id INTEGER NOT NULL,
    first_chunk INTEGER NOT NULL,
    last_chunk INTEGER NOT NULL
);
"""
# How long a writer waits for another process's write to finish before giving up. Writes are
# one article each, so only a stuck process holds the lock this long.
BUSY_TIMEOUT_SECONDS = 30.0
# Embeddings are stored as float16: half the disk of float32, and for unit vectors the cosine
# moves by under 1e-4, far below what separates answers (README: the benchmark, before and
# after). Archives made before keep float32, as the meta key says; both read back as float32.
VECTOR_DTYPE_KEY = "vector_dtype"
NEW_VECTOR_DTYPE = "float16"
LEGACY_VECTOR_DTYPE = "float32"


class StoreError(RuntimeError):
    """The archive file cannot be opened or written; the message says what to do."""


class DuplicateArticleError(Exception):
    """The article is already stored: found only at insert time, when another process added it
    between our duplicate check and our insert."""

    def __init__(self, existing_id: int) -> None:
        super().__init__(f"already stored as article {existing_id}")
        self.existing_id = existing_id


@dataclass(frozen=True)
class Change:
    """One entry of the store's change log: the indexes replay these to catch up.

    A chunk id range is enough: an article's chunks are inserted in one transaction, so their
    ids are consecutive, and ids are never reused (AUTOINCREMENT).
    """

    seq: int
    kind: str  # "add" or "delete"
    article_id: int
    first_chunk: int
    last_chunk: int


@dataclass(frozen=True)
class ChunkRecord:
    """A chunk together with what the indexes and quoting need about its article."""

    chunk: Chunk
    language: str
    source: str = ""
    published: date | None = None  # the article's published date, else the day it was added


@dataclass(frozen=True)
class StoryMember:
    """An article's place in a story, with what story grouping compares (retrieval/stories)."""

    article_id: int
    story_id: int
    day: date
    vector: np.ndarray
    names: frozenset[str]


@dataclass(frozen=True)
class StoryWindow:
    """Articles of some days, row-aligned: their ids, stories, days (as ordinals) and story
    vectors (float16, as stored)."""

    article_ids: np.ndarray
    story_ids: np.ndarray
    days: np.ndarray
    vectors: np.ndarray


class ArticleStore:
    """Thread-safe access to one archive file (one connection, serialised by a lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                path,
                check_same_thread=False,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_SECONDS,
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(
                f"cannot open the archive at {path}: {error}. "
                "Check that the data directory exists and is writable (HEMEROTECA_DATA_DIR)."
            ) from error
        self._lock = threading.RLock()
        self._dtype = np.dtype(self._vector_dtype())

    def _vector_dtype(self) -> str:
        stored = self.get_meta(VECTOR_DTYPE_KEY)
        if stored is not None:
            return stored
        chosen = LEGACY_VECTOR_DTYPE if self.count_chunks() else NEW_VECTOR_DTYPE
        with contextlib.suppress(StoreError):  # a read-only archive is read as it is
            self.set_meta(VECTOR_DTYPE_KEY, chosen)
        return chosen

    def _encode(self, vector: np.ndarray) -> bytes:
        return np.asarray(vector, dtype=self._dtype).tobytes()

    def _insert_sentences(
        self,
        db: sqlite3.Connection,
        article_id: int,
        sentences: Sequence[Span],
        embeddings: np.ndarray | None,
    ) -> None:
        if not sentences:
            return
        if embeddings is None or len(embeddings) != len(sentences):
            raise ValueError("one embedding per sentence is required")
        vectors = np.ascontiguousarray(embeddings, dtype=np.float32)
        db.executemany(
            "INSERT INTO sentences(article_id, start, end, embedding) VALUES (?, ?, ?, ?)",
            [
                (article_id, s.start, s.end, self._encode(v))
                for s, v in zip(sentences, vectors, strict=True)
            ],
        )

    def _decode(self, blobs: Sequence[bytes]) -> np.ndarray:
        """Stored vectors as one float32 matrix (FAISS and the quote scorer work in float32)."""
        return np.vstack([np.frombuffer(b, dtype=self._dtype) for b in blobs]).astype(np.float32)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write; the bot's features (their state modules) use it for their own tables,
        declared through `migrate` (corpus/schema.py)."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                raise self._write_error(error) from error
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException as error:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                if isinstance(error, sqlite3.OperationalError):
                    raise self._write_error(error) from error
                raise

    @contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """Every read inside sees the same state of the archive, whatever other processes
        commit meanwhile (a WAL read transaction): for checking an index against the store."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield
            finally:
                self._db.execute("COMMIT")

    def _write_error(self, error: sqlite3.OperationalError) -> StoreError:
        """A write the archive refused (read-only file, full disk, stuck writer), worded."""
        message = str(error)
        if "locked" in message or "busy" in message:
            hint = (
                f"another process kept the archive busy for over {BUSY_TIMEOUT_SECONDS:.0f} s; "
                "try again when it has finished"
            )
        else:
            hint = "check that the file and its folder are writable and the disk is not full"
        return StoreError(f"cannot write to the archive at {self.path}: {message}; {hint}")

    def migrate(self, owner: str, steps: Sequence[Sequence[str]]) -> int:
        """Bring `owner`'s tables to version len(steps); returns the version found before.

        Step N (1-based) holds the statements that turn version N-1 into N; each step is applied
        once, in its own transaction together with the new version number, so a crash leaves
        the owner at a whole version. An archive made before versions were recorded is at 0:
        step 1 must therefore be idempotent (CREATE ... IF NOT EXISTS).
        """
        with self.transaction() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_versions"
                " (owner TEXT PRIMARY KEY, version INTEGER NOT NULL)"
            )
        found = self.schema_version(owner)
        for version, statements in enumerate(steps, start=1):
            if version <= found:
                continue
            with self.transaction() as db:
                for statement in statements:
                    db.execute(statement)
                db.execute(
                    "INSERT INTO schema_versions(owner, version) VALUES (?, ?)"
                    " ON CONFLICT(owner) DO UPDATE SET version = excluded.version",
                    (owner, version),
                )
        return found

    def schema_version(self, owner: str) -> int:
        """The version `migrate` last brought `owner` to; 0 if never."""
        if not self.has_table("schema_versions"):
            return 0
        rows = self.query("SELECT version FROM schema_versions WHERE owner = ?", (owner,))
        return int(rows[0][0]) if rows else 0

    def has_table(self, name: str) -> bool:
        """Whether a module has created table `name` (reading must not create it)."""
        return bool(
            self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        )

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def data_version(self) -> int:
        """A number that changes whenever another connection (another process, or another
        store on the same file) commits a write; this store's own writes leave it alone.
        What caches of the archive's rows check to know they are still whole."""
        return int(self.query("PRAGMA data_version")[0][0])

    # --- meta -------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # --- articles ---------------------------------------------------------------------------

    def find_duplicate(self, draft: ArticleDraft) -> int | None:
        """Id of a stored article with the same normalised text, URL or origin, if any."""
        rows = self.query(
            "SELECT id FROM articles WHERE content_hash = ? OR url_key = ? OR origin = ? LIMIT 1",
            (content_hash(draft.text), normalise_url(draft.url) or None, draft.origin or None),
        )
        return rows[0][0] if rows else None

    def add_article(
        self,
        draft: ArticleDraft,
        language: str,
        spans: Sequence[Span],
        embeddings: np.ndarray,
        sentences: Sequence[Span] = (),
        sentence_embeddings: np.ndarray | None = None,
        attributions: Sequence[Attribution] = (),
    ) -> tuple[Article, list[Chunk]]:
        """Store the article, its chunks, its sentences and their embeddings, and who says
        what in it, atomically."""
        if len(spans) != len(embeddings):
            raise ValueError("one embedding per chunk is required")
        added_at = datetime.now(UTC)
        vectors = np.ascontiguousarray(embeddings, dtype=np.float32)
        try:
            article_id, chunks = self._insert_article(
                draft,
                language,
                spans,
                vectors,
                added_at,
                sentences,
                sentence_embeddings,
                attributions,
            )
        except sqlite3.IntegrityError as error:
            # Another process stored the same article after our find_duplicate check.
            raise DuplicateArticleError(self.find_duplicate(draft) or 0) from error
        article = Article(
            id=article_id,
            title=draft.title,
            text=draft.text,
            source=draft.source,
            url=draft.url,
            published=draft.published,
            language=language,
            added_at=added_at,
            content_hash=content_hash(draft.text),
            origin=draft.origin,
        )
        return article, chunks

    def _insert_article(
        self,
        draft: ArticleDraft,
        language: str,
        spans: Sequence[Span],
        vectors: np.ndarray,
        added_at: datetime,
        sentences: Sequence[Span],
        sentence_embeddings: np.ndarray | None,
        attributions: Sequence[Attribution],
    ) -> tuple[int, list[Chunk]]:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO articles(title, text, source, url, url_key, published, language,"
                " added_at, content_hash, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    draft.title,
                    draft.text,
                    draft.source,
                    draft.url,
                    normalise_url(draft.url) or None,
                    draft.published.isoformat() if draft.published else None,
                    language,
                    added_at.isoformat(),
                    content_hash(draft.text),
                    draft.origin or None,
                ),
            )
            article_id = int(cursor.lastrowid or 0)
            chunks = []
            for ordinal, (span, vector) in enumerate(zip(spans, vectors, strict=True)):
                text = draft.text[span.start : span.end]
                row = db.execute(
                    "INSERT INTO chunks(article_id, ordinal, start, end, text, embedding)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (article_id, ordinal, span.start, span.end, text, self._encode(vector)),
                )
                chunks.append(
                    Chunk(article_id, ordinal, span.start, span.end, text, int(row.lastrowid or 0))
                )
            self._insert_sentences(db, article_id, sentences, sentence_embeddings)
            _insert_attributions(db, article_id, attributions)
            if chunks:
                _log_change(db, "add", article_id, chunks[0].id, chunks[-1].id)
        return article_id, chunks

    # --- who says what ------------------------------------------------------------------------

    def replace_attributions(self, by_article: dict[int, Sequence[Attribution]]) -> None:
        """Store the attributions found in these articles, replacing what they had."""
        with self.transaction() as db:
            for article_id, attributions in by_article.items():
                db.execute("DELETE FROM attributions WHERE article_id = ?", (article_id,))
                if db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone():
                    _insert_attributions(db, article_id, attributions)  # not deleted meanwhile

    def attributions(self, article_ids: Iterable[int]) -> dict[int, list[Attribution]]:
        """Who says what in these articles, by article, in text order."""
        ids = sorted({int(i) for i in article_ids})
        found: dict[int, list[Attribution]] = {i: [] for i in ids}
        query = (
            "SELECT article_id, start, end, speaker, name, role, country FROM attributions"
            " WHERE article_id IN ({marks}) ORDER BY article_id, start"
        )
        for row in self._rows_for(ids, query):
            found[row[0]].append(Attribution(*row[1:]))
        return found

    def _rows_for(self, ids: Sequence[int], query: str) -> Iterator[tuple]:
        """The rows of `query` (its `{marks}` an IN list) for `ids`, 500 ids a statement:
        SQLite limits the parameters of one statement."""
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            yield from self.query(query.format(marks=",".join("?" * len(part))), part)

    # --- stories: the same event told by several articles -------------------------------------

    def story_window(self, first: date, last: date) -> StoryWindow:
        """The articles dated `first`..`last`: ids, stories, days and story vectors as arrays,
        read in one query (at a million passages a week holds a few thousand articles)."""
        rows = self.query(
            "SELECT article_id, story_id, day, vector FROM story_members WHERE day BETWEEN ? AND ?",
            (first.isoformat(), last.isoformat()),
        )
        if not rows:
            empty = np.zeros(0, np.int64)
            return StoryWindow(empty, empty, empty, np.zeros((0, 0), np.float16))
        ids, stories, days, vectors = zip(*rows, strict=True)
        ordinals = {day: date.fromisoformat(day).toordinal() for day in set(days)}
        matrix = np.frombuffer(b"".join(vectors), dtype=np.float16).reshape(len(rows), -1)
        return StoryWindow(
            np.array(ids, dtype=np.int64),
            np.array(stories, dtype=np.int64),
            np.array([ordinals[day] for day in days], dtype=np.int64),
            matrix.copy(),  # float16, as stored
        )

    def story_names(self, article_id: int) -> frozenset[str]:
        rows = self.query("SELECT names FROM story_members WHERE article_id = ?", (article_id,))
        return frozenset(rows[0][0].split()) if rows else frozenset()

    def set_story(self, member: StoryMember) -> None:
        """Record an article's story (unless it was deleted meanwhile)."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO story_members(article_id, story_id, day, vector, names)"
                " SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?)",
                (
                    member.article_id,
                    member.story_id,
                    member.day.isoformat(),
                    np.asarray(member.vector, dtype=np.float16).tobytes(),
                    " ".join(sorted(member.names)),
                    member.article_id,
                ),
            )

    def story_mates(self, article_ids: Iterable[int]) -> dict[int, list[int]]:
        """For each article, the other articles of its story (in id order)."""
        ids = sorted({int(i) for i in article_ids})
        mates: dict[int, list[int]] = {i: [] for i in ids}
        query = (
            "SELECT a.article_id, b.article_id FROM story_members a"
            " JOIN story_members b ON b.story_id = a.story_id AND b.article_id != a.article_id"
            " WHERE a.article_id IN ({marks}) ORDER BY b.article_id"
        )
        for article_id, mate in self._rows_for(ids, query):
            mates[article_id].append(mate)
        return mates

    def stories_dated(
        self,
        first: date,
        last: date,
        sources: Iterable[str] = (),
        languages: Iterable[str] = (),
        limit: int = 10,
        offset: int = 0,
    ) -> list[list[int]]:
        """The stories with articles dated `first`..`last` (published, else added), each as
        those articles' ids (newest first), the stories told by most articles first, then the
        newest; only articles from `sources` and in `languages` when given."""
        where, params = ["m.day BETWEEN ? AND ?"], [first.isoformat(), last.isoformat()]
        for column, wanted in (
            ("source", sorted(set(sources))),
            ("language", sorted(set(languages))),
        ):
            if wanted:
                where.append(f"a.{column} IN ({','.join('?' * len(wanted))})")
                params += wanted
        join = " JOIN articles a ON a.id = m.article_id" if len(where) > 1 else ""
        rows = self.query(
            "SELECT GROUP_CONCAT(m.article_id || ':' || m.day) FROM story_members m"
            f"{join} WHERE {' AND '.join(where)} GROUP BY m.story_id"
            " ORDER BY COUNT(*) DESC, MAX(m.day) DESC, m.story_id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        stories = []
        for (members,) in rows:
            dated = [member.split(":") for member in members.split(",")]
            dated.sort(key=lambda pair: (pair[1], int(pair[0])), reverse=True)
            stories.append([int(article_id) for article_id, _ in dated])
        return stories

    def chunk_vectors_of(self, article_id: int) -> np.ndarray:
        """An article's chunk embeddings, in order."""
        rows = self.query(
            "SELECT embedding FROM chunks WHERE article_id = ? ORDER BY ordinal", (article_id,)
        )
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return self._decode([row[0] for row in rows])

    def articles_without_story(self) -> list[int]:
        rows = self.query(
            "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM story_members)"
            " ORDER BY id"
        )
        return [int(row[0]) for row in rows]

    def article_ids(self) -> list[int]:
        return [int(row[0]) for row in self.query("SELECT id FROM articles ORDER BY id")]

    def delete_article(self, article_id: int) -> list[int]:
        """Remove an article and its chunks; returns the removed chunk ids (empty if unknown)."""
        with self.transaction() as db:
            chunk_ids = [
                row[0]
                for row in db.execute("SELECT id FROM chunks WHERE article_id = ?", (article_id,))
            ]
            deleted = db.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount
            if deleted and chunk_ids:
                _log_change(db, "delete", article_id, min(chunk_ids), max(chunk_ids))
        return chunk_ids if deleted else []

    # --- change log -------------------------------------------------------------------------

    def last_change(self) -> int:
        """The newest change's sequence number (0 for none): one indexed lookup, cheap enough
        to ask before every search."""
        return int(self.query("SELECT COALESCE(MAX(seq), 0) FROM changes")[0][0])

    def changes_since(self, seq: int) -> list[Change]:
        rows = self.query(
            "SELECT seq, kind, article_id, first_chunk, last_chunk FROM changes"
            " WHERE seq > ? ORDER BY seq",
            (seq,),
        )
        return [Change(*row) for row in rows]

    def chunks_with_embeddings(
        self, ranges: Sequence[tuple[int, int]]
    ) -> tuple[list[ChunkRecord], np.ndarray]:
        """The chunks still stored whose ids fall in `ranges`, with their embeddings (in id
        order), for replaying added articles into the indexes."""
        records: list[ChunkRecord] = []
        vectors: list[bytes] = []
        for first, last in ranges:
            rows = self.query(
                "SELECT c.id, c.article_id, c.ordinal, c.start, c.end, c.text, a.language,"
                " a.source, COALESCE(a.published, a.added_at), c.embedding"
                " FROM chunks c JOIN articles a ON a.id = c.article_id"
                " WHERE c.id BETWEEN ? AND ? ORDER BY c.id",
                (first, last),
            )
            for r in rows:
                chunk = Chunk(r[1], r[2], r[3], r[4], r[5], r[0])
                day = _parse_time(r[8])
                records.append(ChunkRecord(chunk, r[6], r[7], day.date() if day else None))
                vectors.append(r[9])
        if not vectors:
            return records, np.zeros((0, 0), dtype=np.float32)
        return records, self._decode(vectors)

    def get_article(self, article_id: int) -> Article | None:
        found = self.get_articles([article_id])
        return found.get(article_id)

    def get_articles(self, article_ids: Sequence[int]) -> dict[int, Article]:
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        rows = self.query(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id IN ({marks})", list(article_ids)
        )
        return {row[0]: _article_from_row(row) for row in rows}

    def list_articles(
        self, since: datetime | None = None, limit: int = 50, offset: int = 0
    ) -> list[Article]:
        """Newest first; `since` keeps those added strictly after it."""
        where, params = (
            ("WHERE added_at > ?", [since.astimezone(UTC).isoformat()]) if since else ("", [])
        )
        rows = self.query(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles {where} ORDER BY added_at DESC, id DESC"
            " LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [_article_from_row(row) for row in rows]

    def count_articles(self) -> int:
        return int(self.query("SELECT COUNT(*) FROM articles")[0][0])

    def count_chunks(self) -> int:
        return int(self.query("SELECT COUNT(*) FROM chunks")[0][0])

    def count_chunks_by_article(self, article_ids: Sequence[int]) -> dict[int, int]:
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        rows = self.query(
            f"SELECT article_id, COUNT(*) FROM chunks WHERE article_id IN ({marks})"
            " GROUP BY article_id",
            list(article_ids),
        )
        return {int(a): int(n) for a, n in rows}

    def languages(self) -> set[str]:
        return {row[0] for row in self.query("SELECT DISTINCT language FROM articles") if row[0]}

    def newest_published(self) -> datetime | None:
        rows = self.query("SELECT MAX(COALESCE(published, added_at)) FROM articles")
        return _parse_time(rows[0][0]) if rows and rows[0][0] else None

    # --- chunks -----------------------------------------------------------------------------

    def chunk_ids(self) -> np.ndarray:
        rows = self.query("SELECT id FROM chunks ORDER BY id")
        return np.array([row[0] for row in rows], dtype=np.int64)

    def chunk_embeddings(self) -> tuple[np.ndarray, np.ndarray]:
        """All chunk ids and their stored embeddings, for rebuilding the dense index."""
        rows = self.query("SELECT id, embedding FROM chunks ORDER BY id")
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        if not rows:
            return ids, np.zeros((0, 0), dtype=np.float32)
        return ids, self._decode([row[1] for row in rows])

    def chunk_records(self) -> list[ChunkRecord]:
        """Every chunk with its article's language, for rebuilding the sparse index."""
        rows = self.query(
            "SELECT c.id, c.article_id, c.ordinal, c.start, c.end, c.text, a.language"
            " FROM chunks c JOIN articles a ON a.id = c.article_id ORDER BY c.id"
        )
        return [ChunkRecord(Chunk(r[1], r[2], r[3], r[4], r[5], r[0]), r[6]) for r in rows]

    def get_chunk_records(self, chunk_ids: Iterable[int]) -> dict[int, ChunkRecord]:
        ids = [int(i) for i in chunk_ids]
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.query(
            "SELECT c.id, c.article_id, c.ordinal, c.start, c.end, c.text, a.language"
            f" FROM chunks c JOIN articles a ON a.id = c.article_id WHERE c.id IN ({marks})",
            ids,
        )
        return {r[0]: ChunkRecord(Chunk(r[1], r[2], r[3], r[4], r[5], r[0]), r[6]) for r in rows}

    def replace_embeddings(
        self,
        article_id: int,
        chunk_ids: Sequence[int],
        chunk_embeddings: np.ndarray,
        sentences: Sequence[Span],
        sentence_embeddings: np.ndarray,
    ) -> None:
        """Swap in one article's vectors from another embedder, in one transaction."""
        vectors = np.ascontiguousarray(chunk_embeddings, dtype=np.float32)
        with self.transaction() as db:
            db.executemany(
                "UPDATE chunks SET embedding = ? WHERE id = ?",
                [(self._encode(v), int(i)) for i, v in zip(chunk_ids, vectors, strict=True)],
            )
            db.execute("DELETE FROM sentences WHERE article_id = ?", (article_id,))
            self._insert_sentences(db, article_id, sentences, sentence_embeddings)

    def sentence_vectors(
        self, article_id: int, start: int, end: int
    ) -> tuple[list[Span], np.ndarray]:
        """The stored sentences of `article.text[start:end]` and their embeddings, in order."""
        rows = self.query(
            "SELECT start, end, embedding FROM sentences"
            " WHERE article_id = ? AND start >= ? AND end <= ? ORDER BY start",
            (article_id, start, end),
        )
        spans = [Span(r[0], r[1]) for r in rows]
        if not rows:
            return spans, np.zeros((0, 0), dtype=np.float32)
        return spans, self._decode([r[2] for r in rows])

    def count_sentences(self) -> int:
        return int(self.query("SELECT COUNT(*) FROM sentences")[0][0])


def _log_change(
    db: sqlite3.Connection, kind: str, article_id: int, first_chunk: int, last_chunk: int
) -> None:
    db.execute(
        "INSERT INTO changes(kind, article_id, first_chunk, last_chunk) VALUES (?, ?, ?, ?)",
        (kind, article_id, first_chunk, last_chunk),
    )


_ARTICLE_COLUMNS = (
    "id, title, text, source, url, published, language, added_at, content_hash, origin"
)


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _article_from_row(row: tuple) -> Article:
    return Article(
        id=row[0],
        title=row[1],
        text=row[2],
        source=row[3],
        url=row[4],
        published=_parse_time(row[5]),
        language=row[6],
        added_at=_parse_time(row[7]) or datetime.now(UTC),
        content_hash=row[8],
        origin=row[9] or "",
    )


def _insert_attributions(
    db: sqlite3.Connection, article_id: int, attributions: Sequence[Attribution]
) -> None:
    db.executemany(
        "INSERT OR REPLACE INTO attributions(article_id, start, end, speaker, name, role, country)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(article_id, a.start, a.end, a.speaker, a.name, a.role, a.country) for a in attributions],
    )
