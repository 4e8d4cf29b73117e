"""Rich tables for a terminal: aligned, thousands separators, a bar per period (pure)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from . import _format as fmt
from ._export import POST_CELLS, TREND_CELLS
from ._posts import TopPosts
from ._table import TrendTable

BAR_WIDTH = 16
PLATFORM_STYLES = {"reddit": "dark_orange", "bluesky": "dodger_blue1"}


def posts_bar(reddit: int | None, bluesky: int | None, most: int, width: int = BAR_WIDTH) -> Text:
    """A bar as long as the period's posts relative to ``most``, coloured by platform."""
    bar = Text()
    if most <= 0:
        return bar
    for count, platform in ((reddit, "reddit"), (bluesky, "bluesky")):
        if count:
            bar.append("█" * max(1, round(count / most * width)), style=PLATFORM_STYLES[platform])
    return bar


def _summary(table: TrendTable) -> Text:
    rows = table.rows
    posts = sum(r.posts for r in rows)
    line = Text()
    line.append(f"{fmt.number(posts)} posts", style="bold")
    counted = [(r.period_start, r.signatures) for r in rows if r.signatures is not None]
    if counted:
        (since, first), (_, last) = counted[0], counted[-1]
        line.append(f" · {table.petition}: ")
        line.append(f"{fmt.number(last)} signatures", style="bold")
        line.append(f" ({fmt.signed(last - first)} since {since:%d %b}) ")
        line.append(fmt.sparkline([r.signatures for r in rows]), style="green")
    elif table.petition:
        line.append(f" · {table.petition}: no signature counts in this range", style="dim")
    return line


def trends_renderable(table: TrendTable) -> RenderableType:
    """The trend table with a posts bar and a one-line summary under it."""
    grid = Table(
        title=f"Trends by {table.by} ({table.timezone})"
        + (f", {table.platform} only" if table.platform else ""),
        caption="– no data   * period still running   bar: reddit / bluesky posts",
        caption_justify="left",
    )
    for header, numeric, _ in TREND_CELLS:
        grid.add_column(header, justify="right" if numeric else "left", no_wrap=True)
    grid.add_column("posts bar", no_wrap=True)
    most = max((r.posts for r in table.rows), default=0)
    for row in table.rows:
        values = [cell(row, table) for _, _, cell in TREND_CELLS]
        cells = [Text(v, style="dim" if v == fmt.GAP else "") for v in values]
        grid.add_row(
            *cells,
            posts_bar(row.posts_reddit, row.posts_bluesky, most),
            style="italic" if row.partial else None,
        )
    return Group(grid, _summary(table))


def posts_renderable(top: TopPosts) -> RenderableType:
    grid = Table(title="Most engaging posts")
    for header, numeric, _ in POST_CELLS:
        grid.add_column(
            header,
            justify="right" if numeric else "left",
            overflow="fold" if header == "link" else "ellipsis",
        )
    for post in top.posts:
        grid.add_row(*(cell(post) for _, _, cell in POST_CELLS))
    parts: list[RenderableType] = [grid]
    if not top.posts:
        parts.append(Text("No posts in this range.", style="dim"))
    if top.withheld:
        parts.append(
            Text(f"{top.withheld:,} posts matching the care list are counted but not shown.", style="dim")
        )
    return Group(*parts)
