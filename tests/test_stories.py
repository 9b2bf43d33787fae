"""Story grouping as articles arrive: within one import, and beside another process writing
to the same archive (the placer's memory of recent days must never hide its articles)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from corpus.models import ArticleDraft
from retrieval.archive import Archive
from retrieval.embedders import HashEmbedder
from retrieval.settings import EmbeddingSettings
from tests.support import archive_settings

DAY = datetime(2026, 3, 10, 9, tzinfo=UTC)
STORY = (
    "El puerto de Valdemar cerró sus muelles durante tres días por el temporal. La autoridad "
    "portuaria dijo que las grúas quedaron dañadas y que los buques esperan fondeados frente a "
    "la costa. Los estibadores reclamaron un plan de reparación antes del verano."
)
OTHER = (
    "La biblioteca municipal de Ronda amplía su horario de tarde y abre los domingos. El "
    "concejal de Cultura anunció nuevas salas de estudio y un fondo de novelas gráficas para "
    "los lectores jóvenes del barrio."
)


def telling(outlet: str, text: str, ending: str = "") -> tuple[str, ArticleDraft]:
    draft = ArticleDraft(
        title="Temporal en el puerto",
        text=f"{text} {ending}".strip(),
        source=outlet,
        url=f"https://{outlet.lower()}.example/{abs(hash(ending))}",
        published=DAY,
    )
    return outlet, draft


def writer(data_dir: Path) -> Archive:
    archive = Archive(
        archive_settings(data_dir, embedding=EmbeddingSettings(backend="hash")), HashEmbedder()
    )
    archive.open_indexes()
    return archive


def test_tellings_imported_together_share_a_story(tmp_path: Path) -> None:
    archive = writer(tmp_path)
    try:
        result = archive.ingest(
            [
                telling("Diario", STORY),
                telling("Heraldo", STORY, "Fuentes del sector lo confirmaron."),
                telling("Gaceta", OTHER),
            ]
        )
        first, second, other = result.added
        mates = archive.store.story_mates(result.added)
        assert mates[first] == [second] and mates[second] == [first]
        assert mates[other] == []
    finally:
        archive.close()


def test_a_writer_groups_with_an_article_another_process_added_meanwhile(
    tmp_path: Path,
) -> None:
    mine, theirs = writer(tmp_path), writer(tmp_path)
    try:
        # The first writer reads (and keeps) the story vectors of that week …
        mine.ingest([telling("Gaceta", OTHER)])
        # … then the other one adds a telling of the same day …
        [elsewhere] = theirs.ingest([telling("Diario", STORY)]).added
        # … which the first writer must see when the next telling comes in.
        [here] = mine.ingest(
            [telling("Heraldo", STORY, "Fuentes del sector lo confirmaron.")]
        ).added
        assert mine.store.story_mates([here])[here] == [elsewhere]
    finally:
        mine.close()
        theirs.close()
