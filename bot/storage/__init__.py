"""Storage: typed models, engines, migrations."""

from ._changes import note_changes, note_spans
from ._engine import first_line, make_engine, make_sessionmaker
from ._migrate import Schema, current_revision, head_revision, migrations_dir, schema, upgrade
from ._models import (
    Base,
    Checkpoint,
    Delivery,
    Digest,
    EngagementSnapshot,
    JobRun,
    Petition,
    PetitionSnapshot,
    Post,
    PostChange,
    TrendRollup,
    is_trusted,
)
from ._posts import get_checkpoint, mark_gone, set_checkpoint, to_driver, upsert_posts

__all__ = [
    "Base",
    "Checkpoint",
    "Delivery",
    "Digest",
    "EngagementSnapshot",
    "JobRun",
    "Petition",
    "PetitionSnapshot",
    "Post",
    "PostChange",
    "Schema",
    "TrendRollup",
    "current_revision",
    "first_line",
    "get_checkpoint",
    "head_revision",
    "is_trusted",
    "make_engine",
    "make_sessionmaker",
    "mark_gone",
    "migrations_dir",
    "note_changes",
    "note_spans",
    "schema",
    "set_checkpoint",
    "to_driver",
    "upgrade",
    "upsert_posts",
]
