"""Alembic, driven from code: ``db upgrade`` and ``db current``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, inspect

from bot._paths import project_folder

from ._models import Base


def migrations_dir() -> Path:
    return project_folder("migrations", "env.py")


def _alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision``; a no-op on an up-to-date database."""
    command.upgrade(_alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(migrations_dir())).get_current_head()


@dataclass(frozen=True)
class Schema:
    """Where a database stands against this version's migrations."""

    current: str | None
    head: str | None
    # current | behind (upgrade it) | empty (none of its tables: upgrade it) | newer (made by a
    # later version: this one cannot use it) | unrecorded (its tables without a migration record)
    state: str


def schema(engine: Engine) -> Schema:
    scripts = ScriptDirectory(str(migrations_dir()))
    current, head = current_revision(engine), scripts.get_current_head()
    if current == head:
        return Schema(current, head, "current")
    if current is None:
        # Other tables (PostGIS's spatial_ref_sys, another application's) are not in the way.
        ours = set(Base.metadata.tables) & set(inspect(engine).get_table_names())
        return Schema(current, head, "unrecorded" if ours else "empty")
    try:
        known = scripts.get_revision(current) is not None
    except CommandError:
        known = False
    return Schema(current, head, "behind" if known else "newer")
