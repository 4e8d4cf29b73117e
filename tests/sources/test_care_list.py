"""A grown care list reaches the posts stored before it grew; a shrunk one withholds as before."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.sources import apply_care_list
from bot.storage import Post
from tests.digest.digest_data import START, add_post
from tests.scheduler.conftest import make_settings

NOW = START + timedelta(days=3)


def flags(sessions: sessionmaker[Session]) -> dict[str, bool]:
    with sessions() as session:
        return {text or "(purged)": flag for text, flag in session.execute(select(Post.text, Post.sensitive))}


def test_posts_stored_before_a_term_was_added_are_flagged_once(
    sessions: sessionmaker[Session], db_url: str
) -> None:
    with sessions.begin() as session:
        add_post(session, START, text="I feel hopeless without 4o #keep4o")
        add_post(session, START, text="Bring it back #keep4o")
        purged = add_post(session, START, text="hopeless, and since purged")
        session.flush()
        session.execute(update(Post).where(Post.id == purged.id).values(text=None, title=None))
    grown = make_settings(db_url, care={"distress_terms": ["hopeless"]})
    assert apply_care_list(grown, sessions, NOW) == 1
    assert flags(sessions) == {
        "I feel hopeless without 4o #keep4o": True,
        "Bring it back #keep4o": False,
        "(purged)": False,  # nothing left to read: left as it was
    }
    assert apply_care_list(grown, sessions, NOW) == 0  # the same list: nothing to do


def test_removing_a_term_does_not_start_quoting_what_it_withheld(
    sessions: sessionmaker[Session], db_url: str
) -> None:
    with sessions.begin() as session:
        add_post(session, START, text="I feel hopeless without 4o #keep4o")
    assert apply_care_list(make_settings(db_url, care={"distress_terms": ["hopeless"]}), sessions, NOW) == 1
    assert apply_care_list(make_settings(db_url, care={"distress_terms": []}), sessions, NOW) == 0
    assert flags(sessions) == {"I feel hopeless without 4o #keep4o": True}
