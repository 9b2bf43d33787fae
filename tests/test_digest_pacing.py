"""The digest pacer keeps broadcasts under Telegram's limits, on a fake clock."""

from __future__ import annotations

import asyncio
import itertools

from bot.digest.delivery import Pacer


class FakeTime:
    """A monotonic clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sends: list[tuple[float, int]] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def send_all(pacer: Pacer, fake: FakeTime, chats: list[int]) -> None:
    for chat in chats:
        await pacer.wait(chat)
        fake.sends.append((fake.now, chat))


async def test_overall_rate_is_capped() -> None:
    fake = FakeTime()
    pacer = Pacer(per_second=20, clock=fake.clock, sleep=fake.sleep)
    await send_all(pacer, fake, list(range(1, 101)))
    times = [t for t, _ in fake.sends]
    assert times[-1] - times[0] >= 99 / 20 - 1e-9
    # No one-second window holds more than 20 sends.
    assert all(sum(1 for u in times if t <= u < t + 1 - 1e-9) <= 20 for t in times)


async def test_one_chat_gets_at_most_one_message_a_second_and_groups_slower() -> None:
    fake = FakeTime()
    pacer = Pacer(per_second=20, per_chat_interval=1.0, group_interval=3.0, clock=fake.clock,
                  sleep=fake.sleep)  # fmt: skip
    await send_all(pacer, fake, [7, 7, 7, -100, -100])
    private = [t for t, c in fake.sends if c == 7]
    group = [t for t, c in fake.sends if c == -100]
    assert [round(b - a, 6) for a, b in itertools.pairwise(private)] == [1.0, 1.0]
    assert round(group[1] - group[0], 6) == 3.0


async def test_chats_wait_in_parallel_not_in_line() -> None:
    fake = FakeTime()
    slept: list[float] = []
    release = asyncio.Event()

    async def held_sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        await release.wait()

    pacer = Pacer(per_second=10, clock=fake.clock, sleep=held_sleep)
    # Slots are reserved under the lock but slept for outside it: while the sleeps are held,
    # every chat already holds its slot (0.1 s apart); none is stuck behind another's sleep.
    waiting = asyncio.gather(*(pacer.wait(chat) for chat in range(10)))
    for _ in range(50):
        await asyncio.sleep(0)
    assert sorted(slept) == [round(0.1 * i, 6) for i in range(1, 10)]
    release.set()
    await waiting
