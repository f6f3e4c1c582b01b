"""Shared plumbing for the bench scripts: a throw-away database, gunicorn, wrk, query counting.

Everything talks to 127.0.0.1 only, every loop is bounded in time, and every process started
here is stopped in a `finally`, so an interrupted bench leaves nothing running behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
# gunicorn as a server runs it (docs/deploy.md): no access log beside the app's own request
# log, workers renewed after 2,000 requests.
SERVER_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
WRK = os.environ.get("WRK", "/usr/bin/wrk")


# --- a fresh database ----------------------------------------------------------------------


@dataclass
class BenchDatabase:
    url: str  # what the app and gunicorn are given as DATABASE_URL
    label: str  # "SQLite" or "PostgreSQL", for the report


@contextlib.contextmanager
def fresh_database(
    server_url: str | None = None, prefix: str = "holdplads_bench"
) -> Iterator[BenchDatabase]:
    """An empty database that is removed afterwards.

    Without `server_url`: a SQLite file in a temporary directory. With a PostgreSQL URL: a new
    database created next to the one the URL names (same server and credentials), dropped at
    the end.
    """
    if not server_url:
        with tempfile.TemporaryDirectory(prefix=prefix + "-") as tmp:
            yield BenchDatabase(url=f"sqlite:///{tmp}/bench.sqlite", label="SQLite")
        return
    from app.config import normalise_database_url

    admin_url = sa.make_url(normalise_database_url(server_url))
    if not admin_url.drivername.startswith("postgresql"):
        raise SystemExit(f"--database-url must be PostgreSQL, not {admin_url.drivername}")
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield BenchDatabase(
            url=admin_url.set(database=name).render_as_string(hide_password=False),
            label="PostgreSQL",
        )
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def make_app(database_url: str):
    """The real app on `database_url`, schema built by the migrations (never create_all)."""
    from flask_migrate import upgrade

    from app import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "bench-" + secrets.token_hex(16),
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": "",
        }
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    return app


# --- counting SQL ------------------------------------------------------------------------


class QueryCounter:
    """Counts the statements sent through an engine while it is active (`with counter:`)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []
        self._on = False
        sa.event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, _conn, _cursor, statement, _params, _context, _executemany):
        if self._on:
            self.statements.append(statement)

    def __enter__(self) -> QueryCounter:
        self.statements = []
        self._on = True
        return self

    def __exit__(self, *exc) -> None:
        self._on = False

    def __len__(self) -> int:
        # BEGIN/COMMIT/ROLLBACK that we emit ourselves on SQLite are not queries.
        return sum(
            1
            for s in self.statements
            if not re.match(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", s, re.I)
        )


# --- gunicorn and wrk --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(
    app_spec: str,
    *,
    database_url: str | None = None,
    workers: int = 2,
    worker_class: str = "sync",
    extra_env: dict[str, str] | None = None,
    ready_path: str = "/",
    timeout: float = 30.0,
    config: Path | None = None,
    log_file: Path | None = None,
) -> Iterator[Server]:
    """Serve `app_spec` (module:attr) with gunicorn on 127.0.0.1.

    `config`: a gunicorn config file (SERVER_CONFIG: as a server runs it, deploy/); without
    one gunicorn reads the checkout's gunicorn.conf.py, as `make run` does. `log_file`: where
    the server's output goes (the app's request log), instead of this terminal."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "SECRET_KEY": "bench-" + secrets.token_hex(16),
            "RATELIMIT_ENABLED": "false",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)]),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra_env or {})
    command = [
        str(VENV_BIN / "gunicorn"),
        "--workers", str(workers),
        "--worker-class", worker_class,
        "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning",
        *(["--config", str(config)] if config else []),
        app_spec,
    ]  # fmt: skip
    output = open(log_file, "ab") if log_file else None  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, start_new_session=True, stdout=output, stderr=output
    )
    server = Server(f"http://127.0.0.1:{port}", process.pid)
    try:
        _wait_until_serving(server.url + ready_path, process, timeout)
        yield server
    finally:
        _stop(process)
        if output is not None:
            output.close()


@dataclass
class Server:
    url: str  # http://127.0.0.1:<port>
    pid: int  # gunicorn's master process

    def workers_cpu_seconds(self) -> float:
        """User + system CPU time used so far by the master's worker processes."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended while we looked
                continue
            if int(fields[1]) == self.pid:  # ppid
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick


def _wait_until_serving(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f}s")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to gunicorn's whole process group, then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def warm(url: str, requests: int = 20) -> None:
    """A few plain requests, so every worker has imported, connected and filled its cache."""
    for _ in range(requests):
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()


@dataclass
class WrkResult:
    rate: float  # requests per second
    requests: int


def wrk(url: str, *, threads: int = 2, connections: int = 16, seconds: int = 5) -> WrkResult:
    """What wrk reaches on `url` (non-2xx answers make it fail)."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("the bench only talks to 127.0.0.1")
    result = subprocess.run(
        [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    if "Non-2xx" in result.stdout or "Socket errors" in result.stdout:
        raise RuntimeError(f"wrk saw errors on {url}:\n{result.stdout}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    count = re.search(r"(\d+) requests in", result.stdout)
    if not rate or not count:
        raise RuntimeError(f"unexpected wrk output:\n{result.stdout}")
    return WrkResult(rate=float(rate.group(1)), requests=int(count.group(1)))


def median(values: list[float]) -> float:
    return statistics.median(values)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
