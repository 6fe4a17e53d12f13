"""pytest configuration of the benchmarks: the ``bigdata`` marker (sizes from 100 000 units)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "bigdata: a benchmark on 100 000 units or more (only when ZWGK_BENCH_SIZES asks for it)")
