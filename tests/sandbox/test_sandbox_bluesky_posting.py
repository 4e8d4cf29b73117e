"""Writing through the sandbox's Bluesky with the real SDK: limits, threads, embeds, deletes, profile."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from atproto import Client, client_utils, models
from atproto_client.exceptions import BadRequestError
from sandbox_bluesky_support import ALICE, T0, login, post, world_of

from bot.sandbox import Clock, Sandbox
from bot.sandbox._campaign import BLUESKY_DID, BLUESKY_HANDLE

FAMILY = "👨\u200d👩\u200d👧"  # one grapheme, 18 UTF-8 bytes
OLDER = post(ALICE, "an older post #keep4o", 90)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(world=world_of(OLDER), clock=Clock(T0, speed=0)) as running:
        yield running


@pytest.fixture
def client(sb: Sandbox) -> Client:
    return login(sb)


def refusal(error: BadRequestError) -> str:
    assert error.response is not None
    return str(error.response.content.message)


@pytest.mark.parametrize("unit", ["a", "保", "e\u0301", "👍"], ids=["ascii", "cjk", "combining", "emoji"])
def test_three_hundred_graphemes_are_accepted_and_one_more_is_refused(client: Client, unit: str) -> None:
    assert client.send_post(unit * 300).uri.startswith(f"at://{BLUESKY_DID}/app.bsky.feed.post/")
    with pytest.raises(BadRequestError) as refused:
        client.send_post(unit * 301)
    expected = "Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text"
    assert refusal(refused.value) == expected


def test_text_is_limited_to_three_thousand_utf8_bytes(client: Client) -> None:
    client.send_post(FAMILY * 166)  # 166 graphemes, 2988 bytes
    with pytest.raises(BadRequestError) as refused:
        client.send_post(FAMILY * 167)
    expected = "Invalid app.bsky.feed.post record: string too big (maximum 3000, got 3006) at $.record.text"
    assert refusal(refused.value) == expected


def test_a_facet_outside_the_text_is_refused(client: Client) -> None:
    facet = models.AppBskyRichtextFacet.Main(
        index=models.AppBskyRichtextFacet.ByteSlice(byte_start=3, byte_end=40),
        features=[models.AppBskyRichtextFacet.Tag(tag="keep4o")],
    )
    with pytest.raises(BadRequestError) as refused:
        client.send_post("short #keep4o", facets=[facet])
    assert "facet byte range 3..40 is outside the text (13 bytes)" in refusal(refused.value)


def test_a_text_builder_post_keeps_its_facets_and_is_found_by_its_tag(client: Client) -> None:
    text = (
        client_utils.TextBuilder()
        .text("Daily digest ")
        .tag("#keep4o", "keep4o")
        .text(" ")
        .link("more", "https://e.x/d")
    )
    sent = client.send_post(text)
    found = client.get_posts([sent.uri]).posts[0]
    assert found.record.text == "Daily digest #keep4o more"
    assert [f.index.byte_start for f in found.record.facets or []] == [13, 21]
    assert sent.uri in [p.uri for p in client.app.bsky.feed.search_posts(params={"q": "#keep4o"}).posts]


def test_a_thread_reads_back_in_order_with_counts(client: Client) -> None:
    root = client.send_post("part 1")
    root_ref = models.create_strong_ref(root)
    second = client.send_post(
        "part 2", reply_to=models.AppBskyFeedPost.ReplyRef(parent=root_ref, root=root_ref)
    )
    third_parent = models.create_strong_ref(second)
    third = client.send_post(
        "part 3", reply_to=models.AppBskyFeedPost.ReplyRef(parent=third_parent, root=root_ref)
    )
    thread = client.get_post_thread(root.uri).thread
    assert isinstance(thread, models.AppBskyFeedDefs.ThreadViewPost)
    assert thread.post.reply_count == 1
    (child,) = thread.replies or []
    assert isinstance(child, models.AppBskyFeedDefs.ThreadViewPost)
    assert child.post.record.text == "part 2"
    assert [r.post.uri for r in child.replies or []] == [third.uri]
    leaf = client.get_post_thread(third.uri).thread
    assert leaf.parent.post.uri == second.uri
    assert leaf.parent.parent.post.uri == root.uri


def test_an_uploaded_blob_becomes_a_link_card_thumb(sb: Sandbox, client: Client) -> None:
    blob = client.upload_blob(PNG).blob
    assert blob.cid.encode().startswith("bafkrei") and blob.size == len(PNG)
    assert blob.mime_type == "image/png"  # sniffed from the bytes: the SDK declares "*/*"
    card = models.AppBskyEmbedExternal.Main(
        external=models.AppBskyEmbedExternal.External(
            uri="https://example.com/digest", title="Digest", description="Today", thumb=blob
        )
    )
    sent = client.send_post("link card", embed=card)
    view = client.get_posts([sent.uri]).posts[0].embed
    assert isinstance(view, models.AppBskyEmbedExternal.View)
    assert (view.external.uri, view.external.title) == ("https://example.com/digest", "Digest")
    assert view.external.thumb is not None and httpx.get(view.external.thumb).content == PNG


def test_a_deleted_post_disappears_everywhere(client: Client) -> None:
    sent = client.send_post("oops #keep4o")
    assert client.delete_post(sent.uri)
    assert client.get_posts([sent.uri]).posts == []
    assert sent.uri not in [p.uri for p in client.app.bsky.feed.search_posts(params={"q": "#keep4o"}).posts]
    with pytest.raises(BadRequestError) as gone:
        client.get_post_thread(sent.uri)
    assert refusal(gone.value) == f"Post not found: {sent.uri}"


def test_get_posts_keeps_the_requested_order_and_drops_missing_ones(client: Client) -> None:
    new = client.send_post("new")
    missing = f"at://{ALICE}/app.bsky.feed.post/3aaaaaaaaaaaa"
    assert [p.uri for p in client.get_posts([new.uri, missing, OLDER.uri]).posts] == [new.uri, OLDER.uri]


def test_get_posts_refuses_more_than_25_uris(sb: Sandbox) -> None:
    # The SDK's model stops 26 before sending; the server refuses them too.
    answer = httpx.get(f"{sb.url}/xrpc/app.bsky.feed.getPosts", params={"uris": [OLDER.uri] * 26})
    assert (answer.status_code, answer.json()["message"]) == (
        400,
        "Invalid app.bsky.feed.getPosts params: array too big (maximum 25, got 26)",
    )


def test_the_author_feed_lists_own_posts_newest_first_page_by_page(sb: Sandbox, client: Client) -> None:
    sent = []
    for i in range(3):
        sent.append(client.send_post(f"digest {i}").uri)
        sb.clock.advance(timedelta(minutes=1))
    first = client.get_author_feed(BLUESKY_HANDLE, limit=2)
    rest = client.get_author_feed(BLUESKY_HANDLE, limit=2, cursor=first.cursor)
    assert [item.post.uri for item in first.feed + rest.feed] == sent[::-1]


def test_a_reply_in_the_author_feed_names_its_root_and_parent(sb: Sandbox, client: Client) -> None:
    root = models.create_strong_ref(client.send_post("root"))
    # The feed is ordered by (sortAt in ms, cid), as the AppView's keyset is: same-instant posts tie.
    sb.clock.advance(timedelta(seconds=1))
    client.send_post("reply", reply_to=models.AppBskyFeedPost.ReplyRef(parent=root, root=root))
    newest = client.get_author_feed(BLUESKY_DID, limit=1).feed[0]
    assert newest.reply is not None and newest.reply.root.uri == root.uri


def test_the_profile_record_carries_the_bot_self_label(client: Client) -> None:
    labels = models.ComAtprotoLabelDefs.SelfLabels(values=[models.ComAtprotoLabelDefs.SelfLabel(val="bot")])
    data = models.ComAtprotoRepoPutRecord.Data(
        repo=BLUESKY_DID,
        collection="app.bsky.actor.profile",
        rkey="self",
        record=models.AppBskyActorProfile.Record(display_name="Plain name"),
    )
    client.com.atproto.repo.put_record(data)
    assert client.get_profile(BLUESKY_HANDLE).labels == []
    client.com.atproto.repo.put_record(
        data.model_copy(update={"record": data.record.model_copy(update={"labels": labels})})
    )
    profile = client.get_profile(BLUESKY_HANDLE)
    assert [(label.val, label.src) for label in profile.labels or []] == [("bot", BLUESKY_DID)]
    stored = client.com.atproto.repo.get_record(
        {"repo": BLUESKY_HANDLE, "collection": "app.bsky.actor.profile", "rkey": "self"}
    )
    assert isinstance(stored.value, models.AppBskyActorProfile.Record)
    assert stored.value.labels is not None and stored.value.labels.values[0].val == "bot"


def test_writes_need_a_session_for_the_same_repository(sb: Sandbox) -> None:
    record = {"$type": "app.bsky.feed.post", "text": "x", "createdAt": "2026-03-01T12:00:00.000Z"}
    body = {"repo": ALICE, "collection": "app.bsky.feed.post", "record": record}
    anonymous = httpx.post(f"{sb.url}/xrpc/com.atproto.repo.createRecord", json=body)
    assert (anonymous.status_code, anonymous.json()["error"]) == (401, "AuthMissing")
    token = login(sb).export_session_string().split(":::")[2]
    foreign = httpx.post(
        f"{sb.url}/xrpc/com.atproto.repo.createRecord",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert foreign.status_code == 401


def test_handles_resolve_to_dids(client: Client) -> None:
    assert client.resolve_handle("alice.sandbox.test").did == ALICE
    with pytest.raises(BadRequestError) as unknown:
        client.resolve_handle("nobody.sandbox.test")
    assert refusal(unknown.value) == "Unable to resolve handle"
