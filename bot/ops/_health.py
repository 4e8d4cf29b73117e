"""The operations HTTP endpoints: ``/healthz``, ``/readyz`` and ``/metrics``, served in a thread.

Unauthenticated by design (bind ``[server] host`` to a private interface); nothing served
here carries a secret or post content.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from socketserver import ThreadingMixIn
from typing import Any, Protocol
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from prometheus_client import CollectorRegistry, make_wsgi_app

log = logging.getLogger("bot.ops")


class Probe(Protocol):
    def alive(self) -> bool: ...

    def readiness(self) -> tuple[bool, dict[str, Any]]: ...


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> Iterable[bytes]:
    data = json.dumps(body, indent=2, default=str).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def health_app(probe: Probe, registry: CollectorRegistry) -> WSGIApplication:
    metrics = make_wsgi_app(registry)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            return _json(start_response, "405 Method Not Allowed", {"error": "only GET"})
        if path == "/healthz":
            alive = probe.alive()
            return _json(start_response, "200 OK" if alive else "503 Service Unavailable", {"alive": alive})
        if path == "/readyz":
            try:
                ready, body = probe.readiness()
            except Exception as exc:
                log.error("readiness check failed: %s: %s", type(exc).__name__, exc)
                ready, body = False, {"ready": False, "error": type(exc).__name__}
            return _json(start_response, "200 OK" if ready else "503 Service Unavailable", body)
        if path == "/metrics":
            served: Iterable[bytes] = metrics(environ, start_response)
            return served
        return _json(start_response, "404 Not Found", {"error": f"no such endpoint {path}"})

    return app


class _Server(ThreadingMixIn, WSGIServer):
    # A slow /readyz (a database that hangs) must not hold up /healthz.
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)


class HealthServer:
    """Serves ``health_app`` on ``host:port`` (port 0: any free port) in a daemon thread."""

    def __init__(self, app: WSGIApplication, host: str, port: int) -> None:
        self._server = make_server(host, port, app, server_class=_Server, handler_class=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="health", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def start(self) -> HealthServer:
        self._thread.start()
        log.info("health endpoints on port %d: /healthz /readyz /metrics", self.port)
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def serve_health(probe: Probe, registry: CollectorRegistry, host: str, port: int) -> HealthServer:
    return HealthServer(health_app(probe, registry), host, port).start()
