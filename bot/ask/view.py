"""Ask results → Telegram HTML messages and keyboard specs. Pure: no I/O, no Telegram types.

A passage is shown as its quote in a blockquote, then its source line (`passage_block`); that
is the place to add what a passage carries besides its quote. Long answers are split between
passages, never inside one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot import i18n
from bot.ask.service import (
    AskResult,
    EmptyQuestion,
    Expired,
    NoMore,
    NotFound,
    NothingPublished,
    NotYours,
    Page,
    Reading,
    TooLong,
)
from bot.ask.state import VoteOutcome
from bot.core.callbacks import FEEDBACK, MORE, Button, Keyboard
from bot.core.html import (
    BLOCK_SEPARATOR,
    ELLIPSIS,
    MAX_OUTLET_CHARS,
    MAX_TITLE_CHARS,
    MESSAGE_LIMIT,
    escape,
    link,
    linkable,
    outlet_links,
    pack,
    shorten,
    telegram_length,
)
from bot.i18n import Markup
from retrieval.dates import Period
from retrieval.models import Passage, StoryMate

__all__ = [
    "InlineQuote",
    "alert",
    "answer_messages",
    "inline_note",
    "inline_prompt",
    "inline_quotes",
    "keyboard",
    "messages",
    "passage_block",
    "rate_limited_alert",
    "rate_limited_message",
    "source_line",
    "vote_answer",
]

_VOTE_ANSWERS = {
    VoteOutcome.STORED: "ask.thanks",
    VoteOutcome.EXPIRED: "ask.expired",
    VoteOutcome.NOT_YOURS: "ask.not_yours",
}


def source_line(passage: Passage, language: str) -> str:
    """ "— Title · Outlet · 5 Sep 2023", the title linked to the article when it has a URL."""
    title = shorten(passage.title.strip(), MAX_TITLE_CHARS, one_line=False) or i18n.plain(
        "ask.untitled", language, id=passage.article_id
    )
    url = passage.url.strip()
    parts = [link(escape(title), url) if linkable(url) else f"<b>{escape(title)}</b>"]
    if passage.source.strip():
        parts.append(escape(shorten(passage.source.strip(), MAX_OUTLET_CHARS, one_line=False)))
    if passage.published:
        parts.append(i18n.date(passage.published, language))
    return "— " + " · ".join(parts)


def passage_block(passage: Passage, language: str, limit: int = MESSAGE_LIMIT) -> str:
    """The quote in a blockquote, then who says it, its source line and the other outlets
    that told the story; the quote is cut (with …) only if the block alone would not fit in
    one message, which real quotes never come near."""
    lines = [source_line(passage, language)]
    if passage.speaker:
        lines.insert(0, i18n.html("ask.speaker", language, speaker=passage.speaker))
    if passage.also_in:
        lines.append(i18n.html("ask.also_in", language, outlets=_outlets(passage.also_in)))
    source = "\n".join(lines)
    quote = passage.quote.strip()
    block = _block(quote, source)
    while telegram_length(block) > limit and quote:
        excess = telegram_length(block) - limit
        quote = quote[: max(0, len(quote) - excess - len(ELLIPSIS))].rstrip()
        block = _block(quote + ELLIPSIS, source)
    return block


def answer_messages(
    passages: Sequence[Passage],
    language: str,
    first_number: int = 1,
    limit: int = MESSAGE_LIMIT,
    reading: Reading | None = None,
) -> list[str]:
    """A header (with how the question was read) and one block per passage, packed into as
    few messages as fit in `limit`."""
    if first_number == 1:
        header = "\n".join(
            [i18n.html("ask.answer_header", language), *_reading_lines(reading, language)]
        )
    else:
        last = first_number + len(passages) - 1
        header = i18n.html("ask.more_header", language, first=first_number, last=last)
    budget = limit - telegram_length(header + BLOCK_SEPARATOR)
    blocks = [passage_block(p, language, budget) for p in passages]
    return pack([header, *blocks], limit)


def messages(result: AskResult, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The messages that answer a question: quotes, or a clear word on why there are none."""
    language = result.language
    match result:
        case Page():
            return answer_messages(
                result.passages, language, result.first_number, limit, result.reading
            )
        case NotFound():
            return [
                i18n.html(
                    "ask.not_found",
                    language,
                    articles=i18n.count("articles", result.articles, language),
                )
            ]
        case NothingPublished():
            return [_period_line(result.period, "_none", language)]
        case EmptyQuestion():
            example = i18n.plain("ask.example_question", language)
            return [i18n.html("ask.empty_question", language, example=example)]
        case TooLong():
            return [i18n.html("ask.too_long", language, length=result.length, limit=result.limit)]
    return [i18n.html(_ALERTS[type(result)], language)]


