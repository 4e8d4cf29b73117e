"""Fresh, migrated databases for each measurement."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from bot.storage import make_engine, upgrade

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("KEEP4O_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")


@contextmanager
def fresh_database(backend: str) -> Iterator[Engine]:
    """A new migrated database on ``backend`` ("sqlite" or "postgres"), removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="keep4o-bench-") as folder:
            engine = make_engine(f"sqlite:///{folder}/bench.db")
            upgrade(engine)
            try:
                yield engine
            finally:
                engine.dispose()
        return
    name = f"keep4o_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(f"{PG_SERVER}/{name}")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
