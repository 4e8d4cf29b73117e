"""Fetching a petition page (bot.petitions._fetch) from a local site answering as hostile sites do."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from bot.petitions import BlockedError, FetchError
from bot.petitions._fetch import HTML, MAX_BYTES, Page, fetch

PAGE = b"<!DOCTYPE html><html><body><p>21,345 signatures</p></body></html>"


@dataclass
class Answer:
    status: int = 200
    body: bytes = PAGE
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    drip: float = 0.0  # seconds between bytes of the body


@dataclass
class Site:
    url: str = ""
    answers: dict[str, Answer] = field(default_factory=dict)


@pytest.fixture
def site() -> Iterator[Site]:
    crafted = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = crafted.answers.get(self.path, Answer(404, b"not found"))
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if not answer.drip:
                self.wfile.write(answer.body)
                return
            for byte in answer.body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(answer.drip)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    crafted.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield crafted
    server.shutdown()
    server.server_close()


def _get(site: Site, path: str, timeout: float = 5) -> Page:
    with requests.Session() as http:
        return fetch(http, site.url + path, accept=HTML, agent="keep4o-bot test", timeout=timeout)


def test_a_redirect_to_another_page_is_not_read_as_the_petition(site: Site) -> None:
    site.answers["/p/keep-gpt-4o"] = Answer(302, b"", {"Location": "/"})
    site.answers["/"] = Answer(body=b"<html><body>8,912 signatures on trending petitions</body></html>")
    with pytest.raises(FetchError, match=r"/p/keep-gpt-4o redirected to http://127\.0\.0\.1:\d+/; if the"):
        _get(site, "/p/keep-gpt-4o")


def test_a_redirect_to_the_same_page_with_a_trailing_slash_is_followed(site: Site) -> None:
    site.answers["/p/keep-gpt-4o"] = Answer(301, b"", {"Location": "/p/keep-gpt-4o/"})
    site.answers["/p/keep-gpt-4o/"] = Answer()
    assert _get(site, "/p/keep-gpt-4o").text == PAGE.decode()


def test_a_charset_python_does_not_know_is_read_as_utf_8(site: Site) -> None:
    site.answers["/p/x"] = Answer(
        headers={"Content-Type": "text/html; charset=klingon"}, body="21 345 ✓".encode()
    )
    assert _get(site, "/p/x").text == "21 345 ✓"


def test_a_page_dripping_in_slower_than_the_timeout_is_given_up(site: Site) -> None:
    site.answers["/p/x"] = Answer(drip=0.05)  # each byte in time, the whole page (66 bytes) not
    with pytest.raises(FetchError, match=r"/p/x did not send the whole page within 1 s$"):
        _get(site, "/p/x", timeout=1)


def test_a_plain_403_is_a_refusal_naming_the_host(site: Site) -> None:
    site.answers["/p/x"] = Answer(403, b"<html><body>Forbidden</body></html>")
    with pytest.raises(BlockedError, match=r"^127\.0\.0\.1:\d+ refused the request \(HTTP 403 Forbidden\)$"):
        _get(site, "/p/x")


def test_a_body_larger_than_any_petition_page_is_cut_off(site: Site) -> None:
    site.answers["/p/x"] = Answer(body=b"<html>" + b" " * MAX_BYTES + b"</html>")
    with pytest.raises(FetchError, match=r"/p/x sent more than 10 MB; not a petition page$"):
        _get(site, "/p/x")
