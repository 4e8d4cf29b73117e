"""Fixtures for the collectors' sandbox tests."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings, load_settings
from bot.sandbox import BlueskyAccount, BlueskyPost, Clock, Sandbox, World
from bot.sandbox._campaign import BLUESKY_APP_PASSWORD, BLUESKY_DID, BLUESKY_HANDLE
from bot.sandbox._factory import make_bluesky_post
from tests.conftest import SANDBOX_NOW
from tests.sources.reddit_sandbox import empty_sandbox, make_settings

ALICE = "did:plc:alicesandbox0000000000"
BOB = "did:plc:bobsandbox00000000000"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    """A Reddit collector test's sandbox: an empty world, a frozen clock."""
    yield from empty_sandbox()


@pytest.fixture
def settings(sb: Sandbox, tmp_path: Path, db_url: str) -> Settings:
    """The campaign pointing at ``sb``."""
    return make_settings(sb, tmp_path, db_url)


@pytest.fixture
def bsky() -> Iterator[Sandbox]:
    """A sandbox whose Bluesky holds only the bot, alice and bob (no posts), its clock frozen."""
    world = World()
    world.add_account(
        BlueskyAccount(
            BLUESKY_DID, BLUESKY_HANDLE, "keep4o digest", app_password=BLUESKY_APP_PASSWORD, is_bot=True
        )
    )
    world.add_account(BlueskyAccount(ALICE, "alice.sandbox.test", "Alice"))
    world.add_account(BlueskyAccount(BOB, "bob.sandbox.test", "Bob"))
    with Sandbox(world=world, clock=Clock(SANDBOX_NOW, speed=0)) as running:
        yield running


@pytest.fixture
def bsky_settings(bsky: Sandbox, db_url: str, tmp_path: Path) -> Callable[..., Settings]:
    """The sandbox campaign's settings; keyword arguments replace fields of its [bluesky] section."""
    base = load_settings(bsky.write_config(tmp_path / "campaign" / "keep4o.toml", db_url), environ={})
    assert base.config.bluesky is not None

    def make(**bluesky: Any) -> Settings:
        assert base.config.bluesky is not None
        section = base.config.bluesky.model_copy(update=bluesky)
        return dataclasses.replace(base, config=base.config.model_copy(update={"bluesky": section}))

    return make


@pytest.fixture
def bsky_post(bsky: Sandbox) -> Callable[..., BlueskyPost]:
    """Adds a post to the sandbox: written ``ago`` before the sandbox's now, indexed ``lag`` later."""
    clock_ids = itertools.count()

    def add(
        text: str,
        *,
        did: str = ALICE,
        ago: timedelta = timedelta(minutes=5),
        lag: timedelta = timedelta(seconds=2),
        **fields: Any,
    ) -> BlueskyPost:
        created = bsky.clock.now() - ago
        post = make_bluesky_post(
            did, text, created, indexed_at=created + lag, clock_id=next(clock_ids) % 1024, **fields
        )
        return bsky.world.add_bluesky_post(post)

    return add
