"""The digest's wording, shared by every renderer so that all targets say the same thing.

Missing data is always said as missing ("no petition data since ..."), never as a
zero: a ``None`` change means "not enough readings", not "no growth".
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.trends import counted

from ._model import Conversation, PetitionReport, PlatformActivity, TopPost

PLATFORM_NAMES = {"reddit": "Reddit", "bluesky": "Bluesky"}
HELPLINE_TEXT = "findahelpline.com"
HELPLINE_URL = "https://findahelpline.com"
CARE_NOTE = (
    "Some posts spoke of distress; they are counted but never quoted or linked. "
    f"If you are struggling, {HELPLINE_TEXT} lists free, confidential support."
)
BOT_NOTE = (
    "Posted automatically by a bot (keep4o-bot). Authors are never tagged; "
    "posts about distress are counted, never quoted."
)


def num(n: int) -> str:
    return f"{n:,}"


def signed(n: int) -> str:
    return f"+{n:,}" if n >= 0 else f"-{-n:,}"


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform.capitalize())


def day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def moment(at: datetime, timezone: str) -> str:
    """A time as people in the campaign's timezone read it: ``Sat 22 Nov 14:05``."""
    local = at.astimezone(ZoneInfo(timezone))
    return f"{day_label(local.date())} {local:%H:%M}"


def clock_time(at: datetime, timezone: str) -> str:
    return f"{at.astimezone(ZoneInfo(timezone)):%H:%M}"


def pace(per_hour: float) -> str:
    if per_hour >= 10:
        return f"about {round(per_hour):,} an hour"
    if per_hour >= 1:
        return f"about {per_hour:.1f} an hour"
    return f"about {per_hour * 24:.0f} a day"


def petition_count(p: PetitionReport, timezone: str) -> str:
    """The headline number, or plainly why there is none."""
    if p.count is None or p.last_at is None:
        return "no petition data yet"
    if p.stale:
        return f"no petition data since {moment(p.last_at, timezone)} (then {num(p.count)} signatures)"
    return f"{num(p.count)} signatures"


def change(value: int | None, span: str) -> str:
    return f"{signed(value)} {span}" if value is not None else f"{span}: not enough readings"


def petition_changes(p: PetitionReport) -> str:
    return f"{change(p.change_day, 'in the day')}, {change(p.change_week, 'in 7 days')}"


def petition_projection(p: PetitionReport, timezone: str) -> str:
    """Pace and the next target, or the tracker's note on why there is no projection."""
    if p.per_hour is None:
        return "pace unknown (not enough readings)"
    text = pace(p.per_hour)
    if p.goal is not None and p.count is not None and p.count >= p.goal:
        return f"{text}; goal of {num(p.goal)} reached"
    target, eta = (p.goal, p.goal_eta) if p.goal is not None else (p.next_milestone, p.next_milestone_eta)
    if target is None:
        return text
    if eta is not None:
        zone = ZoneInfo(timezone)
        when = eta.astimezone(zone).date()
        # A date in another year than the latest reading's says which year.
        this_year = p.last_at is not None and p.last_at.astimezone(zone).year == when.year
        return f"{text}; {num(target)} around {day_label(when)}{'' if this_year else f' {when.year}'}"
    return f"{text}; {num(target)}: {p.eta_note}" if p.eta_note else text


def petition_events(p: PetitionReport, timezone: str) -> list[str]:
    """Milestones passed in the period and a state other than open, as sentences."""
    out = [f"Passed {num(m.value)} at {clock_time(m.at, timezone)}." for m in p.milestones_crossed]
    if p.state in ("victory", "closed"):
        out.append(f"The petition is {'marked a victory' if p.state == 'victory' else 'closed'}.")
    return out


def petition_sentence(p: PetitionReport, timezone: str) -> str:
    """One petition in prose: name, count, changes, events and projection."""
    head = f"“{p.name}”: {petition_count(p, timezone)}"
    if p.count is None or p.stale:
        return head + "."
    events = " ".join(petition_events(p, timezone))
    tail = f" {events}" if events else ""
    return f"{head} ({petition_changes(p)}).{tail} Pace: {petition_projection(p, timezone)}."


def activity(a: PlatformActivity, timezone: str) -> str:
    name = platform_name(a.platform)
    if a.coverage == "never":
        return f"no {name} data yet"
    if a.coverage == "stale" and a.collected_until is not None:
        since = moment(a.collected_until, timezone)
        if a.posts:  # a count of part of the day: not to be read as the day's
            return f"{num(a.posts)} on {name} before collection stopped at {since}"
        return f"no {name} posts collected since {since}"
    if a.posts == 0:
        return f"no posts on {name}"
    return f"{num(a.posts)} on {name} ({average(a)})"


def average(a: PlatformActivity) -> str:
    """The day against the days before it, as many as were collected (up to seven)."""
    if a.average_7d is None:
        return "the first day collected"
    if a.average_days == 7:
        return f"7-day average {a.average_7d:.1f}"
    return f"{a.average_days}-day average {a.average_7d:.1f}, since collection began"


def posts_line(c: Conversation, day: date, timezone: str) -> str:
    if c.total == 0 and not any(a.missing for a in c.platforms):
        return f"No campaign posts on {day_label(day)}."
    return f"Posts: {'; '.join(activity(a, timezone) for a in c.platforms)}."


def conversation_details(c: Conversation) -> list[str]:
    """New authors, busiest subreddits and languages; nothing for a quiet day."""
    out = []
    if c.new_authors:
        out.append(f"{num(c.new_authors)} people posted for the first time.")
    if c.subreddits:
        out.append(
            "Busiest subreddits: " + ", ".join(f"r/{s.name} {num(s.count)}" for s in c.subreddits) + "."
        )
    if c.languages:
        out.append("Languages: " + languages(c) + ".")
    return out


def languages(c: Conversation) -> str:
    total = c.total or 1
    return ", ".join(f"{n.name} {round(100 * n.count / total)}%" for n in c.languages)


def numbers(post: TopPost) -> str:
    if post.platform == "reddit":
        return f"{counted(post.likes, 'point', 'points')}, {counted(post.replies, 'comment', 'comments')}"
    return ", ".join(
        (
            counted(post.likes, "like", "likes"),
            counted(post.reposts, "repost", "reposts"),
            counted(post.replies, "reply", "replies"),
        )
    )


def where(post: TopPost) -> str:
    return f"r/{post.community}, {numbers(post)}" if post.community else numbers(post)
