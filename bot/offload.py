"""The one way blocking work (embedding, index search, SQLite, HTTP) leaves the event loop.

Services that own a thread pool expose `run` by delegating here, so the rule lives in one
place: the call is bound with its arguments and handed to that pool, never run on the loop.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import Executor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


async def run_blocking(
    executor: Executor, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`function(*args, **kwargs)` on `executor`'s threads, awaited from the event loop."""
    call = functools.partial(function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(executor, call)
