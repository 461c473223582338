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


def process_state(_: str) -> dict:
    """What a worker process is like when its first task starts."""
    import gc
    import sys

    return {"first_generation": gc.get_threshold()[0], "frozen": gc.get_freeze_count(),
            "imported": sorted(m for m in ("pdfplumber", "pdfminer", "pandas", "pyarrow.parquet", "xlsxwriter", "extract.pdf")
                               if m in sys.modules)}
