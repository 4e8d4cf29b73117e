"""The campaign configuration, as a validated, immutable model.

Every model forbids unknown keys so that a typo in the TOML file is an error,
not a silently ignored setting.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import soupsieve
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

_DURATION = re.compile(r"^(\d+)\s*(s|m|h|d)$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Longer than any setting needs; beyond it "now - backfill" leaves the calendar.
_LONGEST = 3650 * 86400
# The petition tables' count columns are 32-bit integers.
_MAX_COUNT = 2**31 - 1


def parse_duration(text: str) -> int:
    """Seconds in a duration such as ``"90s"``, ``"10m"``, ``"6h"`` or ``"2d"`` (at most 3650d)."""
    found = _DURATION.match(text.strip())
    if not found:
        raise ValueError(f"{text!r} is not a duration like '30s', '10m', '6h' or '2d'")
    seconds = int(found.group(1)) * _UNITS[found.group(2)]
    if seconds > _LONGEST:
        raise ValueError(f"{text!r} is longer than 3650d")
    return seconds


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def _check_websocket_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise ValueError(f"{value!r} is not a ws(s) URL")
    return value


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not a known IANA timezone") from None
    return value


def _check_duration(value: str) -> str:
    parse_duration(value)
    return value


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


Url = Annotated[str, AfterValidator(_check_url)]
WebSocketUrl = Annotated[str, AfterValidator(_check_websocket_url)]
Timezone = Annotated[str, AfterValidator(_check_timezone)]
Duration = Annotated[str, AfterValidator(_check_duration)]


class _Model(BaseModel):
    # Strict: TOML has its own booleans and numbers, so ``enabled = "yes"`` or ``port = "8787"``
    # is a mistake to report, not a string to coerce.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Campaign(_Model):
    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str = Field(min_length=1)
    timezone: Timezone = "UTC"
    public_base_url: Url | None = None


class Match(_Model):
    """Terms that make a post part of the campaign (see ``bot.sources.match``)."""

    hashtags: list[str] = Field(min_length=1)
    keywords: list[str] = []
    # Words that look like a term but must not count, e.g. "keep4offline".
    exclude: list[str] = []


class Reddit(_Model):
    enabled: bool = True
    subreddits: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{2,21}$")]] = Field(min_length=1)
    search_queries: list[str] = []
    # Reddit requires "<platform>:<app id>:<version> (by /u/<name>)".
    app_id: str = "keep4o-bot"
    contact_username: str = Field(min_length=3)
    refresh_max_age: Duration = "3d"
    oauth_url: Url = "https://oauth.reddit.com"
    reddit_url: Url = "https://www.reddit.com"
    timeout_seconds: int = Field(default=16, ge=1, le=300)


class Bluesky(_Model):
    enabled: bool = True
    handle: str = Field(min_length=3)
    queries: list[str] = Field(min_length=1)
    mode: Literal["search", "jetstream"] = "search"
    # The search index lags behind the network; re-read this much before the checkpoint.
    overlap: Duration = "15m"
    # How far back the first search poll of a query reads (there is no checkpoint yet).
    backfill: Duration = "1d"
    refresh_max_age: Duration = "3d"
    timeout_seconds: int = Field(default=30, ge=1, le=300)
    base_url: Url = "https://bsky.social"
    jetstream_url: WebSocketUrl = "wss://jetstream.us-east.bsky.network/xrpc"


class Petition(_Model):
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    url: Url
    name: str | None = None
    adapter: Literal["auto", "changeorg", "uk_parliament", "generic"] = "auto"
    goal: int | None = Field(default=None, gt=0, le=_MAX_COUNT)
    milestones: list[Annotated[int, Field(gt=0, le=_MAX_COUNT)]] = []
    # Only for the generic adapter: where the count is on the page.
    selector: str | None = None
    pattern: str | None = None
    timeout_seconds: int = Field(default=20, ge=1, le=300)

    @model_validator(mode="after")
    def _generic_needs_a_locator(self) -> Petition:
        if self.adapter == "generic" and not (self.selector or self.pattern):
            raise ValueError("a generic petition needs 'selector' or 'pattern'")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"'pattern' is not a valid regular expression: {exc}") from None
        if self.selector is not None:
            try:
                soupsieve.compile(self.selector)
            except soupsieve.SelectorSyntaxError as exc:
                problem = str(exc).splitlines()[0]
                raise ValueError(f"'selector' is not a valid CSS selector: {problem}") from None
        return self


class Job(_Model):
    """When a job runs: every ``every`` (an interval) or on a ``cron`` expression."""

    every: Duration | None = None
    cron: str | None = None
    jitter: Duration = "0s"
    enabled: bool = True

    @model_validator(mode="after")
    def _one_trigger(self) -> Job:
        if (self.every is None) == (self.cron is None):
            raise ValueError("give exactly one of 'every' or 'cron'")
        if self.cron is not None and len(self.cron.split()) != 5:
            raise ValueError(f"cron {self.cron!r} needs five fields (minute hour day month weekday)")
        return self


JobName = Literal[
    "poll_reddit",
    "search_reddit",
    "poll_bluesky",
    "poll_petitions",
    "refresh_engagement",
    "retention",
    "rollups",
    # Not in the defaults: the digest runs daily at [digest] time unless scheduled here.
    "digest",
    "alerts",
]


def _default_jobs() -> dict[JobName, Job]:
    return {
        "poll_reddit": Job(every="10m", jitter="30s"),
        "search_reddit": Job(every="1h", jitter="2m"),
        "poll_bluesky": Job(every="10m", jitter="30s"),
        "poll_petitions": Job(every="15m", jitter="1m"),
        "refresh_engagement": Job(every="1h", jitter="2m"),
        "retention": Job(cron="30 3 * * *"),
        "alerts": Job(every="15m", jitter="1m"),
        "rollups": Job(every="15m", jitter="1m"),
    }


class Schedule(_Model):
    jobs: dict[JobName, Job] = Field(default_factory=_default_jobs)
    # A source with no success for this long is stale (operator alert, /readyz degraded).
    stale_after: Duration = "2h"
    max_failures_in_row: int = Field(default=5, ge=1)
    # Reddit's terms: do not keep content longer than needed.
    retention: Duration = "90d"

    @model_validator(mode="after")
    def _retention_keeps_a_day(self) -> Schedule:
        # Shorter would purge the text of posts the next digest is about to quote.
        if parse_duration(self.retention) < 86400:
            raise ValueError(f"retention {self.retention!r} is shorter than 1d")
        return self


class Webhook(_Model):
    name: str = Field(min_length=1)
    format: Literal["discord", "slack", "json"] = "json"
    # Webhook URLs are secrets: the TOML names the environment variable holding one.
    url_env: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")


class Digest(_Model):
    # "08:00" as well as TOML's own local time (08:00:00).
    time: dt.time = Field(default=dt.time(8, 0), strict=False)
    targets: list[Literal["bluesky", "reddit", "webhook", "file"]] = ["file"]
    reddit_subreddit: str | None = None
    file_directory: str = "data/digests"
    webhooks: list[Webhook] = []
    chart: bool = True
    top_posts: int = Field(default=3, ge=1, le=10)

    @model_validator(mode="after")
    def _targets_are_configured(self) -> Digest:
        if "reddit" in self.targets and not self.reddit_subreddit:
            raise ValueError("the 'reddit' target needs 'reddit_subreddit'")
        if "webhook" in self.targets and not self.webhooks:
            raise ValueError("the 'webhook' target needs at least one [[digest.webhooks]]")
        return self


class Alerts(_Model):
    targets: list[Literal["bluesky", "reddit", "webhook", "file"]] = ["file"]
    # A volume spike: today's hourly count above mean + k * stddev of the baseline hours.
    spike_sigma: float = Field(default=3.0, gt=0)
    spike_min_posts: int = Field(default=20, ge=1)
    min_interval: Duration = "1h"


class Care(_Model):
    """Posts matching these are counted but never quoted or linked publicly."""

    distress_terms: list[str] = []


class Database(_Model):
    url: str = "sqlite:///data/keep4o.db"


class Sandbox(_Model):
    """Explicit opt-in: without it, no source or target may point at a local server."""

    enabled: bool = False


class Server(_Model):
    host: str = "0.0.0.0"
    port: int = Field(default=8787, ge=0, le=65535)


class Config(_Model):
    campaign: Campaign
    match: Match
    reddit: Reddit | None = None
    bluesky: Bluesky | None = None
    petitions: list[Petition] = []
    schedule: Schedule = Schedule()
    digest: Digest = Digest()
    alerts: Alerts = Alerts()
    care: Care = Care()
    database: Database = Database()
    sandbox: Sandbox = Sandbox()
    server: Server = Server()

    @model_validator(mode="after")
    def _sandbox_only_when_asked(self) -> Config:
        urls = [p.url for p in self.petitions]
        if self.reddit:
            urls += [self.reddit.oauth_url, self.reddit.reddit_url]
        if self.bluesky:
            urls += [self.bluesky.base_url, self.bluesky.jetstream_url]
        local = [u for u in urls if is_loopback_url(u)]
        if local and not self.sandbox.enabled:
            raise ValueError(
                f"{local[0]} is a local address; set [sandbox] enabled = true to use the sandbox"
            )
        ids = [p.id for p in self.petitions]
        if len(ids) != len(set(ids)):
            raise ValueError("petition ids must be unique")
        return self


def unsearched_hashtags(config: Config) -> list[str]:
    """Hashtags matched but named by no Bluesky search query: their posts are never fetched.

    Search returns only what a query names, so a tag no query holds (as ``#tag`` or ``tag``) is
    collected only when a post also carries another searched term. Jetstream reads everything.
    """
    bluesky = config.bluesky
    if bluesky is None or not bluesky.enabled or bluesky.mode != "search":
        return []
    words = {word.strip("\"'").lstrip("#").casefold() for query in bluesky.queries for word in query.split()}
    return [f"#{tag.lstrip('#')}" for tag in config.match.hashtags if tag.lstrip("#").casefold() not in words]
