"""keep4o-bot: watch a campaign on social media and its petitions, tell people what changed."""

from ._version import __version__

__all__ = ["__version__"]
