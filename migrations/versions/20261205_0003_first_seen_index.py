"""posts: index (platform, first_seen_at) instead of (platform, last_seen_at); the author index
that revision 0001 was edited to after release

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Revision 0001 was edited in place on 2026-11-23: it gained the author and last-seen indexes,
# then the author index became (author_id, platform, created_at). A database made before an
# edit may lack an index or hold the old one; each step here checks what is there.
_OLD_AUTHOR_INDEX = "ix_posts_author_id_created_at"
_AUTHOR_INDEX = "ix_posts_author_id_platform_created_at"
_LAST_SEEN_INDEX = "ix_posts_platform_last_seen_at"


def _indexes() -> set[str]:
    return {index["name"] for index in sa.inspect(op.get_bind()).get_indexes("posts")}


def upgrade() -> None:
    present = _indexes()
    with op.batch_alter_table("posts", schema=None) as batch_op:
        if _LAST_SEEN_INDEX in present:
            batch_op.drop_index(_LAST_SEEN_INDEX)
        batch_op.create_index(
            batch_op.f("ix_posts_platform_first_seen_at"), ["platform", "first_seen_at"], unique=False
        )
        if _OLD_AUTHOR_INDEX in present:
            batch_op.drop_index(_OLD_AUTHOR_INDEX)
        if _AUTHOR_INDEX not in present:
            batch_op.create_index(_AUTHOR_INDEX, ["author_id", "platform", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posts_platform_first_seen_at"))
        batch_op.create_index(
            batch_op.f("ix_posts_platform_last_seen_at"), ["platform", "last_seen_at"], unique=False
        )
