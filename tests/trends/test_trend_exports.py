"""Exports round-trip: CSV, JSON and Markdown read back to the rows they were made from."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console

from bot.trends import (
    POST_COLUMNS,
    TREND_COLUMNS,
    Column,
    TopPost,
    TopPosts,
    TrendRow,
    TrendTable,
    post_records,
    posts_markdown,
    posts_renderable,
    to_csv,
    to_json,
    trend_meta,
    trend_records,
    trends_markdown,
    trends_renderable,
)
from bot.trends._export import POST_CELLS, TREND_CELLS
from bot.trends._format import sparkline

AMS = ZoneInfo("Europe/Amsterdam")
DAY = timedelta(days=1)


def row(start: datetime, **values: Any) -> TrendRow:
    base: dict[str, Any] = {
        "period_start": start,
        "period_end": start + DAY,
        "partial": False,
        "signatures": 21_034,
        "signatures_change": 1_204,
        "signatures_per_hour": 50.17,
        "posts": 1_500,
        "posts_reddit": 600,
        "posts_bluesky": 900,
        "engagement": 123_456,
        "authors": 1_024,
        "top_language": "en",
        "top_subreddit": "ChatGPT",
    }
    return TrendRow(**{**base, **values})


START = datetime(2026, 3, 28, tzinfo=AMS)
TABLE = TrendTable(
    by="day",
    timezone="Europe/Amsterdam",
    petition="changeorg-keep-gpt-4o",
    platform=None,
    rows=(
        row(START),
        row(START + DAY, signatures=None, signatures_change=None, signatures_per_hour=None, authors=None),
        row(START + 2 * DAY, posts=0, posts_reddit=0, posts_bluesky=0, top_language=None, top_subreddit=None),
        row(
            START + 3 * DAY, partial=True, signatures=21_031, signatures_change=-3, signatures_per_hour=-0.25
        ),
    ),
)
POSTS = TopPosts(
    posts=(
        TopPost(
            rank=1,
            created_at=datetime(2026, 2, 14, 9, 30, tzinfo=AMS),
            platform="reddit",
            community="ChatGPT",
            author="keep4o_fan",
            lang="en",
            likes=1_200,
            replies=340,
            reposts=0,
            engagement=1_540,
            title='Bring back 4o | "the one that listened"',
            text="line one\nline two, with a comma",
            url="https://www.reddit.com/r/ChatGPT/comments/abc/",
        ),
        TopPost(
            rank=2,
            created_at=datetime(2026, 2, 14, 10, 0, tzinfo=AMS),
            platform="bluesky",
            community=None,
            author=None,
            lang="ja",
            likes=7,
            replies=1,
            reposts=2,
            engagement=10,
            title=None,
            text="4oを残して #keep4o",
            url="https://bsky.app/profile/a.test/post/3k",
        ),
    ),
    withheld=2,
)


def parse(column: Column, cell: str) -> Any:
    if cell == "":
        return None
    return {"int": int, "float": float, "bool": lambda c: c == "true"}.get(column.kind, str)(cell)


def read_csv(columns: tuple[Column, ...], text: str) -> tuple[list[str], list[dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = [{c.name: parse(c, line[c.name]) for c in columns} for line in reader]
    return list(reader.fieldnames or []), rows


def read_markdown(text: str) -> tuple[list[str], list[str], list[list[str]]]:
    def cells(line: str) -> list[str]:
        parts = line.strip().removeprefix("| ").removesuffix(" |").replace("\\|", "\x00").split(" | ")
        return [p.replace("\x00", "|").replace("\\\\", "\\") for p in parts]

    header, align, *body = [line for line in text.splitlines() if line.startswith("|")]
    return cells(header), align.strip("|").split("|"), [cells(line) for line in body]


def test_trend_csv_reads_back_to_the_rows() -> None:
    names, rows = read_csv(TREND_COLUMNS, to_csv(TREND_COLUMNS, trend_records(TABLE)))
    assert names == [c.name for c in TREND_COLUMNS]
    assert rows == trend_records(TABLE)


def test_a_gap_is_an_empty_csv_cell_never_zero() -> None:
    line = to_csv(TREND_COLUMNS, trend_records(TABLE)).splitlines()[2]
    assert line.startswith("2026-03-29T00:00:00+01:00,2026-03-30T00:00:00+02:00,false,,,,1500,")


def test_times_carry_the_campaign_offset() -> None:
    records = trend_records(TABLE)
    assert [r["period_start"] for r in records[:3]] == [
        "2026-03-28T00:00:00+01:00",
        "2026-03-29T00:00:00+01:00",
        "2026-03-30T00:00:00+02:00",
    ]


def test_trend_json_reads_back_with_its_settings_and_units() -> None:
    document = json.loads(to_json(trend_meta(TABLE), TREND_COLUMNS, trend_records(TABLE)))
    assert document["rows"] == trend_records(TABLE)
    assert (document["by"], document["timezone"], document["petition"], document["platform"]) == (
        "day",
        "Europe/Amsterdam",
        "changeorg-keep-gpt-4o",
        None,
    )
    assert list(document["units"]) == [c.name for c in TREND_COLUMNS]
    assert document["units"]["signatures_per_hour"] == "signatures/hour"


def test_trend_markdown_reads_back_to_the_formatted_cells() -> None:
    headers, align, body = read_markdown(trends_markdown(TABLE))
    assert headers == [h for h, _, _ in TREND_CELLS]
    assert align == ["---:" if numeric else ":---" for _, numeric, _ in TREND_CELLS]
    assert body == [[cell(r, TABLE) for _, _, cell in TREND_CELLS] for r in TABLE.rows]
    assert body[0][:4] == ["Sat 2026-03-28", "21,034", "+1,204", "50.2"]
    assert body[1][1:4] == ["–", "–", "–"]
    assert body[3][0] == "Tue 2026-03-31 *"


def test_post_csv_reads_back_including_commas_quotes_and_newlines() -> None:
    names, rows = read_csv(POST_COLUMNS, to_csv(POST_COLUMNS, post_records(POSTS)))
    assert names == [c.name for c in POST_COLUMNS]
    assert rows == post_records(POSTS)


def test_post_json_reads_back_with_unicode_intact() -> None:
    document = json.loads(to_json({"withheld": POSTS.withheld}, POST_COLUMNS, post_records(POSTS)))
    assert document["rows"] == post_records(POSTS)
    assert document["rows"][1]["text"] == "4oを残して #keep4o"
    assert document["withheld"] == 2


def test_post_markdown_escapes_pipes_and_reads_back() -> None:
    headers, _, body = read_markdown(posts_markdown(POSTS))
    assert headers == [h for h, _, _ in POST_CELLS]
    assert body == [[cell(p) for _, _, cell in POST_CELLS] for p in POSTS.posts]
    assert body[0][6] == 'Bring back 4o | "the one that listened"'
    assert body[1][2:4] == ["bluesky", "–"]


def test_post_markdown_ends_by_saying_how_many_posts_were_withheld() -> None:
    assert posts_markdown(POSTS).endswith("\n\n_2 posts matching the care list are counted but not shown._\n")


def render(renderable: Any) -> str:
    console = Console(file=io.StringIO(), width=220, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_the_terminal_table_shows_separators_gaps_bars_and_a_summary() -> None:
    text = render(trends_renderable(TABLE))
    assert "Trends by day (Europe/Amsterdam)" in text
    assert "21,034" in text and "123,456" in text and "+1,204" in text
    assert "Tue 2026-03-31 *" in text
    assert "█" in text
    assert "4,500 posts · changeorg-keep-gpt-4o: 21,031 signatures (-3 since 28 Mar) █ █▁" in text


def test_the_terminal_posts_table_says_how_many_posts_were_withheld() -> None:
    text = render(posts_renderable(POSTS))
    assert "r/ChatGPT" in text and "1,540" in text
    assert "2 posts matching the care list are counted but not shown." in text


def test_a_sparkline_scales_between_low_and_high_and_keeps_gaps() -> None:
    assert sparkline([0, None, 2, 14]) == "▁ ▂█"
    assert sparkline([None, None]) == ""
    assert sparkline([5, 5]) == "▁▁"
