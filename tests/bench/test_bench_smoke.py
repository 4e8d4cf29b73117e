"""The benchmark harness runs end to end at its smallest size (a smoke test: speed is never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench._report import TARGETS, verdicts
from bench._suite import growth
from tests.conftest import ROOT

# The figure that shows each section really measured something.
MAIN_FIGURE = {
    "ingest": "posts_per_s",
    "trends": "day365_ms",
    "digest": "digest_ms",
    "api": "requests",
    "daemon": "idle_rss_mb",
}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def smoke_results(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``python -m bench --smoke`` on one backend, as CI runs it."""
    out = tmp_path_factory.mktemp("bench") / "smoke.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--backends", request.param, "--json", str(out)],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results: dict[str, Any] = json.loads(Path(out).read_text())
    return results


@pytest.mark.parametrize("section", sorted(MAIN_FIGURE))
def test_smoke_run_measures_every_section(smoke_results: dict[str, Any], section: str) -> None:
    rows = [r for r in smoke_results["results"] if r["section"] == section]
    assert rows
    assert all(r[MAIN_FIGURE[section]] > 0 for r in rows)


def test_smoke_run_judges_every_target_of_its_backend_below_1m_posts(smoke_results: dict[str, Any]) -> None:
    (backend,) = {r["backend"] for r in smoke_results["results"] if "backend" in r}
    verdicts_by_target: dict[str, set[str]] = {}
    for verdict in smoke_results["targets"]:
        verdicts_by_target.setdefault(verdict["target"], set()).add(verdict["verdict"])
    assert verdicts_by_target.keys() == {t.text for t in TARGETS}
    for target in TARGETS:
        where = dict(target.where)
        measurable = "size" not in where and where.get("backend", backend) == backend
        expected = {"PASS", "MISS"} if measurable else {"not measured"}
        assert verdicts_by_target[target.text] <= expected, target.text
    # Request counts are not speed: a quiet poll makes the minimum at any size.
    assert all(verdicts_by_target[t] == {"PASS"} for t in verdicts_by_target if t.startswith("quiet poll"))


def test_growth_reads_a_steady_rate_as_linear_and_a_flat_time_as_sublinear() -> None:
    rows = [
        {"section": "ingest", "backend": "sqlite", "size": size, "posts_per_s": 50_000.0}
        for size in (10_000, 100_000, 1_000_000)
    ] + [
        {"section": "trends", "backend": "sqlite", "size": size, "day365_ms": 40.0, "hour48_ms": ms}
        for size, ms in ((10_000, 1.0), (100_000, 10.0), (1_000_000, 100.0))
    ]
    summary = {r["figure"]: r for r in growth(rows)}
    assert summary["ingest.posts_per_s"]["growth"] == "linear"
    assert summary["trends.day365_ms"]["growth"] == "sublinear"
    assert summary["trends.hour48_ms"]["per_10x"] == 10.0


def test_growth_needs_two_sizes() -> None:
    assert growth([{"section": "trends", "backend": "sqlite", "size": 1000, "day365_ms": 5.0}]) == []


def test_a_target_missed_says_by_how_much() -> None:
    rows = [{"section": "trends", "backend": "sqlite", "size": 1_000_000, "day365_ms": 250.0}]
    (trend,) = [v for v in verdicts(rows) if v["target"].startswith("365-day")]
    assert (trend["verdict"], trend["margin"]) == ("MISS", "2.50x the limit")


def test_a_target_at_a_size_not_run_is_not_measured() -> None:
    rows = [{"section": "digest", "backend": "sqlite", "size": 10_000, "digest_ms": 5.0}]
    (digest,) = [v for v in verdicts(rows) if v["target"].startswith("digest")]
    assert digest["verdict"] == "not measured"
