"""The sandbox server: one aiohttp app on a loopback port, run in a background thread.

Everything shared with the server thread (the world, the clock, counters,
faults) is guarded by locks.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from aiohttp import web

from . import _admin, _bluesky, _petition_pages, _reddit
from ._campaign import campaign_toml, sandbox_env
from ._clock import Clock
from ._context import Context
from ._faults import Fault, FaultBook, Handler, apply
from ._generate import generate_world
from ._runner import BackgroundServer
from ._timeline import LivingWorld
from ._world import World

ADMIN_PREFIX = "/_sandbox/"


class RequestCounter:
    """How many requests each path received (admin requests excluded)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paths: Counter[str] = Counter()

    def add(self, path: str) -> None:
        with self._lock:
            self._paths[path] += 1

    def count(self, prefix: str | None = None) -> int:
        with self._lock:
            return sum(n for path, n in self._paths.items() if prefix is None or path.startswith(prefix))

    def by_path(self) -> dict[str, int]:
        with self._lock:
            return dict(self._paths)

    def reset(self) -> None:
        with self._lock:
            self._paths.clear()


def build_app(
    ctx: Context,
    counter: RequestCounter,
    faults: FaultBook,
    *,
    reddit_ratelimit: tuple[int, int] = _reddit.RATELIMIT,
) -> web.Application:
    """The application with every service's routes, counting and fault middleware, and the admin API."""

    @web.middleware
    async def count_and_fail(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(ADMIN_PREFIX):
            return await handler(request)
        counter.add(request.path)
        if isinstance(ctx.world, LivingWorld):
            ctx.world.timeline.catch_up(ctx.world, ctx.clock.now())
        armed = faults.take(request.path)
        if armed is None:
            return await handler(request)
        return await apply(armed, request, handler)

    app = web.Application(middlewares=[count_and_fail])
    _reddit.add_routes(app, ctx, ratelimit=reddit_ratelimit)
    _bluesky.add_routes(app, ctx)
    _petition_pages.add_routes(app, ctx)
    _admin.add_routes(app, ctx, counter, faults)
    return app


class Sandbox:
    """Reddit, Bluesky and petition pages on ``http://127.0.0.1:PORT``; see ``bot/sandbox/__init__.py``.

    ``reddit_ratelimit`` is (requests, window seconds) for Reddit's ``x-ratelimit-*`` headers;
    the default is Reddit's 1000 per 600 s. ``faults`` are armed before the first request.
    """

    def __init__(
        self,
        world: World | None = None,
        clock: Clock | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        reddit_ratelimit: tuple[int, int] = _reddit.RATELIMIT,
        faults: Iterable[Fault] = (),
    ) -> None:
        self.clock = clock or Clock()
        self.world = world if world is not None else generate_world(seed=42, now=self.clock.now())
        self.host = host
        self._counter = RequestCounter()
        self._faults = FaultBook()
        for fault in faults:
            self._faults.arm(fault.path_prefix, fault.fault, fault.times, fault.seconds)
        self._reddit_ratelimit = reddit_ratelimit
        self._server = BackgroundServer(self._make_app, host, port)

    # -- lifecycle ---------------------------------------------------------------------------

    def _make_app(self) -> web.Application:
        ctx = Context(self.world, self.clock)
        return build_app(ctx, self._counter, self._faults, reddit_ratelimit=self._reddit_ratelimit)

    def start(self) -> Sandbox:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- what tests use ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        return self._server.url

    def now(self) -> datetime:
        return self.clock.now()

    def requests(self, prefix: str | None = None) -> int:
        """Requests received whose path starts with ``prefix`` (all if None); admin calls not counted."""
        return self._counter.count(prefix)

    def request_paths(self) -> dict[str, int]:
        return self._counter.by_path()

    def reset_counters(self) -> None:
        self._counter.reset()

    def inject(self, path_prefix: str, fault: str, times: int = 1, *, seconds: float = 3.0) -> None:
        """Fail the next ``times`` requests under ``path_prefix``.

        ``seconds``: how long a "timeout" stalls, and the wait a "429" announces.
        """
        self._faults.arm(path_prefix, fault, times, seconds)

    def pending_faults(self) -> list[Fault]:
        return self._faults.pending()

    def clear_faults(self) -> None:
        self._faults.clear()

    def config_toml(self, db_url: str, digest_dir: str = "data/sandbox/digests") -> str:
        """A complete campaign file pointing every source and target at this sandbox."""
        return campaign_toml(self.url, db_url, digest_dir)

    def write_config(self, path: Path | str, db_url: str) -> Path:
        """Write the campaign file and a ``.env`` beside it with the sandbox credentials.

        Raises ``FileExistsError`` rather than replace either: beside a real campaign they
        would be its file and its real credentials.
        """
        path = Path(path)
        env = path.parent / ".env"
        for taken in (path, env):
            if taken.exists():
                raise FileExistsError(
                    f"{taken} already exists; the sandbox campaign needs a folder of its own"
                )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.config_toml(db_url, str(path.parent / "digests")), encoding="utf-8")
        env.write_text(sandbox_env(), encoding="utf-8")
        return path
