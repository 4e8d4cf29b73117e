"""The daemon: scheduled jobs, their runs and records, staleness and catch-up."""

from ._daemon import Daemon, replica_name
from ._jobs import JobContext, JobSpec, build_jobs, latest_fire, make_spec, next_fire
from ._locks import DaemonRunning, JobLock, advisory_key, one_daemon_per_file
from ._records import JobStatus, job_status
from ._retention import purge_post_content, run_retention
from ._runner import Outcome, Runner, backoff_delay, counts_of
from ._signals import StopSignal, run_until_signalled
from ._staleness import SourceHealth, Transition, assess, stale_sources
from ._stream import Stream, build_streams
from ._triggers import cron_weekdays, format_slot

__all__ = [
    "Daemon",
    "DaemonRunning",
    "JobContext",
    "JobLock",
    "JobSpec",
    "JobStatus",
    "Outcome",
    "Runner",
    "SourceHealth",
    "StopSignal",
    "Stream",
    "Transition",
    "advisory_key",
    "assess",
    "backoff_delay",
    "build_jobs",
    "build_streams",
    "counts_of",
    "cron_weekdays",
    "format_slot",
    "job_status",
    "latest_fire",
    "make_spec",
    "next_fire",
    "one_daemon_per_file",
    "purge_post_content",
    "replica_name",
    "run_retention",
    "run_until_signalled",
    "stale_sources",
]
