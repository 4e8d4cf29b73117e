"""Telling an anti-bot wall from a petition page (bot.petitions.check_blocked)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.petitions import BlockedError, check_blocked


def test_cloudflares_header_marks_a_challenge_whatever_the_body() -> None:
    with pytest.raises(BlockedError, match=r"Cloudflare challenge \(HTTP 403\)"):
        check_blocked(403, {"cf-mitigated": "challenge"}, "")


def test_the_challenge_page_is_recognised_without_the_header(page: Callable[[str], str]) -> None:
    with pytest.raises(BlockedError, match=r"anti-bot challenge page \(HTTP 403\)"):
        check_blocked(403, {}, page("cloudflare_challenge.html"))


def test_a_challenge_page_served_with_200_is_still_a_wall(page: Callable[[str], str]) -> None:
    with pytest.raises(BlockedError, match=r"HTTP 200"):
        check_blocked(200, {}, page("cloudflare_challenge.html"))


def test_a_petition_page_is_not_a_wall(page: Callable[[str], str]) -> None:
    check_blocked(200, {"server": "cloudflare"}, page("changeorg_current.html"))


def test_cloudflares_detection_script_on_an_ordinary_page_is_not_a_wall(page: Callable[[str], str]) -> None:
    script = '<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script>'
    check_blocked(200, {}, page("changeorg_current.html").replace("</body>", script + "</body>"))
