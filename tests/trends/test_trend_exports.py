"""Exports round-trip: CSV, JSON and Markdown read back to the rows they were made from."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt
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
    """Headers, alignments and body cells as a CommonMark renderer with tables reads them.

    A cell must read as plain text: a link, emphasis, code or HTML in it fails the test.
    """
    rows: list[list[str]] = []
    align: list[str] = []
    in_cell = False
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "th_open":
            align.append("---:" if "right" in str(token.attrs.get("style")) else ":---")
        if token.type in ("th_open", "td_open", "th_close", "td_close"):
            in_cell = token.type.endswith("_open")
        elif token.type == "inline" and in_cell:
            kinds = {child.type for child in token.children or ()}
            assert kinds <= {"text", "text_special"}, f"markup in a cell: {token.content!r}"
            rows[-1].append("".join(child.content for child in token.children or ()))
    header, *body = rows
    return header, align, body


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


def render(renderable: Any, width: int = 220) -> str:
    console = Console(file=io.StringIO(), width=width, record=True, color_system=None)
    console.print(renderable, soft_wrap=True)  # as the CLI prints it
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


# A post written to break what shows it: Rich markup, Markdown, HTML, a spreadsheet formula.
TRICKY = replace(
    POSTS.posts[0],
    author="[blink]u[/blink]",
    title="=cmd|' /C calc'!A0 [/] [link=https://e.example]x[/link]",
    text="Click [here](https://evil.example/phish) `code` **bold** <script>alert(1)</script>",
    url="https://www.reddit.com/r/ChatGPT/comments/" + "x" * 120 + "/",
)


def test_the_terminal_posts_table_shows_brackets_as_written_not_as_markup() -> None:
    text = render(posts_renderable(TopPosts((TRICKY,), withheld=0)))
    assert "[blink]u[/blink]" in text
    assert "=cmd|' /C calc'!A0 [/] [link=https://e.example]x[/link]" in text


def test_markdown_shows_what_posts_say_literally() -> None:
    post = replace(TRICKY, title="[here](https://e.example) `c` **b** _i_ <i>x</i>")
    _, _, body = read_markdown(posts_markdown(TopPosts((post,), withheld=0)))
    assert body == [[cell(post) for _, _, cell in POST_CELLS]]


def test_csv_text_cells_a_spreadsheet_would_run_start_with_an_apostrophe() -> None:
    top = TopPosts((TRICKY, replace(POSTS.posts[1], author="-mallory", text="@SUM(1+1)")), withheld=0)
    reader = csv.DictReader(io.StringIO(to_csv(POST_COLUMNS, post_records(top))))
    first, second = list(reader)
    assert first["title"] == "'" + TRICKY.title  # type: ignore[operator]
    assert (second["author"], second["text"]) == ("'-mallory", "'@SUM(1+1)")
    assert first["url"] == TRICKY.url
    # Numbers stay numbers: a fall in signatures is not a formula.
    (*_, last) = csv.DictReader(io.StringIO(to_csv(TREND_COLUMNS, trend_records(TABLE))))
    assert last["signatures_change"] == "-3"


def test_on_an_80_column_terminal_the_trend_table_keeps_what_fits_and_says_what_it_left_out() -> None:
    text = render(trends_renderable(TABLE), width=80)
    assert max(len(line) for line in text.splitlines() if line[:1] in "┏┃┡│└") <= 80
    assert "Tue 2026-03-31 *" in text  # the period is never cut: its * marks the running one
    assert "21,031" in text and "+1,204" in text and "1,500" in text and "█" in text
    assert "left out for the terminal's width: subreddit, language, authors" in " ".join(text.split())
    assert "ChatGPT" not in text
    wide = render(trends_renderable(TABLE), width=220)
    assert "ChatGPT" in wide and "left out" not in wide


def test_on_a_narrow_terminal_links_go_whole_under_the_posts_table() -> None:
    text = render(posts_renderable(TopPosts((TRICKY, POSTS.posts[1]), withheld=0)), width=80)
    lines = text.splitlines()
    assert f"1. {TRICKY.url}" in lines
    assert f"2. {POSTS.posts[1].url}" in lines
    assert "link" not in lines[1]  # no link column
    wide = render(posts_renderable(POSTS), width=220)
    assert "https://bsky.app/profile/a.test/post/3k" in wide and "2. https://" not in wide
