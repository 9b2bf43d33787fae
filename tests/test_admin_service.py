"""The admin service (Curator) without Telegram: named outcomes, uploads, listing, counting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path

import pytest

from bot.admin.service import Added, Curator, Duplicate, Refused
from bot.ask.state import ASK_SCHEMA, QuestionLog
from bot.digest.schedule import DigestTime
from bot.digest.state import DIGEST_SCHEMA, Subscriptions
from corpus.models import ArticleDraft
from corpus.schema import apply_schemas
from corpus.settings import FetchSettings
from tests.support import open_archive

POST = (
    "La AEMET activa el aviso rojo por lluvias torrenciales en el litoral de Castellón. "
    "Se esperan hasta 180 litros por metro cuadrado en doce horas."
)


@pytest.fixture
def curator(data_dir: Path) -> Iterator[Curator]:
    archive = open_archive(data_dir)
    apply_schemas(archive.store, [ASK_SCHEMA, DIGEST_SCHEMA])
    try:
        yield Curator(
            archive, FetchSettings(), QuestionLog(archive.store), Subscriptions(archive.store)
        )
    finally:
        archive.close()


def test_an_article_is_added_then_known_as_a_duplicate_then_deleted(curator: Curator) -> None:
    draft = ArticleDraft(title="Aviso rojo", text=POST, source="AEMET", url="https://x.org/a")
    added = curator.add(draft)
    assert isinstance(added, Added) and added.passages >= 1
    again = curator.add(draft)
    assert isinstance(again, Duplicate) and again.article.id == added.article.id
    known = curator.add_url("https://X.org/a/")  # stored already: not fetched again
    assert isinstance(known, Duplicate) and known.article.id == added.article.id
    deleted = curator.delete(added.article.id)
    assert deleted is not None and deleted.title == "Aviso rojo"
    assert curator.delete(added.article.id) is None


def test_refusals_carry_their_problem(curator: Curator) -> None:
    short = curator.add(ArticleDraft(title="Ok", text="Ok 👍"))
    assert isinstance(short, Refused) and short.problem.code == "too_short"
    scheme = curator.add_url("ftp://example.org/a")
    assert isinstance(scheme, Refused) and scheme.problem.code == "scheme"


def test_an_upload_reports_each_bad_line_by_the_uploaded_name(curator: Curator) -> None:
    good = '{"title": "Nuevo carril bici", "text": "Alicante inaugura un carril bici de nueve '
    good += 'kilómetros que une la playa de San Juan con el centro."}'
    result = curator.add_file("lote.jsonl", f"{good}\n{{roto\n".encode())
    assert (result.added, result.duplicates) == (1, 0)
    [failure] = result.failed
    assert failure.where == "lote.jsonl:2" and failure.problem.code == "bad_json"
    refused = curator.add_file("informe.pdf", b"%PDF")
    assert refused.failed[0].problem.code == "upload_type"


def test_sources_are_paged_newest_first(curator: Curator) -> None:
    for number in range(3):
        text = f"Noticia {number}: el ayuntamiento aprobó el plan de movilidad número {number}."
        assert isinstance(curator.add(ArticleDraft(title=f"Noticia {number}", text=text)), Added)
    first = curator.sources(1, per_page=2)
    assert (first.page, first.pages, first.total) == (1, 2, 4)
    assert [row.article.title for row in first.rows] == ["Noticia 2", "Noticia 1"]
    assert curator.sources(99, per_page=2).page == 2  # clamped to the pages there are


def test_stats_count_what_every_feature_keeps(curator: Curator) -> None:
    now = datetime.now(UTC)
    curator.questions.record(chat_id=1, question="¿Quién ganó?", answered=False, when=now)
    curator.subscriptions.subscribe(5, DigestTime(clock(8, 0), "Europe/Madrid"), "es", now)
    stats = curator.stats(now)
    assert (stats.articles, stats.subscribers, stats.questions_24h.unanswered) == (1, 1, 1)
    assert stats.passages >= 1 and stats.database_bytes > 0 and stats.embedder
