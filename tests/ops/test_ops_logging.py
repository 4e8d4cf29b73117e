"""Log lines: text or JSON, tagged with job, source and run id, never showing a secret."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select

from bot.clock import utc_now
from bot.config import Config, Job, Secrets, Settings
from bot.ops import Metrics, configure_logging, log_context, secret_values
from bot.scheduler import JobContext, Runner, make_spec
from bot.storage import JobRun

CLIENT_SECRET = "s3cr3t-reddit-Xy9"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"


@pytest.fixture
def settings() -> Settings:
    config = Config.model_validate(
        {"campaign": {"name": "t", "title": "#t"}, "match": {"hashtags": ["keep4o"]}}
    )
    secrets = Secrets(
        reddit_client_secret=SecretStr(CLIENT_SECRET), bluesky_app_password=SecretStr(APP_PASSWORD)
    )
    return Settings(config, secrets, Path("t.toml"), "postgresql+psycopg://bot:dbpass-77@db/keep4o")


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    stream = io.StringIO()
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


def test_secret_values_include_credentials_and_the_database_password(settings: Settings) -> None:
    assert set(secret_values(settings)) == {CLIENT_SECRET, APP_PASSWORD, "dbpass-77"}


def test_json_lines_of_a_job_carry_job_source_and_run_id_and_mask_secrets(
    settings: Settings, engine: Engine, captured: io.StringIO
) -> None:
    configure_logging("json", secrets=secret_values(settings), stream=captured)

    def leaky_poll(ctx: JobContext) -> None:
        logging.getLogger("praw").info("token request with secret %s", CLIENT_SECRET)
        raise PermissionError(f"login failed for password {APP_PASSWORD}")

    runner = Runner(settings, engine, clock=utc_now, metrics=Metrics(), replica="r")
    outcome = runner.run(make_spec("poll_reddit", "reddit", leaky_poll, Job(every="10m")))
    text = captured.getvalue()
    assert CLIENT_SECRET not in text and APP_PASSWORD not in text
    lines = [json.loads(line) for line in text.splitlines()]
    from_job = [line for line in lines if line["logger"] in ("praw", "bot.scheduler")]
    assert len(from_job) >= 2
    for line in from_job:
        assert (line["job"], line["source"], line["run_id"]) == ("poll_reddit", "reddit", outcome.run_id)
    assert from_job[0]["message"] == "token request with secret ****"
    assert from_job[-1]["level"] == "error"
    assert "password ****" in from_job[-1]["message"]


def test_text_lines_are_for_people_and_tag_the_context(captured: io.StringIO) -> None:
    configure_logging("text", stream=captured)
    with log_context("digest", "digest", "abc123"):
        logging.getLogger("bot.digest").warning("posted to %d targets", 2)
    logging.getLogger("bot").info("outside any job")
    first, second = captured.getvalue().splitlines()
    assert first.endswith("WARNING bot.digest: posted to 2 targets [job=digest source=digest run_id=abc123]")
    assert second.endswith("INFO    bot: outside any job")


def test_tracebacks_are_masked_too(captured: io.StringIO) -> None:
    configure_logging("json", secrets=["hunter2-long"], stream=captured)
    try:
        raise ValueError("bad password hunter2-long")
    except ValueError:
        logging.getLogger("bot").exception("failed")
    line = json.loads(captured.getvalue())
    assert "hunter2-long" not in line["exception"]
    assert "bad password ****" in line["exception"]


def test_a_secret_in_an_error_is_masked_in_the_stored_run_too(settings: Settings, engine: Engine) -> None:
    def leaky_poll(_ctx: JobContext) -> None:
        raise PermissionError(f"login failed for password {APP_PASSWORD}")

    runner = Runner(settings, engine, clock=utc_now, metrics=Metrics(), replica="r")
    outcome = runner.run(make_spec("poll_bluesky", "bluesky", leaky_poll, Job(every="10m")))
    with runner.sessions() as session:
        stored = session.scalars(select(JobRun.error_message)).one()
    assert stored == "login failed for password ****"
    assert outcome.error == "PermissionError: login failed for password ****"


def test_libraries_that_repeat_what_the_bot_says_are_quiet_unless_debugging(captured: io.StringIO) -> None:
    loggers = {name: logging.getLogger(name) for name in ("prawcore", "httpx", "apscheduler")}
    levels = {name: logger.level for name, logger in loggers.items()}
    try:
        configure_logging(stream=captured)
        loggers["prawcore"].warning("Retrying due to 503 status")  # the collector logs its own retry
        loggers["httpx"].info("HTTP Request: GET https://bsky.social/xrpc/...")
        loggers["prawcore"].error("prawcore's own error")
        assert captured.getvalue().count("\n") == 1 and "prawcore's own error" in captured.getvalue()
        configure_logging(stream=captured, debug=True)
        loggers["prawcore"].warning("Retrying due to 503 status")
        assert "Retrying due to 503 status" in captured.getvalue()
    finally:
        for name, logger in loggers.items():
            logger.setLevel(levels[name])
