"""The archive's rows stored beside other work: both run at once, the first failure is raised once both
have stopped, and the connection is never left to two threads."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest

from scoring.archive.threads import beside

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
