"""The archive's rows stored beside other work: both run at once, the first failure is raised once both
have stopped, and the connection is never left to two threads. Ctrl-C in a query is told as Ctrl-C, and
held back while a run's files are moved and its commit made."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import duckdb
import pytest

from scoring import Archive
from scoring.archive.threads import beside, ctrl_c_held, interrupted

# a query that runs for minutes unless interrupted (then it ends, and the test fails, rather than hangs)
LONG = "SELECT count(*) FROM range(50000000000) a WHERE a.range % 7 = 3"


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect(str(tmp_path / "a.duckdb"))
    c.execute("CREATE TABLE t (i INTEGER)")
    c.execute("SET enable_progress_bar = false")
    return c


def test_the_rows_are_stored_while_the_other_work_runs(con: duckdb.DuckDBPyConnection) -> None:
    other_started = threading.Event()
    seen: list[object] = []

    def store() -> None:  # waits for the other work: one after the other, it would wait in vain
        seen.append(other_started.wait(timeout=30))
        con.execute("INSERT INTO t VALUES (1)")

    def alongside() -> None:
        other_started.set()
        seen.append(threading.current_thread() is threading.main_thread())

    beside(con, store, alongside)
    assert sorted(map(str, seen)) == ["True", "True"]
    assert con.execute("SELECT count(*) FROM t").fetchone() == (1,)


def test_without_other_work_the_rows_are_stored_on_this_thread(con: duckdb.DuckDBPyConnection) -> None:
    threads: list[threading.Thread] = []
    beside(con, lambda: threads.append(threading.current_thread()), None)
    assert threads == [threading.current_thread()]


def test_a_failed_store_is_raised_after_the_other_work_finished(con: duckdb.DuckDBPyConnection) -> None:
    finished: list[bool] = []

    def store() -> None:
        raise ValueError("在计算之后被修改")

    def alongside() -> None:
        threading.Event().wait(0.2)  # the store has failed meanwhile
        finished.append(True)

    with pytest.raises(ValueError, match="在计算之后被修改"):
        beside(con, store, alongside)
    assert finished == [True]


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failure_of_the_other_work_stops_the_store_and_is_raised(
    con: duckdb.DuckDBPyConnection, failure: BaseException
) -> None:
    running = threading.Event()
    stopped: list[type[BaseException]] = []

    def store() -> None:
        running.set()
        try:
            con.execute(LONG)
        except BaseException as e:
            stopped.append(type(e))
            raise

    def alongside() -> None:
        assert running.wait(timeout=30)
        threading.Event().wait(0.2)  # the long query is under way
        raise failure

    with pytest.raises(type(failure)):
        beside(con, store, alongside)
    assert stopped and issubclass(stopped[0], duckdb.Error)  # interrupted, not run to its end
    assert con.execute("SELECT 41 + 1").fetchone() == (42,)  # and the connection is free again


def test_duckdbs_words_for_a_stopped_query_are_known() -> None:
    assert interrupted(RuntimeError("Query interrupted"))  # DuckDB's, for Ctrl-C during a query
    assert interrupted(duckdb.InterruptException("INTERRUPT Error: Interrupted!"))
    assert not interrupted(RuntimeError("something else"))
    assert not interrupted(duckdb.IOException("disk full"))
    assert not interrupted(KeyboardInterrupt())


def test_a_query_of_the_archive_stopped_is_told_as_ctrl_c(tmp_path: Path) -> None:
    # not as 档案库读写失败 (an archive error) nor as a RuntimeError's traceback: the CLI's Ctrl-C path
    store = Archive(tmp_path / "a.duckdb")
    with pytest.raises(KeyboardInterrupt), store.connect(write=True) as con:
        threading.Timer(0.3, con.interrupt).start()
        con.execute(LONG).fetchall()
    with store.connect() as con:  # and the archive opens again
        assert con.execute("SELECT 1").fetchone() == (1,)


def test_ctrl_c_is_held_back_while_a_run_is_committed() -> None:
    before = signal.getsignal(signal.SIGINT)
    done = []
    with ctrl_c_held():
        os.kill(os.getpid(), signal.SIGINT)  # delivered now, on this (the main) thread: dropped
        threading.Event().wait(0.1)
        done.append(True)
    assert done == [True]
    assert signal.getsignal(signal.SIGINT) is before  # and Ctrl-C is Ctrl-C again


def test_ctrl_c_on_another_thread_holds_nothing() -> None:
    # only the main thread takes signals: elsewhere the block runs as it is, and nothing is changed
    before = signal.getsignal(signal.SIGINT)
    seen: list[object] = []

    def work() -> None:
        with ctrl_c_held():
            seen.append(signal.getsignal(signal.SIGINT))

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert seen == [before]
