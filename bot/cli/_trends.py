"""``trends``, ``posts`` and ``report``: reading the stored history."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast
from zoneinfo import ZoneInfo

import click
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.clock import utc_now
from bot.storage import first_line

from ._app import DAY, App, BotError, pass_app

if TYPE_CHECKING:
    from bot.trends import By

FORMATS = ("table", "csv", "json", "markdown")
PLATFORMS = ("reddit", "bluesky")
# --days when none is given, by period length: two days of hours, a month of days, twelve weeks.
DEFAULT_DAYS = {"hour": 2, "day": 30, "week": 84}
F = TypeVar("F", bound=Callable[..., Any])


def format_option(command: F) -> F:
    return click.option(
        "--format",
        "out_format",
        type=click.Choice(FORMATS),
        help="Output format (default: table on a terminal, csv when piped).",
    )(command)


def platform_option(command: F) -> F:
    return click.option("--platform", type=click.Choice(PLATFORMS), help="Only posts from this platform.")(
        command
    )


def _language(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    # Stored languages are ISO 639 codes (two letters, or three where Bluesky declares one, e.g.
    # fil): anything else would silently match no post.
    if value is not None and not re.fullmatch(r"[A-Za-z]{2,3}", value):
        raise click.BadParameter(f"{value!r} is not a language code like nl or fil")
    return value


def _format(chosen: str | None) -> str:
    return chosen or ("table" if sys.stdout.isatty() else "csv")


def _zone(app: App) -> ZoneInfo:
    return ZoneInfo(app.offline_settings.config.campaign.timezone)


@contextmanager
def _reading(app: App) -> Iterator[Session]:
    """A session; a database that is missing, not migrated or unreadable becomes one line."""
    app.require_schema()
    try:
        with app.sessions() as session:
            yield session
    except DBAPIError as exc:
        raise BotError(f"cannot read the database: {first_line(exc) or type(exc).__name__}") from exc


def _print_rich(renderable: object) -> None:
    from rich.console import Console

    # Piped with --format table: wide enough that nothing is cut.
    # soft_wrap: a line longer than the terminal (a whole link) is left for the terminal to wrap.
    Console(file=sys.stdout, width=None if sys.stdout.isatty() else 200).print(renderable, soft_wrap=True)


@click.command("trends")
@click.option(
    "--days",
    type=click.IntRange(1, 36_500),
    help="The last N days, today included [by hour: 2, day: 30, week: 84].",
)
@click.option("--since", type=DAY, help="First day (YYYY-MM-DD, campaign timezone).")
@click.option("--until", type=DAY, help="Last day, included (default: today).")
@click.option(
    "--by",
    type=click.Choice(["hour", "day", "week"]),
    default="day",
    show_default=True,
    help="Period length.",
)
@platform_option
@click.option("--petition", help="Petition id for the signature columns (default: the first configured).")
@format_option
@pass_app
def trends(
    app: App,
    *,
    days: int | None,
    since: dt.date | None,
    until: dt.date | None,
    by: str,
    platform: str | None,
    petition: str | None,
    out_format: str | None,
) -> None:
    """One row per period: signatures, posts, engagement, authors."""
    from bot.trends import (
        TREND_COLUMNS,
        PeriodError,
        cut_periods,
        date_range,
        last_days,
        to_csv,
        to_json,
        trend_meta,
        trend_records,
        trend_table,
        trends_markdown,
        trends_renderable,
    )

    if days is not None and (since or until):
        raise click.UsageError("give either --days or --since/--until, not both")
    if until is not None and since is None:
        raise click.UsageError("--until needs --since")
    config = app.offline_settings.config
    known = [p.id for p in config.petitions]
    if petition is not None and petition not in known:
        raise click.UsageError(
            f"--petition {petition!r} is not in the config (known: {', '.join(known) or 'none'})"
        )
    tz, now = _zone(app), utc_now()
    try:
        if since is not None:
            start, end = date_range(since, until, now, tz)
        else:
            start, end = last_days(days or DEFAULT_DAYS[by], now, tz)
        periods = cut_periods(start, end, cast("By", by), tz)
    except PeriodError as exc:
        raise click.UsageError(str(exc)) from exc
    with _reading(app) as session:
        table = trend_table(
            session, periods, now=now, platform=platform, petition=petition or (known[0] if known else None)
        )
    chosen = _format(out_format)
    if chosen == "table":
        _print_rich(trends_renderable(table))
    elif chosen == "csv":
        click.echo(to_csv(TREND_COLUMNS, trend_records(table)), nl=False)
    elif chosen == "json":
        click.echo(to_json(trend_meta(table), TREND_COLUMNS, trend_records(table)), nl=False)
    else:
        click.echo(trends_markdown(table), nl=False)


@click.command("posts")
@click.option("--top", "limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--since", type=DAY, help="First day (YYYY-MM-DD, campaign timezone) [default: 7 days ago].")
@platform_option
@click.option("--lang", callback=_language, help="Only posts in this language (ISO 639 code, e.g. nl).")
@format_option
@pass_app
def posts(
    app: App,
    *,
    limit: int,
    since: dt.date | None,
    platform: str | None,
    lang: str | None,
    out_format: str | None,
) -> None:
    """The most engaging posts with their links."""
    from bot.sources import Matcher, care_list_applied
    from bot.trends import (
        POST_COLUMNS,
        PeriodError,
        date_range,
        last_days,
        post_records,
        posts_markdown,
        posts_renderable,
        to_csv,
        to_json,
        top_posts,
    )

    tz, now = _zone(app), utc_now()
    try:
        start, end = date_range(since, None, now, tz) if since else last_days(7, now, tz)
    except PeriodError as exc:
        raise click.UsageError(str(exc)) from exc
    config = app.offline_settings.config
    care = Matcher(config.match, config.care).is_sensitive
    with _reading(app) as session:
        top = top_posts(
            session,
            since=start,
            until=end,
            tz=tz,
            sensitive=care,
            care_applied=care_list_applied(session, config.care),
            limit=limit,
            platform=platform,
            lang=lang and lang.lower(),
        )
    chosen = _format(out_format)
    if chosen == "table":
        _print_rich(posts_renderable(top))
    elif chosen == "csv":
        click.echo(to_csv(POST_COLUMNS, post_records(top)), nl=False)
    elif chosen == "json":
        meta = {"since": start.astimezone(tz).isoformat(), "timezone": tz.key, "withheld": top.withheld}
        click.echo(to_json(meta, POST_COLUMNS, post_records(top)), nl=False)
    else:
        click.echo(posts_markdown(top), nl=False)


@click.command("report")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="Where to write the HTML file.",
)
@click.option("--days", type=click.IntRange(1, 400), default=30, show_default=True, help="The last N days.")
@pass_app
def report(app: App, out: Path, days: int) -> None:
    """Write a self-contained HTML report with charts."""
    from bot.report import gather, render_html
    from bot.seeds import SeedError, load_manifest

    try:
        articles = load_manifest()
    except SeedError as exc:
        raise BotError(str(exc)) from exc
    with _reading(app) as session:
        data = gather(session, app.offline_settings.config, days=days, now=utc_now(), articles=articles)
    html = render_html(data)
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise BotError(f"cannot write {out}: {exc.strerror}") from exc
    click.echo(f"wrote {out} ({len(html.encode()) / 1024:,.0f} KiB, {days} days)")


def register(cli: click.Group) -> None:
    for command in (trends, posts, report):
        cli.add_command(command)
