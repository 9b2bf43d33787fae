from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from corpus.loaders import iter_files, load_path


def load(path: Path) -> list:
    return list(load_path(path))


def test_markdown_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(
        "---\ntitle: Un titular\nsource: El Diario\nurl: https://example.org/a\n"
        "published: 2024-03-01T10:00:00+01:00\n---\nCuerpo del artículo.\n",
        encoding="utf-8",
    )
    [item] = load(path)
    assert item.draft.title == "Un titular"
    assert item.draft.source == "El Diario"
    assert item.draft.url == "https://example.org/a"
    assert item.draft.published.utcoffset().total_seconds() == 3600
    assert item.draft.text == "Cuerpo del artículo."


def test_text_title_is_first_non_empty_line(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_text("\n\nEl titular\n\nPrimer párrafo.\nSegundo.", encoding="utf-8")
    [item] = load(path)
    assert item.draft.title == "El titular"
    assert item.draft.text == "Primer párrafo.\nSegundo."


def test_jsonl_good_and_broken_lines(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    lines = [
        json.dumps({"title": "Uno", "text": "Texto uno.", "published": "2024-01-02"}),
        "{not json",
        json.dumps({"title": "Sin texto"}),
        json.dumps({"title": "Dos", "text": "Texto dos.", "language": "en"}),
        json.dumps(["a list"]),
        json.dumps({"text": "Fecha mala.", "published": "ayer"}),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    items = load(path)
    good = [i.draft for i in items if i.draft]
    bad = {i.where.rsplit(":", 1)[1]: i.error for i in items if i.error}
    assert [d.title for d in good] == ["Uno", "Dos"]
    assert good[0].published == datetime(2024, 1, 2, tzinfo=UTC)
    assert good[1].language == "en"
    assert "not valid JSON" in bad["2"]
    assert "missing or empty 'text'" in bad["3"]
    assert "JSON object" in bad["5"]
    assert "ISO 8601" in bad["6"]


def test_binary_and_non_utf8_files_are_reported(tmp_path: Path) -> None:
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    latin = tmp_path / "y.txt"
    latin.write_bytes("Título\nAño de la noticia".encode("latin-1"))
    assert "binary" in load(binary)[0].error
    assert "UTF-8" in load(latin)[0].error


def test_empty_article_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_text("Solo un título\n\n   \n", encoding="utf-8")
    assert load(path)[0].error == "the article is empty"


def test_html_page_main_text(tmp_path: Path) -> None:
    paragraph = "El Gobierno anunció hoy un nuevo plan de vivienda para jóvenes. " * 4
    path = tmp_path / "page.html"
    path.write_text(
        f"<html><head><title>Plan de vivienda</title></head><body><nav>Menú</nav>"
        f"<article><h1>Plan de vivienda</h1><p>{paragraph}</p><p>{paragraph}</p></article>"
        "</body></html>",
        encoding="utf-8",
    )
    [item] = load(path)
    assert item.draft is not None, item.error
    assert "plan de vivienda para jóvenes" in item.draft.text
    assert "Menú" not in item.draft.text


def test_folders_are_walked_recursively_in_order(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ["b.md", "a.txt", "sub/c.jsonl", "skip.pdf"]:
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_files([tmp_path])] == [
        "a.txt",
        "b.md",
        "sub/c.jsonl",
    ]
