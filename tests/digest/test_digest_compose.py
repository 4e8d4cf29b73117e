"""A day's digest content from stored rows, with exact expectations (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from digest_data import DAY, PERIOD, START, TZ, add_petition, add_post, hourly, make_config
from sqlalchemy.orm import Session, sessionmaker

from bot.digest import (
    DayCount,
    DigestContent,
    Milestone,
    NameCount,
    compose,
    day_period,
    last_full_day,
    load_digest_data,
    render_markdown,
    render_text,
)
from bot.sources import JETSTREAM_CURSOR_CHECKPOINT, polled_checkpoint
from bot.storage import Checkpoint, JobRun

END = PERIOD.end


def _compose(sessions: sessionmaker[Session], **config: object) -> DigestContent:
    with sessions() as session:
        data = load_digest_data(session, make_config(**config), PERIOD)
    return compose(data, PERIOD, make_config(**config))


def _busy_day(session: Session) -> None:
    for day in range(1, 8):  # the week before: 2 Reddit posts and 1 Bluesky post a day
        at = START - timedelta(days=day) + timedelta(hours=3)
        add_post(session, at, author="alice")
        add_post(session, at + timedelta(minutes=5), author="old")
        add_post(session, at, platform="bluesky", author="olderin")
    add_post(
        session,
        START + timedelta(hours=2),
        author="alice",
        text="We will not stop until @sam.bsky.social and u/spez listen #keep4o",
        likes=50,
        replies=10,
    )
    add_post(
        session, START + timedelta(hours=3), author="bob", community="OpenAI", text="4o was better", likes=5
    )
    add_post(
        session,
        START + timedelta(hours=4),
        author="carol",
        text="Without 4o I want to die",
        likes=500,
        sensitive=True,
    )
    # Removed on Reddit: storage keeps neither its text nor its author.
    add_post(session, START + timedelta(hours=5), author=None, text="", likes=300, state="removed")
    add_post(
        session,
        START + timedelta(hours=6),
        platform="bluesky",
        author="erin",
        text="4oを残して #keep4o",
        lang="ja",
        likes=20,
        reposts=3,
        replies=2,
    )
    add_post(session, END, author="late")  # the next day: not counted
    # Collection went on past the day: Bluesky's poll after midnight found nothing new.
    polled = END + timedelta(minutes=5)
    session.add(Checkpoint(name=polled_checkpoint("bluesky"), value="x", updated_at=polled))


def test_posts_are_counted_per_platform_against_the_7_day_average(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _busy_day(session)
    content = _compose(sessions)
    counts = [(a.platform, a.posts, a.average_7d, a.coverage) for a in content.conversation.platforms]
    assert counts == [("reddit", 4, 2.0, "current"), ("bluesky", 1, 1.0, "current")]
    assert content.conversation.total == 5


def test_sensitive_posts_are_counted_but_never_top_posts(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _busy_day(session)
    content = _compose(sessions)
    reddit, bluesky = content.conversation.platforms
    assert content.conversation.sensitive == 1
    assert [(p.excerpt, p.likes, p.replies) for p in reddit.top] == [
        ("We will not stop until @… and u/… listen #keep4o", 50, 10),
        ("4o was better", 5, 0),
    ]
    assert [(p.excerpt, p.likes, p.reposts, p.replies) for p in bluesky.top] == [
        ("4oを残して #keep4o", 20, 3, 2)
    ]


def test_subreddits_languages_and_new_authors(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _busy_day(session)
    conversation = _compose(sessions).conversation
    assert conversation.subreddits == (NameCount("ChatGPT", 3), NameCount("OpenAI", 1))
    assert conversation.languages == (NameCount("en", 4), NameCount("ja", 1))
    # bob, carol and erin post for the first time; alice posted last week; the removed post has no author.
    assert conversation.new_authors == 3


def test_petition_figures_at_the_end_of_the_day(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        # Hourly readings for 8 days up to 22:00 UTC, 10 signatures an hour, 22,010 at the end.
        add_petition(session, hourly(END - timedelta(hours=192), END - timedelta(hours=1), 20100, 10))
    (petition,) = _compose(sessions).petitions
    assert (petition.count, petition.last_at) == (22010, END - timedelta(hours=1))
    # The day: the newest readings before each midnight (22:00 UTC on the 19th and the 20th).
    assert (petition.change_day, petition.change_week, petition.per_hour) == (240, 1670, 10.0)
    assert petition.milestones_crossed == (Milestone(22000, END - timedelta(hours=2)),)
    assert (petition.next_milestone, petition.goal_eta) == (
        25000,
        END - timedelta(hours=1) + timedelta(hours=299),
    )
    assert petition.stale is False
    assert petition.series[-1] == DayCount(DAY, 22010)
    # The first reading is at 00:00 on the 13th in Amsterdam; each day keeps its last count.
    assert (len(petition.series), petition.series[0]) == (8, DayCount(date(2026, 2, 13), 20330))


def test_a_petition_not_read_lately_says_since_when(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        add_petition(session, hourly(START - timedelta(days=3), START - timedelta(days=2), 21000, 5))
    content = _compose(sessions)
    (petition,) = content.petitions
    assert (petition.stale, petition.count, petition.change_day) == (True, 21120, None)
    assert "“Keep GPT-4o available”: no petition data since Wed 18 Feb 00:00 (then 21,120 signatures)." in (
        render_text(content)
    )


def test_a_petition_never_read_has_no_count(sessions: sessionmaker[Session]) -> None:
    content = _compose(sessions)
    assert (content.petitions[0].count, content.petitions[0].stale) == (None, True)
    assert "“Keep GPT-4o available”: no petition data yet." in render_text(content)


def test_a_quiet_day_says_no_posts_not_zero_growth(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        add_post(session, START - timedelta(days=2), collected=END + timedelta(minutes=30))
        add_post(
            session, START - timedelta(days=2), platform="bluesky", collected=END + timedelta(minutes=30)
        )
    content = _compose(sessions)
    assert [a.coverage for a in content.conversation.platforms] == ["current", "current"]
    assert "No campaign posts on Fri 20 Feb." in render_text(content)


def test_collection_that_stopped_is_reported_as_missing_data(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        add_post(session, START - timedelta(days=2), collected=START - timedelta(days=1, hours=12))
    text = render_text(_compose(sessions))
    assert "no Reddit posts collected since Wed 18 Feb 12:00" in text
    assert "no Bluesky data yet" in text
    assert "No campaign posts" not in text


def test_a_count_from_collection_that_stopped_during_the_day_says_so(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        add_post(session, START + timedelta(hours=2), collected=START + timedelta(hours=9))
    content = _compose(sessions)
    reddit = content.conversation.platforms[0]
    assert (reddit.posts, reddit.coverage) == (1, "stale")
    assert "1 on Reddit before collection stopped at Fri 20 Feb 09:00" in render_text(content)


def test_a_finished_poll_counts_as_collection_on_a_quiet_day(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        add_post(session, START - timedelta(days=2), collected=START - timedelta(days=2))
        # What poll_reddit leaves behind, run by the daemon or by `keep4o-bot poll`.
        finished = END + timedelta(minutes=1)
        session.add(Checkpoint(name=polled_checkpoint("reddit"), value="x", updated_at=finished))
    reddit = _compose(sessions).conversation.platforms[0]
    assert (reddit.posts, reddit.coverage) == (0, "current")


def test_engagement_refreshes_are_no_evidence_of_collection_but_stream_progress_is(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        # Known Bluesky posts were refreshed after the day (last seen then); nothing new came in.
        add_post(session, START - timedelta(days=2), platform="bluesky", collected=START - timedelta(days=2))
        session.add(JobRun(job="refresh_bluesky", slot="s", started_at=END, finished_at=END, status="ok"))
    bluesky = _compose(sessions).conversation.platforms[1]
    assert (bluesky.platform, bluesky.coverage) == ("bluesky", "stale")
    with sessions.begin() as session:
        # In Jetstream mode the stream's cursor moving is the evidence.
        session.add(
            Checkpoint(name=JETSTREAM_CURSOR_CHECKPOINT, value="1", updated_at=END + timedelta(minutes=3))
        )
    assert _compose(sessions).conversation.platforms[1].coverage == "current"


def test_only_enabled_platforms_are_reported(sessions: sessionmaker[Session]) -> None:
    content = _compose(
        sessions, bluesky={"enabled": False, "handle": "x.bsky.social", "queries": ["#keep4o"]}
    )
    assert [a.platform for a in content.conversation.platforms] == ["reddit"]


def test_the_default_day_is_the_last_full_day_in_the_campaign_timezone() -> None:
    # 00:30 in Amsterdam on the 21st is still the 20th in UTC; the last full local day is the 20th.
    assert last_full_day(datetime(2026, 2, 20, 23, 30, tzinfo=UTC), "Europe/Amsterdam") == date(2026, 2, 20)
    assert last_full_day(datetime(2026, 2, 20, 22, 30, tzinfo=UTC), "Europe/Amsterdam") == date(2026, 2, 19)


def test_a_day_with_a_dst_change_is_23_hours_long() -> None:
    period = day_period(date(2026, 3, 29), "Europe/Amsterdam")
    assert (period.start, period.end) == (
        datetime(2026, 3, 28, 23, tzinfo=UTC),
        datetime(2026, 3, 29, 22, tzinfo=UTC),
    )


def test_the_days_change_spans_the_calendar_day_when_the_clocks_go_back(
    sessions: sessionmaker[Session],
) -> None:
    period = day_period(date(2026, 10, 25), TZ)  # Amsterdam: 03:00 happens twice
    assert period.end - period.start == timedelta(hours=25)
    with sessions.begin() as session:
        add_petition(session, hourly(period.start - timedelta(days=8), period.end, 20_000, 10))
        config = make_config()
        data = load_digest_data(session, config, period)
    (petition,) = compose(data, period, config).petitions
    # The newest readings before the two midnights: 25 hours of 10 an hour, as `trends` counts it.
    assert petition.change_day == 250


def test_days_before_collection_began_are_not_averaged_in_as_zeros(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        for day in range(1, 4):  # collected for the three days before: 2 posts a day
            for minutes in (0, 5):
                add_post(session, START - timedelta(days=day, minutes=-minutes), collected=END)
        add_post(session, START + timedelta(hours=2), collected=END)
    content = _compose(sessions)
    reddit = content.conversation.platforms[0]
    assert (reddit.average_7d, reddit.average_days) == (2.0, 3)
    assert "1 on Reddit (3-day average 2.0, since collection began)" in render_text(content)
    assert "| Reddit | 1 | 2.0 (3 days collected) |" in render_markdown(content)


def test_the_first_day_collected_has_no_average(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        add_post(session, START + timedelta(hours=2), collected=END)
    content = _compose(sessions)
    assert content.conversation.platforms[0].average_7d is None
    assert "1 on Reddit (the first day collected)" in render_text(content)
    assert "| Reddit | 1 | – |" in render_markdown(content)
