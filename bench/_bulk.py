"""A year of campaign history at benchmark scale, loaded fast (loading is setup, never measured).

Posts and petition snapshots are generated deterministically from a seed and written with
the fastest path each database has: one ``executemany`` over the raw sqlite3 connection, and
``COPY ... FROM STDIN`` on PostgreSQL. Both bypass the ORM, so the values are converted here
exactly as the models store them (naive UTC times; on SQLite the text format SQLAlchemy
writes, since SQLite compares those times as strings).
"""

from __future__ import annotations

import dataclasses
import json
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text

from bot.config import Petition as PetitionSpec
from bot.config import Settings, load_settings
from bot.storage import JobRun, Petition, make_sessionmaker

from ._db import ROOT

# "Now" for every data-backed measurement: history runs up to here.
NOW = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
DAYS = 365
CHUNK = 20_000
POST_COLUMNS = (
    "platform",
    "platform_id",
    "url",
    "author_handle",
    "author_id",
    "title",
    "text",
    "lang",
    "community",
    "created_at",
    "first_seen_at",
    "last_seen_at",
    "matched_terms",
    "sensitive",
    "likes",
    "replies",
    "reposts",
    "engagement",
    "state",
    "gone_at",
)
SNAPSHOT_COLUMNS = ("petition_id", "taken_at", "count", "goal", "state", "strategy", "flag")
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's DATETIME storage format on SQLite

SUBREDDITS = ("ChatGPT", "OpenAI", "ChatGPTcomplaints", "MyBoyfriendIsAI", "singularity", "ChatGPTPro")
LANGS = ("en", "nl", "fr", "de", "ja", "zh", None)
LANG_WEIGHTS = (70, 6, 6, 6, 5, 4, 3)
TITLES = (
    "Please #keep4o, it was the only model that understood my writing",
    "Bring back GPT-4o: the petition passed another milestone",
    "Week three without 4o and the new model still misses the point",
    "OpenAI, keep GPT-4o available for the people who relied on it",
)
TEXTS = (
    "I used 4o every day for drafting and it simply felt warmer than anything since. #keep4o",
    "Signed the petition today. Keep GPT-4o available for the people who relied on it. #keep4o",
    "Houd 4o alsjeblieft, het was meer dan een chatbot voor veel mensen. #keep4o",
    "Gardez GPT-4o ! La pétition avance chaque jour. #keep4o #4oforever",
    "Bitte GPT-4o behalten, es hat mir durch ein schweres Jahr geholfen. #keep4o",
    "4oを残して。毎日使っていました。 #keep4o",
    "保留4o！请签署请愿书。 #keep4o",
    "The API still has 4o but ChatGPT does not; bring back 4o where people actually use it.",
    "Thread: what the GPT-4o retirement means for accessibility users #keep4o #4oforever",
)
TERMS = (["keep4o"], ["keep4o", "4oforever"], ["keep 4o"], ["bring back 4o"], ["keep GPT-4o"])
# (config id, goal, signatures a year ago, signatures added over the year)
PETITIONS = (
    ("changeorg-keep-gpt-4o", 25_000, 2_000, 21_000),
    ("uk-parliament-700001", 100_000, 500, 14_000),
    ("eu-keep4o", 50_000, 100, 6_000),
)


@dataclass(frozen=True)
class Loaded:
    posts: int
    snapshots: int
    seconds: float


def bench_settings() -> Settings:
    """The default campaign with the three benchmark petitions (secrets are placeholders)."""
    placeholders = {"REDDIT_CLIENT_ID": "x", "REDDIT_CLIENT_SECRET": "x", "BLUESKY_APP_PASSWORD": "x"}
    settings = load_settings(ROOT / "config/keep4o.toml", placeholders)
    petitions = [
        PetitionSpec(id=key, url=f"https://petitions.example.org/{key}", goal=goal, milestones=[goal])
        for key, goal, _start, _gain in PETITIONS
    ]
    return dataclasses.replace(settings, config=settings.config.model_copy(update={"petitions": petitions}))


def _day_weights(rng: random.Random) -> list[float]:
    """A campaign's rhythm: a background level, a retirement-day burst that decays, and pushes."""
    weights = []
    for day in range(DAYS):
        since_burst = day - 90
        burst = 25 * 0.93**since_burst if since_burst >= 0 else 0.0
        push = 6.0 if day % 45 in (0, 1) else 0.0
        weights.append(1.0 + burst + push + rng.random() * 0.5)
    return weights


Identity = tuple[str, str, str, str, str, str | None, str | None]


def _reddit_identity(i: int, author: int, rng: random.Random) -> Identity:
    """platform, platform id, url, author handle, author id, title, subreddit."""
    sub = SUBREDDITS[author % len(SUBREDDITS)]
    url = f"https://www.reddit.com/r/{sub}/comments/{i:07x}/"
    return "reddit", f"t3_{i:07x}", url, f"u{author}", f"t2_{author:08x}", rng.choice(TITLES), sub


