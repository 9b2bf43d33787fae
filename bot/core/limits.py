"""Per-person question limit, so one person (or a script) cannot keep the searcher busy for all.

A sliding window in memory: restarting the bot forgets it, which is fine for a courtesy limit.
core/guards.py applies it to handlers as a decorator; bot/app.py builds one per budget.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

__all__ = ["INLINE_BUDGET", "QuestionLimiter", "QuestionLimits"]

INLINE_BUDGET = 3  # inline queries allowed per question allowed


class QuestionLimiter:
    """At most `limit` questions per `window` seconds for each key (a user id).

    `exempt` keys are never limited: admins upload a file and ask about it at once, and their
    own bot should not tell them to slow down.
    """

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        exempt: Iterable[Hashable] = (),
    ) -> None:
        self.limit = limit
        self.window = window
        self.exempt = frozenset(exempt)
        self._clock = clock
        self._asked: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()

    def try_acquire(self, key: Hashable) -> int:
        """0 and the question counted if allowed; else the whole seconds until it would be."""
        if self.limit <= 0 or key in self.exempt:
            return 0
        now = self._clock()
        with self._lock:
            asked = self._asked.setdefault(key, deque())
            while asked and asked[0] <= now - self.window:
                asked.popleft()
            if len(asked) >= self.limit:
                return max(1, math.ceil(asked[0] + self.window - now))
            asked.append(now)
            if len(self._asked) > 10_000:
                self._forget_idle(now)
            return 0

    def _forget_idle(self, now: float) -> None:
        idle = [
            k for k, times in self._asked.items() if not times or times[-1] <= now - self.window
        ]
        for key in idle:
            del self._asked[key]


@dataclass(frozen=True)
class QuestionLimits:
    """The two budgets: questions (messages, /ask, "more results") and inline queries, which
    arrive as the person types and so get a budget of their own."""

    questions: QuestionLimiter
    inline: QuestionLimiter

    @classmethod
    def per_minute(cls, limit: int, exempt: Iterable[Hashable] = ()) -> QuestionLimits:
        exempt = frozenset(exempt)
        return cls(
            QuestionLimiter(limit, exempt=exempt),
            QuestionLimiter(limit * INLINE_BUDGET, exempt=exempt),
        )
