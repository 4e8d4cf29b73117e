"""Local servers that speak Reddit's, Bluesky's and petition sites' wire protocols."""

from ._campaign import campaign_toml, sandbox_env
from ._clock import Clock
from ._faults import FAULTS, Fault
from ._generate import generate_world
from ._replay import CassetteError, ReplayServer, load_cassette
from ._server import Sandbox
from ._timeline import LivingWorld, Timeline
from ._world import BlueskyAccount, BlueskyPost, PetitionPage, RedditPost, World

__all__ = [
    "FAULTS",
    "BlueskyAccount",
    "BlueskyPost",
    "CassetteError",
    "Clock",
    "Fault",
    "LivingWorld",
    "PetitionPage",
    "RedditPost",
    "ReplayServer",
    "Sandbox",
    "Timeline",
    "World",
    "campaign_toml",
    "generate_world",
    "load_cassette",
    "sandbox_env",
]
