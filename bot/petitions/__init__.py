"""Petition tracking: read signature counts, store snapshots, derive pace and projections."""

from ._changeorg import parse_changeorg
from ._fetch import Page, Validators, fetch, user_agent
from ._generic import parse_generic
from ._history import History, goal_of, load_history, shown_name
from ._numbers import CountError, ascii_digits, parse_count
from ._pace import WINDOWS, PetitionStats, Snapshot, change_over, milestones_crossed, petition_stats
from ._reading import (
    BlockedError,
    CountryCount,
    FetchError,
    PageError,
    PetitionError,
    Reading,
    check_blocked,
)
from ._sanity import Verdict, implausible, judge
from ._tracker import PetitionPollError, adapter_for, parse, poll_petition, poll_petitions
from ._uk import parse_uk

__all__ = [
    "WINDOWS",
    "BlockedError",
    "CountError",
    "CountryCount",
    "FetchError",
    "History",
    "Page",
    "PageError",
    "PetitionError",
    "PetitionPollError",
    "PetitionStats",
    "Reading",
    "Snapshot",
    "Validators",
    "Verdict",
    "adapter_for",
    "ascii_digits",
    "change_over",
    "check_blocked",
    "fetch",
    "goal_of",
    "implausible",
    "judge",
    "load_history",
    "milestones_crossed",
    "parse",
    "parse_changeorg",
    "parse_count",
    "parse_generic",
    "parse_uk",
    "petition_stats",
    "poll_petition",
    "poll_petitions",
    "shown_name",
    "user_agent",
]
