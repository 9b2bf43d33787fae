"""An advisory lock file, so processes sharing an index folder never save over each other.

Without it, two writers (the bot and `hemeroteca ingest`) could interleave the files of two
saves, or a reader could load the dense index of one save beside the keyword index of another.
Saves take it exclusively, loads shared. flock locks are released by the kernel when a process
dies, so a process killed mid-save never leaves the folder locked.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)


@contextmanager
def folder_lock(path: Path, *, shared: bool = False) -> Iterator[None]:
    try:
        handle = open(path, "a+b")  # noqa: SIM115 (held for the whole block)
    except OSError as error:
        if not shared:
            raise
        # A folder this process cannot write: nobody with our rights saves there either.
        log.debug("reading %s without its lock (%s)", path.parent, error)
        yield
        return
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
