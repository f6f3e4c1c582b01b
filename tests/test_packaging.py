"""A wheel built from a clean checkout runs on its own and speaks Danish.

The test copies the tracked files (no compiled .mo, no .venv) to a temporary folder, builds
the wheel there with pip as an operator would, installs it into a fresh virtualenv outside
the checkout and serves it with `gunicorn 'app:create_app()'`.

The fresh venv gets the wheel itself (`--no-deps`) and borrows the already installed
dependencies from this test run's environment through a path entry, so the test takes
seconds instead of a minute of downloads; `pip check` then proves the wheel's declared
dependencies are all satisfied there. The project's own package is never borrowed: the
editable install's finder is not loaded for a plain path entry.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.ops.servers import base_env, get, gunicorn

ROOT = Path(__file__).resolve().parent.parent


def _copy_tracked_files(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / name.decode()
        if source.is_file():
            destination = target / name.decode()
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(python of a fresh venv with the wheel installed, a folder outside the checkout)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to know the tracked files")
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    _copy_tracked_files(source)
    assert not list(source.rglob("*.mo")), "compiled catalogues must come from the build"
    wheels = work / "wheels"
    subprocess.run(
        # The backend (setup.py + setuptools) is the real one; only its throw-away build venv
        # is skipped, with the build requirements already installed here (pyproject.toml).
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(wheels), str(source)],
        check=True,
        env=base_env(),
    )
    [wheel] = wheels.glob("holdplads-*.whl")
    environment = work / "venv"
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        env=base_env(),
    )
    return python, work


def test_the_wheel_carries_compiled_catalogues_and_migrations(installed):
    python, work = installed
    checked = subprocess.run(
        [str(python), "-c", "import app, pathlib; print(pathlib.Path(app.__file__).parent)"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
        env=base_env(),
    )
    package = Path(checked.stdout.strip())
    assert ROOT not in package.parents, "the installed package must not be the checkout"
    assert (package / "translations/da/LC_MESSAGES/messages.mo").stat().st_size > 10_000
    assert (package / "translations/da/LC_MESSAGES/wtforms.mo").exists()
    assert list((package / "migrations/versions").glob("*.py"))
    dependencies = subprocess.run(
        [str(python), "-m", "pip", "check"], capture_output=True, text=True, env=base_env()
    )
    assert dependencies.returncode == 0, dependencies.stdout


def test_the_installed_wheel_migrates_serves_and_speaks_danish(installed):
    python, work = installed
    env = base_env(
        DATABASE_URL=f"sqlite:///{work / 'site.sqlite'}",
        SECRET_KEY="packaging-test-secret",
        RATELIMIT_ENABLED="false",
    )
    upgraded = subprocess.run(
        [str(python), "-m", "flask", "--app", "app:create_app", "db", "upgrade"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert upgraded.returncode == 0, upgraded.stderr
    # With the settings a server gets (deploy/gunicorn.conf.py), as docs/deploy.md installs it.
    config = ROOT / "deploy" / "gunicorn.conf.py"
    with gunicorn(python, "app:create_app()", env=env, cwd=work, config=config) as url:
        assert get(url + "/readyz") == (200, "ready\n")
        status, danish = get(url + "/", {"Accept-Language": "da"})
        assert status == 200
        assert "Gå til indholdet" in danish
        status, english = get(url + "/?lang=en")
        assert "Skip to content" in english
