"""The digest service and view: only new articles, the cap and "N more", verbatim summaries,
HTML, splitting."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from bot.core.html import MESSAGE_LIMIT, escape, telegram_length
from bot.digest.service import DigestContent, DigestItem, SummaryCache, collect
from bot.digest.view import messages as render
from corpus.chunking import chunk_text
from corpus.loaders import load_path
from corpus.models import Article, ArticleDraft
from corpus.sentences import sentence_spans
from corpus.settings import ChunkingSettings
from corpus.store import ArticleStore
from retrieval.summaries import Summary, SummarySettings, summarize
from tests.support import open_archive, sample_drafts

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> ArticleStore:
    return ArticleStore(tmp_path / "archive.sqlite3")


def add(
    store: ArticleStore,
    title: str,
    added_at: datetime,
    text: str = "",
    source: str = "",
    url: str = "",
    published: datetime | None = None,
) -> Article:
    """Store an article as ingestion does, then set when it was added (the store uses real time)."""
    text = text or (
        f"{title}: el ayuntamiento aprobó ayer el plan tras un largo debate en el pleno. "
        f"La oposición votó en contra del plan y pidió más información sobre {title.lower()}."
    )
    draft = ArticleDraft(title=title, text=text, source=source, url=url, published=published)
    spans = chunk_text(text, ChunkingSettings())
    article, _ = store.add_article(draft, "es", spans, np.zeros((len(spans), 4), np.float32))
    with store.transaction() as db:
        db.execute(
            "UPDATE articles SET added_at = ? WHERE id = ?", (added_at.isoformat(), article.id)
        )
    found = store.get_article(article.id)
    assert found is not None
    return found


def titles(content_items: list) -> list[str]:
    return [item.article.title for item in content_items]


# --- which articles ----------------------------------------------------------------------------


def test_first_digest_covers_the_last_24_hours(store: ArticleStore) -> None:
    add(store, "Antiguo", NOW - timedelta(hours=30))
    add(store, "Ayer", NOW - timedelta(hours=20))
    add(store, "Hoy", NOW - timedelta(hours=1))
    content = collect(store, None, NOW, 10, SummaryCache())
    assert titles(content.items) == ["Hoy", "Ayer"]
    assert content.more == 0
    assert content.covered_until == NOW - timedelta(hours=1)


def test_next_digest_has_only_what_was_added_since(store: ArticleStore) -> None:
    add(store, "Uno", NOW - timedelta(hours=3))
    add(store, "Dos", NOW - timedelta(hours=2))
    first = collect(store, None, NOW, 10, SummaryCache())
    assert first.covered_until is not None
    add(store, "Tres", NOW + timedelta(hours=5))
    add(store, "Cuatro", NOW + timedelta(hours=6))
    later = NOW + timedelta(days=1)
    second = collect(store, first.covered_until, later, 10, SummaryCache())
    assert titles(second.items) == ["Cuatro", "Tres"]
    # Days later with nothing new: nothing, even though "the last 24 hours" would be empty too.
    third = collect(store, second.covered_until, later + timedelta(days=3), 10, SummaryCache())
    assert third.empty and third.covered_until is None
    assert render(third, "es") == []


def test_cap_with_and_n_more_and_an_example_to_ask(store: ArticleStore) -> None:
    for i in range(13):
        add(store, f"Noticia {i:02d}", NOW - timedelta(minutes=60 - i))
    content = collect(store, None, NOW, 10, SummaryCache())
    assert titles(content.items) == [f"Noticia {i:02d}" for i in range(12, 2, -1)]
    assert content.more == 3
    assert content.next_title == "Noticia 02"
    # The hidden ones count as seen: the next digest does not bring them back.
    assert content.covered_until == NOW - timedelta(minutes=48)
    messages = render(content, "es")
    assert "13 artículos nuevos" in messages[0]
    assert messages[-1].endswith(
        "…y 3 más. Pregúntame por ellos, por ejemplo:\n<code>/ask Noticia 02</code>"
    )
    english = render(content, "en")
    assert "13 new articles" in english[0]
    assert english[-1].endswith(
        "…and 3 more. Ask me about them, for example:\n<code>/ask Noticia 02</code>"
    )


def test_exactly_the_cap_has_no_more_line(store: ArticleStore) -> None:
    for i in range(3):
        add(store, f"Noticia {i}", NOW - timedelta(minutes=10 - i))
    content = collect(store, None, NOW, 3, SummaryCache())
    assert content.more == 0 and len(content.items) == 3
    assert "Pregúntame" not in render(content, "es")[-1]


def test_nothing_new_is_silent_unless_configured(store: ArticleStore) -> None:
    content = collect(store, None, NOW, 10, SummaryCache())
    assert render(content, "es") == []
    assert render(content, "es", send_when_empty=True) == [
        "📰 Nada nuevo en el archivo desde el último resumen."
    ]
    assert render(content, "en", send_when_empty=True) == [
        "📰 Nothing new in the archive since the last digest."
    ]


# --- summaries ---------------------------------------------------------------------------------


def sentence_boundaries(text: str) -> tuple[set[int], set[int]]:
    spans = sentence_spans(text)
    return {s.start for s in spans}, {s.end for s in spans}


def test_summaries_are_verbatim_whole_sentences_of_their_articles(store: ArticleStore) -> None:
    texts = [
        *(d.text for _, d in sample_drafts()),
        "LONDON (Reuters) - Britain's economy grew faster than expected in the first quarter, "
        "official figures showed on Friday. Growth was driven by services. Economists had "
        "forecast a smaller rise in output.\nThe pound rose after the data.",
    ]
    texts.append(
        "Foto: EFE.\nEl Gobierno aprobó este martes la reforma de las pensiones, que eleva la "
        "base máxima de cotización. La reforma entrará en vigor en enero. Los sindicatos la "
        "apoyan y la patronal la rechaza."
    )
    for i, text in enumerate(texts):
        add(store, f"Artículo {i}", NOW - timedelta(minutes=i + 1), text=text)
    content = collect(store, None, NOW, 10, SummaryCache())
    assert len(content.items) == len(texts)
    rendered = "\n".join(render(content, "es"))
    for item in content.items:
        summary, article = item.summary, item.article
        assert summary.text == article.text[summary.start : summary.end]
        starts, ends = sentence_boundaries(article.text)
        assert summary.start in starts and summary.end in ends, summary.text
        assert f"<blockquote>{escape(summary.text)}</blockquote>" in rendered
        assert len(summary.text) <= SummarySettings().max_chars
    by_title = {item.article.title: item.summary.text for item in content.items}
    # A photo credit is not a lead; the news sentence after it is, joined by its short follower.
    assert by_title[f"Artículo {len(texts) - 1}"] == (
        "El Gobierno aprobó este martes la reforma de las pensiones, que eleva la base máxima de "
        "cotización. La reforma entrará en vigor en enero."
    )
    assert by_title["Artículo 0"].startswith("El mandatario de Corea del Norte, Kim Jong-un")


def test_a_headline_repeated_as_the_first_line_is_not_the_summary() -> None:
    text = "Subida del pan\nEl precio del pan subió un diez por ciento en mayo, según el INE."
    article = Article(1, "Subida del pan", text, "", "", None, "es", NOW, "h")
    assert (
        summarize(article).text
        == "El precio del pan subió un diez por ciento en mayo, según el INE."
    )


def test_an_overlong_only_sentence_is_cut_on_a_word_and_marked() -> None:
    text = "El informe " + "detalla los gastos de cada ministerio, " * 30 + "sin excepción."
    article = Article(7, "Informe", text, "", "", None, "es", NOW, "h")
    summary = summarize(article, SummarySettings(max_chars=120))
    assert summary.truncated and text.startswith(summary.text)
    assert len(summary.text) <= 120 and not summary.text.endswith((" ", ","))
    assert text[len(summary.text)] in " ,"  # ends on a word boundary
    content_item = collect_one(article, summary)
    assert f"{escape(summary.text)}…</blockquote>" in render(content_item, "es")[0]


def collect_one(article: Article, summary: Summary) -> DigestContent:
    return DigestContent([DigestItem(article, summary)], 0, "", article.added_at)


# --- presentation ------------------------------------------------------------------------------


def test_articles_sharing_a_source_are_grouped_in_order_of_their_newest(
    store: ArticleStore,
) -> None:
    add(store, "EFE antigua", NOW - timedelta(minutes=30), source="EFE")
    add(store, "Sin fuente", NOW - timedelta(minutes=20))
    add(store, "El País sola", NOW - timedelta(minutes=15), source="El País")
    add(store, "EFE reciente", NOW - timedelta(minutes=10), source="EFE")
    message = render(collect(store, None, NOW, 10, SummaryCache()), "es")[0]
    order = [message.index(t) for t in ("<b>EFE</b>", "EFE reciente", "EFE antigua")]
    assert order == sorted(order)
    assert (
        message.index("EFE antigua") < message.index("El País sola") < message.index("Sin fuente")
    )
    assert message.count("<b>EFE</b>") == 1
    assert "El País sola</b> — El País" in message  # a lone source stays on its line


def test_title_link_date_and_escaping(store: ArticleStore) -> None:
    add(
        store,
        "Fin de <b>las</b> obras & más",
        NOW - timedelta(minutes=5),
        text="La obra «</blockquote><a href='x'>» terminó ayer según fuentes & vecinos del barrio.",
        source="Diario <Sur>",
        url='https://example.com/a?x=1&y="2"',
        published=datetime(2025, 6, 9, 8, 0, tzinfo=UTC),
    )
    add(store, "Sin enlace", NOW - timedelta(minutes=6), url="javascript:alert(1)")
    message = render(collect(store, None, NOW, 10, SummaryCache()), "es")[0]
    assert (
        '• <b><a href="https://example.com/a?x=1&amp;y=&quot;2&quot;">'
        "Fin de &lt;b&gt;las&lt;/b&gt; obras &amp; más</a></b> — Diario &lt;Sur&gt; · 9 jun 2025"
    ) in message
    assert "«&lt;/blockquote&gt;&lt;a href='x'&gt;»" in message
    assert "javascript" not in message and "• <b>Sin enlace</b>" in message
    assert "9 Jun 2025" in render(collect(store, None, NOW, 10, SummaryCache()), "en")[0]
    # Only the tags we write: b, a, blockquote.
    assert set(re.findall(r"</?([a-z]+)", message)) == {"b", "a", "blockquote"}


def test_long_digests_split_below_the_limit_between_articles_only(store: ArticleStore) -> None:
    long_sentence = "🇪🇸 Crónica extensa del pleno con muchos detalles 📈 sobre el presupuesto. "
    for i in range(30):
        add(
            store,
            f"Titular número {i} " + "🗞️" * 40,
            NOW - timedelta(minutes=60 - i),
            text=f"{i}. " + long_sentence * 5,
            source=f"Fuente {i % 3}",
        )
    content = collect(store, None, NOW, 30, SummaryCache())
    messages = render(content, "es")
    assert len(messages) >= 2
    for message in messages:
        assert telegram_length(message) <= MESSAGE_LIMIT
        assert message.count("<blockquote>") == message.count("</blockquote>")
    joined = "\n".join(messages)
    for i in range(30):
        assert joined.count(f"Titular número {i} ") == 1
    for message in messages[1:]:
        # A continuation starts with an article or its source heading, never mid-article.
        assert message.startswith(("• ", "<b>Fuente"))


def test_a_story_told_by_two_outlets_is_listed_once_with_the_other_outlet(tmp_path: Path) -> None:
    news = Path(__file__).parent / "data" / "news" / "articles"
    archive = open_archive(tmp_path)
    try:
        drafts = []
        for name in (
            "museo-bellas-artes-valencia-lavozdelevante.md",
            "museo-bellas-artes-valencia-noticias24.md",  # the same new wing, a day later
            "gijon-peatonalizacion-aprobada-cronicaglobal.md",
        ):
            [item] = load_path(news / name)
            assert item.draft is not None
            drafts.append((name, item.draft))
        assert len(archive.ingest(drafts).added) == 3
        content = collect(archive.store, None, datetime.now(UTC), 10, SummaryCache())
        assert len(content.items) == 2
        [museum] = [i for i in content.items if i.also_in]
        assert museum.article.source == "Noticias 24"  # the newest telling leads
        assert [a.source for a in museum.also_in] == ["La Voz de Levante"]
        shown = "\n".join(render(content, "es"))
        assert "También en: " in shown and "La Voz de Levante</a>" in shown
        assert shown.count("Bellas Artes") >= 1 and content.more == 0
    finally:
        archive.close()
