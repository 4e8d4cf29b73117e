"""What a digest and an alert say, as plain frozen data.

Composing produces these; every renderer reads only these. They round-trip
through JSON (``to_json``/``from_json``) so that the ``digests`` table keeps
exactly what was published and a retry after a crash publishes the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import TypeAdapter


@dataclass(frozen=True)
class Period:
    """One calendar day in the campaign's timezone, as a half-open UTC interval."""

    day: date
    start: datetime
    end: datetime
    timezone: str

    @property
    def key(self) -> str:
        return self.day.isoformat()


@dataclass(frozen=True)
class Milestone:
    value: int
    at: datetime


@dataclass(frozen=True)
class DayCount:
    """The last signature count read on a day (campaign timezone)."""

    day: date
    count: int


@dataclass(frozen=True)
class PetitionReport:
    key: str
    name: str
    url: str
    count: int | None  # the last count read by the end of the period; None: never read
    last_at: datetime | None
    goal: int | None
    state: str | None
    # None means "not enough data to say", never "no growth".
    change_day: int | None
    change_week: int | None
    per_hour: float | None
    next_milestone: int | None
    next_milestone_eta: datetime | None
    goal_eta: datetime | None
    eta_note: str
    milestones_crossed: tuple[Milestone, ...]  # inside the period
    stale: bool  # no reading inside the period
    series: tuple[DayCount, ...]  # up to 30 days, for the chart


@dataclass(frozen=True)
class TopPost:
    platform: str
    url: str
    excerpt: str  # mentions neutralised; never from a sensitive post
    community: str | None
    likes: int
    replies: int
    reposts: int


Coverage = Literal["current", "stale", "never"]


@dataclass(frozen=True)
class PlatformActivity:
    platform: str
    posts: int
    # Posts a day over the days before the period that were collected (at most 7); None when
    # collection began on the period's own day.
    average_7d: float | None
    # "stale": nothing collected near the period's end; "never": no sign of collection at all.
    coverage: Coverage
    collected_until: datetime | None  # the last sign of collection (a post seen, a good poll)
    top: tuple[TopPost, ...]
    average_days: int = 7  # the days average_7d covers: fewer while collection is new

    @property
    def missing(self) -> bool:
        return self.coverage != "current"


@dataclass(frozen=True)
class NameCount:
    name: str
    count: int


@dataclass(frozen=True)
class Conversation:
    platforms: tuple[PlatformActivity, ...]
    sensitive: int  # counted in the totals, never quoted or linked
    subreddits: tuple[NameCount, ...]
    languages: tuple[NameCount, ...]
    new_authors: int

    @property
    def total(self) -> int:
        return sum(p.posts for p in self.platforms)


@dataclass(frozen=True)
class SeedLink:
    id: str
    title: str
    outlet: str | None
    language: str
    url: str | None  # None: shown as title and outlet only


@dataclass(frozen=True)
class DigestContent:
    campaign: str  # the campaign's display title, e.g. "#keep4o"
    hashtag: str  # without "#"
    period: Period
    petitions: tuple[PetitionReport, ...]
    conversation: Conversation
    background: tuple[SeedLink, ...]
    page_url: str | None  # this digest's public page, when the campaign publishes one

    @property
    def heading(self) -> str:
        """The first line everywhere; also how a target is searched for an earlier copy."""
        return f"{self.campaign} daily digest · {self.period.day:%a} {self.period.key}"


AlertKind = Literal["milestone", "goal", "state", "spike"]


@dataclass(frozen=True)
class AlertContent:
    event_id: str  # unique per event; the key of its ``digests`` row
    kind: AlertKind
    campaign: str
    hashtag: str
    at: datetime
    headline: str  # unique per event too: it carries the numbers and the time
    detail: str
    url: str | None

    @property
    def heading(self) -> str:
        return f"{self.campaign} alert: {self.headline}"


_DIGEST = TypeAdapter(DigestContent)
_ALERT = TypeAdapter(AlertContent)


def to_json(content: DigestContent | AlertContent) -> dict[str, Any]:
    adapter: TypeAdapter[Any] = _DIGEST if isinstance(content, DigestContent) else _ALERT
    out: dict[str, Any] = adapter.dump_python(content, mode="json")
    return out


def digest_from_json(data: dict[str, Any]) -> DigestContent:
    return _DIGEST.validate_python(data)


def alert_from_json(data: dict[str, Any]) -> AlertContent:
    return _ALERT.validate_python(data)
