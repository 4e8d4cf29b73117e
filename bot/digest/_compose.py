"""A digest's content from loaded data, the period and the configuration (pure).

Care rules applied here, before any renderer sees a post: sensitive posts (flagged
by the collector, or matching today's care lexicon) are counted but never become a
top post; excerpts have @handles and u/names neutralised so nobody is pinged; no
author is ever named.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import regex

from bot.config import Config
from bot.petitions import Snapshot, change_over, milestones_crossed, petition_stats
from bot.seeds import SeedArticle
from bot.sources import Matcher
from bot.storage import is_trusted
from bot.text import printable

from ._load import BASELINE_DAYS, SERIES_DAYS, DigestData, PetitionData, PlatformData, PostRow
from ._model import (
    Conversation,
    Coverage,
    DayCount,
    DigestContent,
    Milestone,
    Period,
    PetitionReport,
    PlatformActivity,
    TopPost,
)
from ._seeds_pick import pick_seeds

EXCERPT_GRAPHEMES = 120
# A petition not read in the last hours of the period is reported as "no data since".
STALE_AFTER = timedelta(hours=6)
# Collection counts as current when a poll succeeded (or a post was seen) this close to the end.
COLLECTION_SLACK = timedelta(hours=2)

# @handle (Bluesky handles have dots) and u/name or /u/name (Reddit); not inside words or e-mail addresses.
_AT_MENTION = regex.compile(r"(?<![\w@/.])@[\w.\-]*\w")
_U_MENTION = regex.compile(r"(?<![\w/])(/?)u/[\w\-]+", regex.IGNORECASE)
_GRAPHEME = regex.compile(r"\X")


def day_period(day: date, timezone: str) -> Period:
    """The calendar day ``day`` in ``timezone`` (23 or 25 hours long on DST changes)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return Period(day=day, start=start, end=end, timezone=timezone)


def last_full_day(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)


def neutralise_mentions(text: str) -> str:
    """``@alice.bsky.social`` → ``@…`` and ``u/bob`` → ``u/…``: readable, but pings nobody."""
    return str(_U_MENTION.sub(r"\1u/…", _AT_MENTION.sub("@…", text)))


def excerpt(text: str, limit: int = EXCERPT_GRAPHEMES) -> str:
    """One printable line of at most ``limit`` graphemes, cut between words when possible."""
    flat = " ".join(neutralise_mentions(printable(text)).split())
    clusters = _GRAPHEME.findall(flat)
    if len(clusters) <= limit:
        return flat
    cut = "".join(clusters[: limit - 1])
    space = cut.rfind(" ")
    if space >= len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def _snapshots(data: PetitionData) -> list[Snapshot]:
    return [Snapshot(at=s.taken_at, count=s.count, flag=s.flag) for s in data.snapshots]


def _series(data: PetitionData, period: Period) -> tuple[DayCount, ...]:
    """The last trusted count of each local day, over the 30 days ending with the period."""
    zone = ZoneInfo(period.timezone)
    first = period.day - timedelta(days=SERIES_DAYS - 1)
    by_day: dict[date, int] = {}
    for s in data.snapshots:
        day = s.taken_at.astimezone(zone).date()
        if first <= day <= period.day and is_trusted(s.flag):
            by_day[day] = s.count
    return tuple(DayCount(day, count) for day, count in sorted(by_day.items()))


def _crossed_in(series: Sequence[Snapshot], data: PetitionData, period: Period) -> tuple[Milestone, ...]:
    """Every milestone (or the goal) passed inside the period, judged snapshot by snapshot.

    ``milestones_crossed`` compares a series' newest snapshot with the newest unflagged one
    before it, so each snapshot gets just that pair, not the whole series up to it (which
    made this quadratic: a day of 5-minute snapshots against a month of them).
    """
    out: list[Milestone] = []
    unflagged: list[Snapshot] = []  # the newest unflagged snapshot so far, if any
    for snapshot in series:
        if period.start <= snapshot.at < period.end:
            crossed = milestones_crossed([*unflagged, snapshot], data.goal, data.milestones)
            out += [Milestone(m, at) for m, at in crossed]
        if snapshot.flag is None:
            unflagged = [snapshot]
    return tuple(out)


