"""Alembic environment: the engine comes from the caller (``bot.storage.upgrade``) or DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Engine, text

from bot.storage import Base, make_engine

config = context.config
# Any fixed 64-bit key; the scheduler's job locks (bot.scheduler._locks) are hashes of job names.
_MIGRATION_LOCK = 0x6B65_6570_346F_6462  # "keep4odb"
target_metadata = Base.metadata


def _engine() -> Engine:
    given = config.attributes.get("engine")
    if given is not None:
        return given  # type: ignore[no-any-return]
    return make_engine(os.environ.get("DATABASE_URL", "sqlite:///data/keep4o.db"))


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things in place; batch mode rebuilds tables instead.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Replicas starting at once upgrade one after the other (the lock is held until
                # commit); a later one then finds the schema at head instead of racing to create it.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            context.run_migrations()
        connection.commit()


run_migrations_online()
