"""Digest files: Markdown and JSON written atomically into the configured directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from publish_support import edition

from bot.digest import AlertContent, digest_from_json
from bot.publishers import Edition, FilePublisher, NotDelivered


def test_markdown_and_json_are_written_side_by_side(tmp_path: Path) -> None:
    remote = FilePublisher(tmp_path / "digests").publish(edition(), look_first=False)
    markdown = tmp_path / "digests" / "digest-2026-02-20.md"
    document = json.loads((tmp_path / "digests" / "digest-2026-02-20.json").read_text(encoding="utf-8"))
    assert remote.id == str(markdown)
    assert markdown.read_text(encoding="utf-8").startswith("# #keep4o daily digest · Fri 2026-02-20\n")
    assert digest_from_json(document["content"]) == edition().content
    assert sorted(p.name for p in (tmp_path / "digests").iterdir()) == [
        "digest-2026-02-20.json",
        "digest-2026-02-20.md",
    ]


def test_an_alert_key_becomes_a_safe_file_name(tmp_path: Path) -> None:
    alert = AlertContent(
        "milestone:changeorg-keep-gpt-4o:22000",
        "milestone",
        "#keep4o",
        "keep4o",
        edition().content.period.end,
        "petition passed 22,000 signatures",
        "Passed 22,000.",
        None,
    )
    FilePublisher(tmp_path).publish(Edition("alert", alert.event_id, alert), look_first=False)
    assert (tmp_path / "alert-milestone_changeorg-keep-gpt-4o_22000.md").is_file()


def test_a_directory_that_cannot_be_made_is_not_delivered(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the directory should be")
    with pytest.raises(NotDelivered, match="cannot write"):
        FilePublisher(blocked).publish(edition(), look_first=False)
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-directory"]


def test_a_write_that_fails_after_the_temporary_file_is_made_removes_it(tmp_path: Path) -> None:
    (tmp_path / "digest-2026-02-20.md").mkdir()  # the temporary file cannot replace a directory
    with pytest.raises(NotDelivered, match="cannot write"):
        FilePublisher(tmp_path).publish(edition(), look_first=False)
    assert [p.name for p in tmp_path.iterdir()] == ["digest-2026-02-20.md"]


def test_a_rewrite_replaces_the_file_whole(tmp_path: Path) -> None:
    publisher = FilePublisher(tmp_path)
    (tmp_path / "digest-2026-02-20.md").write_text("stale " * 10_000)
    publisher.publish(edition(), look_first=False)
    assert "stale" not in (tmp_path / "digest-2026-02-20.md").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*.tmp"))
