"""The Bluesky thread: platform limits, split points, numbering and facets."""

from __future__ import annotations

import re

from atproto import models
from digest_data import PETITION_URL, sample_content

from bot.digest import graphemes, render_bluesky
from bot.digest._render_bluesky import MAX_BYTES, MAX_GRAPHEMES, Segment, tagged, thread

FAMILY = "👩‍👩‍👧‍👦"  # one grapheme, 25 UTF-8 bytes
NUMBER = re.compile(r" \((\d+)/(\d+)\)$")


def _texts(blocks: list[list[Segment]]) -> list[str]:
    return [p.text for p in thread(blocks)]


def _without_numbers(texts: list[str]) -> str:
    return "".join(NUMBER.sub("", t) for t in texts)


def test_family_emoji_posts_are_cut_by_the_byte_limit_not_the_grapheme_limit() -> None:
    texts = _texts([[Segment(FAMILY * 400)]])
    assert all(len(t.encode()) <= MAX_BYTES and graphemes(t) <= MAX_GRAPHEMES for t in texts)
    assert [NUMBER.sub("", t).count(FAMILY) for t in texts] == [119, 119, 119, 43]
    assert _without_numbers(texts) == FAMILY * 400


def test_cjk_text_without_spaces_is_cut_at_300_graphemes_counting_the_number() -> None:
    text = "保留4o" * 250  # 1000 graphemes, no spaces or sentence ends
    texts = _texts([[Segment(text)]])
    assert all(graphemes(t) <= MAX_GRAPHEMES for t in texts)
    assert max(graphemes(t) for t in texts) == MAX_GRAPHEMES
    assert _without_numbers(texts) == text


def test_combining_marks_stay_on_their_letter() -> None:
    text = "e\u0301\u0302" * 700  # 700 graphemes of three code points each
    texts = _texts([[Segment(text)]])
    assert all(graphemes(t) <= MAX_GRAPHEMES for t in texts)
    assert all(NUMBER.sub("", t).startswith("e") for t in texts)
    assert _without_numbers(texts) == text


def test_long_text_splits_at_sentence_ends() -> None:
    sentence = "The petition keeps growing every single hour of the day. "
    texts = _texts([[Segment(sentence * 12)]])
    assert len(texts) > 1
    assert all(NUMBER.sub("", t).endswith("day.") for t in texts)


def test_a_sentence_too_long_for_one_post_splits_between_words() -> None:
    words = " ".join(f"word{i}" for i in range(120))
    texts = _texts([[Segment(words)]])
    pieces = [NUMBER.sub("", t) for t in texts]
    assert " ".join(pieces).split() == words.split()


def test_a_block_of_lines_splits_between_lines() -> None:
    block = [
        Segment("Most engaging:"),
        Segment("\n"),
        Segment("a" * 200 + " "),
        Segment("l", link="https://l"),
    ]
    block += [Segment("\n"), Segment("b" * 200)]
    assert _texts([block]) == ["Most engaging:\n" + "a" * 200 + " l (1/2)", "b" * 200 + " (2/2)"]


def test_blocks_share_a_post_when_they_fit_and_start_a_new_one_when_not() -> None:
    texts = _texts([[Segment("a" * 100)], [Segment("b" * 100)], [Segment("c" * 150)]])
    assert texts == ["a" * 100 + "\n\n" + "b" * 100 + " (1/2)", "c" * 150 + " (2/2)"]


def test_a_single_post_is_not_numbered() -> None:
    assert _texts([[Segment("Quiet day.")]]) == ["Quiet day."]


def test_numbers_with_two_digits_still_fit() -> None:
    texts = _texts([[Segment("x" * 290)] for _ in range(12)])
    assert len(texts) == 12
    assert texts[-1].endswith(" (12/12)")
    assert all(graphemes(t) <= MAX_GRAPHEMES for t in texts)


def test_a_link_is_never_split_across_posts() -> None:
    blocks = [[Segment("y" * 280 + " "), Segment("example.org/page", link="https://example.org/page")]]
    posts = thread(blocks)
    links = [s for p in posts for s in p.segments if s.link]
    assert [(s.text, s.link) for s in links] == [("example.org/page", "https://example.org/page")]


def test_hashtags_become_tag_segments_and_numbers_do_not() -> None:
    assert tagged("Sign #keep4o now, rank #1 #4oforever") == [
        Segment("Sign "),
        Segment("#keep4o", tag="keep4o"),
        Segment(" now, rank #1 "),
        Segment("#4oforever", tag="4oforever"),
    ]


def _facets(post_text: str, facets: list[models.AppBskyRichtextFacet.Main]) -> list[tuple[str, str]]:
    """Each facet as (the text its byte slice covers, its link URI or #tag)."""
    raw = post_text.encode()
    out = []
    for facet in facets:
        covered = raw[facet.index.byte_start : facet.index.byte_end].decode()
        feature = facet.features[0]
        out.append((covered, feature.uri if hasattr(feature, "uri") else "#" + feature.tag))
    return out


def test_facets_cover_the_right_utf8_bytes_after_emoji_and_cjk() -> None:
    posts = render_bluesky(sample_content()).posts
    found = []
    for post in posts:
        built = post.builder()
        assert built.build_text() == post.text
        found += _facets(post.text, built.build_facets())
    assert ("#keep4o", "#keep4o") in found
    assert ("change.org/p/keep-gpt-4o", PETITION_URL) in found
    assert ("bsky.app/profile/x/post/3k", "https://bsky.app/profile/x/post/3k") in found
    # The tag after the family emoji in the Bluesky excerpt still points at "#keep4o".
    assert sum(1 for covered, target in found if target == "#keep4o" and covered == "#keep4o") == 2


def test_the_whole_digest_thread_fits_and_is_numbered_in_order() -> None:
    rendered = render_bluesky(sample_content())
    n = len(rendered.posts)
    assert n > 1
    for k, post in enumerate(rendered.posts, 1):
        assert graphemes(post.text) <= MAX_GRAPHEMES and len(post.text.encode()) <= MAX_BYTES
        assert post.text.endswith(f" ({k}/{n})")
    assert rendered.posts[0].text.startswith(rendered.marker)


def test_the_link_card_points_at_the_digest_page_when_there_is_one() -> None:
    assert render_bluesky(sample_content()).card.uri == PETITION_URL  # type: ignore[union-attr]
    page = "https://keep4o.example.org/digests/2026-02-20"
    assert render_bluesky(sample_content(page_url=page)).card.uri == page  # type: ignore[union-attr]


def test_a_list_item_that_fits_a_post_is_never_split_across_two() -> None:
    # Greedy packing by sentences put "2. “First half." at the end of one post and the rest of
    # the quote, with its place and link, at the start of the next.
    items = [
        f"{i}. “Signed the petition today and shared it. {'More words here. ' * 4}#keep4o” (r/ChatGPT)"
        for i in range(1, 6)
    ]
    block = [Segment("Most engaging on Reddit:")]
    for item in items:
        block += [
            Segment("\n"),
            Segment(item + " "),
            Segment("reddit.com/r/x", link="https://reddit.com/r/x"),
        ]
    posts = [NUMBER.sub("", t) for t in _texts([block])]
    assert len(posts) > 1
    for item in items:
        assert sum(item in post for post in posts) == 1, item
