"""Bluesky posts normalise into PostRecords: recorded searchPosts, a production postView, Jetstream."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from typing import Any

import pytest
from atproto import models
from atproto_client.models.utils import get_or_create
from atproto_jetstream import parse_subscribe_events_message
from atproto_jetstream.models import MessageFrame

from bot.config import Care, Match
from bot.sources import Matcher, PostRecord
from bot.sources._bluesky_normalise import (
    MalformedPost,
    commit_uri,
    parse_time,
    post_tags,
    post_urls,
    record_from_commit,
    record_from_post_view,
    web_url,
)
from tests.conftest import ROOT, SHARED
from tests.sources.jetstream_v1 import commit_from_v1

FIXTURES = SHARED / "fixtures" / "bluesky"
ALICE = "did:plc:njz2q5nfsauz6pjfq4fuixut"


def _campaign_matcher() -> Matcher:
    config = tomllib.loads((ROOT / "config" / "keep4o.toml").read_text(encoding="utf-8"))
    return Matcher(Match(**config["match"]), Care(**config["care"]))


CAMPAIGN = _campaign_matcher()


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _v1_post_events() -> list[dict[str, Any]]:
    lines = (FIXTURES / "jetstream_v1_events.jsonl").read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    return [e for e in events if (e.get("commit") or {}).get("collection") == "app.bsky.feed.post"]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_recorded_search_response_normalises_into_exact_records() -> None:
    views = _load("devenv_searchPosts_keep4o.json")["posts"]

    records = [record_from_post_view(view, CAMPAIGN) for view in views]

    assert records == [
        PostRecord(
            platform="bluesky",
            platform_id=f"at://{ALICE}/app.bsky.feed.post/3n2vtyfvycs2u",
            url=f"https://bsky.app/profile/{ALICE}/post/3n2vtyfvycs2u",
            author_handle="alice.test",
            author_id=ALICE,
            title=None,
            text="second part of thread #keep4o",
            # createdAt 14:42:32.092399 is after indexedAt 14:42:32.092: the earlier one counts.
            created_at=_at("2026-11-22T14:42:32.092000"),
            lang="en",
            community=None,
            matched_terms=("keep4o", "keep 4o"),
        ),
        PostRecord(
            platform="bluesky",
            platform_id=f"at://{ALICE}/app.bsky.feed.post/3n2vtyfulfc2u",
            url=f"https://bsky.app/profile/{ALICE}/post/3n2vtyfulfc2u",
            author_handle="alice.test",
            author_id=ALICE,
            title=None,
            text="Daily digest test #keep4o see example",
            created_at=_at("2026-11-22T14:42:31.984000"),
            lang="en",
            community=None,
            matched_terms=("keep4o", "keep 4o"),
            replies=1,
        ),
    ]


def test_sdk_models_normalise_the_same_as_their_json() -> None:
    raw = _load("devenv_searchPosts_keep4o.json")
    parsed = get_or_create(raw, models.AppBskyFeedSearchPosts.Response)

    assert [record_from_post_view(v, CAMPAIGN) for v in parsed.posts] == [
        record_from_post_view(v, CAMPAIGN) for v in raw["posts"]
    ]


def test_tag_and_link_facets_are_read_from_the_record() -> None:
    record = _load("devenv_searchPosts_keep4o.json")["posts"][1]["record"]

    assert post_tags(record) == ("keep4o",)
    assert post_urls(record) == ("https://example.com/x",)


def test_link_card_url_counts_for_matching() -> None:
    view = _load("devenv_searchPosts_external_embed.json")["posts"][0]
    matcher = Matcher(Match(hashtags=["keep4o"], keywords=["digest"]), Care())

    record = record_from_post_view(view, matcher)

    assert record.text == "with link card"
    assert record.matched_terms == ("digest",)
    assert record_from_post_view(view, CAMPAIGN).matched_terms == ()


def test_hidden_record_tags_count_for_matching() -> None:
    view = _load("devenv_searchPosts_external_embed.json")["posts"][0]
    view["record"]["tags"] = ["Keep4o"]

    assert record_from_post_view(view, CAMPAIGN).matched_terms == ("keep4o", "keep 4o")


def test_production_post_view_with_quote_and_images_normalises() -> None:
    view = _load("thread_view_post_with_embed_media.json")["thread"]["post"]
    did = "did:plc:kvwvcn5iqfooopmyzvb4qzba"

    assert record_from_post_view(view, CAMPAIGN) == PostRecord(
        platform="bluesky",
        platform_id=f"at://{did}/app.bsky.feed.post/3kaheyt6vpc22",
        url=f"https://bsky.app/profile/{did}/post/3kaheyt6vpc22",
        author_handle="test.marshal.dev",
        author_id=did,
        title=None,
        text="",
        created_at=_at("2023-09-28T12:49:36.735000"),
        lang="en",
        community=None,
        matched_terms=(),
    )


def test_engagement_adds_quotes_to_reposts() -> None:
    view = _load("devenv_searchPosts_keep4o.json")["posts"][1]
    view.update(likeCount=7, replyCount=3, repostCount=2, quoteCount=4)

    record = record_from_post_view(view, CAMPAIGN)

    assert (record.likes, record.replies, record.reposts, record.engagement) == (7, 3, 6, 16)


def test_distress_wording_marks_the_post_sensitive() -> None:
    view = _load("devenv_searchPosts_keep4o.json")["posts"][0]
    view["record"]["text"] = "#keep4o it was the only thing that helped when I felt suicidal"

    assert record_from_post_view(view, CAMPAIGN).sensitive is True


# Each post commit of the recorded production Jetstream (v1): did suffix, rkey, created, lang.
# created is the earlier of the record's createdAt and the time Jetstream saw the commit.
JETSTREAM_POSTS = [
    ("dclwtltrt2ggsryagfzk7dp4", "3mptbyoeyc22k", "2026-07-04T14:38:06.240", "en"),
    # createdAt 14:38:08.420 is after Jetstream saw it at 14:38:08.094841
    ("amnbije7mr5g3pgxuun7q44o", "3mptbyqhi7s2f", "2026-07-04T14:38:08.094841", "ja"),
    ("o2rolxey6s5k7d4lxcz3inl4", "3mptbyp7lu223", "2026-07-04T14:38:07.112", "ko"),
    ("d3blkgynnwi3rp7vak25pfe3", "3mptbyo7dms2m", "2026-07-04T14:38:06.055", "en"),
    ("tn3hni2jpphsgl6amfbb7ja6", "3mptbypfywk2v", "2026-07-04T14:38:07.323", "de"),
    ("u4lmvw4wwzaql3z5kcf3r7h4", "3mptbyospqk2i", "2026-07-04T14:38:06.690", "tr"),
    ("u4lmvw4wwzaql3z5kcf3r7h4", "3mptbyou7ls2i", "2026-07-04T14:38:06.691", "tr"),
    ("u4lmvw4wwzaql3z5kcf3r7h4", "3mptbyoumc22i", "2026-07-04T14:38:06.692", "tr"),
    ("t2yw5frug3pu4nmygjiq7vln", "3mptbypky4c27", "2026-07-04T14:38:07.486", "en"),
    ("ybqkf2mtfbwx3qhga63mttja", "3mptbyoigog2b", "2026-07-04T14:38:02", "en"),  # langs en-US, en
    ("zcxfgub447re7p3vuvlw37wy", "3mptbypjm6224", "2026-07-04T14:38:07.440", "en"),
    ("f4vi4bkamzhaw25jxlfogozc", "3mptbypockk2v", "2026-07-04T14:38:07.594", "en"),
    ("ajg5c7huhiibhwandhdscpdq", "3mptbyproxc2q", "2026-07-04T14:38:07.706", "en"),
    ("fe7cz462lvsuhadx6z35orni", "3mptbypt22l26", "2026-07-04T14:38:07.732", None),  # no langs
    ("imaoo4sjelfd6cbg5yinjjfq", "3mptbypqqok2f", "2026-07-04T14:38:07.674", "en"),
    ("6aw7u7xjbaiznddugigmdhvc", "3mptbxs3hq22j", "2026-07-04T14:37:36.557", "ru"),
    ("4smmjsqf6l5jkzczvw6vsrqc", "3mpt73z3ejc2p", None, None),  # a delete
    ("ynfp6wddjqpl44gordpsqkuw", "3mptbyo7tas2u", "2026-07-04T14:38:06.071", "es"),
]


def test_every_recorded_jetstream_post_commit_normalises_into_its_exact_record() -> None:
    events = _v1_post_events()
    assert len(events) == len(JETSTREAM_POSTS) == 18

    for event, (suffix, rkey, created, lang) in zip(events, JETSTREAM_POSTS, strict=True):
        commit = commit_from_v1(event)
        assert commit is not None
        did = f"did:plc:{suffix}"
        uri = f"at://{did}/app.bsky.feed.post/{rkey}"
        assert commit_uri(commit) == uri
        if created is None:
            assert commit["operation"] == "delete"
            continue
        assert record_from_commit(commit, CAMPAIGN) == PostRecord(
            platform="bluesky",
            platform_id=uri,
            url=f"https://bsky.app/profile/{did}/post/{rkey}",
            author_handle=None,  # Jetstream has DIDs only
            author_id=did,
            title=None,
            text=event["commit"]["record"]["text"],
            created_at=_at(created),
            lang=lang,
            community=None,
            matched_terms=(),
        )


def test_v1_events_become_v2_commits_the_sdk_parses() -> None:
    for event in _v1_post_events():
        commit = commit_from_v1(event)
        assert commit is not None
        model = parse_subscribe_events_message(MessageFrame(payload=commit))

        assert model.seq == event["time_us"]
        if model.operation == "create":
            assert record_from_commit(model, CAMPAIGN) == record_from_commit(commit, CAMPAIGN)


def test_jetstream_tag_facets_match_hashtags_case_insensitively() -> None:
    event = next(e for e in _v1_post_events() if e["commit"]["rkey"] == "3mptbypfywk2v")
    commit = commit_from_v1(event)
    assert commit is not None
    matcher = Matcher(Match(hashtags=["howtotellaitoshutup", "indierebellion"]), Care())

    assert record_from_commit(commit, matcher).matched_terms == ("howtotellaitoshutup", "indierebellion")


def test_a_delete_commit_carries_no_post() -> None:
    event = next(e for e in _v1_post_events() if e["commit"]["operation"] == "delete")
    commit = commit_from_v1(event)
    assert commit is not None

    with pytest.raises(MalformedPost, match="'delete' commit carries no post"):
        record_from_commit(commit, CAMPAIGN)


def test_a_post_view_without_text_is_malformed() -> None:
    view = _load("devenv_searchPosts_keep4o.json")["posts"][0]
    del view["record"]["text"]

    with pytest.raises(MalformedPost, match="3n2vtyfvycs2u: record has no text"):
        record_from_post_view(view, CAMPAIGN)


def test_a_post_view_without_indexed_at_is_malformed() -> None:
    view = _load("devenv_searchPosts_keep4o.json")["posts"][0]
    view["indexedAt"] = "yesterday"

    with pytest.raises(MalformedPost, match="indexedAt 'yesterday' is not a datetime"):
        record_from_post_view(view, CAMPAIGN)


def test_unreadable_created_at_falls_back_to_indexed_at() -> None:
    view = _load("devenv_searchPosts_keep4o.json")["posts"][0]
    view["record"]["createdAt"] = "not a date"

    assert record_from_post_view(view, CAMPAIGN).created_at == _at("2026-11-22T14:42:32.092")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07-04T14:38:06.240Z", _at("2026-07-04T14:38:06.240")),
        ("2026-07-04T16:38:06.123456789+02:00", _at("2026-07-04T14:38:06.123456")),
        ("2026-07-04T14:38:06", _at("2026-07-04T14:38:06")),
        ("garbage", None),
        (None, None),
    ],
)
def test_atproto_datetimes_parse_to_aware_utc(text: str | None, expected: datetime | None) -> None:
    assert parse_time(text) == expected


def test_only_post_uris_have_web_urls() -> None:
    with pytest.raises(MalformedPost, match="is not a post URI"):
        web_url(f"at://{ALICE}/app.bsky.feed.like/3abc")
