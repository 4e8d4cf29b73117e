"""Local servers that speak Reddit's, Bluesky's and petition sites' wire protocols."""

from ._clock import Clock
from ._world import BlueskyAccount, BlueskyPost, PetitionPage, RedditPost, World

__all__ = ["BlueskyAccount", "BlueskyPost", "Clock", "PetitionPage", "RedditPost", "World"]
