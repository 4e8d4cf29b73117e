"""Storage: typed models, engines, migrations."""

from ._engine import make_engine, make_sessionmaker
from ._migrate import current_revision, head_revision, migrations_dir, upgrade
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
)

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
    "current_revision",
    "head_revision",
    "make_engine",
    "make_sessionmaker",
    "migrations_dir",
    "upgrade",
]
