"""A deterministic, realistic #keep4o world: posts, accounts, petitions and what happens to them.

The same seed and ``now`` give the same world. Posts are spread over ``days``
before ``now`` (and a day after it, so that new ones appear as the clock runs)
with a daily rhythm and two bursts: the retirement day and a petition push.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from . import _campaign as campaign
from . import _texts as texts
from ._factory import FIRST_REDDIT_ID, base36, make_bluesky_post
from ._rhythm import Weighted, intensity, poisson, post_times
from ._timeline import Event, LivingWorld, apply
from ._world import BlueskyAccount, PetitionPage, RedditPost

DEFAULT_NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FUTURE = timedelta(days=1)
_ID_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
_GROWTH = ((0.5, 0.1), (2, 0.35), (8, 0.7), (24, 0.9), (72, 1.0))  # (hours after posting, share of final)
_GROWN = timedelta(hours=72 * 1.2)
# Mix of kinds of post: (kind, weight). Reddit subreddits also carry ordinary chatter.
REDDIT_KINDS = (("hashtag", 25), ("keyword", 22), ("link", 5), ("near_miss", 6), ("care", 2), ("other", 40))
_BLUESKY_KINDS = (("hashtag", 55), ("keyword", 20), ("link", 10), ("near_miss", 8), ("care", 2), ("other", 5))
_SUBREDDIT_WEIGHTS = (
    ("ChatGPT", 40),
    ("OpenAI", 15),
    ("ChatGPTcomplaints", 18),
    ("MyBoyfriendIsAI", 10),
    ("singularity", 7),
    ("ChatGPTPro", 6),
    ("artificial", 4),
)
_SYLLABLES = (
    "lu",
    "mi",
    "ra",
    "ko",
    "ve",
    "na",
    "to",
    "si",
    "ber",
    "an",
    "el",
    "jo",
    "ka",
    "ri",
    "sa",
    "den",
)


@dataclass(frozen=True)
class _Draft:
    kind: str
    lang: str
    text: str
    at: datetime


_REDDIT_MIX = Weighted(*REDDIT_KINDS)
_BLUESKY_MIX = Weighted(*_BLUESKY_KINDS)
_SUBREDDIT_MIX = Weighted(*_SUBREDDIT_WEIGHTS)


def _name(rng: random.Random) -> str:
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    return word + rng.choice(("", "_", "-")) + str(rng.randint(1, 999))


def _draft(rng: random.Random, kinds: Weighted, at: datetime, start: datetime) -> _Draft:
    kind = kinds.pick(rng)
    lang, template = rng.choice(texts.POOLS[kind])
    day = (at - start).days + 1
    text = template.format(tag=rng.choice(texts.TAGS), n=day, count=f"{20_500 + day * 15:,}")
    return _Draft(kind, lang, text, at)


def _happen(world: LivingWorld, now: datetime, event: Event) -> None:
    """Apply a past event now; schedule a future one."""
    if event.at <= now:
        apply(world, event)
    else:
        world.timeline.add(event.at, event.kind, event.key, event.values, event.by)


def _engagement(
    rng: random.Random,
    world: LivingWorld,
    *,
    now: datetime,
    kind: str,
    key: str,
    created: datetime,
    final: tuple[int, ...],
) -> None:
    """The numbers' growth towards ``final`` over three days (Reddit scores start at 1)."""
    if created + _GROWN <= now:
        apply(world, Event(now, kind, key, final))  # fully grown already: skip the steps
        return
    due: Event | None = None
    for hours, share in _GROWTH:
        values = tuple(max(0 if i else 1, round(v * share)) for i, v in enumerate(final))
        event = Event(created + timedelta(hours=hours * rng.uniform(0.8, 1.2)), kind, key, values)
        if event.at <= now:
            due = event  # only the latest past step matters
        else:
            world.timeline.add(event.at, kind, key, values)
    if due is not None:
        apply(world, due)


def _reddit_id(at: datetime, index: int) -> str:
    """Reddit's ids grow with time across the whole site (roughly a dozen posts a second)."""
    return base36(FIRST_REDDIT_ID + max(0, int((at - _ID_EPOCH).total_seconds() * 12)) + index)


def _reddit(
    world: LivingWorld, rng: random.Random, *, start: datetime, now: datetime, end: datetime, per_day: float
) -> None:
    authors = [_name(rng).replace("-", "_") for _ in range(80)]
    for index, at in enumerate(post_times(rng, start, end, per_day)):
        draft = _draft(rng, _REDDIT_MIX, at, start)
        title, _, body = draft.text.partition("\n")
        link = title.startswith("Petition update") or body.startswith("http")
        post = RedditPost(
            id=_reddit_id(at, index),
            subreddit=_SUBREDDIT_MIX.pick(rng),
            author=rng.choice(authors),
            title=title[:300],
            selftext="" if link else (body or rng.choice(texts.BODY)),
            created_at=at,
            url=body if link else None,
            upvote_ratio=round(rng.uniform(0.55, 1.0), 2),
        )
        world.add_reddit_post(post)
        score = int(rng.paretovariate(1.3) * 3)
        final = (score, int(score * rng.uniform(0.1, 0.8)))
        _engagement(rng, world, now=now, kind="reddit_numbers", key=post.fullname, created=at, final=final)
        fate = rng.random()
        if fate < 0.05:
            by, hours = ("moderator", rng.uniform(1, 48)) if fate < 0.03 else ("deleted", rng.uniform(2, 120))
            _happen(world, now, Event(at + timedelta(hours=hours), "reddit_remove", post.fullname, by=by))


