"""Work beside the archive's transaction, and Ctrl-C around it: a run's rows stored on one thread while its
files are written on another, with the connection used by one thread at a time; a query DuckDB stopped
for Ctrl-C told as Ctrl-C; the run's files moved and its commit made with Ctrl-C held back."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator

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


def interrupted(e: BaseException) -> bool:
    """Whether ``e`` is DuckDB's word for a query it stopped: for Ctrl-C (a ``RuntimeError`` "Query
    interrupted", raised in place of ``KeyboardInterrupt``) or for ``interrupt()``."""
    return isinstance(e, duckdb.InterruptException) or (
        isinstance(e, RuntimeError) and str(e).startswith("Query interrupted")
    )


@contextlib.contextmanager
def ctrl_c_held() -> Iterator[None]:
    """The block run to its end with Ctrl-C held back (on the main thread, where Python takes it): a run's
    files are moved into place and its commit made together, or neither. A Ctrl-C meanwhile is dropped:
    when the block ends the run is whole, and there is nothing left to stop."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda *_: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