def petition_report(data: PetitionData, period: Period) -> PetitionReport:
    snapshots = sorted((s for s in _snapshots(data) if s.at < period.end), key=lambda s: s.at)
    stats = petition_stats(snapshots, data.goal, data.milestones, period.end)
    # The calendar day, 23 or 25 hours long when the clocks change (not the last 24 hours), from
    # the newest reading before each midnight, as the trend table counts a day.
    before_midnight = period.end - timedelta(microseconds=1)
    trusted = [s for s in snapshots if is_trusted(s.flag)]
    change_day = change_over(trusted, period.end - period.start, before_midnight)
    states = [s.state for s in data.snapshots if s.taken_at < period.end and s.state]
    per_hour = stats.per_hour_recent if stats.per_hour_recent is not None else stats.per_hour_7d
    stale = stats.last_at is None or stats.last_at < period.end - STALE_AFTER
    return PetitionReport(
        key=data.key,
        name=data.name,
        url=data.url,
        count=stats.last_count,
        last_at=stats.last_at,
        goal=data.goal,
        state=states[-1] if states else None,
        change_day=change_day,
        change_week=stats.change_7d,
        per_hour=per_hour,
        next_milestone=stats.next_milestone,
        next_milestone_eta=stats.next_milestone_eta,
        goal_eta=stats.goal_eta,
        eta_note=stats.eta_note if data.goal is not None else stats.milestone_note,
        milestones_crossed=_crossed_in(snapshots, data, period),
        stale=stale,
        series=_series(data, period),
    )


def _coverage(data: PlatformData, period: Period) -> tuple[Coverage, datetime | None]:
    """Whether collection ran up to the period's end, and the last sign that it ran."""
    signs = [t for t in (data.last_new_post, data.last_collected) if t is not None]
    if not signs:
        return "never", None
    last = max(signs)
    return ("current" if last >= period.end - COLLECTION_SLACK else "stale"), last


def _collected_days(data: PlatformData, period: Period) -> int:
    """The days before the period (at most the baseline's) since the platform's oldest post."""
    if data.first_post is None:
        return 0
    first_day = data.first_post.astimezone(ZoneInfo(period.timezone)).date()
    return max(0, min(BASELINE_DAYS, (period.day - first_day).days))


def _activity(data: PlatformData, period: Period, top: tuple[TopPost, ...]) -> PlatformActivity:
    coverage, collected_until = _coverage(data, period)
    days = _collected_days(data, period)
    return PlatformActivity(
        platform=data.platform,
        posts=data.posts,
        average_7d=round(data.baseline_posts / days, 1) if days else None,
        average_days=days,
        coverage=coverage,
        collected_until=collected_until,
        top=top,
    )


def top_posts(sample: Sequence[PostRow], platform: str, matcher: Matcher, limit: int) -> tuple[TopPost, ...]:
    out: list[TopPost] = []
    for row in sample:
        if row.platform != platform or len(out) >= limit:
            continue
        text = (row.title or row.text or "").strip()
        # The collector flagged sensitive posts already; the lexicon may have grown since.
        if not text or matcher.is_sensitive(row.title or "", row.text or ""):
            continue
        out.append(
            TopPost(platform, row.url, excerpt(text), row.community, row.likes, row.replies, row.reposts)
        )
    return tuple(out)


def compose(
    data: DigestData, period: Period, config: Config, seeds: Sequence[SeedArticle] = ()
) -> DigestContent:
    matcher = Matcher(config.match, config.care)
    platforms = tuple(
        _activity(p, period, top_posts(data.sample, p.platform, matcher, config.digest.top_posts))
        for p in data.platforms
    )
    texts = [
        f"{row.title or ''} {row.text or ''}"
        for row in data.sample
        if not matcher.is_sensitive(row.title or "", row.text or "")
    ]
    languages = {n.name: n.count for n in data.languages}
    base = config.campaign.public_base_url
    return DigestContent(
        campaign=config.campaign.title,
        hashtag=config.match.hashtags[0].lstrip("#"),
        period=period,
        petitions=tuple(petition_report(p, period) for p in data.petitions),
        conversation=Conversation(
            platforms=platforms,
            sensitive=data.sensitive,
            subreddits=data.subreddits,
            languages=data.languages,
            new_authors=data.new_authors,
        ),
        background=pick_seeds(seeds, texts, languages, base),
        page_url=f"{base.rstrip('/')}/digests/{period.key}" if base else None,
    )