def _accounts(world: LivingWorld, rng: random.Random) -> list[BlueskyAccount]:
    world.add_account(
        BlueskyAccount(
            did=campaign.BLUESKY_DID,
            handle=campaign.BLUESKY_HANDLE,
            display_name="keep4o digest (sandbox)",
            app_password=campaign.BLUESKY_APP_PASSWORD,
            is_bot=True,
        )
    )
    for name in ("alice", "bob", "carla"):
        did = f"did:plc:{name}sandbox{'0' * (15 - len(name))}"
        account = BlueskyAccount(
            did, f"{name}.sandbox.test", name.title(), app_password=f"{name}-app-password"
        )
        world.add_account(account)
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    people = []
    for _ in range(60):
        name = _name(rng).replace("_", "-")
        did = "did:plc:" + "".join(rng.choice(alphabet) for _ in range(24))
        people.append(world.add_account(BlueskyAccount(did, f"{name}.bsky.social", name.title())))
    return people


def _bluesky(
    world: LivingWorld, rng: random.Random, *, start: datetime, now: datetime, end: datetime, per_day: float
) -> None:
    people = _accounts(world, rng)
    recent: list[tuple[str, str]] = []
    for at in post_times(rng, start, end, per_day):
        draft = _draft(rng, _BLUESKY_MIX, at, start)
        author = rng.choice(people)
        # Some clients add the campaign tag as an outline tag instead of in the text.
        tags = ["keep4o"] if draft.kind == "keyword" and rng.random() < 0.2 else []
        embed: dict[str, object] | None = None
        if draft.kind == "link":
            uri = next(w for w in draft.text.split() if w.startswith("http"))
            card = {"uri": uri, "title": "Petition", "description": "Sign the petition"}
            embed = {"$type": "app.bsky.embed.external", "external": card}
        post = make_bluesky_post(
            author.did,
            draft.text,
            at,
            indexed_at=at + timedelta(seconds=rng.uniform(0.5, 20)),
            langs=[draft.lang],
            tags=tags,
            embed=embed,
            clock_id=rng.randrange(1024),
        )
        if recent and rng.random() < 0.15:
            post.reply_root = post.reply_parent = rng.choice(recent[-50:])
        world.add_bluesky_post(post)
        recent.append((post.uri, post.cid))
        likes = int(rng.paretovariate(1.2) * 2)
        final = (likes, likes // 6, likes // 8, likes // 20)
        _engagement(rng, world, now=now, kind="bluesky_numbers", key=post.uri, created=at, final=final)
        if rng.random() < 0.02:
            _happen(world, now, Event(at + timedelta(hours=rng.uniform(1, 72)), "bluesky_delete", post.uri))


def _series(
    rng: random.Random, start: datetime, end: datetime, first: int, per_hour: float
) -> list[tuple[datetime, int]]:
    """A signature count every 15 minutes, with the rhythm and bursts of the posts."""
    out, count, at = [], first, start
    while at < end:
        count += poisson(rng, per_hour / 4 * intensity(at, start))
        out.append((at, count))
        at += timedelta(minutes=15)
    return out


def _petitions(world: LivingWorld, rng: random.Random, start: datetime, end: datetime) -> None:
    world.petitions[campaign.CHANGEORG_SLUG] = PetitionPage(
        kind="changeorg",
        slug=campaign.CHANGEORG_SLUG,
        title="Keep GPT-4o available in ChatGPT",
        goal=25_000,
        state="open",
        series=_series(rng, start, end, 20_500, 0.6),
    )
    world.petitions[campaign.UK_PETITION_ID] = PetitionPage(
        kind="uk_parliament",
        slug=campaign.UK_PETITION_ID,
        title="Require AI companies to give notice before withdrawing models people rely on",
        goal=None,
        state="open",
        series=_series(rng, start, end, 3_100, 1.0),
    )


def generate_world(
    seed: int = 42,
    now: datetime | None = None,
    days: int = 35,
    *,
    reddit_per_day: float = 30,
    bluesky_per_day: float = 50,
) -> LivingWorld:
    """The world as it is at ``now`` (default 2026-03-01 12:00 UTC), with its future scheduled.

    Each call returns a world of its own; small worlds are built once and copied, since many
    tests ask for the same one.
    """
    now = (now or DEFAULT_NOW).astimezone(UTC)
    if (reddit_per_day + bluesky_per_day) * days > _CACHE_UP_TO:
        return _build(seed, now, days, reddit_per_day, bluesky_per_day)
    return _cached(seed, now, days, reddit_per_day, bluesky_per_day).clone()


def _build(seed: int, now: datetime, days: int, reddit_per_day: float, bluesky_per_day: float) -> LivingWorld:
    start, end = now - timedelta(days=days), now + FUTURE
    world = LivingWorld()
    _reddit(world, random.Random(f"{seed}:reddit"), start=start, now=now, end=end, per_day=reddit_per_day)
    _bluesky(world, random.Random(f"{seed}:bluesky"), start=start, now=now, end=end, per_day=bluesky_per_day)
    _petitions(world, random.Random(f"{seed}:petitions"), start, end + timedelta(days=30))
    return world


_CACHE_UP_TO = 10_000  # expected posts
_cached = lru_cache(maxsize=4)(_build)
