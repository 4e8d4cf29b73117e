"""Collectors: campaign posts from Reddit and Bluesky, matched and normalised."""

from ._record import PostRecord

__all__ = ["PostRecord"]
