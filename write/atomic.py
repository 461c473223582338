"""Write a folder or file of outputs so that readers see either the old complete one or the new one.

Every temporary path this module makes is named `.juesuan-tmp-<pid>-<random>` (or `.juesuan-old-…`
for an output being replaced) and a staging folder holds the marker file `STAGING_MARKER`: cleanup
(`write.outdir.remove_stale_staging`) removes only paths that carry both, never anything else.
"""
from __future__ import annotations

import os
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path

import regex

STAGING_MARKER = ".juesuan-staging"
_STAGING_NAME = regex.compile(r"^\.juesuan-(?:tmp|old)-\d+-[0-9a-f]{8}(?:\.[A-Za-z0-9]{1,10}){0,2}$")  # file.duckdb.wal too


def staging_name(kind: str = "tmp", suffix: str = "") -> str:
    """A short name (whatever the length of the target's), unmistakably ours."""
    return f".juesuan-{kind}-{os.getpid()}-{secrets.token_hex(4)}{suffix}"


def is_staging_name(name: str) -> bool:
    return bool(_STAGING_NAME.match(name))


def staging_pid(name: str) -> int | None:
    parts = name.split("-")
    return int(parts[2]) if is_staging_name(name) else None


@contextmanager
def atomic_directory(target: Path):
    """Yield a temporary directory beside `target`; on success it replaces `target` in one rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / staging_name("tmp")
    staging.mkdir()
    (staging / STAGING_MARKER).write_text(target.name, encoding="utf-8")
    try:
        yield staging
        (staging / STAGING_MARKER).unlink()
        retired = None
        if target.exists() or target.is_symlink():
            retired = target.parent / staging_name("old")
            os.replace(target, retired)
            if retired.is_dir() and not retired.is_symlink():
                (retired / STAGING_MARKER).write_text(target.name, encoding="utf-8")
        os.replace(staging, target)
        if retired is not None:
            _remove(retired)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextmanager
def replacing(path: Path):
    """Yield a temporary path beside `path`; once it is written, it replaces `path` in one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / staging_name("tmp", path.suffix if len(path.suffix) <= 11 else "")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    with replacing(path) as tmp:
        tmp.write_text(text, encoding=encoding)
