"""Operator alerts land in a private file, one line each."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.ops import OPERATOR_LOG, append_operator_alert

NOW = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)


def test_alerts_and_recoveries_are_appended_as_lines(tmp_path: Path) -> None:
    folder = tmp_path / "digests"
    append_operator_alert(folder, "alert", "source reddit is stale: 5 failed polls in a row", NOW)
    append_operator_alert(folder, "recovery", "source reddit has recovered", NOW)
    assert (folder / OPERATOR_LOG).read_text(encoding="utf-8").splitlines() == [
        "2026-02-20T09:00:00+00:00 ALERT source reddit is stale: 5 failed polls in a row",
        "2026-02-20T09:00:00+00:00 RECOVERED source reddit has recovered",
    ]
