"""The one place the real clock is read; everything else takes ``now`` or a clock callable."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
