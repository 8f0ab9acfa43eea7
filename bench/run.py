#!/usr/bin/env python
"""`make bench [SCALE=small|full]`: generate data in a bench-only database, measure, write results.json.

Never touches the developer's database: with a PostgreSQL DATABASE_URL it drops and recreates
`groundswell_bench` on the same server; otherwise it uses a fresh var/bench.sqlite3. Each app's
figures come from bench/<app>.py's `measure(ctx) -> dict`, called in APPS order; their keys go
under the app's name in bench/results.json, beside the other apps' keys already there.
"""

import argparse
import datetime as dt
import importlib
import importlib.util
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB_NAME = os.environ.get("BENCH_DB_NAME", "groundswell_bench")  # parallel runs each take their own
SQLITE_PATH = ROOT / "var" / f"{BENCH_DB_NAME}.sqlite3"
RESULTS = ROOT / "bench" / "results.json"
# bench/<app>.py modules, measured in this order
APPS = [
    "campaign",
    "volunteers_signup",
    "volunteers_reminders",
    "fundraising",
    "canvassing_import",
    "canvassing_turfs",
    "canvassing_visits",
    "canvassing_progress",
    "inventory",
    "nominations",
    "reports",
]

# Run as a script, sys.path[0] is bench/, where campaign.py would shadow the campaign app.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))


def _log(message: str) -> None:
    print(message, flush=True)


def use_bench_database() -> str:
    """Point DATABASE_URL at an empty bench database before Django reads settings."""
    raw = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(raw)
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        import environ
        import psycopg

        config = environ.Env.db_url_config(raw)
        connect = {
            "dbname": "postgres",
            "user": config.get("USER") or None,
            "password": config.get("PASSWORD") or None,
            "host": config.get("HOST") or None,
            "port": config.get("PORT") or None,
        }
        with psycopg.connect(**{k: v for k, v in connect.items() if v is not None}, autocommit=True) as conn:
            force = " WITH (FORCE)" if conn.info.server_version >= 130000 else ""
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB_NAME}"{force}')
            conn.execute(f'CREATE DATABASE "{BENCH_DB_NAME}"')
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{BENCH_DB_NAME}"))
        return BENCH_DB_NAME
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    return str(SQLITE_PATH.relative_to(ROOT))


@dataclass
class Context:
    """What every bench/<app>.py gets: the data, the run counts and ready-made clients."""

    scale: str
    runs: int
    warmup: int
    data: Any  # bench.generate.Dataset

    def session_client(self, user: Any) -> Any:
        from django.test import Client

        client = Client()
        client.force_login(user)
        return client

    def token_client(self, key: str) -> Any:
        from django.test import Client

        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def database_version() -> str:
    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "postgresql":
        number = connection.pg_version  # e.g. 150020
        return f"{number // 10000}.{number % 10000}"
    if connection.vendor == "sqlite":
        return connection.Database.sqlite_version
    return ""


def write_results(path: Path, meta: dict[str, Any], figures: dict[str, dict[str, Any]]) -> None:
    """Replace meta and the measured apps' keys; keep every other app's figures as they were."""
    results: dict[str, Any] = {}
    if path.exists():
        try:
            results = json.loads(path.read_text())
        except ValueError:
            _log(f"warning: {path} was not valid JSON; starting it afresh")
        if not isinstance(results, dict):
            results = {}
    results = {"meta": meta, **{k: v for k, v in results.items() if k != "meta"}, **figures}
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def _goal(key: str, figures: dict[str, Any], goals: dict[str, tuple[str, float]]) -> tuple[str, str]:
    if key in goals:
        op, target = goals[key]
        value = figures[key]
        met = value <= target if op == "<=" else value >= target
        return f"{op} {target}", "ok" if met else "MISSED"
    if key.endswith("_large") and key[: -len("_large")] + "_small" in figures:
        met = figures[key] == figures[key[: -len("_large")] + "_small"]
        return "= _small", "ok" if met else "MISSED"
    return "", ""


def print_table(meta: dict[str, Any], figures: dict[str, dict[str, Any]], goals: dict[str, dict]) -> None:
    rows = [("figure", "value", "goal", "")]
    for app, values in figures.items():
        for key, value in values.items():
            goal, status = _goal(key, values, goals.get(app, {}))
            rows.append((f"{app}.{key}", str(value), goal, status))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    db = meta["database"]
    _log(
        f"\nscale={meta['scale']}  database={db['vendor']} {db['version']} ({db['name']})  "
        f"commit={meta['git_commit'][:12]}  runs={meta['runs']}"
    )
    for n, row in enumerate(rows):
        cells = [cell.rjust(widths[i]) if i == 1 else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        _log("  ".join(cells).rstrip())
        if n == 0:
            _log("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["small", "full"], default="small")
    parser.add_argument("--runs", type=int, default=50, help="measured runs per figure (median; default 50)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured runs first (default 3)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--only", action="append", choices=APPS, help="measure only this module (repeatable)")
    args = parser.parse_args(argv)
    if args.runs < 30:
        parser.error("--runs must be at least 30")
    started = time.perf_counter()

    db_name = use_bench_database()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DEBUG"] = "false"  # as served: no query log, no template debug info
    os.environ["API_RATE_LIMIT_USER"] = ""  # the bench sends thousands of requests a minute on purpose
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings
    from django.urls import clear_url_caches, set_urlconf

    from bench import generate
    from bench.timing import BenchError

    _log(f"bench database: {connection.vendor} {db_name}")
    t = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    _log(f"migrated in {time.perf_counter() - t:.1f}s")
    t = time.perf_counter()
    data = generate.generate(args.scale)
    sizes = ", ".join(f"{d.label}: {d.members} members, {d.people} people" for d in data.campaigns.values())
    _log(f"generated ({sizes}) in {time.perf_counter() - t:.1f}s")

    ctx = Context(scale=args.scale, runs=args.runs, warmup=args.warmup, data=data)
    figures: dict[str, dict[str, Any]] = {}
    goals: dict[str, dict] = {}
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["*"]):
        clear_url_caches()
        set_urlconf(None)
        for app in args.only or APPS:
            if importlib.util.find_spec(f"bench.{app}") is None:
                _log(f"bench/{app}.py does not exist yet; skipped")
                continue
            module = importlib.import_module(f"bench.{app}")
            key = getattr(module, "APP", app)  # bench/<app>_<part>.py may report under its app's key
            t = time.perf_counter()
            try:
                figures.setdefault(key, {}).update(module.measure(ctx))
            except BenchError as exc:
                _log(f"bench failed in {app}: {exc}")
                return 1
            goals.setdefault(key, {}).update(getattr(module, "GOALS", {}))
            _log(f"measured {app} in {time.perf_counter() - t:.1f}s")
    clear_url_caches()

    meta = {
        "scale": args.scale,
        "database": {"vendor": connection.vendor, "name": db_name, "version": database_version()},
        "git_commit": git_commit(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "runs": args.runs,
        "warmup": args.warmup,
    }
    write_results(args.output, meta, figures)
    print_table(meta, figures, goals)
    _log(f"\nwrote {args.output} in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
