"""`corridor ingest` that SIGKILLs itself just before its first stale-chunk delete: the one moment when a
kill leaves two versions of a document in the store (`python -m tests.reliability.kill_worker ARGS...`)."""

from __future__ import annotations

import os
import signal
import sys

from vectorstore.store import ChunkStore

_delete = ChunkStore.delete


def _delete_or_die(self: ChunkStore, ids: list[str]) -> None:
    if ids:  # the new version is stored; the old one's chunks are about to go
        os.kill(os.getpid(), signal.SIGKILL)
    _delete(self, ids)


if __name__ == "__main__":
    ChunkStore.delete = _delete_or_die  # fault injection: the store itself is real
    from bot.cli import main

    sys.argv = ["corridor", "ingest", *sys.argv[1:]]
    main()
