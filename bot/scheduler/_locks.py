"""One run of a job at a time: a thread lock in this process, a PostgreSQL advisory lock across replicas.

The advisory lock is taken with ``pg_try_advisory_lock`` on a connection of its own that is
held for the whole run and is not inside a transaction (an idle-in-transaction session
would hold back vacuum for as long as a poll lasts). PostgreSQL releases session locks
when the session ends, so a replica that dies mid-job frees the job at once.
SQLite has no cross-process locks; one daemon per SQLite file is the supported set-up, and
:func:`one_daemon_per_file` makes it the only one: a second daemon on the file is refused at
start (it would run every job twice and close the other's running jobs as abandoned).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (Python's ``hash`` differs per process)."""
    digest = hashlib.blake2b(f"keep4o-bot:job:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class JobLock:
    """The exclusive right to run job ``name`` now; ``acquire`` never waits."""

    def __init__(self, engine: Engine, name: str, local: threading.Lock) -> None:
        self._engine = engine
        self._name = name
        self._local = local
        self._conn: Connection | None = None
        self._held = False

    def acquire(self) -> bool:
        if not self._local.acquire(blocking=False):
            return False
        try:
            if self._engine.dialect.name == "postgresql":
                conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                try:
                    got = bool(conn.scalar(select(func.pg_try_advisory_lock(advisory_key(self._name)))))
                except BaseException:
                    conn.close()
                    raise
                if not got:
                    conn.close()
                    self._local.release()
                    return False
                self._conn = conn
        except BaseException:
            self._local.release()
            raise
        self._held = True
        return True

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        conn, self._conn = self._conn, None
        try:
            if conn is not None:
                try:
                    conn.scalar(select(func.pg_advisory_unlock(advisory_key(self._name))))
                    conn.close()
                except SQLAlchemyError:
                    # The session is gone (server restart, terminated): its locks went with it.
                    # Never hand a connection that may still hold the lock back to the pool.
                    log.warning("could not release the lock of job %s cleanly", self._name, exc_info=True)
                    conn.invalidate()
                    conn.close()
        finally:
            self._local.release()


class DaemonRunning(Exception):
    """This daemon cannot have the SQLite file to itself: another one uses it (the message names
    its process), or the lock beside it cannot be made."""


@contextmanager
def one_daemon_per_file(database_url: str) -> Iterator[None]:
    """Held while a daemon runs on a SQLite file: an exclusive lock on ``<file>.daemon.lock``.

    The operating system releases the lock when the process ends, however it ends, so a
    daemon killed with -9 does not keep the next one out. PostgreSQL needs none: replicas
    share it through the job locks above.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        yield
        return
    path = Path(f"{url.database}.daemon.lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # a first start: the database is made next
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DaemonRunning(f"cannot lock {path} for this daemon: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            raise DaemonRunning(
                f"another keep4o-bot run (process {holder}) already uses {url.database}; stop it first"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)
