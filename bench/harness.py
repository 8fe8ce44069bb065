"""Shared pieces of the benchmarks: an app on a given database, and timing by ratio."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from flask import Flask

from config import TestingConfig
from lms import create_app


def bench_app(database_url: str) -> Flask:
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    return create_app(config)


def median_seconds(
    func: Callable[[], object], repeat: int = 5, setup: Callable[[], object] | None = None
) -> float:
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
