"""Start real gunicorn servers for tests that need separate processes (packaging, two servers)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def base_env(**settings: str) -> dict[str, str]:
    """The machine's environment without anything that points back into this checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FLASK_APP")}
    env.update(settings)
    return env


def wait_until_ready(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextmanager
def gunicorn(
    python: Path | str,
    target: str,
    *,
    env: dict[str, str],
    cwd: Path,
    workers: int = 1,
    config: Path | None = None,
):
    """Yield the base URL of a gunicorn serving `target`; stop it (by its pid) afterwards."""
    with gunicorns(1, python, target, env=env, cwd=cwd, workers=workers, config=config) as urls:
        yield urls[0]


@contextmanager
def gunicorns(
    count: int,
    python: Path | str,
    target: str,
    *,
    env: dict[str, str],
    cwd: Path,
    workers: int = 1,
    config: Path | None = None,
):
    """Start `count` separate gunicorn servers at once; yield their base URLs.

    `config`: a gunicorn config file (deploy/gunicorn.conf.py); the bind address and the
    worker count given here override it.
    """
    started = []
    try:
        for _ in range(count):
            port = free_port()
            log = (Path(cwd) / f"gunicorn-{port}.log").open("wb")
            command = [str(python), "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
            command += ["--config", str(config)] if config else []
            command += ["--workers", str(workers), "--graceful-timeout", "2", target]
            process = subprocess.Popen(
                command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT
            )
            started.append((process, f"http://127.0.0.1:{port}", log))
        for process, url, log in started:
            try:
                wait_until_ready(url, process)
            except RuntimeError as error:
                log.flush()
                raise RuntimeError(f"{error}\n{Path(log.name).read_text()[-3000:]}") from error
        yield [url for _, url, _ in started]
    finally:
        for process, _, _ in started:
            process.terminate()
        for process, _, log in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
