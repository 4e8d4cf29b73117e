"""Engines and sessions: SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000
# WAL pages between automatic checkpoints (SQLite's default: 1000, about 4 MB). A stored page
# of posts dirties some 200 index and table pages, so the default checkpointed, with two
# fsyncs, every five pages; at 10,000 (a WAL of up to 40 MB) storing took 68 instead of 82 µs
# a post read at 200k posts (bench, ingest).
SQLITE_WAL_AUTOCHECKPOINT = 10_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the CLI read while the daemon writes; the busy timeout rides out short locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT}")
    cursor.close()


# SQLite errors after which a connection stays useless though the file is fine again: one opened
# while the file could not be written is read-only for good, one that met a full disk or an I/O
# error may hold a broken state.
_SQLITE_REOPEN = ("readonly database", "disk i/o error", "database or disk is full")


def _reopen_after(context: ExceptionContext) -> None:
    """Takes such a SQLite failure for a lost connection: the pool then opens fresh ones."""
    failure = context.original_exception
    in_memory = context.engine is None or context.engine.url.database in (None, "", ":memory:")
    if in_memory:  # its one connection is the whole database: dropping it would lose it
        return
    if isinstance(failure, sqlite3.OperationalError) and any(
        cause in str(failure).lower() for cause in _SQLITE_REOPEN
    ):
        context.is_disconnect = True


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created if missing.

    Errors never carry a statement's parameters (``hide_parameters``): they are post texts and
    author names, and errors reach logs, ``job_runs`` and the health endpoint.
    """
    parsed = make_url(url)
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "handle_error", _reopen_after)
        return engine
    # PostgreSQL's JIT compiles any query its planner costs high, which the trend and digest
    # aggregates over a VALUES list are: ~200 ms of compiling per query to save a few ms.
    connect_args = {"options": "-c jit=off", **kwargs.pop("connect_args", {})}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message ("" if none); for a database error, the driver's
    own message, which SQLAlchemy buries under the statement (an insert of post texts, say), a
    link or advice about autoflush. What logs, ``job_runs`` and the health endpoint show."""
    source = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = str(source).strip()
    return text.splitlines()[0] if text else ""


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
