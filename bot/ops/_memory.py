"""Keeping the daemon's resident memory down where the C allocator decides it."""

from __future__ import annotations

import ctypes
import os

# glibc's mallopt() parameter for the most arenas it may create (malloc.h).
_M_ARENA_MAX = -8
ARENAS = 2


def cap_malloc_arenas(limit: int = ARENAS) -> bool:
    """Let glibc's malloc keep at most ``limit`` arenas, as ``MALLOC_ARENA_MAX`` would; True if applied.

    Why: the daemon runs its jobs in a dozen threads, and glibc gives each thread that allocates
    while another holds the main arena an arena of its own, up to eight per CPU. Each keeps what
    its thread freed (SQLite's page cache, response bodies) instead of sharing it. Measured on
    the idle daemon (``bench``, PostgreSQL, three runs each): 152 to 157 MB resident uncapped,
    149 MB capped at two, with no slower polls. Call it before the threads start: arenas
    already made stay. An operator's own ``MALLOC_ARENA_MAX`` wins; without glibc (macOS, musl)
    nothing changes.
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, limit))
