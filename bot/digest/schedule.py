"""When digests are due: `/subscribe` arguments, the next delivery instant, start-up catch-up.

Pure functions of (time, timezone, now), so every daylight-saving case is tested without a clock.
A delivery belongs to one *local date*; that date, not the instant, is what "sent today" means,
which is why a change day can neither skip nor double a digest:

* spring forward (02:30 does not exist in Europe/Madrid on the last Sunday of March): the digest
  goes out at 03:30, shifted by the length of the gap (as RFC 5545 does for recurring events);
* fall back (02:30 happens twice on the last Sunday of October): the first 02:30 only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = [
    "Delivery",
    "DigestTime",
    "ScheduleError",
    "catch_up_due",
    "delivery_on",
    "next_delivery",
    "parse_subscribe_args",
    "parse_time",
    "parse_timezone",
]

_TIME = re.compile(r"^(\d{1,2})[:.h](\d{2})$")


class ScheduleError(ValueError):
    """A `/subscribe` argument that cannot be used; `code` picks the user-facing message."""

    def __init__(self, code: str, value: str = "") -> None:
        super().__init__(_ENGLISH[code].format(value=value))
        self.code = code
        self.value = value


# For operators (logs, a refused config) and tests, in English like every other error message;
# people get the catalogue's `schedule.<code>` wording in their language (bot/i18n/).
_ENGLISH = {
    "bad_time": "{value!r} is not a time of day; use HH:MM, e.g. /subscribe 07:30 Europe/Madrid",
    "bad_timezone": (
        "{value!r} is not a known timezone; use an IANA name such as Europe/Madrid or "
        "America/Bogota, e.g. /subscribe 07:30 Europe/Madrid"
    ),
    "two_times": "give one time only, e.g. /subscribe 07:30 Europe/Madrid",
    "two_timezones": "give one timezone only, e.g. /subscribe 07:30 Europe/Madrid",
    "too_many": "at most a time and a timezone, e.g. /subscribe 07:30 Europe/Madrid",
}


@dataclass(frozen=True)
class DigestTime:
    """A chat's daily slot: a wall-clock time in an IANA timezone."""

    at: time
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def hhmm(self) -> str:
        return self.at.strftime("%H:%M")


@dataclass(frozen=True)
class Delivery:
    """One digest: the local date it is for and the UTC instant it is due."""

    local_date: date
    due: datetime


def parse_time(value: str) -> time:
    match = _TIME.match(value.strip())
    if match is None:
        raise ScheduleError("bad_time", value)
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise ScheduleError("bad_time", value)
    return time(hour, minute)


def parse_timezone(value: str) -> str:
    """The canonical IANA name (case-insensitive match), e.g. "europe/madrid" → "Europe/Madrid"."""
    name = _zone_names().get(value.strip().casefold())
    if name is None:
        raise ScheduleError("bad_timezone", value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:  # listed but unreadable: say so plainly
        raise ScheduleError("bad_timezone", value) from error
    return name


def parse_subscribe_args(
    args: Sequence[str], default_time: str, default_timezone: str
) -> DigestTime:
    """`[HH:MM] [Area/City]` in either order, both optional; defaults from the config."""
    if len(args) > 2:
        raise ScheduleError("too_many")
    at: time | None = None
    zone: str | None = None
    for arg in args:
        if _looks_like_time(arg):
            if at is not None:
                raise ScheduleError("two_times")
            at = parse_time(arg)
        else:
            if zone is not None:
                raise ScheduleError("two_timezones")
            zone = parse_timezone(arg)
    return DigestTime(
        at if at is not None else parse_time(default_time),
        zone if zone is not None else parse_timezone(default_timezone),
    )


def delivery_on(local_date: date, slot: DigestTime) -> datetime:
    """The UTC instant of `slot` on `local_date`.

    `fold=0` gives exactly the documented DST behaviour: a time inside a spring-forward gap is
    read with the offset before the change (so it lands one gap later), and an ambiguous
    fall-back time is its first occurrence.
    """
    return datetime.combine(local_date, slot.at, tzinfo=slot.zone).astimezone(UTC)


def next_delivery(slot: DigestTime, now: datetime) -> Delivery:
    """The first delivery strictly after `now`."""
    today = now.astimezone(slot.zone).date()
    for days in range(-1, 3):
        local_date = today + timedelta(days=days)
        due = delivery_on(local_date, slot)
        if due > now:
            return Delivery(local_date, due)
    raise AssertionError("a daily slot always has a delivery within two days")  # pragma: no cover


def catch_up_due(
    slot: DigestTime, now: datetime, subscribed_at: datetime, sent_today: bool
) -> Delivery | None:
    """Today's delivery if it was missed (bot down at its time), else None.

    Only today's: a week of downtime yields one digest, not seven. Not for a subscription made
    (or moved) after today's time had passed: that chat chose its slot knowing it was gone.
    """
    today = now.astimezone(slot.zone).date()
    due = delivery_on(today, slot)
    if sent_today or due > now or subscribed_at >= due:
        return None
    return Delivery(today, due)


def _looks_like_time(value: str) -> bool:
    return value[:1].isdigit()


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones()}
