"""`flask backup` while sign-ups are running, then a restore that holds every sign-up.

On SQLite the command uses the online backup API; on PostgreSQL pg_dump, restored here with
pg_restore into a database of its own, as docs/deploy.md tells an operator to.
"""

from __future__ import annotations

import shutil
import subprocess
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Enrollment, EnrollmentStatus
from app.ops.backup import libpq_url
from tests.enrollment.helpers import form_data
from tests.factories import make_offering

pytestmark = pytest.mark.committing


def _restore(app, backup, tmp_path) -> sa.Engine:
    """Restore the backup as an operator would and return an engine on the restored copy."""
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        restored = tmp_path / "restored.sqlite"
        shutil.copy(backup, restored)
        return sa.create_engine(f"sqlite:///{restored}")
    name = f"{url.database}_restore"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    target = url.set(database=name)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", libpq_url(target), backup],
        check=True,
    )
    return sa.create_engine(target)


def test_a_backup_taken_during_signups_restores_every_confirmed_signup(app, runner, tmp_path):
    offering = make_offering(capacity=1000)
    url = f"/offerings/{offering.slug}/enroll"
    done: list[str] = []  # addresses whose sign-up has committed, in order
    lock = threading.Lock()
    stop = threading.Event()

    def keep_signing_up(worker: int) -> None:
        client = app.test_client()
        n = 0
        while not stop.is_set() and n < 200:
            data = form_data(f"{worker}-{n}")
            assert client.post(url, data=data).status_code == 302
            with lock:
                done.append(data["email"])
            n += 1

    threads = [threading.Thread(target=keep_signing_up, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(1200):  # the site is busy (a minute at most)
        if len(done) >= 20:
            break
        threading.Event().wait(0.05)
    else:
        stop.set()
        pytest.fail("the sign-ups did not get going")
    with lock:
        committed_before = list(done)
    result = runner.invoke(args=["backup", str(tmp_path)])
    # The site keeps taking sign-ups once the backup is done (it never held them off). How many
    # land *during* the backup depends on the machine's speed, so that is not asserted.
    for _ in range(200):
        with lock:
            if len(done) > len(committed_before):
                break
        threading.Event().wait(0.05)
    with lock:
        committed_after = len(done)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert committed_after > len(committed_before), "sign-ups went on around the backup"
    [backup] = [p for p in tmp_path.iterdir() if p.name.startswith("holdplads-")]

    engine = _restore(app, backup, tmp_path)
    try:
        with Session(engine) as session:
            restored = set(
                session.scalars(
                    sa.select(Enrollment.email).where(
                        Enrollment.offering_id == offering.id,
                        Enrollment.status == EnrollmentStatus.CONFIRMED,
                    )
                )
            )
    finally:
        engine.dispose()
    assert set(committed_before) <= restored
    assert len(restored) <= len(done)


def test_backup_into_a_folder_keeps_the_newest(app, runner, tmp_path):
    for name in ("holdplads-20260101T000000Z.sqlite", "holdplads-20260102T000000Z.sqlite"):
        (tmp_path / name).write_text("old")
    result = runner.invoke(args=["backup", str(tmp_path), "--keep", "2"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 2
    assert names[0] == "holdplads-20260102T000000Z.sqlite"
    assert names[1] > names[0]


def test_backup_to_an_unwritable_place_says_why(runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "no" / "such" / "folder" / "x")])
    assert result.exit_code != 0
    assert "Error" in result.output
