"""Slow clients: do two visitors on a bad connection stop the site for everybody else?

Starts gunicorn (2 workers) on 127.0.0.1 against a throw-away SQLite database, once with
gunicorn's `sync` workers and once with `gthread` workers (8 threads each). For each, it opens
two "slow clients" that send a sign-up POST one byte per second (the headers, then the body,
as a phone on a weak signal or a slowloris attacker would) and, while they hang on, asks for
the catalogue page from a normal client with a 5-second timeout. It prints whether the normal
visitor got the page, and how fast.

A `sync` worker serves one connection at a time from the first byte to the last: two slow
clients hold both workers, and nobody else is served until gunicorn's timeout kills them.
A `gthread` worker waits for a connection's first bytes without a thread, and each of its
threads serves one request, so two slow clients take two of 16 threads. A buffering proxy in
front (nginx, Caddy) protects either kind: it reads the whole request before passing it on.

    .venv/bin/python bench/slow_clients.py
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _common import fresh_database, gunicorn, make_app, markdown_table  # noqa: E402

HOST = "127.0.0.1"


def slow_client(url: str, stop: threading.Event, seconds: float) -> None:
    """Send a POST one byte per second until `stop` or `seconds` have passed."""
    port = int(url.rsplit(":", 1)[1])
    body = b"name=" + b"x" * 200
    request = (
        f"POST /offerings/slow/enroll HTTP/1.1\r\nHost: {HOST}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    deadline = time.monotonic() + seconds
    with socket.create_connection((HOST, port), timeout=seconds) as connection:
        for byte in request:
            if stop.is_set() or time.monotonic() > deadline:
                return
            try:
                connection.send(bytes([byte]))
            except OSError:
                return
            time.sleep(1)


def normal_visit(url: str, timeout: float) -> tuple[bool, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url + "/", timeout=timeout) as response:
            response.read()
            ok = response.status == 200
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError):
        ok = False
    return ok, time.monotonic() - started


def measure(database_url: str, worker_class: str, threads: int, timeout: float) -> list[str]:
    extra = {"GUNICORN_CMD_ARGS": f"--threads {threads} --timeout 30"}
    with gunicorn(
        "wsgi:app",
        database_url=database_url,
        workers=2,
        worker_class=worker_class,
        extra_env=extra,
    ) as server:
        before_ok, before = normal_visit(server.url, timeout)
        stop = threading.Event()
        slow = [
            threading.Thread(target=slow_client, args=(server.url, stop, timeout + 5), daemon=True)
            for _ in range(2)
        ]
        for thread in slow:
            thread.start()
        time.sleep(1.5)  # both slow clients are connected and have begun to send
        during_ok, during = normal_visit(server.url, timeout)
        stop.set()
        for thread in slow:
            thread.join(timeout=5)
    label = worker_class if worker_class == "sync" else f"{worker_class}, {threads} threads"
    return [
        f"`{label}`",
        f"{before * 1000:.0f} ms" if before_ok else "no answer",
        f"{during * 1000:.0f} ms" if during_ok else f"**no answer within {timeout:.0f} s**",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=5.0, help="normal visitor's patience")
    args = parser.parse_args()
    rows = []
    with fresh_database() as database:
        app = make_app(database.url)
        del app
        for worker_class, threads in (("sync", 1), ("gthread", 8)):
            rows.append(measure(database.url, worker_class, threads, args.timeout))
    print(
        markdown_table(["gunicorn, 2 workers", "`/` alone", "`/` while 2 slow clients send"], rows)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
