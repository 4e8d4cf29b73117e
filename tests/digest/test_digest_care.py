"""Care: a distressed person's post is counted but never quoted or linked; nobody is pinged."""

from __future__ import annotations

import json
from datetime import timedelta

from digest_data import PERIOD, START, add_post, make_config
from sqlalchemy.orm import Session, sessionmaker

from bot.digest import (
    DigestContent,
    compose,
    discord_payload,
    load_digest_data,
    render_bluesky,
    render_json,
    render_markdown,
    render_text,
    slack_payload,
)


def _everything(content: DigestContent) -> str:
    """Every rendering of the digest, facets and card included, as one string."""
    thread = render_bluesky(content)
    facets = [f.model_dump_json() for post in thread.posts for f in post.builder().build_facets()]
    return "\n".join(
        [
            render_text(content),
            render_markdown(content),
            render_json(content),
            *(post.text for post in thread.posts),
            *facets,
            repr(thread.card),
            json.dumps(discord_payload(content), ensure_ascii=False),
            json.dumps(slack_payload(content), ensure_ascii=False),
        ]
    )


def _digest(sessions: sessionmaker[Session]) -> DigestContent:
    config = make_config()
    with sessions() as session:
        data = load_digest_data(session, config, PERIOD)
    return compose(data, PERIOD, config)


def test_a_sensitive_post_is_counted_but_its_text_and_link_appear_nowhere(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        quiet = add_post(session, START + timedelta(hours=1), text="Bring back 4o please", likes=3)
        hurt = add_post(
            session,
            START + timedelta(hours=2),
            text="Nobody listens, I am thinking about suicide",
            likes=900,
            sensitive=True,
        )
    content = _digest(sessions)
    everything = _everything(content)
    assert content.conversation.platforms[0].posts == 2
    assert content.conversation.sensitive == 1
    assert "Bring back 4o please" in everything
    assert "thinking about suicide" not in everything
    assert hurt.url not in everything
    assert hurt.url.split("://", 1)[1] not in everything  # not even as a shortened link text
    assert quiet.url in everything


def test_a_post_matching_the_care_lexicon_is_not_quoted_even_if_the_collector_missed_it(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        missed = add_post(session, START + timedelta(hours=2), text="死にたい… without 4o", likes=900)
    everything = _everything(_digest(sessions))
    assert "死にたい" not in everything
    assert missed.url not in everything


def test_the_care_note_points_to_help_when_distress_was_counted(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        add_post(session, START + timedelta(hours=2), text="I want to die", sensitive=True)
    content = _digest(sessions)
    assert "If you are struggling, findahelpline.com lists free" in render_text(content)
    assert any("findahelpline.com" in p.text for p in render_bluesky(content).posts)
    assert (
        "If you are struggling, [findahelpline.com](https://findahelpline.com) lists free"
        in render_markdown(content)
    )


def test_no_author_is_named_or_pinged(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        add_post(
            session,
            START + timedelta(hours=1),
            author="zelda_the_writer",
            text="Thanks @bob.bsky.social and /u/carl_99!",
            likes=10,
        )
    everything = _everything(_digest(sessions))
    assert "Thanks @… and /u/…!" in everything
    for name in ("zelda_the_writer", "bob.bsky.social", "carl_99"):
        assert name not in everything
