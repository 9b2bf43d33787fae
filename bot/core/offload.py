"""The one way blocking work (embedding, index search, SQLite, HTTP) leaves the event loop.

Two named pools, built once in bot/app.py:
- `search`: questions, buttons, digests, /sources, /stats ([bot] search_workers threads, about
  one per core, since searching is CPU-bound);
- `uploads`: what admins add (forwards, links, files). Kept apart on purpose: a 200-article
  upload then never takes the threads that answer questions (tests/bench_admin.py measures it).
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

__all__ = ["Pool", "WorkerPools", "run_blocking"]

P = ParamSpec("P")
T = TypeVar("T")


async def run_blocking(
    executor: ThreadPoolExecutor, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`function(*args, **kwargs)` on `executor`'s threads, awaited from the event loop."""
    call = functools.partial(function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(executor, call)


class Pool:
    """A named thread pool; `await pool.run(f, *args)` is how handlers call blocking code."""

    def __init__(self, name: str, workers: int) -> None:
        self.name = name
        self.executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix=name)

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        return await run_blocking(self.executor, function, *args, **kwargs)

    def shutdown(self, wait: bool = True) -> None:
        self.executor.shutdown(wait=wait)


@dataclass(frozen=True)
class WorkerPools:
    search: Pool
    uploads: Pool

    @classmethod
    def start(cls, search_workers: int) -> WorkerPools:
        # As many upload threads as asyncio.to_thread's default pool had, which admins used.
        upload_workers = min(32, (os.cpu_count() or 1) + 4)
        return cls(Pool("hemeroteca", search_workers), Pool("hemeroteca-upload", upload_workers))

    def shutdown(self, wait: bool = True) -> None:
        self.search.shutdown(wait)
        self.uploads.shutdown(wait)
