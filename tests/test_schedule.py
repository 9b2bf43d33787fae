"""Digest scheduling: arguments, next instants in two timezones, DST change days, catch-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.digest.schedule import (
    Delivery,
    DigestTime,
    ScheduleError,
    catch_up_due,
    delivery_on,
    next_delivery,
    parse_subscribe_args,
)

MADRID = ZoneInfo("Europe/Madrid")
BOGOTA = ZoneInfo("America/Bogota")


def parse(*args: str) -> DigestTime:
    return parse_subscribe_args(args, "08:00", "Europe/Madrid")


# --- arguments ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), DigestTime(time(8, 0), "Europe/Madrid")),
        (("07:30",), DigestTime(time(7, 30), "Europe/Madrid")),
        (("America/Bogota",), DigestTime(time(8, 0), "America/Bogota")),
        (("21:00", "America/Bogota"), DigestTime(time(21, 0), "America/Bogota")),
        (("America/Bogota", "21:00"), DigestTime(time(21, 0), "America/Bogota")),
        (("7:05", "europe/madrid"), DigestTime(time(7, 5), "Europe/Madrid")),
        (("23.59", "UTC"), DigestTime(time(23, 59), "UTC")),
        (("0h00",), DigestTime(time(0, 0), "Europe/Madrid")),
    ],
)
def test_subscribe_arguments_in_either_order_with_defaults(
    args: tuple[str, ...], expected: DigestTime
) -> None:
    assert parse(*args) == expected


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("25:00",), "bad_time", "'25:00' is not a time of day; use HH:MM, e.g. /subscribe 07:30"),
        (("7:60",), "bad_time", "'7:60' is not a time of day"),
        (("7",), "bad_time", "'7' is not a time of day"),
        (("07:3",), "bad_time", "'07:3' is not a time of day"),
        (("Mars/Olympus",), "bad_timezone", "'Mars/Olympus' is not a known timezone"),
        (("madrid",), "bad_timezone", "use an IANA name such as Europe/Madrid"),
        (("../../etc/passwd",), "bad_timezone", "is not a known timezone"),
        (("07:30", "08:00"), "two_times", "give one time only, e.g. /subscribe 07:30"),
        (("Europe/Madrid", "UTC"), "two_timezones", "give one timezone only"),
        (("07:30", "Europe/Madrid", "x"), "too_many", "at most a time and a timezone"),
    ],
)
def test_bad_arguments_get_a_clear_message_with_an_example(
    args: tuple[str, ...], code: str, message: str
) -> None:
    with pytest.raises(ScheduleError) as raised:
        parse(*args)
    assert raised.value.code == code
    assert message in str(raised.value)
    assert "e.g. /subscribe 07:30 Europe/Madrid" in str(raised.value)


def test_bad_defaults_in_the_config_are_reported_too() -> None:
    with pytest.raises(ScheduleError, match="'Europe/Nowhere' is not a known timezone"):
        parse_subscribe_args([], "08:00", "Europe/Nowhere")


# --- next delivery ------------------------------------------------------------------------------


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_two_timezones_each_at_their_own_local_minute() -> None:
    now = utc(2025, 6, 10, 12, 0)  # 14:00 in Madrid (CEST), 07:00 in Bogotá
    madrid = next_delivery(DigestTime(time(7, 30), "Europe/Madrid"), now)
    bogota = next_delivery(DigestTime(time(7, 30), "America/Bogota"), now)
    # Madrid's 07:30 has passed today: tomorrow, 05:30 UTC. Bogotá's is half an hour away.
    assert madrid == Delivery(date(2025, 6, 11), utc(2025, 6, 11, 5, 30))
    assert bogota == Delivery(date(2025, 6, 10), utc(2025, 6, 10, 12, 30))
    assert bogota.due.astimezone(BOGOTA).strftime("%H:%M") == "07:30"
    assert madrid.due.astimezone(MADRID).strftime("%H:%M") == "07:30"


def test_next_is_strictly_after_now_so_a_fired_job_schedules_tomorrow() -> None:
    slot = DigestTime(time(8, 0), "Europe/Madrid")
    due = delivery_on(date(2025, 6, 10), slot)
    assert next_delivery(slot, due).local_date == date(2025, 6, 11)
    assert next_delivery(slot, due - timedelta(seconds=1)).local_date == date(2025, 6, 10)


def deliveries(slot: DigestTime, start: datetime, days: int) -> list[Delivery]:
    """Follow the schedule as the bot does: fire, then ask for the next one."""
    found, now = [], start
    for _ in range(days):
        delivery = next_delivery(slot, now)
        found.append(delivery)
        now = delivery.due
    return found


def test_spring_forward_in_madrid_is_neither_skipped_nor_doubled() -> None:
    # 30 March 2025: at 02:00 CET clocks jump to 03:00 CEST; 02:30 does not exist.
    slot = DigestTime(time(2, 30), "Europe/Madrid")
    found = deliveries(slot, utc(2025, 3, 28, 12, 0), 4)
    assert [d.local_date for d in found] == [
        date(2025, 3, 29) + timedelta(days=i) for i in range(4)
    ]
    change_day = found[1]
    assert change_day.due == utc(2025, 3, 30, 1, 30)  # shifted by the gap: 03:30 CEST
    assert change_day.due.astimezone(MADRID).strftime("%H:%M %Z") == "03:30 CEST"
    assert found[0].due.astimezone(MADRID).strftime("%H:%M") == "02:30"
    assert found[2].due.astimezone(MADRID).strftime("%H:%M") == "02:30"
    assert found[2].due - found[1].due == timedelta(hours=23)


def test_fall_back_in_madrid_sends_at_the_first_of_the_two_times_only() -> None:
    # 26 October 2025: at 03:00 CEST clocks go back to 02:00 CET; 02:30 happens twice.
    slot = DigestTime(time(2, 30), "Europe/Madrid")
    found = deliveries(slot, utc(2025, 10, 24, 12, 0), 4)
    assert [d.local_date for d in found] == [
        date(2025, 10, 25) + timedelta(days=i) for i in range(4)
    ]
    assert found[1].due == utc(2025, 10, 26, 0, 30)  # 02:30 CEST, the first one
    # From the first 02:30 the next is the next day's, not the second 02:30 an hour later.
    assert found[2].due == utc(2025, 10, 27, 1, 30)
    assert found[2].due - found[1].due == timedelta(hours=25)


@pytest.mark.parametrize("day", [date(2025, 3, 30), date(2025, 10, 26)])
def test_ordinary_times_on_change_days_stay_at_their_local_minute(day: date) -> None:
    slot = DigestTime(time(8, 0), "Europe/Madrid")
    due = next_delivery(slot, datetime.combine(day, time(0, 0), tzinfo=MADRID))
    assert due.local_date == day
    assert due.due.astimezone(MADRID).strftime("%H:%M") == "08:00"


def test_a_year_of_madrid_dst_has_exactly_one_digest_per_local_day() -> None:
    for at in (time(2, 0), time(2, 30), time(2, 59), time(3, 0), time(0, 0), time(23, 59)):
        slot = DigestTime(at, "Europe/Madrid")
        found = deliveries(slot, delivery_on(date(2024, 12, 31), slot), 366)
        days = [d.local_date for d in found]
        assert days == [date(2025, 1, 1) + timedelta(days=i) for i in range(366)], at


# --- catch-up -----------------------------------------------------------------------------------


def test_catch_up_when_todays_time_passed_while_down() -> None:
    slot = DigestTime(time(7, 30), "Europe/Madrid")
    subscribed = utc(2025, 6, 1, 10, 0)
    now = utc(2025, 6, 10, 9, 0)  # 11:00 in Madrid
    assert catch_up_due(slot, now, subscribed, sent_today=False) == Delivery(
        date(2025, 6, 10), utc(2025, 6, 10, 5, 30)
    )
    assert catch_up_due(slot, now, subscribed, sent_today=True) is None


def test_no_catch_up_before_the_time_or_for_a_subscription_made_after_it() -> None:
    slot = DigestTime(time(7, 30), "Europe/Madrid")
    assert catch_up_due(slot, utc(2025, 6, 10, 5, 0), utc(2025, 6, 1), False) is None
    # Subscribed at 10:00 for 07:30: today's slot was already gone when they chose it.
    assert catch_up_due(slot, utc(2025, 6, 10, 9, 0), utc(2025, 6, 10, 8, 0), False) is None


def test_catch_up_uses_the_chats_own_date() -> None:
    # 03:00 UTC on 11 June is still 10 June, 22:00 in Bogotá: 21:00 there has passed.
    slot = DigestTime(time(21, 0), "America/Bogota")
    due = catch_up_due(slot, utc(2025, 6, 11, 3, 0), utc(2025, 6, 1), False)
    assert due == Delivery(date(2025, 6, 10), utc(2025, 6, 11, 2, 0))
