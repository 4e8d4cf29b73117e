"""What every fake service's routes share."""

from __future__ import annotations

from dataclasses import dataclass

from ._clock import Clock
from ._world import World


@dataclass
class Context:
    world: World
    clock: Clock
