"""The start-up benchmark (``benchmarks/startup.py``) as a smoke test: every step runs once, in this
environment, and the table names each step with a time. Timing claims come from running it, not from here."""

from __future__ import annotations

import re

import pytest

from benchmarks.startup import IMPORTS, main


def test_every_step_runs_and_is_timed(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--repeat", "1"])
    out = capsys.readouterr().out.splitlines()
    rows = [line for line in out if line.startswith("| ") and not line.startswith("| step")]
    assert [r.split(" | ")[0].removeprefix("| ") for r in rows[: len(IMPORTS)]] == [w for w, _ in IMPORTS]
    assert rows[-1].startswith("| `score compute`：随附年度（30 个单位）")
    assert len(rows) == len(IMPORTS) + 1
    for r in rows:  # min and median, both measured: a step that failed shows a dash
        assert re.fullmatch(r"\| .+ \| \d+\.\d{3} \| \d+\.\d{3} \|", r), r
