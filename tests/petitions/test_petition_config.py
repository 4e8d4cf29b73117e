"""Choosing the adapter for a petition, and the petition settings' validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Petition, load_settings
from bot.petitions import PetitionError, adapter_for, user_agent


@pytest.mark.parametrize(
    ("url", "adapter"),
    [
        ("https://www.change.org/p/keep-gpt-4o", "changeorg"),
        ("https://change.org/p/keep-gpt-4o?source_location=search", "changeorg"),
        ("https://petition.parliament.uk/petitions/700001", "uk_parliament"),
        ("http://127.0.0.1:8080/p/keep-gpt-4o", "changeorg"),  # the sandbox: told by the path
        ("http://127.0.0.1:8080/petitions/700001.json", "uk_parliament"),
    ],
)
def test_auto_picks_the_adapter_from_the_site_or_path(url: str, adapter: str) -> None:
    assert adapter_for(Petition(id="p", url=url)) == adapter


def test_a_selector_or_pattern_means_generic() -> None:
    assert adapter_for(Petition(id="p", url="https://www.change.org/p/x", selector="strong")) == "generic"


def test_an_explicit_adapter_wins() -> None:
    assert (
        adapter_for(Petition(id="p", url="https://example.org/p/x", adapter="uk_parliament"))
        == "uk_parliament"
    )


def test_an_unknown_site_must_be_configured() -> None:
    with pytest.raises(
        PetitionError, match=r"cannot tell which site https://example\.org/sign is; set adapter"
    ):
        adapter_for(Petition(id="p", url="https://example.org/sign"))


def test_the_user_agent_names_the_bot_and_its_contact() -> None:
    assert user_agent("https://keep4o.example.org") == (
        "Mozilla/5.0 (compatible; keep4o-bot/0.1.0; +https://keep4o.example.org)"
    )


def _config(tmp_path: Path, petition: str) -> Path:
    path = tmp_path / "keep4o.toml"
    path.write_text(
        '[campaign]\nname = "t"\ntitle = "t"\n[match]\nhashtags = ["keep4o"]\n'
        f'[[petitions]]\nid = "p"\nurl = "https://example.org/sign"\nadapter = "generic"\n{petition}\n',
        encoding="utf-8",
    )
    return path


def test_an_invalid_css_selector_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"petitions\[0\]: 'selector' is not a valid CSS selector: "
    ) as caught:
        load_settings(_config(tmp_path, 'selector = "li[class="'), {})
    assert "\n" not in str(caught.value)


def test_a_timeout_out_of_range_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"petitions\[0\]\.timeout_seconds"):
        load_settings(_config(tmp_path, 'selector = "b"\ntimeout_seconds = 0'), {})
