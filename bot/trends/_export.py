"""CSV, JSON and Markdown exports with stable, documented columns (pure).

Column names, order and units are a contract with people loading the files into
pandas or a spreadsheet (documented in the README): add columns at the end, never
rename or reorder. Times are ISO 8601 with the campaign timezone's UTC offset;
an empty CSV cell or a JSON ``null`` means "no data", never zero.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bot.text import markdown_literal, spreadsheet_literal

from . import _format as fmt
from ._posts import TopPost, TopPosts
from ._table import TrendRow, TrendTable

Kind = Literal["time", "int", "float", "bool", "text"]
Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind
    unit: str
    description: str


TREND_COLUMNS = (
    Column("period_start", "time", "ISO 8601, campaign timezone", "Start of the period (inclusive)"),
    Column("period_end", "time", "ISO 8601, campaign timezone", "End of the period (exclusive)"),
    Column("partial", "bool", "true/false", "The period had not ended when the table was made"),
    Column("signatures", "int", "signatures", "The petition's last count in the period"),
    Column("signatures_change", "int", "signatures", "Change since the previous period's last count"),
    Column(
        "signatures_per_hour", "float", "signatures/hour", "That change over the hours between the counts"
    ),
    Column("posts", "int", "posts", "Campaign posts created in the period"),
    Column("posts_reddit", "int", "posts", "Of which on Reddit (empty when limited to another platform)"),
    Column("posts_bluesky", "int", "posts", "Of which on Bluesky (empty when limited to another platform)"),
    Column("engagement", "int", "interactions", "Likes + replies + reposts of those posts, as last seen"),
    Column("authors", "int", "accounts", "Distinct authors (empty once retention has removed authors)"),
    Column("top_language", "text", "ISO 639-1 code", "Most common detected language"),
    Column("top_subreddit", "text", "subreddit name", "Most common subreddit (Reddit posts only)"),
)

POST_COLUMNS = (
    Column("rank", "int", "position", "1 = most engagement"),
    Column("created_at", "time", "ISO 8601, campaign timezone", "When the post was made"),
    Column("platform", "text", "reddit/bluesky", "Where it was posted"),
    Column("subreddit", "text", "subreddit name", "Reddit only"),
    Column("author", "text", "handle", "Author's handle when known"),
    Column("lang", "text", "ISO 639-1 code", "Detected language"),
    Column("likes", "int", "likes", "Reddit score or Bluesky likes"),
    Column("replies", "int", "replies", "Reddit comments or Bluesky replies"),
    Column("reposts", "int", "reposts", "Bluesky reposts and quotes (0 on Reddit)"),
    Column("engagement", "int", "interactions", "likes + replies + reposts"),
    Column("title", "text", "text", "Reddit title"),
    Column("text", "text", "text", "Post text"),
    Column("url", "text", "URL", "Link to the post"),
)


def trend_records(table: TrendTable) -> list[Record]:
    return [
        {
            "period_start": row.period_start.isoformat(),
            "period_end": row.period_end.isoformat(),
            "partial": row.partial,
            "signatures": row.signatures,
            "signatures_change": row.signatures_change,
            "signatures_per_hour": row.signatures_per_hour,
            "posts": row.posts,
            "posts_reddit": row.posts_reddit,
            "posts_bluesky": row.posts_bluesky,
            "engagement": row.engagement,
            "authors": row.authors,
            "top_language": row.top_language,
            "top_subreddit": row.top_subreddit,
        }
        for row in table.rows
    ]


def post_records(top: TopPosts) -> list[Record]:
    return [
        {
            "rank": post.rank,
            "created_at": post.created_at.isoformat(),
            "platform": post.platform,
            "subreddit": post.community,
            "author": post.author,
            "lang": post.lang,
            "likes": post.likes,
            "replies": post.replies,
            "reposts": post.reposts,
            "engagement": post.engagement,
            "title": post.title,
            "text": post.text,
            "url": post.url,
        }
        for post in top.posts
    ]


def trend_meta(table: TrendTable) -> Record:
    return {
        "by": table.by,
        "timezone": table.timezone,
        "petition": table.petition,
        "platform": table.platform,
    }


def _cell(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return spreadsheet_literal(value) if kind == "text" else str(value)


def to_csv(columns: Sequence[Column], records: Sequence[Mapping[str, Any]]) -> str:
    """A header line of column names, then one line per record; no data is an empty cell.

    A text cell that a spreadsheet would run as a formula (``=…``, ``+…``, ``-…``, ``@…``)
    starts with an apostrophe, which spreadsheets show as text: post titles are anyone's.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(c.name for c in columns)
    writer.writerows([_cell(record[c.name], c.kind) for c in columns] for record in records)
    return out.getvalue()


