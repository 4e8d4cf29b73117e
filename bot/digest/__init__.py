"""The daily digest and alerts: gather, compose (pure), render per platform, run."""

from ._alerts import Detected, detect
from ._chart import chart_alt, chart_png
from ._compose import compose, day_period, excerpt, last_full_day, neutralise_mentions
from ._load import DigestData, load_digest_data, load_hourly, load_petitions
from ._model import (
    AlertContent,
    Conversation,
    DayCount,
    DigestContent,
    Milestone,
    NameCount,
    Period,
    PetitionReport,
    PlatformActivity,
    SeedLink,
    TopPost,
    alert_from_json,
    digest_from_json,
    to_json,
)
from ._render_bluesky import BlueskyThread, ThreadPost, fits, graphemes, render_bluesky
from ._render_json import json_document, render_json
from ._render_markdown import render_markdown
from ._render_text import render_text
from ._render_webhook import discord_payload, slack_payload, webhook_payload
from ._run import DigestResult, run_alerts, run_digest
from ._seeds_pick import pick_seeds

__all__ = [
    "AlertContent",
    "BlueskyThread",
    "Conversation",
    "DayCount",
    "Detected",
    "DigestContent",
    "DigestData",
    "DigestResult",
    "Milestone",
    "NameCount",
    "Period",
    "PetitionReport",
    "PlatformActivity",
    "SeedLink",
    "ThreadPost",
    "TopPost",
    "alert_from_json",
    "chart_alt",
    "chart_png",
    "compose",
    "day_period",
    "detect",
    "digest_from_json",
    "discord_payload",
    "excerpt",
    "fits",
    "graphemes",
    "json_document",
    "last_full_day",
    "load_digest_data",
    "load_hourly",
    "load_petitions",
    "neutralise_mentions",
    "pick_seeds",
    "render_bluesky",
    "render_json",
    "render_markdown",
    "render_text",
    "run_alerts",
    "run_digest",
    "slack_payload",
    "to_json",
    "webhook_payload",
]
