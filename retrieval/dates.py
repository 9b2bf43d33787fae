"""When a question is about: relative and absolute dates in Spanish and English questions.

"¿Qué pasó ayer con…?", "la semana pasada", "en marzo", "desde el lunes", "last week" become a
period of published dates, resolved against a given "today" (so that tests and benchmarks can
fix it). Questions about an ongoing topic ("últimas noticias sobre…", "latest on…") ask for
recent articles first. The phrase that names the time is cut out of the text that is searched:
its words ("ayer", "semana") are in no passage that answers.

Rules, not a model: a news question names its time in a handful of ways, and a wrong guess
here would filter out the right answer, so a phrase is only read when it is unambiguous.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["Period", "TimeIntent", "read_time"]


@dataclass(frozen=True)
class Period:
    """Published dates from `start` to `end`, both included."""

    start: date
    end: date

    def to_json(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


@dataclass(frozen=True)
class TimeIntent:
    """What a question says about time.

    `period`: the dates it asks about, or None. `recent`: it asks for the latest news on a
    topic. `text`: the question without the phrase that named the time. `phrase`: that phrase
    as written. `impossible`: a date it names that does not exist ("31 de febrero"), which is
    then ignored rather than guessed at.
    """

    text: str
    period: Period | None = None
    recent: bool = False
    phrase: str = ""
    impossible: str = ""
    today: date | None = None  # what "today" was when the question was read

    def future(self, today: date) -> bool:
        """The whole period is after `today`: no article can be from it yet."""
        return self.period is not None and self.period.start > today


_MONTHS = {
    **{
        name: number
        for number, names in enumerate(
            [
                ("enero", "january"),
                ("febrero", "february"),
                ("marzo", "march"),
                ("abril", "april"),
                ("mayo", "may"),
                ("junio", "june"),
                ("julio", "july"),
                ("agosto", "august"),
                ("septiembre", "setiembre", "september"),
                ("octubre", "october"),
                ("noviembre", "november"),
                ("diciembre", "december"),
            ],
            start=1,
        )
        for name in names
    }
}
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("lunes", "monday"),
            ("martes", "tuesday"),
            ("miércoles", "miercoles", "wednesday"),
            ("jueves", "thursday"),
            ("viernes", "friday"),
            ("sábado", "sabado", "saturday"),
            ("domingo", "sunday"),
        ]
    )
    for name in names
}
# Full month names only ("mar" is also the sea), and every rule needs a preposition or a day
# number beside them ("may" is also a verb).
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")"
_WEEKDAY = r"(?P<weekday>" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DAY = r"(?P<day>[0-3]?\d)"
_NUMBER = (
    r"(?P<number>\d{1,3}|un|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|quince|"
    r"a|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|thirty|treinta)"
)
_NUMBERS = {
    "un": 1, "una": 1, "a": 1, "one": 1, "dos": 2, "two": 2, "tres": 3, "three": 3,
    "cuatro": 4, "four": 4, "cinco": 5, "five": 5, "seis": 6, "six": 6, "siete": 7,
    "seven": 7, "ocho": 8, "eight": 8, "nueve": 9, "nine": 9, "diez": 10, "ten": 10,
    "quince": 15, "fifteen": 15, "treinta": 30, "thirty": 30,
}  # fmt: skip

Resolver = Callable[[re.Match[str], date], Period]


def _day_before(today: date, days: int) -> Period:
    day = today - timedelta(days=days)
    return Period(day, day)


def _week_of(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period(monday, monday + timedelta(days=6))


def _month(year: int, month: int) -> Period:
    return Period(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def _last_weekday(match: re.Match[str], today: date) -> date:
    """The most recent such weekday before today ("el lunes" said on a Monday is a week ago)."""
    back = (today.weekday() - _WEEKDAYS[match["weekday"].lower()]) % 7 or 7
    return today - timedelta(days=back)


def _named_month(match: re.Match[str], today: date) -> Period:
    """A month: of the year given, else the latest one not after today."""
    month = _MONTHS[match["month"].lower()]
    if match.groupdict().get("year"):
        return _month(int(match["year"]), month)
    year = today.year if month <= today.month else today.year - 1
    return _month(year, month)


def _named_day(match: re.Match[str], today: date) -> date:
    """A day of a month (raises ValueError when it does not exist): of the year given, else
    the latest such date not after today."""
    month, day = _MONTHS[match["month"].lower()], int(match["day"])
    if match.groupdict().get("year"):
        return date(int(match["year"]), month, day)
    date(2000, month, day)  # raises ValueError for a day no year has ("31 de febrero")
    year = today.year if (month, day) <= (today.month, today.day) else today.year - 1
    while True:  # 29 February: the latest year that has one
        try:
            return date(year, month, day)
        except ValueError:
            year -= 1


def _count(match: re.Match[str]) -> int:
    number = match["number"].lower()
    return int(number) if number.isdigit() else _NUMBERS[number]


def _month_end(today: date) -> date:
    return today.replace(day=1) - timedelta(days=1)


# (pattern, resolver), most specific first: the first that matches wins.
_RULES: list[tuple[str, Resolver]] = [
    # "desde el 3 de marzo", "since March 3", "desde el lunes", "since Monday"
    (
        rf"\b(?:desde el|since)\s+{_DAY}\s+de\s+{_MONTH}(?:\s+de\s+{_YEAR})?\b",
        lambda m, t: Period(_named_day(m, t), t),
    ),
    (
        rf"\bsince\s+{_MONTH}\s+{_DAY}(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?\b",
        lambda m, t: Period(_named_day(m, t), t),
    ),
    (
        rf"\b(?:desde el|since(?: last)?)\s+{_WEEKDAY}\b",
        lambda m, t: Period(_last_weekday(m, t), t),
    ),
    (
        rf"\b(?:desde|since)\s+(?:(?:el mes de|principios de)\s+)?{_MONTH}"
        rf"(?:\s+(?:de\s+)?{_YEAR})?\b",
        lambda m, t: Period(_named_month(m, t).start, t),
    ),
    # "el 3 de marzo (de 2025)", "on March 3(, 2025)", "on 3 March"
    (
        rf"\b(?:el\s+)?{_DAY}\s+de\s+{_MONTH}(?:\s+de(?:l)?\s+{_YEAR})?\b",
        lambda m, t: Period(_named_day(m, t), _named_day(m, t)),
    ),
    (
        rf"\b(?:on\s+)?{_MONTH}\s+{_DAY}(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?\b",
        lambda m, t: Period(_named_day(m, t), _named_day(m, t)),
    ),
    (
        rf"\b(?:on\s+)?(?:the\s+)?{_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b",
        lambda m, t: Period(_named_day(m, t), _named_day(m, t)),
    ),
    # relative days
    (r"\b(?:anteayer|antes de ayer|the day before yesterday)\b", lambda m, t: _day_before(t, 2)),
    (r"\b(?:ayer|yesterday)\b", lambda m, t: _day_before(t, 1)),
    (r"\b(?:hoy|today|tonight|esta mañana|this morning)\b", lambda m, t: _day_before(t, 0)),
    (
        rf"\b(?:(?:en\s+)?los|(?:in\s+|over\s+)?the)\s+(?:últimos|ultimos|last|past)\s+{_NUMBER}\s+"
        r"(?:días|dias|days)\b",
        lambda m, t: Period(t - timedelta(days=_count(m)), t),
    ),
    (
        rf"\bhace\s+{_NUMBER}\s+(?:días|dias)\b",
        lambda m, t: _day_before(t, _count(m)),
    ),
    (
        rf"\b{_NUMBER}\s+days\s+ago\b",
        lambda m, t: _day_before(t, _count(m)),
    ),
    # weeks
    (
        r"\b(?:la semana pasada|la pasada semana|last week|the previous week)\b",
        lambda m, t: _week_of(t - timedelta(days=7)),
    ),
    (
        r"\b(?:esta semana|this week|en lo que va de semana)\b",
        lambda m, t: Period(_week_of(t).start, t),
    ),
    (
        rf"\b(?:el|this past|last|on)\s+{_WEEKDAY}(?:\s+pasado)?\b",
        lambda m, t: Period(_last_weekday(m, t), _last_weekday(m, t)),
    ),
    # months
    (
        r"\b(?:el mes pasado|el pasado mes|last month|the previous month)\b",
        lambda m, t: _month(_month_end(t).year, _month_end(t).month),
    ),
    (
        r"\b(?:este mes|this month|en lo que va de mes)\b",
        lambda m, t: Period(t.replace(day=1), t),
    ),
    (
        rf"\b(?:en|in|durante|during|de|of)\s+(?:el mes de\s+)?{_MONTH}"
        rf"(?:\s+(?:de(?:l)?\s+)?{_YEAR})?\b",
        _named_month,
    ),
    # years
    (
        r"\b(?:el año pasado|el pasado año|last year)\b",
        lambda m, t: Period(date(t.year - 1, 1, 1), date(t.year - 1, 12, 31)),
    ),
    (
        r"\b(?:este año|this year|en lo que va de año)\b",
        lambda m, t: Period(date(t.year, 1, 1), t),
    ),
    (
        rf"\b(?:en|in|durante|during)\s+(?:el\s+(?:año\s+)?)?{_YEAR}\b",
        lambda m, t: Period(date(int(m["year"]), 1, 1), date(int(m["year"]), 12, 31)),
    ),
]
_COMPILED = [(re.compile(pattern, re.IGNORECASE), resolve) for pattern, resolve in _RULES]

_RECENT = re.compile(
    r"\b(?:últimas? noticias|ultimas? noticias|lo último|lo ultimo|últimas novedades|"
    r"novedades|qué se sabe|que se sabe|cómo va|como va|en qué quedó|en que quedo|"
    r"latest|most recent|what's new|what is new|news on|news about|updates? on|"
    r"what do we know|"
    # a question about how something stands asks about now
    r"(?:cómo|como)\s+(?:está|están|sigue|siguen|evoluciona|evolucionan|van?)\s+(?:el|la|los|las)|"
    r"(?:cuál|cual)\s+es\s+la\s+situación|situación actual|en\s+qué\s+punto\s+(?:está|están)|"
    r"how\s+(?:is|are)\s+.+?\s+going|what\s+is\s+the\s+(?:situation|state)\s+(?:of|with|in)|"
    r"where\s+(?:does|do)\s+.+?\s+stand)\b",
    re.IGNORECASE,
)


def read_time(question: str, today: date) -> TimeIntent:
    """The period and recency a question asks for, resolved against `today`."""
    recent = bool(_RECENT.search(question))
    for pattern, resolve in _COMPILED:
        match = pattern.search(question)
        if match is None:
            continue
        text = _without(question, match)
        phrase = match.group(0).strip()
        try:
            period = resolve(match, today)
        except ValueError:  # "el 31 de febrero": named, but no such day
            return TimeIntent(text, None, recent, phrase, phrase, today)
        return TimeIntent(text, period, recent, phrase, today=today)
    return TimeIntent(question, None, recent, today=today)


def _without(question: str, match: re.Match[str]) -> str:
    """The question minus the time phrase, with the spaces and commas around it tidied."""
    text = question[: match.start()] + " " + question[match.end() :]
    text = re.sub(r"\s+([,.;:?!])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
    text = re.sub(r"^[,;:]\s*|\s*[,;:]$", "", text)
    return text or question