def to_json(meta: Mapping[str, Any], columns: Sequence[Column], records: Sequence[Record]) -> str:
    """``{...meta, "units": {column: unit}, "rows": [{column: value}]}``; no data is ``null``."""
    document = {**meta, "units": {c.name: c.unit for c in columns}, "rows": list(records)}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def to_markdown(headers: Sequence[str], numeric: Sequence[bool], cells: Sequence[Sequence[str]]) -> str:
    """A GitHub table; numeric columns are right-aligned, and every cell reads literally."""
    lines = [
        "| " + " | ".join(markdown_literal(h) for h in headers) + " |",
        "|" + "|".join("---:" if n else ":---" for n in numeric) + "|",
    ]
    lines += ["| " + " | ".join(markdown_literal(c) for c in row) + " |" for row in cells]
    return "\n".join(lines) + "\n"


TrendCell = Callable[[TrendRow, TrendTable], str]
TREND_CELLS: tuple[tuple[str, bool, TrendCell], ...] = (
    ("period", False, lambda r, t: fmt.period_label(r.period_start, t.by) + (" *" if r.partial else "")),
    ("signatures", True, lambda r, t: fmt.number(r.signatures)),
    ("change", True, lambda r, t: fmt.signed(r.signatures_change)),
    ("per hour", True, lambda r, t: fmt.rate(r.signatures_per_hour)),
    ("posts", True, lambda r, t: fmt.number(r.posts)),
    ("reddit", True, lambda r, t: fmt.number(r.posts_reddit)),
    ("bluesky", True, lambda r, t: fmt.number(r.posts_bluesky)),
    ("engagement", True, lambda r, t: fmt.number(r.engagement)),
    ("authors", True, lambda r, t: fmt.number(r.authors)),
    ("language", False, lambda r, t: fmt.text(r.top_language)),
    ("subreddit", False, lambda r, t: fmt.text(r.top_subreddit)),
)

PostCell = Callable[[TopPost], str]
POST_CELLS: tuple[tuple[str, bool, PostCell], ...] = (
    ("#", True, lambda p: str(p.rank)),
    ("posted", False, lambda p: fmt.local_time(p.created_at)),
    ("where", False, lambda p: f"r/{p.community}" if p.community else p.platform),
    ("author", False, lambda p: fmt.text(p.author)),
    ("lang", False, lambda p: fmt.text(p.lang)),
    ("engagement", True, lambda p: fmt.number(p.engagement)),
    ("post", False, lambda p: fmt.snippet(p.title, p.text, 60)),
    ("link", False, lambda p: p.url),
)


def trends_markdown(table: TrendTable) -> str:
    cells = [[cell(row, table) for _, _, cell in TREND_CELLS] for row in table.rows]
    return to_markdown([h for h, _, _ in TREND_CELLS], [n for _, n, _ in TREND_CELLS], cells)


def posts_markdown(top: TopPosts) -> str:
    cells = [[cell(post) for _, _, cell in POST_CELLS] for post in top.posts]
    table = to_markdown([h for h, _, _ in POST_CELLS], [n for _, n, _ in POST_CELLS], cells)
    if top.withheld:
        table += f"\n_{top.withheld:,} posts matching the care list are counted but not shown._\n"
    return table
