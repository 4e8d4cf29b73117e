"""Digest: loading, composing and rendering a day's digest as ``run_digest(dry_run=True)`` does.

``run_digest`` composes with ``load_digest_data`` + ``compose`` (with the seed manifest); the
publishers then render Markdown (file, Reddit), JSON (file), a Bluesky thread and webhook
payloads. All of that is timed as the digest; the PNG chart (matplotlib, drawn only for the
Bluesky target) is timed on its own. Nothing is stored or published.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from bot.config import Settings
from bot.digest import (
    DigestContent,
    DigestData,
    chart_png,
    compose,
    day_period,
    last_full_day,
    load_digest_data,
    render_bluesky,
    render_json,
    render_markdown,
    render_text,
    webhook_payload,
)
from bot.seeds import load_manifest
from bot.storage import make_sessionmaker

from ._bulk import NOW, Loaded
from ._trends import RUNS, median_ms


def _render(content: DigestContent) -> int:
    """Every rendering a publisher makes; returns their total length (so none is optimised away)."""
    out = [
        render_text(content),
        render_markdown(content),
        render_markdown(content, title=False),
        render_json(content),
        *(post.text for post in render_bluesky(content).posts),
        str(webhook_payload(content, "discord")),
        str(webhook_payload(content, "slack")),
    ]
    return sum(map(len, out))


def measure_digest(
    engine: Engine, settings: Settings, loaded: Loaded, *, backend: str, runs: int = RUNS
) -> dict[str, Any]:
    sessions = make_sessionmaker(engine)
    config = settings.config
    tz = config.campaign.timezone
    period = day_period(last_full_day(NOW, tz), tz)

    def load() -> DigestData:
        with sessions() as session:
            return load_digest_data(session, config, period)

    def composed(data: DigestData) -> DigestContent:
        return compose(data, period, config, load_manifest())

    def whole() -> int:
        return _render(composed(load()))

    data = load()
    content = composed(data)
    return {
        "section": "digest",
        "backend": backend,
        "size": loaded.posts,
        "day": period.key,
        "day_posts": sum(p.posts for p in data.platforms),
        "digest_ms": median_ms(whole, runs),
        "load_ms": median_ms(load, runs),
        "compose_ms": median_ms(lambda: composed(data), runs),
        "render_ms": median_ms(lambda: _render(content), runs),
        "chart_ms": median_ms(lambda: [chart_png(p) for p in content.petitions], runs),
    }
