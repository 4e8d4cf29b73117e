"""The report as one self-contained HTML file (pure).

Everything is inline: CSS in a ``<style>`` element, charts as ``<svg>``; there are
no scripts, fonts, images or stylesheets to fetch, so it opens offline and makes
no requests. The only addresses are links a reader may click (posts, articles,
petitions). Sensitive posts are counted, never quoted or linked.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from bot.text import linkable
from bot.trends import TrendRow
from bot.trends import _format as fmt
from bot.trends._export import TREND_CELLS

from ._charts import Line, languages_chart, posts_chart, signatures_chart
from ._data import PetitionSeries, Report
from ._style import CSS


def _link(url: str | None, text: str) -> str:
    """An outgoing link, only for http(s) addresses; anything else is shown as text."""
    if (target := linkable(url)) is not None:
        return f'<a href="{escape(target)}" rel="noopener noreferrer">{escape(text)}</a>'
    return escape(text)


def _days(n: int) -> str:
    return fmt.counted(n, "day", "days")


def _percent_change(now: int, before: int) -> str:
    if before == 0:
        return "no posts the week before" if now else "none either week"
    return f"{(now - before) / before:+.0%} vs the week before"


def _covering(covered: timedelta, *, all_readings: bool) -> str:
    """The stretch a pace was taken over; ``all_readings``: it is every reading there is."""
    if covered >= timedelta(days=6, hours=23):
        return "the last 7 days"
    hours = covered.total_seconds() / 3600
    # A daily chart's points are each day's last reading, so its week can come out shorter.
    length = f"{hours:,.0f} hours" if hours < 48 else f"{hours / 24:.1f} days"
    return f"the {length} of readings" if all_readings else f"the last {length}"


def _petition_card(series: PetitionSeries, days: int) -> str:
    latest, change, pace = series.latest, series.change, series.per_day()
    readings = series.readings()
    lines = [f'<div class="card"><h3>{_link(series.url, series.name)}</h3>']
    lines.append(f'<p class="big">{fmt.number(latest)}</p><p class="unit">signatures</p>')
    if change is not None:
        # Readings that start partway through the range do not speak for all of it.
        first_at = readings[0][0]
        since = f"in the last {_days(days)}" if series.from_the_start else f"since {fmt.local_time(first_at)}"
        lines.append(f"<p>{fmt.signed(change)} {since}</p>")
    if series.goal and latest is not None:
        share = min(latest / series.goal, 1.0)
        lines.append(
            f'<div class="progress" title="{share:.0%} of {series.goal:,}">'
            f'<span style="width:{share * 100:.1f}%"></span></div>'
            f"<p>{share:.0%} of the goal of {series.goal:,}</p>"
        )
    if pace is not None:
        per_day, covered = pace
        every = covered == readings[-1][0] - readings[0][0]
        lines.append(f"<p>≈ {per_day:,.0f} a day over {_covering(covered, all_readings=every)}</p>")
        if series.goal and latest is not None and latest < series.goal and per_day > 0:
            lines.append(
                f"<p>at that pace the goal is ≈ {(series.goal - latest) / per_day:,.0f} days away</p>"
            )
    if latest is None:
        lines.append('<p class="muted">no signature counts in this range</p>')
    lines.append("</div>")
    return "".join(lines)


def _cards(report: Report, days: int) -> str:
    cards = [_petition_card(s, days) for s in report.petitions]
    if not report.collected:
        # Nothing collected yet: a 0 would read as a count, as if the campaign had gone quiet.
        for title, unit in (("Posts", "no posts collected yet"), ("People", "distinct authors")):
            cards.append(
                f'<div class="card"><h3>{title}</h3><p class="big">{fmt.GAP}</p>'
                f'<p class="unit">{unit}</p></div>'
            )
        return '<section class="cards">' + "".join(cards) + "</section>"
    totals = report.totals
    posts = totals.posts if totals else 0
    split = " · ".join(
        f"{name.title()} {(totals.by_platform[name] if totals else 0):,}" for name in ("reddit", "bluesky")
    )
    week = report.last_week.posts if report.last_week else 0
    before = report.week_before.posts if report.week_before else 0
    cards.append(
        f'<div class="card"><h3>Posts</h3><p class="big">{posts:,}</p><p class="unit">in {_days(days)}</p>'
        f"<p>{split}</p><p>last 7 days: {week:,} ({_percent_change(week, before)})</p></div>"
    )
    # No posts: no authors. Posts whose authors retention has forgotten: unknown, not zero.
    authors = fmt.number((totals.authors if totals.with_author else None) if totals else 0)
    engagement = totals.engagement if totals else 0
    cards.append(
        f'<div class="card"><h3>People</h3><p class="big">{authors}</p><p class="unit">distinct authors</p>'
        f"<p>{engagement:,} likes, replies and reposts on their posts</p></div>"
    )
    return '<section class="cards">' + "".join(cards) + "</section>"


def _bar(row: TrendRow, most: int) -> str:
    if most <= 0:
        return ""
    parts = [
        f'<span class="{name}" style="width:{count / most * 100:.1f}%"></span>'
        for name, count in (("reddit", row.posts_reddit or 0), ("bluesky", row.posts_bluesky or 0))
        if count
    ]
    return f'<div class="bar">{"".join(parts)}</div>'


def _trend_table(report: Report) -> str:
    table = report.trends
    head = "".join(
        f'<th class="{"num" if numeric else ""}">{escape(h)}</th>' for h, numeric, _ in TREND_CELLS
    )
    most = max((r.posts for r in table.rows), default=0)
    body = []
    for row in reversed(table.rows):
        cells = []
        for _, numeric, cell in TREND_CELLS:
            value = cell(row, table)
            classes = " ".join(c for c in ("num" if numeric else "", "gap" if value == fmt.GAP else "") if c)
            cells.append(f'<td class="{classes}">{escape(value)}</td>')
        body.append(f'<tr>{"".join(cells)}<td class="barcell">{_bar(row, most)}</td></tr>')
    petition = f" Signature columns: {escape(table.petition)}." if table.petition else ""
    return (
        f'<div class="scroll"><table><thead><tr>{head}<th>posts</th></tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
        f'<p class="note">Newest first; days in {escape(table.timezone)}. – means no data (not zero);'
        f" * marks today, still running.{petition}</p>"
    )


def _top_posts(report: Report) -> str:
    items = []
    for post in report.top.posts:
        where = f"r/{post.community}" if post.community else post.platform.title()
        numbers = (
            f"{fmt.counted(post.likes, 'like', 'likes')} · {fmt.counted(post.replies, 'reply', 'replies')}"
        )
        numbers += f" · {fmt.counted(post.reposts, 'repost', 'reposts')}" if post.reposts else ""
        items.append(
            f'<li><p class="meta"><span class="badge {escape(post.platform)}">{escape(where)}</span> '
            f"<bdi>{escape(post.author or '')}</bdi> · {fmt.local_time(post.created_at)} · {numbers}</p>"
            f'<p dir="auto">{escape(fmt.snippet(post.title, post.text, 220))}</p>'
            f'<p class="open">{_link(post.url, "open post ↗")}</p></li>'
        )
    if not items:
        items.append('<li class="muted">No posts in this range.</li>')
    withheld = report.top.withheld
    note = (
        f'<p class="note">{withheld:,} posts in this range touch on distress or self-harm: '
        "they are counted above but not quoted or linked.</p>"
        if withheld
        else ""
    )
    return f'<ol class="posts">{"".join(items)}</ol>{note}'


def _articles(report: Report) -> str:
    items = []
    for a in report.articles:
        meta = " · ".join(x for x in (a.outlet, str(a.date) if a.date else None, a.language) if x)
        tags = "".join(f"<span>{escape(t)}</span>" for t in a.topics)
        items.append(
            f'<li><h3>{_link(a.url, a.title)}</h3><p class="meta">{escape(meta)}</p>'
            f'<p>{escape(a.summary)}</p><p class="tags">{tags}</p></li>'
        )
    return f'<ul class="articles">{"".join(items)}</ul>' if items else '<p class="muted">No articles.</p>'


def _section(title: str, *parts: str, css: str = "") -> str:
    return f'<section class="{css}"><h2>{escape(title)}</h2>{"".join(parts)}</section>'


def render_html(report: Report) -> str:
    """The whole report page."""
    days = len(report.trends.rows)
    lines = [
        Line(
            label=s.name,
            points=tuple((t.replace(tzinfo=None), c) for t, c in s.points),
            goal=s.goal,
        )
        for s in report.petitions
    ]
    rows = report.trends.rows
    posts_svg = posts_chart(
        [r.period_start.replace(tzinfo=None) for r in rows],
        [r.posts_reddit or 0 for r in rows],
        [r.posts_bluesky or 0 for r in rows],
    )
    signatures_svg = signatures_chart(
        lines, report.since.replace(tzinfo=None), report.until.replace(tzinfo=None)
    )
    span = f"{report.since:%a %d %b %Y} – {report.until:%a %d %b %Y %H:%M}"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(report.title)} · campaign report</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>{escape(report.title)} <span>campaign report</span></h1>
<p>Last {_days(days)}: {span} · times in {escape(report.timezone)} ·
generated {report.generated_at:%Y-%m-%d %H:%M}</p>
</header>
{_cards(report, days)}
{_section("Signatures over time", signatures_svg, css="chart")}
<div class="pair">
{_section("Posts per day", posts_svg, css="chart")}
{_section("Languages", languages_chart(report.languages), css="chart")}
</div>
{_section("Day by day", _trend_table(report))}
{_section("Most engaging posts", _top_posts(report))}
{_section("Background reading", _articles(report))}
<footer>Made by keep4o-bot from public posts and petition pages. Engagement is likes + replies +
reposts as last seen.</footer>
</body>
</html>
"""
