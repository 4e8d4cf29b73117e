"""trend rollups: per-day and per-week aggregates, and the post changes they catch up on

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage._models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "post_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("start", bot.storage._models.UtcDateTime(), nullable=False),
        sa.Column("stop", bot.storage._models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_changes")),
    )
    op.create_table(
        "trend_rollups",
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("by", sa.String(length=8), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("start", bot.storage._models.UtcDateTime(), nullable=False),
        sa.Column("stop", bot.storage._models.UtcDateTime(), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.BigInteger(), nullable=False),
        sa.Column("authors", sa.Integer(), nullable=False),
        sa.Column("with_author", sa.Integer(), nullable=False),
        sa.Column("top_language", sa.String(length=16), nullable=True),
        sa.Column("top_subreddit", sa.String(length=100), nullable=True),
        sa.Column("computed_at", bot.storage._models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("timezone", "by", "scope", "start", name=op.f("pk_trend_rollups")),
    )
    # Posts stored before this revision have no rollups yet: the first refresh builds them all.


def downgrade() -> None:
    op.drop_table("trend_rollups")
    op.drop_table("post_changes")
