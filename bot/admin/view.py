"""Admin results → HTML and keyboard specs: acknowledgements, upload summaries, /sources, /stats.

Pure: no Telegram types. An article is named the same way everywhere an admin meets it: its
number, its title (cut), and where it came from (outlet · date).
"""

from __future__ import annotations

from bot import i18n
from bot.admin.service import Added, AddOutcome, AdminStats, Duplicate, FileOutcome, SourcesPage
from bot.core.callbacks import SOURCES, UNDO, Button, Keyboard
from bot.core.html import shorten
from corpus.models import Article

__all__ = [
    "FAILURES_SHOWN",
    "SOURCES_PER_PAGE",
    "TITLE_CHARS",
    "deleted",
    "file_summary",
    "file_too_big",
    "file_type",
    "outcome",
    "sources",
    "stats",
]

SOURCES_PER_PAGE = 8
FAILURES_SHOWN = 10
TITLE_CHARS = 90


def outcome(result: AddOutcome, language: str) -> tuple[str, Keyboard | None]:
    """The acknowledgement of an added article (with Undo), a duplicate, or a refusal."""
    if isinstance(result, Added):
        article = result.article
        text = i18n.html(
            "admin.added",
            language,
            id=article.id,
            title=title(article, language),
            details=details(article, language),
            passages=result.passages,
        )
        undo = Button(i18n.plain("button.undo", language), UNDO.make(article.id))
        return text, ((undo,),)
    if isinstance(result, Duplicate):
        article = result.article
        where = details(article, language) + (f"\n{article.url}" if article.url else "")
        name = title(article, language)
        text = i18n.html("admin.duplicate", language, id=article.id, title=name, details=where)
        return text, None
    reason = i18n.describe(result.problem, language)
    return i18n.html("admin.refused", language, reason=reason), None


def deleted(key: str, article_id: int, article: Article | None, language: str) -> str:
    """`admin.deleted` or `admin.undone` when `article` went, else `admin.not_found`."""
    if article is None:
        return i18n.html("admin.not_found", language, id=article_id)
    return i18n.html(key, language, id=article.id, title=title(article, language))


def file_type(name: str, language: str) -> str:
    return i18n.html("admin.file_type", language, name=name)


def file_too_big(name: str, size: int, limit: int, language: str) -> str:
    """Sizes in MB, as Telegram's clients show them."""
    megabytes = f"{size / 1024 / 1024:.1f}"
    return i18n.html(
        "admin.file_too_big", language, name=name, size=megabytes, limit=limit // 1024 // 1024
    )


def file_summary(name: str, result: FileOutcome, language: str) -> str:
    lines = [
        i18n.html(
            "admin.file_summary",
            language,
            name=name,
            added=i18n.count("added", result.added, language),
            passages=i18n.count("passages", result.passages, language),
            duplicates=i18n.count("duplicates", result.duplicates, language),
            failed=i18n.count("failed", len(result.failed), language),
        )
    ]
    for failure in result.failed[:FAILURES_SHOWN]:
        reason = i18n.describe(failure.problem, language)
        lines.append(i18n.html("admin.file_failure", language, where=failure.where, reason=reason))
    if len(result.failed) > FAILURES_SHOWN:
        more = len(result.failed) - FAILURES_SHOWN
        lines.append(i18n.html("admin.file_more_failures", language, n=more))
    return "\n".join(lines)


def sources(listing: SourcesPage, language: str) -> tuple[str, Keyboard | None]:
    """One page of the newest articles, with buttons to the newer and older pages."""
    if not listing.rows:
        return i18n.html("admin.sources_empty", language), None
    first = (listing.page - 1) * SOURCES_PER_PAGE + 1
    last = first + len(listing.rows) - 1
    lines = [
        i18n.html(
            "admin.sources_header",
            language,
            first=first,
            last=last,
            total=i18n.number(listing.total, language),
        )
    ]
    for row in listing.rows:
        lines.append(
            i18n.html(
                "admin.sources_row",
                language,
                id=row.article.id,
                title=title(row.article, language),
                details=details(row.article, language),
                passages=i18n.count("passages", row.passages, language),
            )
        )
    buttons = []
    if listing.page > 1:
        newer = i18n.plain("button.newer", language)
        buttons.append(Button(newer, SOURCES.make(listing.page - 1)))
    if listing.page < listing.pages:
        older = i18n.plain("button.older", language)
        buttons.append(Button(older, SOURCES.make(listing.page + 1)))
    return "\n\n".join(lines), (tuple(buttons),) if buttons else None


def stats(figures: AdminStats, language: str) -> str:
    counts = figures.questions_24h
    questions = i18n.plain(
        "admin.questions", language, asked=counts.asked, unanswered=counts.unanswered
    )
    text = i18n.html(
        "admin.stats",
        language,
        articles=i18n.number(figures.articles, language),
        passages=i18n.number(figures.passages, language),
        sources=i18n.number(figures.sources, language),
        subscribers=i18n.number(figures.subscribers, language),
        questions=questions,
        index_size=_size(figures.index_bytes),
        database_size=_size(figures.database_bytes),
        embedder=figures.embedder,
    )
    if counts.recent_unanswered:
        # What people looked for and did not find: the news the archive is missing.
        lines = [i18n.html("admin.unanswered_header", language)]
        lines += [
            i18n.html("admin.unanswered_question", language, question=shorten(q, TITLE_CHARS))
            for q in counts.recent_unanswered
        ]
        text += "\n\n" + "\n".join(lines)
    return text


def title(article: Article, language: str) -> str:
    return shorten(article.title, TITLE_CHARS) or i18n.plain("admin.untitled", language)


def details(article: Article, language: str) -> str:
    """ "Source · date": the line that tells an admin where a stored article came from."""
    when = article.published or None
    date = i18n.date(when, language) if when else i18n.plain("admin.no_date", language)
    return " · ".join(part for part in (article.source, date) if part)


def _size(count: int) -> str:
    size = float(count)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"
