"""Running an aiohttp application in a background thread with an event loop of its own.

Tests and the CLI call the sandbox from ordinary blocking code; the loop is
created and driven only in the server thread, so starting a server also works
from code that already runs an event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from aiohttp import web


class BackgroundServer:
    def __init__(
        self, make_app: Callable[[], web.Application], host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self._make_app = make_app
        self.host = host
        self._port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._port}"

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        ready = threading.Event()
        failure: list[BaseException] = []
        thread = threading.Thread(target=self._serve, args=(ready, failure), name="sandbox", daemon=True)
        self._thread = thread
        thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            raise failure[0]

    def _serve(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        # Short shutdown: a stalled "timeout" fault or an open websocket must not hold up stop().
        runner = web.AppRunner(self._make_app(), access_log=None, shutdown_timeout=0.5)
        try:
            loop.run_until_complete(runner.setup())
            loop.run_until_complete(web.TCPSite(runner, self.host, self._port).start())
            self._port = int(runner.addresses[0][1])
            self._loop = loop
        except BaseException as exc:
            failure.append(exc)
            loop.run_until_complete(runner.cleanup())
            loop.close()
            ready.set()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.close()

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop = None
        self._thread = None
