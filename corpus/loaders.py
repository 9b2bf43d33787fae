"""Files to article drafts: .txt/.md (optional front matter), .jsonl, .html. No Telegram here."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from corpus.models import ArticleDraft, IngestFailure
from corpus.problems import Problem, ProblemError

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".jsonl", ".html", ".htm"})
_FRONT_MATTER_KEYS = ("title", "source", "url", "published", "language")
_TITLE_MAX_CHARS = 160


class LoadError(ProblemError):
    """A file or a line of it that cannot become an article; the problem says why."""


@dataclass(frozen=True)
class LoadedItem:
    """One article read from `where` (a file, or `file:line`), or the reason it could not be."""

    where: str
    draft: ArticleDraft | None = None
    problem: Problem | None = None

    @property
    def error(self) -> str:
        return str(self.problem) if self.problem is not None else ""


def iter_files(paths: list[Path]) -> Iterator[Path]:
    """Supported files under each path (folders walked recursively, in a stable order).

    Paths that do not exist are skipped: the caller reports them.
    """
    for path in paths:
        if not path.exists():
            continue
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
            )
        else:
            yield path


def load_path(path: Path) -> Iterator[LoadedItem]:
    """Every article in one file; a broken file or line is reported, not raised."""
    try:
        raw = path.read_bytes()
        content = _decode(raw)
        suffix = path.suffix.lower()
        if suffix == ".jsonl":
            yield from _load_jsonl(path, content)
            return
        if suffix in {".html", ".htm"}:
            yield LoadedItem(str(path), draft=parse_html(content))
            return
        if suffix not in SUPPORTED_SUFFIXES:
            raise LoadError(Problem.of("unsupported_type", suffix=path.suffix or "(none)"))
        yield LoadedItem(str(path), draft=parse_text_document(content))
    except LoadError as error:
        yield LoadedItem(str(path), problem=error.problem)
    except OSError as error:
        detail = error.strerror or type(error).__name__
        yield LoadedItem(str(path), problem=Problem.of("unreadable", detail=detail))


def drafts_from_files(
    files: Iterable[Path],
    failures: list[IngestFailure],
    where: Callable[[str], str] = str,
    file_done: Callable[[], None] = lambda: None,
) -> Iterator[tuple[str, ArticleDraft]]:
    """(where, draft) for every article in `files`, lazily, for `Archive.ingest`.

    The one loop behind `hemeroteca ingest` and an admin's upload: unreadable files and bad
    lines go to `failures` and the rest go on; `where` rewrites each place as it should be
    reported (an upload's name instead of its temporary path); `file_done` ticks a progress bar.
    """
    for path in files:
        for item in load_path(path):
            if item.draft is not None:
                yield where(item.where), item.draft
            elif item.problem is not None:
                failures.append(IngestFailure(where(item.where), item.problem))
        file_done()


def parse_text_document(content: str) -> ArticleDraft:
    """A .txt/.md document: `---` front matter, else the first non-empty line is the title."""
    meta, body = _split_front_matter(content)
    body = body.strip("\n")
    title = meta.get("title", "")
    if not title:
        first_line, _, rest = body.lstrip().partition("\n")
        title = first_line.strip().lstrip("#").strip()
        body = rest.strip("\n")
    if not body.strip():
        raise LoadError(Problem.of("empty"))
    return ArticleDraft(
        title=title[:_TITLE_MAX_CHARS],
        text=body,
        source=meta.get("source", ""),
        url=meta.get("url", ""),
        published=parse_datetime(meta.get("published", "")),
        language=meta.get("language", ""),
    )


def parse_html(content: str | bytes, url: str = "") -> ArticleDraft:
    """Main text, title, site and date of a web page, extracted with trafilatura.

    `url` is where a fetched page came from: trafilatura uses it for the site name, and it is
    the article's URL when the page declares none. Bytes are decoded by trafilatura's sniffing.
    """
    import trafilatura  # imported here: it is slow to import and only pages need it

    document = trafilatura.bare_extraction(
        content, url=url or None, with_metadata=True, include_comments=False
    )
    text = (getattr(document, "text", None) or "").strip() if document is not None else ""
    if not text:
        raise LoadError(Problem.of("no_page_text"))
    published = getattr(document, "date", None) or ""
    return ArticleDraft(
        title=(getattr(document, "title", None) or title_from_text(text))[:_TITLE_MAX_CHARS],
        text=text,
        source=getattr(document, "sitename", None) or "",
        url=getattr(document, "url", None) or url,
        published=parse_datetime(published),
    )


def parse_datetime(value: str) -> datetime | None:
    """ISO 8601 date or datetime; naive values are taken as UTC so every date is comparable."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise LoadError(Problem.of("bad_date", value=value)) from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def title_from_text(text: str) -> str:
    """First line, or its first sentence when the line is long, trimmed to a readable length."""
    first_line = text.strip().split("\n", 1)[0].strip()
    if len(first_line) > _TITLE_MAX_CHARS:
        sentence = re.split(r"(?<=[.!?])\s", first_line, maxsplit=1)[0]
        first_line = (
            sentence
            if len(sentence) <= _TITLE_MAX_CHARS
            else sentence[: _TITLE_MAX_CHARS - 1].rstrip() + "…"
        )
    return first_line


def _decode(raw: bytes) -> str:
    if b"\x00" in raw[:8192]:
        raise LoadError(Problem.of("binary"))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LoadError(Problem.of("not_utf8", byte=error.start)) from error


def _split_front_matter(content: str) -> tuple[dict[str, str], str]:
    if not content.startswith("---"):
        return {}, content
    lines = content.split("\n")
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            meta = {}
            for line in lines[1:index]:
                key, sep, value = line.partition(":")
                key = key.strip().lower()
                if sep and key in _FRONT_MATTER_KEYS:
                    meta[key] = value.strip().strip("'\"")
            return meta, "\n".join(lines[index + 1 :])
    return {}, content


def _load_jsonl(path: Path, content: str) -> Iterator[LoadedItem]:
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            yield LoadedItem(where, draft=_draft_from_json(line))
        except LoadError as error:
            yield LoadedItem(where, problem=error.problem)


def _draft_from_json(line: str) -> ArticleDraft:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise LoadError(Problem.of("bad_json", detail=error.msg)) from error
    if not isinstance(record, dict):
        raise LoadError(Problem.of("not_object"))
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise LoadError(Problem.of("no_text"))
    fields = {key: record.get(key) or "" for key in ("title", "source", "url", "language")}
    if not all(isinstance(value, str) for value in fields.values()):
        raise LoadError(Problem.of("not_strings"))
    published = record.get("published") or ""
    if not isinstance(published, str):
        raise LoadError(Problem.of("date_not_string"))
    return ArticleDraft(
        title=(fields["title"] or title_from_text(text))[:_TITLE_MAX_CHARS],
        text=text,
        source=fields["source"],
        url=fields["url"],
        published=parse_datetime(published),
        language=fields["language"],
    )