def _bluesky_identity(i: int, author: int) -> Identity:
    did, rkey, handle = f"did:plc:bench{author:019d}", f"3l{i:011d}", f"u{author}.bsky.social"
    url = f"https://bsky.app/profile/{handle}/post/{rkey}"
    return "bluesky", f"at://{did}/app.bsky.feed.post/{rkey}", url, handle, did, None, None


def _post_rows(count: int, seed: int) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(seed)
    first_day = NOW - timedelta(days=DAYS)
    days = rng.choices(range(DAYS), weights=_day_weights(rng), k=count)
    # Oldest first, as collectors store them: the table's pages follow created_at, as in production.
    seconds = sorted(day * 86_400 + rng.randrange(86_400) for day in days)
    authors = max(50, count // 4)
    for i, offset in enumerate(seconds):
        created = min(first_day + timedelta(seconds=offset), NOW)
        first_seen = min(created + timedelta(seconds=rng.randrange(60, 900)), NOW)
        last_seen = min(first_seen + timedelta(hours=rng.randrange(0, 72)), NOW)
        author = rng.randrange(authors)
        reddit = rng.random() < 0.45
        likes = min(int(rng.paretovariate(1.3)) - 1, 50_000)
        replies = likes // 7 + rng.randrange(3)
        reposts = 0 if reddit else likes // 5
        roll = rng.random()
        state = "live" if roll < 0.97 else ("removed" if roll < 0.99 else "deleted")
        live = state == "live"
        platform, pid, url, handle, author_id, title, community = (
            _reddit_identity(i, author, rng) if reddit else _bluesky_identity(i, author)
        )
        yield (
            platform,
            pid,
            url,
            handle if live else None,
            author_id if live else None,
            title if live else None,
            rng.choice(TEXTS) if live else None,
            rng.choices(LANGS, LANG_WEIGHTS)[0],
            community,
            created,
            first_seen,
            last_seen,
            json.dumps(rng.choice(TERMS)),
            rng.random() < 0.01,
            likes,
            replies,
            reposts,
            likes + replies + reposts,
            state,
            None if live else last_seen,
        )


def _snapshot_rows(petition_ids: Sequence[int], every: timedelta, seed: int) -> Iterator[tuple[Any, ...]]:
    steps = int(timedelta(days=DAYS) / every)
    start = NOW - timedelta(days=DAYS)
    for pid, (_key, goal, first, gain) in zip(petition_ids, PETITIONS, strict=True):
        rng = random.Random(f"{seed}:{pid}")
        per_step = 2 * gain / steps  # the mean of rng.random() * per_step is gain / steps
        count = float(first)
        for step in range(steps):
            count += rng.random() * per_step
            flag = None
            shown = int(count)
            if rng.random() < 0.0005:  # a scraper glitch: a fall, flagged and left out of pace
                shown, flag = max(0, shown - rng.randrange(10, 500)), "fall"
            yield (pid, start + step * every, shown, goal, "open", "bench", flag)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime(_SQLITE_TIME)
    return value


def _pg_value(value: Any) -> Any:
    return value.astimezone(UTC).replace(tzinfo=None) if isinstance(value, datetime) else value


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _write(engine: Engine, table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]) -> int:
    written = 0
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with raw.driver_connection.cursor().copy(copy_sql) as copy:  # type: ignore[union-attr]
                for row in rows:
                    copy.write_row(tuple(map(_pg_value, row)))
                    written += 1
        else:
            marks = ", ".join("?" for _ in columns)
            insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            for chunk in _chunks(rows):
                cursor.executemany(insert, [tuple(map(_sqlite_value, row)) for row in chunk])
                written += len(chunk)
        raw.commit()
    finally:
        raw.close()
    return written


def _petitions_and_polls(engine: Engine) -> list[int]:
    """The petitions' rows, and a recent successful poll per platform (the digest checks coverage)."""
    with make_sessionmaker(engine).begin() as session:
        rows = [
            Petition(key=key, url=f"https://petitions.example.org/{key}", title=key, goal=goal, state="open")
            for key, goal, _first, _gain in PETITIONS
        ]
        session.add_all(rows)
        for job in ("poll_reddit", "poll_bluesky"):
            at = NOW - timedelta(minutes=4)
            session.add(
                JobRun(
                    job=job,
                    slot=at.isoformat(),
                    replica="bench",
                    started_at=at,
                    finished_at=at + timedelta(seconds=2),
                    status="ok",
                    counts={"new": 0},
                )
            )
        session.flush()
        return [row.id for row in rows]


def load(
    engine: Engine, posts: int, *, snapshot_every: timedelta = timedelta(minutes=5), seed: int = 1
) -> Loaded:
    """``posts`` posts over the year before :data:`NOW` and a year of snapshots of three petitions."""
    started = time.perf_counter()
    petition_ids = _petitions_and_polls(engine)
    stored = _write(engine, "posts", POST_COLUMNS, _post_rows(posts, seed))
    snapshots = _write(
        engine, "petition_snapshots", SNAPSHOT_COLUMNS, _snapshot_rows(petition_ids, snapshot_every, seed)
    )
    if engine.dialect.name == "postgresql":
        # Autovacuum would analyse a table this size soon after; do it now, not mid-measurement.
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return Loaded(posts=stored, snapshots=snapshots, seconds=time.perf_counter() - started)
