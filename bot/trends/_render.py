"""Rich tables for a terminal: aligned, thousands separators, a bar per period (pure).

Every cell is a ``Text``, never a string: Rich would read a string's brackets as markup, and
a post's ``[/]`` or ``[link=…]`` is the author's, not ours. A table keeps the columns that fit
the terminal (the least telling go first) rather than cutting every column to an ellipsis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
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


class _Fitted:
    """A renderable built for the width it is given (the terminal's, or the file's)."""

    def __init__(self, build: Callable[[int], RenderableType]) -> None:
        self._build = build

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self._build(options.max_width)


def _table_width(columns: Sequence[Sequence[str]]) -> int:
    """The width of a boxed table whose columns hold these texts (header first), none cut."""
    return 1 + sum(max(map(cell_len, column)) + 3 for column in columns)


# The trend columns in the order they are left out when the terminal is too narrow.
_TREND_DROPPED_FIRST = ("subreddit", "language", "authors", "bluesky", "reddit", "engagement", "per hour")


def trends_renderable(table: TrendTable) -> RenderableType:
    """The trend table with a posts bar and a one-line summary under it."""
    return _Fitted(lambda width: Group(_trend_grid(table, width), _summary(table)))


def _trend_grid(table: TrendTable, width: int) -> Table:
    values = {header: [cell(row, table) for row in table.rows] for header, _, cell in TREND_CELLS}
    bar = ["posts bar", "█" * BAR_WIDTH]
    shown = [header for header, _, _ in TREND_CELLS]
    left_out = [name for name in _TREND_DROPPED_FIRST if name in shown]
    dropped: list[str] = []
    while _table_width([[h, *values[h]] for h in shown] + [bar]) > width and left_out:
        dropped.append(left_out.pop(0))
        shown.remove(dropped[-1])
    caption = "– no data   * period still running   bar: reddit / bluesky posts"
    if dropped:
        caption += f"\nleft out for the terminal's width: {', '.join(dropped)} (--format csv has all)"
    grid = Table(
        title=f"Trends by {table.by} ({table.timezone})"
        + (f", {table.platform} only" if table.platform else ""),
        caption=caption,
        caption_justify="left",
    )
    numeric = {header: n for header, n, _ in TREND_CELLS}
    for header in shown:
        grid.add_column(header, justify="right" if numeric[header] else "left", no_wrap=True)
    grid.add_column("posts bar", no_wrap=True, overflow="crop")
    most = max((r.posts for r in table.rows), default=0)
    for i, row in enumerate(table.rows):
        cells = [Text(v, style="dim" if v == fmt.GAP else "") for v in (values[h][i] for h in shown)]
        grid.add_row(
            *cells,
            posts_bar(row.posts_reddit, row.posts_bluesky, most),
            style="italic" if row.partial else None,
        )
    return grid


# The shortest a post's excerpt gets before its link moves out of the table.
_POST_MIN = 24


def posts_renderable(top: TopPosts) -> RenderableType:
    """The posts as a table; on a terminal too narrow for whole links, the links go under it."""
    return _Fitted(lambda width: _posts(top, width))


def _posts(top: TopPosts, width: int) -> RenderableType:
    rows = [[cell(post) for _, _, cell in POST_CELLS] for post in top.posts]
    headers = [header for header, _, _ in POST_CELLS]
    columns = [[h, *(r[i] for r in rows)] for i, h in enumerate(headers)]
    post, link = headers.index("post"), headers.index("link")
    columns[post] = [headers[post], "x" * _POST_MIN]
    # A link is only useful whole: cut or folded over lines it can be neither clicked nor copied.
    inline = _table_width(columns) <= width
    grid = Table(title="Most engaging posts")
    for i, (header, numeric, _) in enumerate(POST_CELLS):
        if i == link and not inline:
            continue
        grid.add_column(
            header, justify="right" if numeric else "left", no_wrap=i == link, overflow="ellipsis"
        )
    for cells in rows:
        grid.add_row(*(Text(c) for i, c in enumerate(cells) if inline or i != link))
    parts: list[RenderableType] = [grid]
    if not top.posts:
        parts.append(Text("No posts in this range.", style="dim"))
    if not inline:
        # Whole, one to a line, never wrapped by us (the terminal may wrap a long one softly).
        parts += [Text(f"{c[0]}. {c[link]}", no_wrap=True, overflow="ignore") for c in rows]
    if top.withheld:
        parts.append(
            Text(f"{top.withheld:,} posts matching the care list are counted but not shown.", style="dim")
        )
    return Group(*parts)
