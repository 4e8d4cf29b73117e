"""The daemon caps glibc's malloc arenas (``bot.ops.cap_malloc_arenas``), unless the operator set a cap."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt arenas are glibc's")

# Eight threads alive at once, each allocating (blocks above pymalloc's 512 bytes go to malloc),
# then glibc's own report of its arenas: one <heap nr="..."> element per arena.
_ARENAS = textwrap.dedent(
    """
    import ctypes, sys, tempfile, threading
    from bot.ops import cap_malloc_arenas

    applied = cap_malloc_arenas() if sys.argv[1] == "cap" else None
    ready = threading.Barrier(8)

    def work():
        ready.wait()
        blocks = [bytes(4096 + i) for i in range(200)]
        ready.wait()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    libc = ctypes.CDLL(None)
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
    libc.malloc_info.argtypes = (ctypes.c_int, ctypes.c_void_p)
    libc.fclose.argtypes = (ctypes.c_void_p,)
    with tempfile.NamedTemporaryFile(suffix=".xml") as report:
        stream = libc.fopen(report.name.encode(), b"w")
        libc.malloc_info(0, stream)
        libc.fclose(stream)
        print(applied, open(report.name).read().count("<heap nr="))
    """
)


def _arenas(mode: str, **env: str) -> tuple[str, int]:
    clean = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    out = subprocess.run(
        [sys.executable, "-c", _ARENAS, mode], env=clean | env, capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0], int(out[1])


def test_without_the_cap_each_allocating_thread_gets_an_arena_of_its_own() -> None:
    applied, arenas = _arenas("plain")
    assert applied == "None"
    assert arenas > 2


def test_the_cap_keeps_eight_threads_to_two_arenas() -> None:
    applied, arenas = _arenas("cap")
    assert applied == "True"
    assert arenas <= 2


def test_an_operators_malloc_arena_max_wins() -> None:
    applied, arenas = _arenas("cap", MALLOC_ARENA_MAX="4")
    assert applied == "False"
    assert 2 < arenas <= 4
