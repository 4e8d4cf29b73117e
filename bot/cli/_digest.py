"""``keep4o-bot digest``: compose a day's digest, print it, and publish it to the targets."""

from __future__ import annotations

import datetime as dt

import click

from ._app import DAY, App, BotError, pass_app


def _day(day: dt.date | None, timezone: str, now: dt.datetime) -> dt.date | None:
    from bot.digest import last_full_day

    if day is None:
        return None
    if day > last_full_day(now, timezone):
        raise click.BadParameter(f"{day} is not over yet in {timezone}", param_hint="'--date'")
    return day


@click.command("digest")
@click.option("--date", "day", type=DAY, help="The day (campaign timezone); default: the last full day.")
@click.option("--dry-run", is_flag=True, help="Compose and print; publish nothing and record nothing.")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="T",
    help="Publish only here: file, bluesky, reddit, webhook or webhook:<name> (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="How to print the digest.",
)
@pass_app
def digest(app: App, day: dt.date | None, dry_run: bool, targets: tuple[str, ...], fmt: str) -> None:
    """Compose the daily digest, print it and publish it to the configured targets."""
    from bot.clock import utc_now
    from bot.digest import render_json, render_markdown, render_text, run_digest
    from bot.publishers import TargetError, target_names
    from bot.sources import apply_care_list

    settings = app.settings
    date = _day(day, settings.config.campaign.timezone, utc_now())
    try:
        target_names(settings.config, targets or None)
    except TargetError as exc:
        raise click.BadParameter(str(exc), param_hint="--target") from None
    app.require_schema()
    if not dry_run:  # a dry run records nothing
        apply_care_list(settings, app.sessions, utc_now())
    result = run_digest(
        settings, app.sessions, clock=utc_now, date=date, targets=targets or None, dry_run=dry_run
    )
    render = {"text": render_text, "markdown": render_markdown, "json": render_json}[fmt]
    click.echo(render(result.content), nl=False)
    for outcome in result.outcomes:
        click.echo(outcome.line(), err=True)
    failed = [o for o in result.outcomes if o.status not in ("done", "dry_run")]
    if failed:
        raise BotError(
            f"{len(failed)} of {len(result.outcomes)} targets not delivered: "
            + "; ".join(o.line() for o in failed)
        )


def register(cli: click.Group) -> None:
    cli.add_command(digest)
