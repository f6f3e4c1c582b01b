"""Database plumbing shared by every area: UTC datetimes, SQLite write locks, change marker.

Nothing here knows about offerings or enrollments.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database.

    PostgreSQL keeps `timestamptz`; SQLite has no time zones, so we store naive UTC there and
    put the zone back on the way out. Naive datetimes are refused: they are always a bug.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware one")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def as_utc(value: datetime | str | None) -> datetime | None:
    """A value from an SQL aggregate (min, max) as an aware UTC datetime.

    Aggregates bypass the column type; on SQLite they come back as naive text.
    """
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return UTCDateTime().process_result_value(value, None)


def render_migration_item(type_, obj, autogen_context):
    """Write UTCDateTime into migrations as the plain column type it stores."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# --- SQLite transactions -------------------------------------------------------------------
# pysqlite starts transactions lazily and on its own terms; we take over so that savepoints
# work and so that a write request can open its transaction with BEGIN IMMEDIATE. That is
# SQLite's "row lock": it takes the database's write lock up front, so two sign-ups never read
# the same seat count. PostgreSQL uses SELECT ... FOR UPDATE instead (see enrollment services).

_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


def set_write_intent(value: bool) -> bool:
    """Mark the transactions begun from now on as writers (or not); returns the old mark.

    Only `app.transaction` calls this: it is where every write begins.
    """
    previous = _write_intent.get()
    _write_intent.set(value)
    return previous


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def install_sqlite_hooks(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        # SQLite's lower() knows only ASCII; searches must find "Ældre" when typed "ældre".
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        # Freed pages and cells are overwritten with zeros: erased personal data is gone from
        # the file, not just unlinked (app/privacy/retention.py).
        cursor.execute("PRAGMA secure_delete = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


# --- the change marker ---------------------------------------------------------------------
# One row whose counters rise in the same transaction as every change to the data. Page
# caches, ETags and calendar validators compare against it: one indexed read tells every
# worker whether anything changed since they rendered.
#
# Three counters, so that a sign-up does not throw away every public page:
# - `version` rises with every change at all (feeds, the API and the prospectus use it);
# - `structure_version` with every change a public page shows other than seats: an offering,
#   its dates, a place, a theme... (not the outbox, the audit log or other private rows);
# - `seats_version` with every change to a seat-holding row (an enrollment), and with it the
#   counter of that row's offering alone in the per-offering marker table, so an offering's
#   page stays cached while people sign up for another one.


@dataclass(frozen=True)
class SeatSource:
    """Rows that hold seats (`table`), the column naming their offering, and the per-offering
    counters (`markers`: a table of (offering_id primary key, version))."""

    table: str
    offering_column: str
    markers: sa.Table


_tracked: set[str] = set()


def track_changes(
    table: sa.Table,
    *,
    private: frozenset[str] = frozenset(),
    unseen: frozenset[str] = frozenset(),
    seats: SeatSource | None = None,
) -> None:
    """Raise `table`'s counters in every session transaction that changed something.

    `private` names tables that no public page shows: a change to them raises `version` only.
    `unseen` names tables that no cached answer or validator reads at all (the outbox, the
    audit log): a change to them raises nothing, so delivering mail or logging a look at a
    list never writes the marker row that every sign-up writes too.
    """
    if table.name in _tracked:  # listeners are global: one set, however many apps
        return
    _tracked.add(table.name)
    # The app's sessions only: other SQLAlchemy users in the process (a library's own
    # database, a test's OpenID provider) have no change marker to raise.
    from flask_sqlalchemy.session import Session as session_class

    own_tables = {table.name} | ({seats.markers.name} if seats else set())

    def _note(session, name: str, offering_id=None) -> None:
        if name in unseen:
            return
        if seats is not None and name == seats.table and offering_id is not None:
            note_seats_changed(session, offering_id)
            return
        session.info["changed"] = True
        if name not in private:
            session.info["structure_changed"] = True

    @event.listens_for(session_class, "after_flush")
    def _remember(session, _flush_context):
        # Still the state before the flush here: new, dirty and deleted, with their history.
        for instance in [*session.new, *session.deleted]:
            _note(session, instance.__table__.name, _offering_of(instance))
        for instance in session.dirty:
            if session.is_modified(instance, include_collections=False):
                _note(session, instance.__table__.name, _offering_of(instance))

    def _offering_of(instance):
        if seats is None or instance.__table__.name != seats.table:
            return None
        return getattr(instance, seats.offering_column, None)

    @event.listens_for(session_class, "do_orm_execute")
    def _remember_bulk(orm_execute_state):
        statement = orm_execute_state.statement
        is_dml = (
            orm_execute_state.is_insert
            or orm_execute_state.is_update
            or orm_execute_state.is_delete
        )
        target = getattr(statement, "table", None)
        if is_dml and target is not None and target.name not in own_tables | unseen:
            # Rows changed in bulk: which offerings is unknown, so every page starts afresh.
            info = orm_execute_state.session.info
            info["changed"] = True
            if target.name not in private:
                info["structure_changed"] = True

    @event.listens_for(session_class, "before_commit")
    def _bump(session):
        session.flush()  # commit's own flush comes after this hook; count its changes now
        info = session.info
        if not info.pop("changed", False):
            return
        structure = info.pop("structure_changed", False)
        offerings = sorted(info.pop("seat_offerings", set()))
        bump = (
            table.update()
            .where(table.c.id == 1)
            .values(
                version=table.c.version + 1,
                structure_version=table.c.structure_version + int(structure),
                seats_version=table.c.seats_version + int(bool(offerings)),
            )
        )
        if not offerings or seats is None:
            session.execute(bump)
        elif session.get_bind().dialect.name == "postgresql":
            # One statement: a sign-up holds its offering's lock until the commit, and every
            # round trip before it is one more wait for each person in line.
            raised = _offerings_bump(session, seats.markers, offerings).cte("seat_markers_raised")
            session.execute(bump.add_cte(raised))
        else:
            session.execute(bump)
            session.execute(_offerings_bump(session, seats.markers, offerings))


def note_seats_changed(session, offering_id: int) -> None:
    """Render the pages showing this offering's seats afresh at the next commit."""
    session.info["changed"] = True
    session.info.setdefault("seat_offerings", set()).add(offering_id)


def _offerings_bump(session, markers: sa.Table, offering_ids: list[int]):
    """Raise each offering's own counter (a row is made the first time)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(markers).values([{"offering_id": i, "version": 1} for i in offering_ids])
    upsert = statement.on_conflict_do_update(
        index_elements=[markers.c.offering_id], set_={"version": markers.c.version + 1}
    )
    return upsert
