"""Work beside the archive's transaction: a run's rows stored on one thread while its files are written on
another, with the connection used by one thread at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable

import duckdb


def beside(
    con: duckdb.DuckDBPyConnection, store: Callable[[], None], alongside: Callable[[], None] | None
) -> None:
    """``store`` (inserts on ``con``, inside its transaction) on a thread of its own while ``alongside``
    runs on this one, so that neither waits for the other; the first failure is raised once both have
    stopped (``store`` is interrupted when ``alongside`` fails or is interrupted, Ctrl-C included), and
    ``con`` is free again when this returns or raises."""
    if alongside is None:
        store()
        return
    failed: list[BaseException] = []

    def work() -> None:
        try:
            store()
        except BaseException as e:  # raised on the calling thread below
            failed.append(e)

    worker = threading.Thread(target=work, name="zwgk-archive-store", daemon=True)
    worker.start()
    try:
        alongside()
    except BaseException:
        con.interrupt()
        _join(worker, con)
        raise
    _join(worker, con)
    if failed:
        raise failed[0]


def _join(worker: threading.Thread, con: duckdb.DuckDBPyConnection) -> None:
    """Wait for ``worker``; interrupted meanwhile (Ctrl-C), stop its query and still wait, so the
    connection is never used by two threads."""
    try:
        worker.join()
    except BaseException:
        con.interrupt()
        worker.join()
        raise
