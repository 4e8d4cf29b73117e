"""Ingest: Reddit listing JSON -> matching, normalising, language -> storing, against the naive way.

The measured path is the collector's (``bot.sources._reddit``), page by page (100 posts): the
page's JSON text is decoded (what PRAW does with a response), the listing read
(``listing_page``), its posts matched and normalised (``normalise_page``) and the page stored
in its own transaction (``upsert_posts`` + commit). Pages are made ahead, 50 at a time, so
that making them does not sit between measured pages (it would evict the caches the
language model relies on and inflate its cost by half); decoding, which the collector does
sit between pages, stays in.

``posts_per_s`` counts from the decoded page, as PRAW hands it over (``normalise_us`` +
``store_us``); ``posts_per_s_from_text`` adds ``decode_us``. Rates are per post *read*: the
listing mix stores about half of them (see ``bench._data``).

The naive way decodes, matches and normalises the same way, then stores one ORM ``Post`` with
one commit per post (no engagement snapshot: the naive way does less writing, not more). At a
million posts it would take hours, so it runs at ``min(size, NAIVE_MAX)`` posts and ``ratio``
compares the two *rates* (``posts_per_s``).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from bot.config import load_settings
from bot.sources import Matcher, PostRecord
from bot.sources._reddit_normalise import listing_page, normalise_page
from bot.storage import Post, make_sessionmaker, upsert_posts

from ._data import END, reddit_pages
from ._db import ROOT, fresh_database

NAIVE_MAX = 10_000
# Posts the clock does not see: they load the language model, compile the matcher and warm
# the statement caches, as a running daemon has them. PostgreSQL then gets the statistics
# autovacuum would have gathered by then (a never-analysed table misleads its planner).
_WARM_UP = 300
_AHEAD = 50  # pages made before their turn

Store = Callable[[list[PostRecord], datetime], int]


@dataclass(frozen=True)
class Run:
    posts: int
    stored: int
    decode_s: float
    normalise_s: float
    store_s: float

    @property
    def posts_per_s(self) -> float:
        return self.posts / (self.normalise_s + self.store_s)

    @property
    def posts_per_s_from_text(self) -> float:
        return self.posts / (self.decode_s + self.normalise_s + self.store_s)

    def us(self, seconds: float) -> float:
        return round(seconds / self.posts * 1e6, 1)


def matcher() -> Matcher:
    secrets = {"REDDIT_CLIENT_ID": "x", "REDDIT_CLIENT_SECRET": "x", "BLUESKY_APP_PASSWORD": "x"}
    config = load_settings(ROOT / "config/keep4o.toml", secrets).config
    return Matcher(config.match, config.care)


def _page_texts(count: int, mix: str, first: int) -> Iterator[tuple[datetime, str]]:
    """Each page's poll time and JSON text, made ``_AHEAD`` pages at a time."""
    made: list[tuple[datetime, str]] = []
    for number, page in enumerate(reddit_pages(count, mix=mix, first=first)):
        made.append((END + timedelta(minutes=number), json.dumps(page)))
        if len(made) == _AHEAD:
            yield from made
            made = []
    yield from made


def _measure(count: int, mix: str, match: Matcher, store: Store) -> Run:
    stored, decoding, normalising, storing = 0, 0.0, 0.0, 0.0
    for now, body in _page_texts(count, mix, first=0):
        started = time.perf_counter()
        page = json.loads(body)
        decoded = time.perf_counter()
        records = normalise_page(listing_page(page)[0], match)
        normalised = time.perf_counter()
        stored += store(records, now)
        storing += time.perf_counter() - normalised
        normalising += normalised - decoded
        decoding += decoded - started
    return Run(count, stored, decoding, normalising, storing)


def _stored_posts(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Post)) or 0


def ingest(engine: Engine, count: int, mix: str = "listing") -> Run:
    """The collector's path: one transaction and one ``upsert_posts`` per page."""
    match, sessions = matcher(), make_sessionmaker(engine)

    def store(records: list[PostRecord], now: datetime) -> int:
        with sessions.begin() as session:
            return upsert_posts(session, records, now)[0]

    warm = sum(store(normalise_page(listing_page(json.loads(body))[0], match), now)
               for now, body in _page_texts(_WARM_UP, mix, first=10_000_000))  # fmt: skip
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    run = _measure(count, mix, match, store)
    if _stored_posts(engine) != warm + run.stored:
        raise AssertionError(f"{run.stored} new posts reported but {_stored_posts(engine) - warm} stored")
    return run


def ingest_naive(engine: Engine, count: int, mix: str = "listing") -> Run:
    """The baseline: the same records, then one ORM object and one commit per post."""
    match = matcher()

    def store(records: list[PostRecord], now: datetime) -> int:
        for record in records:
            fields = asdict(record) | {"matched_terms": list(record.matched_terms)}
            with Session(engine) as session:
                session.add(Post(**fields, first_seen_at=now, last_seen_at=now, engagement=record.engagement))
                session.commit()
        return len(records)

    normalise_page(listing_page(json.loads(next(_page_texts(100, mix, first=10_000_000))[1]))[0], match)
    return _measure(count, mix, match, store)


def _repeats(size: int) -> int:
    return 3 if size <= 10_000 else 2 if size <= 100_000 else 1


def run_ingest(sizes: list[int], backends: list[str]) -> list[dict[str, Any]]:
    """One row per backend and size: medians of repeated runs on fresh databases, with their range."""
    rows = []
    naive: dict[tuple[str, int], Run] = {}
    for backend in backends:
        for size in sizes:
            runs = []
            for _ in range(_repeats(size)):
                with fresh_database(backend) as engine:
                    runs.append(ingest(engine, size))
            naive_size = min(size, NAIVE_MAX)
            if (backend, naive_size) not in naive:
                with fresh_database(backend) as engine:
                    naive[backend, naive_size] = ingest_naive(engine, naive_size)
            base = naive[backend, naive_size]
            runs.sort(key=lambda run: run.posts_per_s)
            middle = runs[len(runs) // 2]
            median = statistics.median(run.posts_per_s for run in runs)
            rows.append(
                {
                    "section": "ingest",
                    "backend": backend,
                    "size": size,
                    "mix": "listing",
                    "stored": middle.stored,
                    "runs": len(runs),
                    "posts_per_s": round(median),
                    "posts_per_s_range": [round(runs[0].posts_per_s), round(runs[-1].posts_per_s)],
                    "posts_per_s_from_text": round(middle.posts_per_s_from_text),
                    "naive_size": naive_size,
                    "naive_posts_per_s": round(base.posts_per_s),
                    "ratio": round(median / base.posts_per_s, 1),
                    "decode_us": middle.us(middle.decode_s),
                    "normalise_us": middle.us(middle.normalise_s),
                    "store_us": middle.us(middle.store_s),
                    "naive_store_us": base.us(base.store_s),
                }
            )
    return rows
