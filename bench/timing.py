"""Measuring helpers shared by every app's bench module."""

import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext


class BenchError(Exception):
    """The benchmark would measure the wrong thing (an error page, other rows): stop, exit non-zero."""


def median_ms(fn: Callable[[], Any], runs: int = 30, warmup: int = 3) -> float:
    """Median wall time of `fn()` in milliseconds, after `warmup` unmeasured calls."""
    for _ in range(warmup):
        fn()
    gc.collect()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def compare_ms(fns: dict[str, Callable[[], Any]], runs: int = 30, warmup: int = 3) -> dict[str, float]:
    """Median ms of each function, measured interleaved (a, b, c, a, b, c, …).

    Use it for a figure and its baseline: load from other processes then falls on both alike,
    so the ratio stays steady even when the times themselves wander.
    """
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    gc.collect()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1000 for name, values in samples.items()}


def count_queries(fn: Callable[[], Any], warmup: int = 1) -> int:
    """How many SQL queries one call of `fn()` runs on the default database, once warm.

    The warm-up call keeps one-off writes out of the count (a session's first activity record,
    an API token's first last_used_at stamp).
    """
    for _ in range(warmup):
        fn()
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def get_ok(client: Client, url: str, **extra: Any) -> HttpResponse:
    """GET that refuses anything but 200, so an error page or a redirect is never timed."""
    response = client.get(url, **extra)
    if response.status_code != 200:
        location = f" -> {response['Location']}" if response.has_header("Location") else ""
        raise BenchError(f"GET {url} answered {response.status_code}{location}, not 200")
    return response


def ratio(ours: float, baseline: float) -> float:
    """ours ÷ baseline, rounded for results.json."""
    return round(ours / baseline, 2)


def ms(value: float) -> float:
    return round(value, 3)
