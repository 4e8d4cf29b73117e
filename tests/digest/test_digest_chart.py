"""The 30-day signature chart and its alt text."""

from __future__ import annotations

from dataclasses import replace

from digest_data import sample_content

from bot.digest import chart_alt, chart_png


def test_the_chart_is_a_png_small_enough_for_a_bluesky_blob() -> None:
    png = chart_png(sample_content().petitions[0])
    assert png is not None
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) < 1_000_000


def test_one_day_of_data_draws_no_chart() -> None:
    petition = sample_content().petitions[0]
    assert chart_png(replace(petition, series=petition.series[-1:])) is None


def test_the_alt_text_says_what_the_chart_shows() -> None:
    assert chart_alt(sample_content().petitions[0]) == (
        "Line chart of signatures on the petition “Keep GPT-4o available” over 30 days: "
        "12,812 on Thu 22 Jan, 21,512 on Fri 20 Feb (+8,700). The goal is 25,000."
    )


def test_a_petition_named_with_dollar_signs_is_drawn_as_written() -> None:
    # matplotlib reads "$…$" as mathematical notation, and "$_$" as notation it cannot draw.
    petition = replace(sample_content().petitions[0], name="Refund the $_$ fee: $5 and $10")
    png = chart_png(petition)
    assert png is not None and png.startswith(b"\x89PNG")
