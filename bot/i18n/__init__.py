"""Every word the bot itself says, in Spanish and English (quotes stay in their own language).

The words are data: one catalogue per language (`es.json`, `en.json`), with namespaced keys
(`ask.not_found`, `digest.subscribed`, `problem.too_long`, `command.ask`…). A test checks that
both catalogues have the same keys and each key the same placeholders, so adding a language is
adding a file.

Templates are HTML. `html()` escapes each argument, so article text or a user's question can
never inject markup (a `Markup` value is inserted as it is: HTML the bot built itself);
`plain()` is for places Telegram shows as plain text (button labels, callback alerts, command
descriptions), whose templates therefore carry no markup.
"""

from __future__ import annotations

import html as _html
import json
from datetime import datetime
from functools import cache
from pathlib import Path

from corpus.problems import Problem

__all__ = [
    "LANGUAGES",
    "Markup",
    "catalogue",
    "count",
    "date",
    "describe",
    "html",
    "number",
    "plain",
    "supported",
]

LANGUAGES = ("es", "en")  # the first is the fallback for a key a language lacks
_HERE = Path(__file__).parent


class Markup(str):
    """HTML the bot built itself (a list of lines, a link): `html()` does not escape it."""


@cache
def catalogue(language: str) -> dict[str, str]:
    """The flat `namespace.key → template` table of `language`, read once from its file."""
    nested = json.loads((_HERE / f"{language}.json").read_text(encoding="utf-8"))
    return {f"{ns}.{key}": text for ns, entries in nested.items() for key, text in entries.items()}


def supported(language: str) -> str:
    """`language` if the bot speaks it, else ""."""
    return language if language in LANGUAGES else ""


def html(key: str, language: str, **values: object) -> str:
    """The HTML template `key` in `language`, with every value escaped (but `Markup`)."""
    return _template(key, language).format(
        **{
            name: value if isinstance(value, Markup) else _html.escape(str(value), quote=False)
            for name, value in values.items()
        }
    )


def plain(key: str, language: str, **values: object) -> str:
    """The plain-text string `key` in `language` (for buttons, alerts and descriptions)."""
    return _template(key, language).format(**values)


def count(noun: str, n: int, language: str) -> str:
    """`n` things, the noun agreeing with the number: "1 artículo", "12.345 artículos".

    The catalogue says each noun twice, `count.<noun>_one` and `count.<noun>_many`; both
    languages use the singular for exactly one only (zero is plural in each)."""
    form = "one" if n == 1 else "many"
    return _template(f"count.{noun}_{form}", language).format(n=number(n, language))


def number(value: int, language: str) -> str:
    """A whole number as `language` writes it: "12,345" in English; in Spanish "1234" and
    "12.345" (numbers of five digits or more grouped with points)."""
    separator = _template("number.thousands_separator", language)
    if not separator:
        return f"{value:,}"
    return f"{value:,}".replace(",", separator) if abs(value) >= 10_000 else str(value)


def date(value: datetime, language: str) -> str:
    """A short date people read the same way everywhere: "5 sept 2023", "5 Sep 2023"."""
    months = _template("date.months", language).split()
    return f"{value.day} {months[value.month - 1]} {value.year}"


def describe(problem: Problem, language: str) -> str:
    """Why an input was refused (corpus.problems), as plain text in `language`.

    Address kinds are worded by the catalogue, and where the language groups thousands with a
    separator of its own (Spanish: points) numbers of five digits or more are grouped with it;
    English templates group with Python's own `{n:,}`.
    """
    grouped = bool(_template("number.thousands_separator", language))
    values = {name: _localised(name, value, language, grouped) for name, value in problem.details}
    return _template(f"problem.{problem.code}", language).format(**values)


def _localised(name: str, value: object, language: str, grouped: bool) -> object:
    if name == "kind" and isinstance(value, str):
        return catalogue(language).get(f"problem_kind.{value}", value)
    if grouped and isinstance(value, int) and not isinstance(value, bool):
        return number(value, language)
    return value


def _template(key: str, language: str) -> str:
    found = catalogue(supported(language) or LANGUAGES[0]).get(key)
    return found if found is not None else catalogue(LANGUAGES[0])[key]
