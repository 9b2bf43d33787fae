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
