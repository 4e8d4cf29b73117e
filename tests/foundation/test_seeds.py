"""The seeds manifest: every article file listed once, with the fields the digest needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.seeds import SeedError, load_manifest
from tests.conftest import ROOT


def test_every_seed_file_is_in_the_manifest() -> None:
    articles = load_manifest()
    assert sorted(a.path.name for a in articles) == sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))
    assert {a.language for a in articles} == {"nl", "fr", "en"}
    assert all(a.summary and a.topics for a in articles)


def test_a_manifest_naming_a_missing_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "manifest.toml").write_text(
        '[[articles]]\nid = "x"\nfile = "gone.txt"\ntitle = "T"\nlanguage = "en"\nsummary = "S"\n'
    )
    with pytest.raises(SeedError, match=r"article 'x': file gone.txt not found$"):
        load_manifest(tmp_path)


def test_a_manifest_with_an_unknown_field_is_refused(tmp_path: Path) -> None:
    (tmp_path / "manifest.toml").write_text(
        '[[articles]]\nid = "x"\nfile = "a.txt"\ntitle = "T"\nlanguage = "en"\nsummary = "S"\nauthor = "A"\n'
    )
    with pytest.raises(SeedError, match=r"articles\.0\.author: Extra inputs are not permitted"):
        load_manifest(tmp_path)
