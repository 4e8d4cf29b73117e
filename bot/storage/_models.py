"""The database schema as SQLAlchemy 2 typed models.

Times are stored as naive UTC (``UtcDateTime``) so that SQLite and PostgreSQL
compare and group them the same way; the type converts at the boundary.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    or_,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, naive UTC in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given; pass an aware UTC time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class Post(Base):
    """One campaign post, from either platform, as last seen."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("platform", "platform_id"),
        Index(None, "created_at"),
        Index(None, "platform", "created_at"),
        # New authors in a digest: "did this author post before?" per author of the day.
        Index(None, "author_id", "platform", "created_at"),
        # When a platform last gave a new post (the digest's "no posts collected since ...").
        # Not last_seen_at: every re-sighting and engagement refresh would move it, and the index.
        Index(None, "platform", "first_seen_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))  # "reddit" | "bluesky"
    platform_id: Mapped[str] = mapped_column(String(300))  # Reddit fullname / Bluesky at-uri
    url: Mapped[str] = mapped_column(String(1000))
    author_handle: Mapped[str | None] = mapped_column(String(300))
    author_id: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(16))
    community: Mapped[str | None] = mapped_column(String(100))  # subreddit; None on Bluesky
    created_at: Mapped[datetime]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    matched_terms: Mapped[list[str]]
    # Counted in digests but never quoted or linked (see bot.digest care rules).
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    likes: Mapped[int] = mapped_column(default=0)  # Reddit score / Bluesky likes
    replies: Mapped[int] = mapped_column(default=0)  # Reddit comments / Bluesky replies
    reposts: Mapped[int] = mapped_column(default=0)  # Bluesky reposts (+ quotes)
    engagement: Mapped[int] = mapped_column(default=0)  # likes + replies + reposts
    state: Mapped[str] = mapped_column(String(16), default="live")  # live | removed | deleted
    gone_at: Mapped[datetime | None]


class PostChange(Base):
    """A span of ``created_at`` whose posts changed (new, renumbered, purged) since the trend
    rollups last caught up; ``bot.trends`` rebuilds the days and weeks it overlaps."""

    __tablename__ = "post_changes"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    start: Mapped[datetime]
    stop: Mapped[datetime]


class TrendRollup(Base):
    """The trend aggregates of one finished day or week of posts, per scope ("*" or a platform).

    A cache of ``posts`` (see ``bot.trends._rollups``): a year's table reads 365 of these
    instead of aggregating every post again. Keyed by timezone because a day is a local day.
    """

    __tablename__ = "trend_rollups"

    timezone: Mapped[str] = mapped_column(String(64), primary_key=True)
    by: Mapped[str] = mapped_column(String(8), primary_key=True)  # day | week
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)  # "*" (all) or a platform
    start: Mapped[datetime] = mapped_column(primary_key=True)
    stop: Mapped[datetime]
    posts: Mapped[int]
    engagement: Mapped[int] = mapped_column(BigInteger)
    authors: Mapped[int]
    with_author: Mapped[int]
    top_language: Mapped[str | None] = mapped_column(String(16))
    top_subreddit: Mapped[str | None] = mapped_column(String(100))
    computed_at: Mapped[datetime]


class EngagementSnapshot(Base):
    __tablename__ = "engagement_snapshots"
    __table_args__ = (UniqueConstraint("post_id", "taken_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime]
    likes: Mapped[int]
    replies: Mapped[int]
    reposts: Mapped[int]


class Petition(Base):
    __tablename__ = "petitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)  # the config id
    url: Mapped[str] = mapped_column(String(1000))
    title: Mapped[str | None] = mapped_column(Text)
    goal: Mapped[int | None]
    state: Mapped[str | None] = mapped_column(String(16))  # open | victory | closed


class PetitionSnapshot(Base):
    __tablename__ = "petition_snapshots"
    __table_args__ = (UniqueConstraint("petition_id", "taken_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime]
    count: Mapped[int]
    goal: Mapped[int | None]
    state: Mapped[str | None] = mapped_column(String(16))
    strategy: Mapped[str] = mapped_column(String(40))  # which parser found the count
    # A fall or an implausible jump: kept, but left out of pace until the next snapshot confirms it.
    flag: Mapped[str | None] = mapped_column(String(40))

    @hybrid_property
    def trusted(self) -> bool:
        """A count to go by: unflagged, or a fall or jump a later reading confirmed."""
        return is_trusted(self.flag)

    @trusted.inplace.expression
    @classmethod
    def _trusted_in_sql(cls) -> ColumnElement[bool]:
        return or_(cls.flag.is_(None), cls.flag.endswith(_CONFIRMED))


# bot.petitions._sanity flags a reading "fall" or "jump" and, once confirmed, "fall confirmed".
_CONFIRMED = "confirmed"


def is_trusted(flag: str | None) -> bool:
    """Whether a snapshot with ``flag`` counts (the Python side of ``PetitionSnapshot.trusted``)."""
    return flag is None or flag.endswith(_CONFIRMED)


class Digest(Base):
    """A composed digest or alert; ``key`` is its period ("2026-11-22") or event id."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # digest | alert
    key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    content: Mapped[dict[str, Any]]


class Delivery(Base):
    """One digest to one target. Written *before* publishing, completed after (exactly once)."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("digest_id", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(100))
    # pending | done | failed | unknown (it may have arrived: look before sending again)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    remote_id: Mapped[str | None] = mapped_column(String(500))
    remote_url: Mapped[str | None] = mapped_column(String(1000))
    error: Mapped[str | None] = mapped_column(Text)
    # The job run (job_runs.id) that holds it; None when a CLI command does, or before 0004.
    run_id: Mapped[int | None]


class Checkpoint(Base):
    """Where a source stopped (a cursor, a newest id, a saved session), by name."""

    __tablename__ = "checkpoints"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class JobRun(Base):
    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job", "slot"),
        Index(None, "job", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    job: Mapped[str] = mapped_column(String(100))
    # The scheduled slot this run serves; unique per job so two replicas cannot both run it.
    slot: Mapped[str | None] = mapped_column(String(40))
    replica: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    # running | ok | failed | abandoned (its process died) | aborted (stopped at shutdown)
    status: Mapped[str] = mapped_column(String(16))
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error_class: Mapped[str | None] = mapped_column(String(200))
    error_message: Mapped[str | None] = mapped_column(Text)
