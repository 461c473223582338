"""`juesuan open OUT[/<group>/<doc-id>]`: the HTML report of a batch or of one document, opened in a browser when
there is one to open it in (the path is printed either way)."""
from __future__ import annotations

import os
import sys
import webbrowser
from pathlib import Path

from write.html_report import INDEX_FILE, REPORT_FILE
from write.outdir import OUT_MARKER

BATCH_MARKERS = (OUT_MARKER, "batch.json", "checks_summary.csv", INDEX_FILE)  # what `juesuan extract` leaves at the top of OUT


class ReportNotFound(Exception):
    """The target holds no report; the message says what was looked for and why it may be missing."""


def report_path(target: Path) -> Path:
    """OUT -> OUT/index.html; a document folder (it holds manifest.json) -> its report.html; an .html file -> itself."""
    if target.is_file() and target.suffix.lower() == ".html":
        return target
    if not target.is_dir():
        raise ReportNotFound(f"{target}: no such output folder")
    if (target / "manifest.json").is_file():
        return _existing(target / REPORT_FILE, "document folder")
    if any((target / name).is_file() for name in BATCH_MARKERS):
        return _existing(target / INDEX_FILE, "output folder")
    raise ReportNotFound(f"{target}: neither an output folder of `juesuan extract` nor a document folder in one")


def _existing(path: Path, what: str) -> Path:
    if not path.is_file():
        raise ReportNotFound(f"{path} not found: this {what} was written without the HTML report (--no-html, or by an "
                             f"earlier version); run `juesuan extract` again without --no-html")
    return path


def browser_available() -> bool:
    """A browser the user chose ($BROWSER), a graphical session, or a desktop system: never a text browser that
    would take over the terminal of a server."""
    if os.environ.get("BROWSER"):
        return True
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_in_browser(path: Path) -> bool:
    """Open the report in a browser; False when none is available or it could not be started."""
    if not browser_available():
        return False
    try:
        return bool(webbrowser.open(path.resolve().as_uri()))
    except webbrowser.Error:
        return False

