"""Small worlds and logged-in clients for the Bluesky sandbox tests."""

from __future__ import annotations

import asyncio
import copy
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from aiohttp import web
from atproto import Client
from atproto_client.models.dot_dict import DotDict
from atproto_client.models.utils import get_or_create
from pydantic import BaseModel

from bot.sandbox import BlueskyAccount, BlueskyPost, Clock, Sandbox, World, _bluesky
from bot.sandbox._campaign import BLUESKY_APP_PASSWORD, BLUESKY_DID, BLUESKY_HANDLE
from bot.sandbox._context import Context
from bot.sandbox._factory import make_bluesky_post

M = TypeVar("M", bound=BaseModel)
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ALICE = "did:plc:alicesandbox000000000"
BOB = "did:plc:bobsandbox00000000000"


def accounts() -> list[BlueskyAccount]:
    return [
        BlueskyAccount(
            BLUESKY_DID, BLUESKY_HANDLE, "keep4o digest", app_password=BLUESKY_APP_PASSWORD, is_bot=True
        ),
        BlueskyAccount(ALICE, "alice.sandbox.test", "Alice", app_password="alice-app-password"),
        BlueskyAccount(BOB, "bob.sandbox.test", "Bob"),
    ]


def post(did: str, text: str, minutes_before: float, **kwargs: Any) -> BlueskyPost:
    """A post written ``minutes_before`` T0, with the tag and link facets the app would add."""
    clock_id = kwargs.pop("clock_id", zlib.crc32(text.encode()) % 1024)
    return make_bluesky_post(did, text, T0 - timedelta(minutes=minutes_before), clock_id=clock_id, **kwargs)


def world_of(*posts: BlueskyPost) -> World:
    """A world of the test accounts and copies of ``posts`` (tests change their world, not the originals)."""
    world = World()
    for account in accounts():
        world.add_account(account)
    for item in posts:
        world.add_bluesky_post(copy.deepcopy(item))
    return world


def login(sb: Sandbox) -> Client:
    client = Client(base_url=sb.url)
    client.login(BLUESKY_HANDLE, BLUESKY_APP_PASSWORD)
    return client


@contextmanager
def bluesky_only(world: World, clock: Clock, **options: Any) -> Iterator[str]:
    """Just the Bluesky routes with non-default ``add_routes`` options, served in a thread; yields the URL."""
    app = web.Application()
    _bluesky.add_routes(app, Context(world, clock), **options)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.run_until_complete(runner.cleanup())
        loop.close()


def unparsed_parts(model: object) -> list[str]:
    """Paths inside a parsed SDK model that fell back to untyped dicts (unknown ``$type`` or shape)."""
    found: list[str] = []

    def walk(value: object, path: str) -> None:
        if isinstance(value, DotDict):
            found.append(path)
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name), f"{path}.{name}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")

    walk(model, "$")
    return found


def strict_parse(body: dict[str, Any], model: type[M]) -> M:
    """Parse as the SDK does (strict), also checking string formats (DIDs, at-uris, CIDs, datetimes)."""
    parsed = get_or_create(body, model, strict=True, strict_string_format=True)
    assert isinstance(parsed, model)
    assert unparsed_parts(parsed) == []
    return parsed
