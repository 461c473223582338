"""The output folder: juesuan writes only into a folder it owns, one run at a time, and removes only what it made.

- Ownership: an --out folder is ours when it carries the marker file `OUT_MARKER` (written when juesuan
  creates the folder or finds it empty). A non-empty folder without it is refused, never written into.
- One run at a time: `locked(out)` holds an exclusive `flock` on `LOCK_NAME` for the whole run; a second
  run on the same folder is refused with one line. The kernel drops the lock when the process dies.
- Cleanup: only temporary paths named by `write.atomic` (and, for folders, holding its marker) are removed.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from write.atomic import STAGING_MARKER, is_staging_name

OUT_MARKER = ".juesuan-out"
LOCK_NAME = ".juesuan-lock"
# Names the batch writes at the top of --out: an input folder of the same name gets another group name.
BATCH_NAMES = frozenset({
    "facts.csv", "facts.parquet", "juesuan.xlsx", "juesuan.duckdb", "checks_summary.csv", "errors.csv",
    "datapackage.json", "batch.json", "index.html", "dataset", "report", "ocr-cache", OUT_MARKER, LOCK_NAME,
})


class OutputFolderError(Exception):
    """--out cannot be used; the message is one line naming the folder and the reason."""


def claim(out: Path) -> None:
    """Make `out` ours or refuse: create it, or mark it when empty, or accept it when already marked."""
    if out.is_symlink() and not out.exists():
        raise OutputFolderError(f"{out}: --out is a broken symbolic link")
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"{out}: --out exists and is not a folder")
    if not out.exists():
        out.mkdir(parents=True)
    if (out / OUT_MARKER).is_file():
        return
    if any(out.iterdir()) and not _earlier_juesuan_output(out):
        raise OutputFolderError(
            f"{out}: --out is a non-empty folder juesuan did not create; give a new or empty folder (nothing was written)"
        )
    (out / OUT_MARKER).write_text(json.dumps({"tool": "juesuan", "purpose": "marks a juesuan output folder"}) + "\n", encoding="utf-8")


def _earlier_juesuan_output(out: Path) -> bool:
    """A folder written by a juesuan version from before the marker: its batch.json says so."""
    try:
        data = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and {"converted", "failed", "skipped"} <= set(data)


@contextmanager
def locked(out: Path):
    """Hold the folder's lock for a run; a second concurrent run is refused (OutputFolderError)."""
    path = out / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise OutputFolderError(f"{out}: another juesuan run (pid {holder}) is writing to this folder; wait for it or choose another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def remove_stale_staging(out: Path, depth: int = 2) -> list[Path]:
    """Temporary files and folders a killed run left behind, in --out and its group folders (never following
    links). Call only while holding the lock: then no other run is using them."""
    removed: list[Path] = []
    _sweep(out, depth, removed)
    return removed


def _sweep(folder: Path, depth: int, removed: list[Path]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.is_symlink():
            continue
        if is_staging_name(entry.name):
            if entry.is_dir(follow_symlinks=False):
                if _our_folder(path):
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(path)
            elif entry.is_file(follow_symlinks=False):
                path.unlink(missing_ok=True)
                removed.append(path)
        elif depth > 1 and entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
            _sweep(path, depth - 1, removed)


def _our_folder(path: Path) -> bool:
    if (path / STAGING_MARKER).is_file():
        return True
    try:
        return json.loads((path / "manifest.json").read_text(encoding="utf-8")).get("tool") == "juesuan"
    except (OSError, ValueError, AttributeError):
        return False
