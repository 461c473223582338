"""Task functions for the worker-pool tests (module level, so that worker processes can import them)."""
from __future__ import annotations

import os
import signal
import time


def behave(how: str) -> str:
    if how == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    if how == "hang":
        time.sleep(3600)
    if how == "grow":
        hoard = []
        while True:
            hoard.append(bytearray(16 << 20))
            time.sleep(0.01)
    return f"done {how}"


def pages_of(how: str) -> int | None:
    return 500 if how == "long" else None
