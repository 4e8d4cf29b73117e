"""``keep4o-bot petitions``: every configured petition's count, goal, pace, projection and state."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click

from ._app import App, pass_app

# Enough history for the 7-day window and its tolerance (see bot.petitions._pace).
LOOKBACK = timedelta(days=9)


def age(delta: timedelta) -> str:
    """A snapshot's age, as people say it."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def _when(at: datetime | None, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if at else ""


def _signed(value: int | None) -> str:
    return "–" if value is None else f"{value:+,}"


@click.command("petitions")
@pass_app
def petitions(app: App) -> None:
    """Show every petition with count, goal, pace, projection and state."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from bot.clock import utc_now
    from bot.petitions import goal_of, load_history, petition_stats, shown_name

    config = app.offline_settings.config
    if not config.petitions:
        click.echo("no petitions configured")
        return
    app.require_schema()
    zone = ZoneInfo(config.campaign.timezone)
    now = utc_now()
    table = Table(title=f"Petitions ({config.campaign.title})", title_justify="left")
    for header in (
        "Petition",
        "Count",
        "Goal",
        "24 h",
        "Pace",
        "Projection",
        "Next milestone",
        "Last",
        "State",
    ):
        table.add_column(header, justify="right" if header in ("Count", "24 h", "Pace") else "left")
    methods: list[Text] = []
    with app.sessions() as session:
        for petition in config.petitions:
            history = load_history(session, petition.id, since=now - LOOKBACK)
            goal = goal_of(petition, history.petition)
            stats = petition_stats(history.snapshots, goal, petition.milestones, now)
            name = shown_name(petition, history.petition)
            if stats.last_count is None:
                table.add_row(
                    Text(name), "–", f"{goal:,}" if goal else "", "", "", "no snapshots yet", "", "", ""
                )
                continue
            # Each petition's projection rests on its own pace, so each states its own method.
            methods.append(Text(f"Method ({name}): {stats.method}", style="dim"))
            count = f"{stats.last_count:,}"
            if stats.pending_flag:
                count += f" ({stats.pending_flag}?)"
            share = f" ({stats.last_count / goal:.0%})" if goal else ""
            if stats.per_hour_recent is not None:
                pace = f"{stats.per_hour_recent:,.1f}/h"
            elif stats.per_hour_7d is not None:
                pace = f"{stats.per_hour_7d:,.1f}/h (7 d)"
            else:
                pace = "–"
            mark = ""
            if stats.next_milestone is not None:
                mark = f"{stats.next_milestone:,}: " + (
                    _when(stats.next_milestone_eta, zone) or stats.milestone_note
                )
            latest = history.latest
            last = f"{age(now - stats.last_at)} ({latest.strategy})" if stats.last_at and latest else ""
            table.add_row(
                Text(name),
                count,
                (f"{goal:,}{share}" if goal else ""),
                _signed(stats.change_24h),
                pace,
                _when(stats.goal_eta, zone) or stats.eta_note,
                mark or stats.milestone_note,
                last,
                (latest.state if latest and latest.state else "?"),
            )
    console = Console()
    console.print(table)
    for method in methods:
        console.print(method)


def register(cli: click.Group) -> None:
    cli.add_command(petitions)
