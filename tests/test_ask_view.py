"""The ask view: escaped HTML Telegram accepts, within 4,096 characters, split between passages."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime

import pytest

from bot.ask import view
from bot.ask.service import EmptyQuestion, NotFound, NothingPublished, Reading, TooLong
from bot.core import html
from retrieval.dates import Period
from retrieval.models import Passage, StoryMate
from tests.botapi import BotAPIError, parse_html, utf16_length

NASTY = 'Ataque </blockquote><b>no</b> & "cosas" <script>alert(1)</script> a < b > c &amp; ya'


def passage(
    quote: str = "El ministro visitó Pyongyang.",
    title: str = "Shoigu en Pyongyang",
    source: str = "El Diario",
    url: str = "https://example.com/a?x=1&y=2",
    published: datetime | None = datetime(2023, 9, 5),
    article_id: int = 7,
) -> Passage:
    return Passage(quote, article_id, 0, len(quote), title, source, url, published, 1.0)


def test_every_piece_of_article_text_is_escaped_and_telegram_accepts_it():
    nasty = passage(quote=NASTY, title="<i>T&C</i> </blockquote>", source="A & B <c>")
    [message] = view.answer_messages([nasty], "es")
    shown = parse_html(message)  # raises as Telegram would if the markup were broken
    assert NASTY in shown
    assert "<i>T&C</i> </blockquote>" in shown
    assert "A & B <c>" in shown
    assert message.count("<blockquote>") == 1 and message.count("</blockquote>") == 1


def test_source_line_links_the_title_and_gives_outlet_and_date():
    line = view.source_line(passage(), "es")
    assert line == (
        '— <a href="https://example.com/a?x=1&amp;y=2">Shoigu en Pyongyang</a>'
        " · El Diario · 5 sept 2023"
    )
    assert view.source_line(passage(), "en").endswith("· 5 Sep 2023")
    parse_html(line)


@pytest.mark.parametrize("url", ["", "javascript:alert(1)", "ftp://x/y", "https://a b"])
def test_a_title_without_a_usable_url_is_not_linked(url):
    line = view.source_line(passage(url=url), "en")
    assert "<a " not in line
    assert "<b>Shoigu en Pyongyang</b>" in line


def test_a_url_with_quotes_cannot_break_out_of_the_href():
    line = view.source_line(passage(url='https://x.org/"onmouseover="x'), "es")
    parse_html(line)
    assert 'href="https://x.org/&quot;onmouseover=&quot;x"' in line


def test_untitled_article_is_named_by_its_id_in_the_users_language():
    assert "Artículo 7" in view.source_line(passage(title="", url=""), "es")
    assert "Article 7" in view.source_line(passage(title="", url=""), "en")


def test_telegram_length_counts_visible_utf16_code_units():
    assert html.telegram_length("<b>ab</b>") == 2
    assert html.telegram_length("&lt;&amp;") == 2
    assert html.telegram_length("📰") == 2  # outside the BMP: a surrogate pair
    assert html.telegram_length('<a href="https://x.org/long">é</a>') == 1


def test_long_answers_are_split_between_passages_each_message_within_the_limit():
    quotes = [f"Cita número {n}: " + "palabra 📰 " * 60 for n in range(12)]
    passages = [passage(quote=q, article_id=n) for n, q in enumerate(quotes)]
    messages = view.answer_messages(passages, "es")
    assert len(messages) >= 2
    shown_quotes = []
    for message in messages:
        assert utf16_length(parse_html(message)) <= html.MESSAGE_LIMIT
        assert message.count("<blockquote>") == message.count("</blockquote>")
        shown_quotes += re.findall(r"<blockquote>(.*?)</blockquote>", message, re.S)
    assert shown_quotes == [html.escape(q.strip()) for q in quotes]  # all, whole, in order
    assert messages[0].startswith("📰 <b>Esto dice el archivo:</b>")


def test_pack_never_exceeds_the_limit_with_a_tight_budget():
    blocks = [f"<blockquote>{'x' * n}</blockquote>" for n in (50, 30, 80, 10, 99)]
    for message in html.pack(blocks, limit=100):
        assert html.telegram_length(message) <= 100


def test_a_single_passage_too_big_for_one_message_is_cut_with_an_ellipsis():
    huge = passage(quote="ñ" * 5000)
    [message] = view.answer_messages([huge], "en")
    shown = parse_html(message)
    assert utf16_length(shown) <= html.MESSAGE_LIMIT
    assert shown.count("ñ") > 3500 and "ñ…" in shown


def test_the_stand_in_refuses_what_telegram_refuses():
    for bad in ["a < b", "<blockquote>x", "<script>x</script>", "R&D", "<b>x</i>", "a > b"]:
        with pytest.raises(BotAPIError):
            parse_html(bad)
    assert parse_html("<blockquote expandable>a &lt; b &#x27;c&#39;</blockquote>") == "a < b 'c'"


def test_more_results_header_numbers_the_page():
    messages = view.answer_messages([passage(), passage(article_id=8)], "en", first_number=4)
    assert messages[0].startswith("📰 <b>More results (4–5):</b>")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (view.messages(NotFound("es", 3))[0], "No encontré nada sobre eso en el archivo"),
        (view.messages(NotFound("en", 3))[0], "I found nothing about that in the archive"),
        (view.messages(EmptyQuestion("en"))[0], "The question is missing"),
        (view.messages(TooLong("es", 1200, 1000))[0], "demasiado larga (1200"),
        (view.rate_limited_message("en", 10, 42), "try again in 42 s"),
    ],
)
def test_every_outcome_has_a_clear_message(message, expected):
    parse_html(message)
    assert expected in message


def test_a_quote_names_its_speaker_and_links_the_other_outlets_of_its_story():
    mates = (
        StoryMate(8, "Otro titular", "El País", "https://elpais.example/x", None),
        StoryMate(9, "Sin enlace", "ABC <b>", "", None),
    )
    spoken = replace(passage(), speaker="Vadim Skibitski, Inteligencia & <Defensa>", also_in=mates)
    [message] = view.answer_messages([spoken], "es")
    shown = parse_html(message)
    assert "— Vadim Skibitski, Inteligencia & <Defensa>" in shown
    assert "También en: El País, ABC <b>" in shown
    assert '<a href="https://elpais.example/x">El País</a>' in message
    assert shown.index("Skibitski") < shown.index("Shoigu en Pyongyang")  # under the quote


def test_the_answer_says_which_period_it_covered_and_what_it_could_not_find():
    period = Period(date(2026, 11, 16), date(2026, 11, 22))
    reading = Reading(period=period, speaker_missing="Napoleón")
    [message] = view.answer_messages([passage()], "es", reading=reading)
    shown = parse_html(message)
    assert "Publicado entre el 16 nov 2026 y el 22 nov 2026" in shown
    assert "No encuentro declaraciones de Napoleón" in shown
    empty = Reading(period=period, period_empty=True, ignored_date="el 31 de febrero")
    [message] = view.answer_messages([passage()], "en", reading=empty)
    shown = parse_html(message)
    assert "Nothing published between 16 Nov 2026 and 22 Nov 2026 answers this" in shown
    assert "There is no such date as “el 31 de febrero”" in shown
    [later] = view.answer_messages([passage()], "en", first_number=4, reading=empty)
    assert "Nothing published" not in later  # said once, on the first page


def test_a_period_of_one_day_is_named_as_that_day():
    yesterday = Period(date(2026, 11, 23), date(2026, 11, 23))
    [message] = view.answer_messages([passage()], "es", reading=Reading(period=yesterday))
    assert "🗓 Publicado el 23 nov 2026." in parse_html(message)
    empty = Reading(period=yesterday, period_empty=True)
    [message] = view.answer_messages([passage()], "en", reading=empty)
    assert "🗓 Nothing published on 23 Nov 2026 answers this; here is the closest" in parse_html(
        message
    )


def test_a_period_with_nothing_published_is_said_plainly():
    day = Period(date(2026, 3, 3), date(2026, 3, 3))
    [message] = view.messages(NothingPublished("es", day))
    assert parse_html(message) == "🗓 El archivo no tiene nada publicado el 3 mar 2026."
    month = Period(date(2026, 3, 1), date(2026, 3, 31))
    [message] = view.messages(NothingPublished("en", month))
    assert "Nothing in the archive was published between 1 Mar 2026 and 31 Mar 2026" in message
