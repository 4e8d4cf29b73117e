"""Tracking petitions through the sandbox with real HTTP (bot.petitions.poll_petitions), on both databases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config, Secrets, Settings
from bot.petitions import PetitionPollError, Snapshot, petition_stats, poll_petitions
from bot.sandbox import Sandbox
from bot.storage import Petition, PetitionSnapshot

CHANGEORG = "changeorg-keep-gpt-4o"
UK = "uk-parliament-700001"
GENERIC = "generic-keep-gpt-4o"
Q = timedelta(minutes=15)


def settings(sandbox: Sandbox, *petitions: dict[str, Any]) -> Settings:
    config = Config.model_validate(
        {
            "campaign": {"name": "keep4o-test", "title": "#keep4o (test)"},
            "match": {"hashtags": ["keep4o"]},
            "petitions": list(petitions),
            "sandbox": {"enabled": True},
        }
    )
    return Settings(config=config, secrets=Secrets(), path=Path("test.toml"), database_url="unused")


def changeorg(sandbox: Sandbox, **extra: Any) -> dict[str, Any]:
    base = {
        "id": CHANGEORG,
        "url": f"{sandbox.url}/p/keep-gpt-4o",
        "goal": 25_000,
        "milestones": [21_000, 22_000],
    }
    return base | extra


def uk(sandbox: Sandbox, **extra: Any) -> dict[str, Any]:
    # The page address; the adapter fetches its .json.
    return {"id": UK, "url": f"{sandbox.url}/petitions/700001", "adapter": "uk_parliament"} | extra


def generic(sandbox: Sandbox, **extra: Any) -> dict[str, Any]:
    return {"id": GENERIC, "url": f"{sandbox.url}/p/keep-gpt-4o", "adapter": "generic"} | extra


def rows(sessions: sessionmaker[Session], key: str | None = None) -> list[tuple[Any, ...]]:
    with sessions() as session:
        query = (
            select(Petition.key, PetitionSnapshot)
            .join(Petition)
            .order_by(Petition.key, PetitionSnapshot.taken_at)
        )
        if key is not None:
            query = query.where(Petition.key == key)
        return [
            (k, s.taken_at, s.count, s.goal, s.state, s.strategy, s.flag) for k, s in session.execute(query)
        ]


def count_at(sandbox: Sandbox, slug: str) -> int:
    return sandbox.world.petitions[slug].count_at(sandbox.now())


def test_changeorg_uk_and_generic_petitions_are_tracked_through_real_http(
    petition_sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sb = petition_sandbox
    config = settings(sb, changeorg(sb), uk(sb), generic(sb, selector="main strong"))
    summary = poll_petitions(config, sessions, clock=sb.now)
    assert (summary.source, summary.new, summary.requests) == ("petitions", 3, 3)
    assert sb.requests("/p/keep-gpt-4o") == 2 and sb.requests("/petitions/700001.json") == 1
    changeorg_count, uk_count = count_at(sb, "keep-gpt-4o"), count_at(sb, "700001")
    assert rows(sessions) == [
        (CHANGEORG, sb.now(), changeorg_count, 25_000, "open", "embedded-json", None),
        (GENERIC, sb.now(), changeorg_count, None, None, "css", None),
        (UK, sb.now(), uk_count, None, "open", "json-api", None),
    ]
    with sessions() as session:
        petition = session.scalar(select(Petition).where(Petition.key == UK))
        assert petition is not None
        assert (
            petition.title == "Require AI companies to give notice before withdrawing models people rely on"
        )
        assert (petition.state, petition.url) == ("open", f"{sb.url}/petitions/700001")


def test_a_snapshot_per_poll_follows_the_count_as_sandbox_time_passes(
    petition_sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sb = petition_sandbox
    config = settings(sb, changeorg(sb))
    expected = []
    for _ in range(5):
        poll_petitions(config, sessions, clock=sb.now)
        expected.append((sb.now(), count_at(sb, "keep-gpt-4o")))
        sb.clock.advance(6 * Q)
    stored = rows(sessions, CHANGEORG)
    assert [(r[1], r[2]) for r in stored] == expected
    assert all(r[6] is None for r in stored)  # steady growth: nothing flagged
    stats = petition_stats([Snapshot(r[1], r[2], r[6]) for r in stored], 25_000, [], expected[-1][0])
    assert stats.last_count == expected[-1][1]
    assert stats.per_hour_recent == pytest.approx((expected[-1][1] - expected[0][1]) / 6)  # 4 steps of 1.5 h


def test_the_uk_site_answers_a_conditional_request_with_304_and_a_copy_is_stored(
    petition_sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sb = petition_sandbox
    sent: list[requests.PreparedRequest] = []
    http = requests.Session()
    http.hooks["response"].append(lambda response, **_: sent.append(response.request))
    config = settings(sb, uk(sb))
    poll_petitions(config, sessions, clock=sb.now, http=http)
    sb.clock.advance(timedelta(minutes=1))  # the count moves every 15 minutes at most
    summary = poll_petitions(config, sessions, clock=sb.now, http=http)
    assert (summary.new, summary.updated) == (1, 0)
    first, second = rows(sessions, UK)
    assert second[2:5] == first[2:5] and second[5] == "not-modified"
    assert "If-None-Match" not in sent[0].headers  # nothing to compare with on the first read
    assert sent[1].headers["If-None-Match"].startswith('W/"')


def test_requests_carry_an_honest_user_agent_and_a_timeout(
    petition_sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sb = petition_sandbox
    sent: list[requests.PreparedRequest] = []
    http = requests.Session()
    http.hooks["response"].append(lambda response, **_: sent.append(response.request))
    config = settings(sb, changeorg(sb))
    poll_petitions(config, sessions, clock=sb.now, http=http)
    assert sent[0].headers["User-Agent"] == "Mozilla/5.0 (compatible; keep4o-bot/0.1.0)"
    assert sent[0].headers["Accept"].startswith("text/html")


def test_a_changed_layout_is_read_by_the_next_strategy(
    petition_sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sb = petition_sandbox
    config = settings(sb, changeorg(sb))
    poll_petitions(config, sessions, clock=sb.now)
    with sb.world.lock:
        sb.world.petitions["keep-gpt-4o"].kind = "changeorg-redesign"
    sb.clock.advance(Q)
    poll_petitions(config, sessions, clock=sb.now)
    before, after = rows(sessions, CHANGEORG)
    assert (before[5], after[5]) == ("embedded-json", "visible-text")
    assert (after[2], after[3]) == (count_at(sb, "keep-gpt-4o"), 25_000)


def test_a_generic_pattern_reads_the_raw_page(
    petition_sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sb = petition_sandbox
    config = settings(sb, generic(sb, pattern=r'"displayed":(?P<count>\d+),"goal":(?P<goal>\d+)'))
    poll_petitions(config, sessions, clock=sb.now)
    [row] = rows(sessions, GENERIC)
    assert (row[2], row[3], row[5]) == (count_at(sb, "keep-gpt-4o"), 25_000, "regex")


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("truncated", "the page is truncated (it does not end with </html>)"),
        ("malformed", 'the answer is not an HTML page (it starts \'{"kind": "Listing"'),
        ("500", "/p/keep-gpt-4o answered HTTP 500 Internal Server Error"),
        ("503", "/p/keep-gpt-4o answered HTTP 503 Service Unavailable"),
        ("429", "is rate limiting (HTTP 429; retry after 3 s)"),
        ("timeout", "did not answer within 1 s"),
    ],
)
def test_a_bad_changeorg_page_stores_nothing_and_says_why(
    petition_sandbox: Sandbox, sessions: sessionmaker[Session], fault: str, message: str
) -> None:
    sb = petition_sandbox
    config = settings(sb, changeorg(sb, timeout_seconds=1), uk(sb))
    poll_petitions(config, sessions, clock=sb.now)
    before = rows(sessions, CHANGEORG)
    sb.inject("/p/", fault, seconds=3)
    sb.clock.advance(Q)
    with pytest.raises(PetitionPollError) as caught:
        poll_petitions(config, sessions, clock=sb.now)
    error = str(caught.value)
    assert error.startswith(f"1 of 2 petitions failed: {CHANGEORG}: ") and message in error
    assert "\n" not in error
    assert rows(sessions, CHANGEORG) == before  # the stored history is untouched
    assert len(rows(sessions, UK)) == 2  # the other petition was still read
    assert (caught.value.summary.new, caught.value.failures[0][0]) == (1, CHANGEORG)


def test_a_cloudflare_challenge_stores_nothing_and_says_so(
    petition_sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sb = petition_sandbox
    config = settings(sb, changeorg(sb))
    poll_petitions(config, sessions, clock=sb.now)
    before = rows(sessions)
    with sb.world.lock:
        sb.world.petitions["keep-gpt-4o"].kind = "changeorg-challenge"
    sb.clock.advance(Q)
    with pytest.raises(PetitionPollError, match=r"blocked by a Cloudflare challenge \(HTTP 403\)"):
        poll_petitions(config, sessions, clock=sb.now)
    assert rows(sessions) == before


@pytest.mark.parametrize(("fault", "message"), [("truncated", "does not parse"), ("502", "HTTP 502")])
def test_a_bad_uk_answer_stores_nothing_and_says_why(
    petition_sandbox: Sandbox, sessions: sessionmaker[Session], fault: str, message: str
) -> None:
    sb = petition_sandbox
    config = settings(sb, uk(sb))
    poll_petitions(config, sessions, clock=sb.now)
    before = rows(sessions)
    sb.clock.advance(Q)
    _set_count(sb, "700001", count_at(sb, "700001") + 10)  # a changed page: no 304 to hide the fault
    sb.inject("/petitions/", fault)
    with pytest.raises(PetitionPollError, match=message):
        poll_petitions(config, sessions, clock=sb.now)
    assert rows(sessions) == before


def test_a_generic_selector_that_no_longer_matches_stores_nothing(
    petition_sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sb = petition_sandbox
    config = settings(sb, generic(sb, selector="main strong"))
    poll_petitions(config, sessions, clock=sb.now)
    before = rows(sessions)
    with sb.world.lock:
        sb.world.petitions["keep-gpt-4o"].kind = "changeorg-redesign"  # no <strong> any more
    sb.clock.advance(Q)
    with pytest.raises(PetitionPollError, match="the selector 'main strong' matches nothing on the page"):
        poll_petitions(config, sessions, clock=sb.now)
    assert rows(sessions) == before


def test_an_unreachable_site_is_a_clear_error(
    sessions: sessionmaker[Session], petition_sandbox: Sandbox
) -> None:
    config = settings(petition_sandbox, changeorg(petition_sandbox, url="http://127.0.0.1:9/p/keep-gpt-4o"))
    with pytest.raises(PetitionPollError, match=r"cannot reach 127\.0\.0\.1:9"):
        poll_petitions(config, sessions, clock=petition_sandbox.now)
    assert rows(sessions) == []


def _set_count(sandbox: Sandbox, slug: str, count: int) -> None:
    """From now on the page shows ``count``."""
    with sandbox.world.lock:
        page = sandbox.world.petitions[slug]
        page.series = [(at, c) for at, c in page.series if at < sandbox.now()] + [(sandbox.now(), count)]


def test_a_fall_is_kept_flagged_then_confirmed_by_the_next_snapshot(
    petition_sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sb = petition_sandbox
    config = settings(sb, changeorg(sb))
    poll_petitions(config, sessions, clock=sb.now)
    start = count_at(sb, "keep-gpt-4o")
    sb.clock.advance(Q)
    _set_count(sb, "keep-gpt-4o", start - 300)  # signatures removed
    poll_petitions(config, sessions, clock=sb.now)
    assert [r[6] for r in rows(sessions, CHANGEORG)] == [None, "fall"]
    sb.clock.advance(Q)
    poll_petitions(config, sessions, clock=sb.now)
    assert [(r[2], r[6]) for r in rows(sessions, CHANGEORG)] == [
        (start, None),
        (start - 300, "fall confirmed"),
        (start - 300, None),
    ]


def test_a_glitchy_jump_stays_flagged_and_out_of_the_pace(
    petition_sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sb = petition_sandbox
    config = settings(sb, changeorg(sb))
    poll_petitions(config, sessions, clock=sb.now)
    start = count_at(sb, "keep-gpt-4o")
    sb.clock.advance(3 * Q)
    _set_count(sb, "keep-gpt-4o", start * 10)
    poll_petitions(config, sessions, clock=sb.now)
    sb.clock.advance(3 * Q)
    _set_count(sb, "keep-gpt-4o", start + 5)
    poll_petitions(config, sessions, clock=sb.now)
    stored = rows(sessions, CHANGEORG)
    assert [(r[2], r[6]) for r in stored] == [(start, None), (start * 10, "jump"), (start + 5, None)]
    stats = petition_stats([Snapshot(r[1], r[2], r[6]) for r in stored], 25_000, [], sb.now())
    assert stats.per_hour_recent == pytest.approx(
        5 / 1.5
    )  # start -> start + 5 in 90 minutes, the jump ignored


def test_polling_twice_at_the_same_instant_keeps_one_snapshot(
    petition_sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sb = petition_sandbox
    config = settings(sb, changeorg(sb))
    poll_petitions(config, sessions, clock=sb.now)
    poll_petitions(config, sessions, clock=sb.now)
    assert len(rows(sessions, CHANGEORG)) == 1


def test_a_petition_whose_site_cannot_be_told_fails_without_a_request(
    petition_sandbox: Sandbox, sessions: sessionmaker[Session]
) -> None:
    sb = petition_sandbox
    config = settings(sb, {"id": "mystery", "url": f"{sb.url}/campaigns/keep4o"}, changeorg(sb))
    with pytest.raises(
        PetitionPollError, match=r"^1 of 2 petitions failed: mystery: cannot tell which site"
    ) as caught:
        poll_petitions(config, sessions, clock=sb.now)
    assert (caught.value.summary.new, caught.value.summary.requests) == (1, 1)
    assert sb.requests("/campaigns/") == 0
