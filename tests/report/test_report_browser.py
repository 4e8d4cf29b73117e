"""The report in a real browser: headless Chromium renders it offline, with charts and no requests.

Needs Debian's ``chromium`` package (``apt-get install -y chromium``). Requests are read
from Chromium's own network log: a request the page makes has the page's (file, so
``null``) origin as initiator; the browser's own background traffic has none.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from bot.config import Config
from bot.report import gather, render_html
from bot.seeds import load_manifest
from bot.storage import make_engine, make_sessionmaker, upgrade
from tests.trends.trend_data import campaign_month

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NOW = datetime(2026, 11, 23, 13, 30, tzinfo=UTC)
WIDTH, HEIGHT = 1280, 2000
CONFIG = Config.model_validate(
    {
        "campaign": {"name": "keep4o", "title": "#keep4o", "timezone": "Europe/Amsterdam"},
        "match": {"hashtags": ["keep4o"]},
        "petitions": [
            {"id": "changeorg-keep-gpt-4o", "url": "https://www.change.org/p/keep-gpt-4o", "goal": 25_000}
        ],
    }
)
# The report's colours (bot/report/_charts.py), as drawn on screen.
GREEN, ORANGE, BLUE, INDIGO = (0x2E, 0x7D, 0x32), (0xFF, 0x45, 0x00), (0x0A, 0x7A, 0xFF), (0x5C, 0x6B, 0xC0)


def open_in_chromium(page: Path, work: Path) -> tuple[Image.Image, list[str]]:
    """A screenshot of ``page`` and the URLs the page itself asked for."""
    if CHROMIUM is None:
        # A failure, not a skip: a browser check that silently does not run proves nothing.
        # `python3 dev.py test` installs Chromium on Debian.
        pytest.fail("Chromium is not installed (Debian: apt-get install -y chromium)")
    shot, netlog = work / "shot.png", work / "net.json"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={work / 'profile'}",
            f"--log-net-log={netlog}",
            f"--screenshot={shot}",
            f"--window-size={WIDTH},{HEIGHT}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    log = json.loads(netlog.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    requested = [
        event["params"]["url"]
        for event in log["events"]
        if event["type"] == start_job
        and "url" in event.get("params", {})
        and event["params"].get("initiator") != "not an origin"  # the browser's own traffic
    ]
    return Image.open(shot).convert("RGB"), requested


def pixels_like(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 10) -> int:
    return sum(
        n
        for n, pixel in image.getcolors(maxcolors=WIDTH * HEIGHT) or []
        if all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Image.Image, list[str]]]:
    work = tmp_path_factory.mktemp("browser")
    engine = make_engine(f"sqlite:///{work / 'keep4o.db'}")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as s:
        campaign_month(s, NOW)
    with sessions() as s:
        page = work / "report.html"
        page.write_text(render_html(gather(s, CONFIG, days=30, now=NOW, articles=load_manifest())))
    engine.dispose()
    yield open_in_chromium(page, work)


def test_the_report_renders_a_full_page(rendered: tuple[Image.Image, list[str]]) -> None:
    image, _ = rendered
    assert image.size == (WIDTH, HEIGHT)
    background = image.getpixel((5, 5))
    inked = sum(n for n, pixel in image.getcolors(maxcolors=WIDTH * HEIGHT) or [] if pixel != background)
    assert inked > WIDTH * HEIGHT * 0.3  # cards, charts and table, not a blank or error page
    assert len(image.getcolors(maxcolors=WIDTH * HEIGHT) or []) > 200  # anti-aliased text and lines


def test_each_chart_is_drawn_in_its_place_and_colours(rendered: tuple[Image.Image, list[str]]) -> None:
    image, _ = rendered
    # Where the charts sit at this window size (below the headline cards, then side by side).
    signatures = image.crop((0, 380, WIDTH, 830))
    posts = image.crop((0, 860, 740, 1270))
    languages = image.crop((760, 860, WIDTH, 1270))
    assert pixels_like(signatures, GREEN) > 1_000  # the signature line
    assert pixels_like(posts, ORANGE) > 10_000 and pixels_like(posts, BLUE) > 10_000  # stacked bars
    assert pixels_like(languages, INDIGO) > 5_000
    assert pixels_like(languages, ORANGE) == pixels_like(posts, INDIGO) == 0


def test_the_report_makes_no_requests(rendered: tuple[Image.Image, list[str]]) -> None:
    _, requested = rendered
    assert requested == []


def test_the_request_log_does_see_a_page_that_fetches(tmp_path: Path) -> None:
    page = tmp_path / "fetching.html"
    page.write_text('<!DOCTYPE html><p>x</p><img src="http://127.0.0.1:9/pixel.png">')
    _, requested = open_in_chromium(page, tmp_path)
    assert requested == ["http://127.0.0.1:9/pixel.png"]
