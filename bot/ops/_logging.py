"""Log lines for people (default) or JSON lines for machines, with job context and no secrets.

Every line carries the job, source and run id of the run that wrote it. They live in
context variables set by the job runner, so lines written by libraries (PRAW, urllib3,
SQLAlchemy) inside a job carry them too, without passing anything around.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.config import Settings

_job: contextvars.ContextVar[str | None] = contextvars.ContextVar("job", default=None)
_source: contextvars.ContextVar[str | None] = contextvars.ContextVar("source", default=None)
_run_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("run_id", default=None)

MASK = "****"
# Shorter values are not masked: masking "1" or "ab" would garble every log line.
_MIN_SECRET_LENGTH = 4


@contextmanager
def log_context(job: str | None, source: str | None, run_id: str | None) -> Iterator[None]:
    """Tag every log line written inside the block (in this thread) with job, source and run id."""
    tokens = (_job.set(job), _source.set(source), _run_id.set(run_id))
    try:
        yield
    finally:
        _run_id.reset(tokens[2])
        _source.reset(tokens[1])
        _job.reset(tokens[0])


class _ContextFilter(logging.Filter):
    """Copies the context variables onto each record (records are formatted in the same thread)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.job = _job.get()
        record.source = _source.get()
        record.run_id = _run_id.get()
        return True


class Masker:
    """Replaces every known secret value in a text (log lines, stored error messages)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret containing another is masked whole.
        self._secrets = sorted({s for s in secrets if len(s) >= _MIN_SECRET_LENGTH}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text


class _Masking(logging.Formatter):
    """Formats with ``inner`` and then masks every known secret value, tracebacks included."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self._inner = inner
        self._mask = Masker(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return self._mask(self._inner.format(record))


class _Text(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        tags = " ".join(
            f"{name}={value}"
            for name in ("job", "source", "run_id")
            if (value := getattr(record, name, None)) is not None
        )
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%d %H:%M:%S")
        line = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if tags:
            line += f" [{tags}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class _Json(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "job": getattr(record, "job", None),
            "source": getattr(record, "source", None),
            "run_id": getattr(record, "run_id", None),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


_HANDLER = "keep4o"


def configure_logging(
    fmt: str = "text", *, debug: bool = False, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """Send all logging to ``stream`` (stderr) as text or JSON lines, masking ``secrets``.

    Replaces handlers installed by an earlier call, so it can be called again with more secrets.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(_ContextFilter())
    handler.setFormatter(_Masking(_Json() if fmt == "json" else _Text(), secrets))
    handler.set_name(_HANDLER)
    remove_logging()
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    # APScheduler logs every submission and httpx every request at INFO, and prawcore each
    # retry at WARNING next to the collector's own line; the runner's own lines (one per run,
    # with its counts) say what matters. --debug shows them all.
    for noisy, level in (
        ("apscheduler", logging.WARNING),
        ("httpx", logging.WARNING),
        ("prawcore", logging.ERROR),
    ):
        logging.getLogger(noisy).setLevel(logging.NOTSET if debug else level)
    return handler


def remove_logging() -> None:
    """Take out the handler ``configure_logging`` installed."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == _HANDLER]:
        root.removeHandler(handler)


def secret_values(settings: Settings) -> list[str]:
    """Every secret the bot holds: credentials, webhook URLs, the database password."""
    held = settings.secrets
    values = [
        secret.get_secret_value()
        for secret in (
            held.reddit_client_id,
            held.reddit_client_secret,
            held.reddit_username,
            held.reddit_password,
            held.bluesky_app_password,
            *held.webhook_urls.values(),
        )
        if secret is not None
    ]
    try:
        password = make_url(settings.database_url).password
    except ArgumentError:
        password = None
    if password:
        values.append(str(password))
    return values
