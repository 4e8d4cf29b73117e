"""The HTML report: self-contained, truthful headline numbers, and care with sensitive posts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from html.parser import HTMLParser

import pytest
from matplotlib.figure import Figure
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.report import Report, gather, render_html
from bot.report._charts import Line, _date_axis, signatures_chart
from bot.report._data import PetitionSeries
from bot.report._html import _petition_card as render_petition_card
from bot.seeds import load_manifest
from bot.storage import Post, make_engine, make_sessionmaker, upgrade
from tests.trends.trend_data import add_posts, campaign_month, post_row

NOW = datetime(2026, 11, 23, 13, 30, tzinfo=UTC)
CONFIG = Config.model_validate(
    {
        "campaign": {"name": "keep4o", "title": "#keep4o", "timezone": "Europe/Amsterdam"},
        "match": {"hashtags": ["keep4o"]},
        "petitions": [
            {"id": "changeorg-keep-gpt-4o", "url": "https://www.change.org/p/keep-gpt-4o", "goal": 25_000}
        ],
    }
)


class Links(HTMLParser):
    """Every tag and every URL-bearing attribute in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if (
                name in ("src", "href", "xlink:href", "srcset", "action", "data", "poster")
                and value is not None
            ):
                self.urls.append((tag, name, value))


def parsed(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


@dataclass(frozen=True)
class Month:
    report: Report
    html: str
    sensitive_urls: list[str]
    removed_urls: list[str]


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Month:
    """A realistic month, rendered once (SQLite; both databases are compared below)."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('report') / 'keep4o.db'}")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as s:
        campaign_month(s, NOW)
    with sessions() as s:
        report = gather(s, CONFIG, days=30, now=NOW, articles=load_manifest())
        recent = Post.created_at >= report.since
        sensitive = list(s.scalars(select(Post.url).where(Post.sensitive.is_(True), recent)))
        removed = list(s.scalars(select(Post.url).where(Post.state == "removed", recent)))
    engine.dispose()
    return Month(report, render_html(report), sensitive, removed)


def test_the_report_fetches_nothing(month: Month) -> None:
    html = month.html
    links = parsed(html)
    assert not links.tags & {"script", "link", "img", "iframe", "object", "embed", "video", "audio", "source"}
    outgoing = [(tag, name, url) for tag, name, url in links.urls if not url.startswith("#")]
    assert outgoing, "the report links to posts and the petition"
    assert all(tag == "a" and name == "href" and url.startswith("https://") for tag, name, url in outgoing)
    assert not re.search(r"url\((?!#)|@import", html)  # only references inside the page


def test_the_headline_shows_the_latest_count_and_the_goal(month: Month) -> None:
    (petition,) = month.report.petitions
    assert petition.latest is not None
    assert f'<p class="big">{petition.latest:,}</p>' in month.html
    assert f"{petition.latest / 25_000:.0%} of the goal of 25,000" in month.html


def test_the_report_has_three_charts_and_a_row_per_day(month: Month) -> None:
    assert re.findall(r'aria-label="([^"]+)"', month.html) == [
        "signatures over time",
        "posts per day by platform",
        "posts by language",
    ]
    assert len(month.report.trends.rows) == 30
    assert month.html.count('<td class="barcell">') == 30


def test_sensitive_posts_are_counted_but_never_quoted_or_linked(month: Month) -> None:
    assert month.sensitive_urls
    assert "want to die" not in month.html
    assert not any(url in month.html for url in month.sensitive_urls)
    withheld = month.report.top.withheld
    assert withheld == len(month.sensitive_urls)
    assert f"{withheld:,} posts in this range touch on distress or self-harm" in month.html


def test_removed_posts_are_not_linked(month: Month) -> None:
    assert month.removed_urls
    assert not any(f'href="{url}"' in month.html for url in month.removed_urls)


def test_the_background_articles_are_listed(month: Month) -> None:
    assert all(escape(a.title) in month.html for a in load_manifest())


def test_both_databases_gather_the_same_report(sessions: sessionmaker[Session], month: Month) -> None:
    with sessions.begin() as s:
        campaign_month(s, NOW)
    with sessions() as s:
        report = gather(s, CONFIG, days=30, now=NOW, articles=load_manifest())
    assert report == month.report


def test_an_empty_database_still_makes_a_readable_report(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        html = render_html(gather(s, CONFIG, days=7, now=NOW, articles=[]))
    # Nothing collected is said so, never counted as 0 (as if the campaign had gone quiet).
    assert "no posts collected yet" in html
    assert '<p class="big">0</p>' not in html
    assert "no signature counts in this range" in html
    assert "No posts in this range." in html
    assert "no posts in this range" in html  # the charts say so too


def test_a_post_link_that_is_not_http_is_shown_as_text(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        row = post_row(NOW - timedelta(hours=2), likes=5, title="<b>bold</b> claim")
        add_posts(s, {**row, "url": "javascript:alert(1)"})
    with sessions() as s:
        html = render_html(gather(s, CONFIG, days=1, now=NOW, articles=[]))
    assert "javascript:" not in html
    assert '<p class="open">open post ↗</p>' in html
    assert "&lt;b&gt;bold&lt;/b&gt; claim" in html


def _one_day_of_readings_in_ten() -> PetitionSeries:
    """Ten days of hourly points; the petition was first read on the last day, 10 a day."""
    start = datetime(2026, 11, 13, 14, 0)
    points = [
        (start + timedelta(hours=h), 21_000 + (h - 216) * 10 // 24 if h >= 216 else None) for h in range(241)
    ]
    return PetitionSeries("p", "Keep GPT-4o", "https://www.change.org/p/keep-gpt-4o", 25_000, tuple(points))


def test_a_petition_read_only_lately_says_since_when_not_over_the_whole_range() -> None:
    html = render_petition_card(_one_day_of_readings_in_ten(), days=10)
    assert "+10 since 2026-11-22 14:00" in html
    assert "in the last 10 days" not in html
    assert "≈ 10 a day over the 24 hours of readings" in html
    assert "the last 7 days" not in html


def test_a_petition_read_all_along_speaks_for_the_range_and_the_week() -> None:
    start = datetime(2026, 11, 13, 14, 0)
    points = tuple((start + timedelta(hours=h), 20_000 + h) for h in range(241))
    html = render_petition_card(PetitionSeries("p", "Keep", "https://x.org/p", None, points), days=10)
    assert "+240 in the last 10 days" in html
    assert "≈ 24 a day over the last 7 days" in html


def test_a_posts_control_codes_and_direction_overrides_stay_out_of_the_page(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        row = post_row(NOW - timedelta(hours=2), likes=1, replies=1, reposts=1, author="\u202eexe.txt")
        add_posts(s, {**row, "title": "ANSI \x1b[2J cleared \x07 " + "A" * 600})
    with sessions() as s:
        html = render_html(gather(s, CONFIG, days=1, now=NOW, articles=[]))
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", html)
    assert "<bdi>user-exe.txt</bdi>" in html  # a right-to-left name cannot reorder the line around it
    assert '<p dir="auto">ANSI [2J cleared AAAA' in html
    assert "overflow-wrap: anywhere" in html  # the 600-letter word wraps instead of widening the page
    # One of each, said so.
    assert "1 like · 1 reply · 1 repost" in html
    assert "Last 1 day:" in html and '<p class="unit">in 1 day</p>' in html


def test_a_petition_named_with_dollar_signs_is_charted_as_written() -> None:
    # matplotlib reads "$…$" as mathematical notation, and "$_$" as notation it cannot draw.
    start = datetime(2026, 11, 1)
    points = tuple((start + timedelta(days=d), 100 + d) for d in range(5))
    lines = [Line("Refund the $_$ fee", points), Line("Cut the $5 fee and the $10 surcharge", points)]
    assert signatures_chart(lines, start, start + timedelta(days=5)).startswith("<svg")


def test_a_week_of_daily_points_is_called_the_last_days_it_spans_not_all_readings() -> None:
    # A 30-day report draws each day's last reading (at 23:55), and today's newest one.
    start = datetime(2026, 10, 25, 23, 55)
    points = [(start + timedelta(days=d), 20_000 + 100 * d) for d in range(30)]
    points.append((datetime(2026, 11, 24, 12, 55), 23_050))
    series = PetitionSeries("p", "Keep", "https://x.org/p", None, tuple(points))
    html = render_petition_card(series, days=31)
    assert "a day over the last 6.5 days" in html
    assert "of readings" not in html  # the readings go back a month


def tick_labels(start: datetime, end: datetime) -> list[str]:
    fig = Figure()
    ax = fig.subplots()
    _date_axis(ax, start, end)
    return ax.xaxis.get_major_formatter().format_ticks(ax.xaxis.get_major_locator()())


def test_chart_dates_name_the_day_and_month_whatever_the_range() -> None:
    day = datetime(2026, 12, 5)
    assert tick_labels(day, day + timedelta(days=1)) == [
        "05 Dec 00:00",
        "05 Dec 06:00",
        "05 Dec 12:00",
        "05 Dec 18:00",
        "06 Dec 00:00",
    ]
    month = tick_labels(datetime(2026, 11, 5), datetime(2026, 12, 5))
    assert all(re.fullmatch(r"\d\d (Nov|Dec)", label) for label in month), month
    assert month[0].endswith("Nov") and month[-1].endswith("Dec") and len(month) <= 9
    year = tick_labels(datetime(2025, 12, 5), datetime(2026, 12, 5))
    assert year == ["2026", "Mar", "May", "Jul", "Sep", "Nov"]  # January named by its year