def keyboard(result: AskResult) -> Keyboard | None:
    """👍/👎 under a stored page, and "More results ▸" when there are more."""
    if not isinstance(result, Page) or not result.token:
        return None
    language, token = result.language, result.token
    rows: list[tuple[Button, ...]] = [
        (
            Button(i18n.plain("button.up", language), FEEDBACK.make(token, "+")),
            Button(i18n.plain("button.down", language), FEEDBACK.make(token, "-")),
        )
    ]
    if result.has_more:
        rows.append((Button(i18n.plain("button.more", language), MORE.make(token)),))
    return tuple(rows)


def alert(result: AskResult) -> str:
    """What a pressed "more results" button says when no page follows."""
    return i18n.plain(_ALERTS.get(type(result), "ask.no_more"), result.language)


def vote_answer(outcome: VoteOutcome, language: str) -> str:
    return i18n.plain(_VOTE_ANSWERS[outcome], language)


def rate_limited_message(language: str, limit: int, seconds: int) -> str:
    return i18n.html("ask.rate_limited", language, limit=limit, seconds=seconds)


def rate_limited_alert(language: str, seconds: int) -> str:
    return i18n.plain("ask.rate_limited_plain", language, seconds=seconds)


@dataclass(frozen=True)
class InlineQuote:
    """One sendable inline result: a preview line, and the quote with its source."""

    id: str
    title: str
    description: str
    message: str


def inline_quotes(page: Page) -> list[InlineQuote]:
    return [
        InlineQuote(
            id=f"{p.article_id}:{p.start}:{p.end}",
            title=shorten(
                p.title or i18n.plain("ask.untitled", page.language, id=p.article_id), 64
            ),
            description=shorten(p.quote, 120),
            message=passage_block(p, page.language),
        )
        for p in page.passages
    ]


def inline_prompt(language: str) -> str:
    return i18n.plain("inline.prompt", language)


def inline_note(result: AskResult) -> str:
    """The line above (no) inline results when there are no quotes to offer."""
    key = "inline.too_long" if isinstance(result, TooLong) else "inline.nothing"
    return i18n.plain(key, result.language)


def _reading_lines(reading: Reading | None, language: str) -> list[str]:
    """The period searched, a date that does not exist, a speaker with no statement."""
    if reading is None:
        return []
    lines = []
    if reading.ignored_date:
        lines.append(i18n.html("ask.no_such_date", language, date=reading.ignored_date))
    if reading.period is not None:
        lines.append(
            _period_line(reading.period, "_empty" if reading.period_empty else "", language)
        )
    if reading.speaker_missing:
        lines.append(i18n.html("ask.no_statement", language, speaker=reading.speaker_missing))
    return lines


def _period_line(period: Period, kind: str, language: str) -> str:
    """ "Published between …", or with `kind` "_empty" "nothing from then answers", or "_none"
    "nothing was published then"; a single day is named as that day."""
    start, end = (_day(d, language) for d in (period.start, period.end))
    if start == end:  # "ayer": one day, not "between the 23rd and the 23rd"
        return i18n.html(f"ask.period_day{kind}", language, day=start)
    return i18n.html(f"ask.period{kind}", language, start=start, end=end)


def _day(day: date, language: str) -> str:
    return i18n.date(datetime(day.year, day.month, day.day), language)


def _outlets(mates: Sequence[StoryMate]) -> Markup:
    """The other outlets of a story, each linked to its article."""
    return Markup(outlet_links([(m.source or m.title, m.url) for m in mates]))


def _block(quote: str, source: str) -> str:
    return f"<blockquote>{escape(quote)}</blockquote>\n{source}"


# What a result that carries no quotes says in a message or a button's alert.
_ALERTS: dict[type, str] = {
    Expired: "ask.expired",
    NoMore: "ask.no_more",
    NotYours: "ask.not_yours",
}
