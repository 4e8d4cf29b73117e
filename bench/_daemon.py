"""Daemon: ``keep4o-bot run`` as a real process against the sandbox; memory and start-up time.

The daemon runs the production schedule divided by the sandbox's clock speed (speed 60: the
10-minute polls every 10 s), so a minute of real time is an hour of campaign traffic for
the bot. Phases: start-up (process start to the scheduler running, to the first request
at the sandbox and to the first ``job_runs`` row), idle (the sandbox clock frozen, so
every poll is quiet) and traffic (the clock running at ``speed``). Memory is VmRSS from
``/proc`` (Linux), sampled twice a second; the peak is the kernel's VmHWM.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from bot.clock import utc_now
from bot.sandbox import Clock, Sandbox, generate_world
from bot.storage import JobRun, Post, make_sessionmaker

from ._db import fresh_database

# Seconds between runs of each job in the default schedule (config/keep4o.toml).
PRODUCTION_EVERY = {
    "poll_reddit": 600,
    "search_reddit": 3600,
    "poll_bluesky": 600,
    "poll_petitions": 900,
    "refresh_engagement": 3600,
    "alerts": 900,
}
FIRST_ROUND = ("poll_reddit", "poll_bluesky", "poll_petitions")
SAMPLE_EVERY = 0.5
WAIT_LIMIT = 90.0
# A busy campaign day: about a hundred posts an hour reach the bot.
REDDIT_PER_DAY, BLUESKY_PER_DAY = 600, 1800


@dataclass(frozen=True)
class Plan:
    speed: float  # sandbox clock speed during the traffic phase
    traffic_s: float  # real seconds of traffic (speed * traffic_s = campaign seconds)
    idle_s: float


FULL = Plan(speed=60, traffic_s=60, idle_s=15)
SMOKE = Plan(speed=600, traffic_s=6, idle_s=2)


def schedule_toml(speed: float) -> str:
    """The production schedule, ``speed`` times faster, and a health server on a free port."""
    jobs = "".join(
        f'{name} = {{ every = "{max(1, round(seconds / speed))}s" }}\n'
        for name, seconds in PRODUCTION_EVERY.items()
    )
    return (
        f'\n[schedule]\nstale_after = "2h"\n\n[schedule.jobs]\n{jobs}retention = {{ cron = "30 3 * * *" }}\n'
        '\n[server]\nhost = "127.0.0.1"\nport = 0\n'
    )


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """A memory figure of process ``pid`` from ``/proc/<pid>/status``, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"/proc/{pid}/status has no {field}")


def _wait(what: str, done: Callable[[], bool], proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + WAIT_LIMIT
    while not done():
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"keep4o-bot run exited ({proc.returncode}) before {what}:\n{tail}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"keep4o-bot run: no {what} within {WAIT_LIMIT:.0f} s")
        time.sleep(0.02)


def _samples(pid: int, seconds: float) -> list[float]:
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        out.append(rss_mb(pid))
        time.sleep(SAMPLE_EVERY)
    return out


def _bot_command() -> list[str]:
    script = Path(sys.executable).with_name("keep4o-bot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def _environment() -> dict[str, str]:
    # The process environment overrides the campaign's .env; real credentials must not leak in.
    drop = ("DATABASE_URL", "KEEP4O_CONFIG", "REDDIT_", "BLUESKY_")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def _stats(engine: Engine) -> tuple[int, dict[str, int], set[str]]:
    with make_sessionmaker(engine)() as session:
        posts = session.scalar(select(func.count()).select_from(Post)) or 0
        runs = dict(session.execute(select(JobRun.status, func.count()).group_by(JobRun.status)).all())
        jobs = set(session.scalars(select(JobRun.job).where(JobRun.status != "running")))
    return int(posts), {str(k): int(v) for k, v in runs.items()}, jobs


def measure_daemon(engine: Engine, backend: str, plan: Plan) -> dict[str, Any]:
    start = utc_now()
    world = generate_world(
        seed=11, now=start, days=2, reddit_per_day=REDDIT_PER_DAY, bluesky_per_day=BLUESKY_PER_DAY
    )
    clock = Clock(start, speed=0)
    with tempfile.TemporaryDirectory(prefix="keep4o-bench-daemon-") as folder, Sandbox(world, clock) as sb:
        config = sb.write_config(
            Path(folder) / "keep4o.toml", engine.url.render_as_string(hide_password=False)
        )
        config.write_text(config.read_text() + schedule_toml(plan.speed))
        log = Path(folder) / "daemon.log"
        with log.open("wb") as out:
            began = time.monotonic()
            proc = subprocess.Popen(
                [*_bot_command(), "--config", str(config), "run"],
                cwd=folder,
                env=_environment(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            try:
                _wait(
                    "scheduler start",
                    lambda: "scheduler started" in log.read_text(errors="replace"),
                    proc,
                    log,
                )
                ready_s = time.monotonic() - began
                _wait("request at the sandbox", lambda: sb.requests() > 0, proc, log)
                first_request_s = time.monotonic() - began
                _wait("job_runs row", lambda: bool(_stats(engine)[2]), proc, log)
                first_run_s = time.monotonic() - began
                _wait("first round of polls", lambda: set(FIRST_ROUND) <= _stats(engine)[2], proc, log)
                posts_before = _stats(engine)[0]
                idle = _samples(proc.pid, plan.idle_s)
                clock.set(clock.now(), speed=plan.speed)
                traffic = _samples(proc.pid, plan.traffic_s)
                after, peak = rss_mb(proc.pid), rss_mb(proc.pid, "VmHWM")
                posts_after, runs, _jobs = _stats(engine)
            finally:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    return {
        "section": "daemon",
        "backend": backend,
        "size": posts_after,
        "idle_rss_mb": max(idle),
        "traffic_rss_mb": statistics.median(traffic),
        "after_rss_mb": after,
        "peak_rss_mb": peak,
        "ready_s": round(ready_s, 2),
        "request_s": round(first_request_s, 2),
        "first_poll_s": round(first_run_s, 2),
        "campaign_h": round(plan.speed * plan.traffic_s / 3600, 2),
        "new_posts": posts_after - posts_before,
        "runs_ok": runs.get("ok", 0),
        "runs_failed": runs.get("failed", 0),
    }


def run_daemon(backends: Sequence[str], plan: Plan = FULL) -> list[dict[str, Any]]:
    rows = []
    for backend in backends:
        with fresh_database(backend) as engine:
            rows.append(measure_daemon(engine, backend, plan))
    return rows
