"""Prometheus metrics, in a registry of their own (one per daemon, so tests don't share counters).

Labels are low-cardinality on purpose: platform, source, job and status, never a post,
petition URL or error message.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics

# Every counter would also export a "_created" series; nothing here needs them.
disable_created_metrics()  # type: ignore[no-untyped-call]

# Polls take from well under a second to minutes (rate-limit waits, retries).
_DURATION_BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.posts_ingested = Counter(
            "keep4o_posts_ingested", "New campaign posts stored.", ["platform"], registry=r
        )
        self.posts_updated = Counter(
            "keep4o_posts_updated",
            "Stored posts whose engagement or state changed.",
            ["platform"],
            registry=r,
        )
        self.petition_snapshots = Counter(
            "keep4o_petition_snapshots", "Petition signature counts recorded.", registry=r
        )
        self.api_requests = Counter(
            "keep4o_api_requests", "Requests made to a platform's API.", ["source"], registry=r
        )
        self.rate_limit_remaining = Gauge(
            "keep4o_rate_limit_remaining",
            "Requests left in the source's rate-limit window.",
            ["source"],
            registry=r,
        )
        self.job_runs = Counter(
            "keep4o_job_runs",
            "Job runs by outcome (ok, failed, skipped, ...).",
            ["job", "status"],
            registry=r,
        )
        self.job_failures = Counter("keep4o_job_failures", "Job runs that failed.", ["job"], registry=r)
        self.job_duration = Histogram(
            "keep4o_job_duration_seconds",
            "How long job runs took.",
            ["job"],
            buckets=_DURATION_BUCKETS,
            registry=r,
        )
        self.job_last_success = Gauge(
            "keep4o_job_last_success_timestamp_seconds",
            "Unix time of the job's last successful run.",
            ["job"],
            registry=r,
        )
        self.digest_deliveries = Counter(
            "keep4o_digest_deliveries", "Digests and alerts delivered to targets.", ["kind"], registry=r
        )
        self.source_stale = Gauge(
            "keep4o_source_stale",
            "1 while the source is stale (no success for too long).",
            ["source"],
            registry=r,
        )
        self.operator_alerts = Counter(
            "keep4o_operator_alerts", "Staleness alerts and recoveries raised.", ["kind"], registry=r
        )
