"""Markdown, text, JSON and webhook renderings: structure, escaping and each platform's limits."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from digest_data import PETITION_URL, sample_content, sample_petition

from bot.digest import (
    AlertContent,
    DigestContent,
    TopPost,
    digest_from_json,
    discord_payload,
    render_json,
    render_markdown,
    render_text,
    slack_payload,
    to_json,
)
from bot.digest._compose import excerpt
from bot.digest._render_bluesky import short_link
from bot.digest._render_webhook import utf16_len
from bot.digest._words import numbers, petition_projection

FAMILY = "👩‍👩‍👧‍👦"


def _with_many_long_posts() -> object:
    content = sample_content()
    long = f"{FAMILY} 保留4o e\u0301 " * 200
    reddit = content.conversation.platforms[0]
    top = tuple(
        TopPost("reddit", f"https://www.reddit.com/r/x/comments/{i}/", long, "x", i, i, 0) for i in range(10)
    )
    platforms = (replace(reddit, top=top), *content.conversation.platforms[1:])
    return replace(content, conversation=replace(content.conversation, platforms=platforms))


def test_markdown_has_a_petition_table_and_a_bot_footer() -> None:
    markdown = render_markdown(sample_content(), title=False)
    assert "| Petition | Signatures | Day | 7 days | Pace |" in markdown
    assert (
        f"| [Keep GPT-4o available]({PETITION_URL}) | 21,512 | +312 in the day | +2,104 in 7 days |"
        in markdown
    )
    assert "| Reddit | 143 | 98.0 |" in markdown
    assert markdown.rstrip().endswith("posts about distress are counted, never quoted.*")
    assert "Posted automatically by a bot" in markdown
    assert markdown.startswith("## Petitions")  # the heading is the Reddit post title


def test_markdown_escapes_what_posts_say() -> None:
    content = sample_content()
    tricky = TopPost(
        "reddit", "https://www.reddit.com/r/x/comments/1/", "*bold* [link](x) | pipe ^up", "x", 1, 0, 0
    )
    platforms = (replace(content.conversation.platforms[0], top=(tricky,)),)
    markdown = render_markdown(
        replace(content, conversation=replace(content.conversation, platforms=platforms))
    )
    assert r"[\*bold\* \[link\](x) \| pipe \^up](https://www.reddit.com/r/x/comments/1/)" in markdown


def test_text_lists_each_top_post_with_its_link_and_numbers() -> None:
    text = render_text(sample_content())
    assert "1. “We will not stop until 4o is back” (r/ChatGPT, 412 points, 88 comments)" in text
    assert "   https://www.reddit.com/r/ChatGPT/comments/abc/" in text
    assert "Posts: 143 on Reddit (7-day average 98.0); 211 on Bluesky (7-day average 180.3)." in text


def test_json_keeps_the_whole_content_and_reads_back() -> None:
    content = sample_content()
    document = json.loads(render_json(content))
    assert (document["kind"], document["key"], document["heading"]) == (
        "digest",
        "2026-02-20",
        content.heading,
    )
    assert digest_from_json(document["content"]) == content
    assert digest_from_json(to_json(content)) == content


def test_discord_payload_respects_every_limit_and_pings_nobody() -> None:
    payload = discord_payload(_with_many_long_posts())  # type: ignore[arg-type]
    assert payload["allowed_mentions"] == {"parse": []}
    assert utf16_len(payload["content"]) <= 2000
    embeds = payload["embeds"]
    assert 0 < len(embeds) <= 10
    assert all(utf16_len(e["title"]) <= 256 and utf16_len(e["description"]) <= 4096 for e in embeds)
    assert sum(utf16_len(e["title"]) + utf16_len(e["description"]) for e in embeds) <= 6000


def test_slack_payload_respects_block_limits() -> None:
    payload = slack_payload(_with_many_long_posts())  # type: ignore[arg-type]
    blocks = payload["blocks"]
    assert len(blocks) <= 50
    assert blocks[0]["type"] == "header" and len(blocks[0]["text"]["text"]) <= 150
    sections = [b for b in blocks if b["type"] == "section"]
    assert sections and all(len(b["text"]["text"]) <= 3000 for b in sections)
    assert "<https://www.reddit.com/r/ChatGPT/comments/abc/|link>" in json.dumps(
        slack_payload(sample_content())
    )


def test_slack_text_cannot_smuggle_a_channel_ping() -> None:
    content = sample_content()
    loud = TopPost(
        "reddit", "https://www.reddit.com/r/x/comments/1/", "hey <!channel> & <!here>", "x", 1, 0, 0
    )
    platforms = (replace(content.conversation.platforms[0], top=(loud,)),)
    payload = json.dumps(
        slack_payload(replace(content, conversation=replace(content.conversation, platforms=platforms)))
    )
    assert "<!channel>" not in payload and "&lt;!channel&gt; &amp; &lt;!here&gt;" in payload


def test_an_alert_renders_short_everywhere() -> None:
    alert = AlertContent(
        event_id="milestone:changeorg-keep-gpt-4o:22000",
        kind="milestone",
        campaign="#keep4o",
        hashtag="keep4o",
        at=sample_content().period.end,
        headline="petition “Keep GPT-4o available” passed 22,000 signatures",
        detail="Passed 22,000 at Fri 20 Feb 22:00.",
        url=PETITION_URL,
    )
    assert render_text(alert) == (
        "#keep4o alert: petition “Keep GPT-4o available” passed 22,000 signatures\n\n"
        f"Passed 22,000 at Fri 20 Feb 22:00.\n{PETITION_URL}\n"
    )
    assert json.loads(render_json(alert))["key"] == "milestone:changeorg-keep-gpt-4o:22000"
    assert discord_payload(alert)["embeds"][0]["url"] == PETITION_URL


def test_a_count_of_one_is_singular() -> None:
    one = TopPost("bluesky", "https://bsky.app/profile/a/post/1", "Bring 4o back", None, 1, 1, 1)
    assert numbers(one) == "1 like, 1 repost, 1 reply"
    assert numbers(replace(one, platform="reddit", replies=2)) == "1 point, 2 comments"


def test_a_projection_into_another_year_names_the_year() -> None:
    petition = sample_petition()  # read on 20 Feb 2026
    next_year = replace(petition, goal_eta=datetime(2027, 5, 24, 12, 0, tzinfo=UTC))
    assert "25,000 around Mon 24 May 2027" in petition_projection(next_year, "Europe/Amsterdam")
    assert "25,000 around Tue 3 Mar." in render_text(replace(sample_content(), petitions=(petition,)))


def _with_top_post(excerpt: str, url: str = "https://www.reddit.com/r/x/comments/1/") -> DigestContent:
    content = sample_content()
    platforms = (
        replace(content.conversation.platforms[0], top=(TopPost("reddit", url, excerpt, "x", 1, 0, 0),)),
    )
    return replace(content, conversation=replace(content.conversation, platforms=platforms))


def test_discord_shows_a_posts_markdown_as_written_not_as_a_link_in_the_bots_voice() -> None:
    payload = discord_payload(_with_top_post("Click [here](https://evil.example/phish) **now** `x`"))
    (embed,) = [e for e in payload["embeds"] if e["title"] == "Most engaging on Reddit"]
    assert r"Click \[here\](https://evil.example/phish) \*\*now\*\* \`x\`" in embed["description"]


def test_a_link_that_is_not_http_is_shown_but_not_linked() -> None:
    content = _with_top_post("see this", url="javascript:alert(document.cookie)")
    markdown = render_markdown(content)
    assert "1. see this (r/x" in markdown
    assert "javascript:" not in markdown
    assert short_link("javascript:alert(1)").link is None
    assert short_link("https://www.change.org/p/keep-gpt-4o").link == "https://www.change.org/p/keep-gpt-4o"


def test_an_excerpt_drops_control_codes_and_direction_overrides() -> None:
    shown = excerpt("ANSI \x1b[2J\x1b[H cleared \u202etxt.exe\u202c bell\x07")
    assert shown == "ANSI [2J[H cleared txt.exe bell"
