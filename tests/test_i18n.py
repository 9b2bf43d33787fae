"""The catalogues (bot/i18n/*.json): complete in every language, the same placeholders, safe."""

from __future__ import annotations

import string

import pytest

from bot import i18n


def placeholders(template: str) -> set[str]:
    """The names a template formats ({n:,} and {value!r} name n and value)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_every_key() -> None:
    keys = {language: set(i18n.catalogue(language)) for language in i18n.LANGUAGES}
    first = keys[i18n.LANGUAGES[0]]
    for language, found in keys.items():
        assert found == first, (language, sorted(found ^ first))


@pytest.mark.parametrize("key", sorted(i18n.catalogue(i18n.LANGUAGES[0])))
def test_every_language_uses_the_same_placeholders(key: str) -> None:
    """A translation naming a value the others lack would crash at run time."""
    expected = placeholders(i18n.catalogue(i18n.LANGUAGES[0])[key])
    for language in i18n.LANGUAGES[1:]:
        assert placeholders(i18n.catalogue(language)[key]) == expected, language


def test_keys_are_namespaced() -> None:
    for key in i18n.catalogue("es"):
        namespace, _, name = key.partition(".")
        assert namespace and name, key


def test_html_escapes_every_value_but_markup_the_bot_built() -> None:
    text = i18n.html("ask.too_long", "en", length="<b>", limit="&")
    assert "&lt;b&gt;" in text and "&amp;" in text
    example = i18n.html("help_line.help", "en")
    assert example == "/help — this help"
    built = i18n.html("admin.refused", "en", reason=i18n.Markup("<i>x</i>"))
    assert built.endswith("<i>x</i>")


def test_dates_read_the_same_everywhere() -> None:
    from datetime import datetime

    assert i18n.date(datetime(2023, 9, 5), "es") == "5 sept 2023"
    assert i18n.date(datetime(2023, 9, 5), "en") == "5 Sep 2023"


def test_every_template_is_html_telegram_accepts() -> None:
    from tests.botapi import parse_html

    for language in i18n.LANGUAGES:
        for key, text in i18n.catalogue(language).items():
            parse_html(text.replace("{", "").replace("}", "")), key


@pytest.mark.parametrize(
    ("noun", "n", "language", "expected"),
    [
        ("articles", 1, "es", "1 artículo"),
        ("articles", 1, "en", "1 article"),
        ("articles", 0, "es", "0 artículos"),
        ("articles", 2, "en", "2 articles"),
        ("articles", 1234, "es", "1234 artículos"),  # Spanish groups from five digits
        ("articles", 12345, "es", "12.345 artículos"),
        ("articles", 12345, "en", "12,345 articles"),
        ("new_articles", 1, "es", "1 artículo nuevo"),
        ("duplicates", 1, "es", "1 ya estaba en el archivo"),
        ("duplicates", 3, "es", "3 ya estaban en el archivo"),
        ("passages", 1, "en", "1 passage"),
    ],
)
def test_counted_nouns_agree_with_their_number(
    noun: str, n: int, language: str, expected: str
) -> None:
    assert i18n.count(noun, n, language) == expected


def test_every_counted_noun_has_both_forms() -> None:
    """`count()` asks for `<noun>_one` and `<noun>_many`: a noun with one form would crash."""
    for language in i18n.LANGUAGES:
        nouns = [k for k in i18n.catalogue(language) if k.startswith("count.")]
        for key in nouns:
            stem = key.rsplit("_", 1)[0]
            assert {f"{stem}_one", f"{stem}_many"} <= set(nouns), key


def test_messages_about_one_article_use_the_singular() -> None:
    from bot.admin.service import FileOutcome
    from bot.admin.view import file_summary

    summary = file_summary("uno.md", FileOutcome(added=1, passages=1, duplicates=1), "es")
    assert (
        summary
        == "📄 <b>uno.md</b>: 1 añadido (1 pasaje), 1 ya estaba en el archivo, 0 con errores."
    )
    facts = i18n.plain(
        "help.archive_facts", "en", articles=i18n.count("articles", 1, "en"), newest="x"
    )
    assert facts.startswith("The archive has 1 article;")
