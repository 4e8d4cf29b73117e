"""Collectors: campaign posts from Reddit and Bluesky, matched and normalised."""

from ._record import PollSummary, PostRecord

__all__ = ["PollSummary", "PostRecord"]
